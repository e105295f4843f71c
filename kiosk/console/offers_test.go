package console_test

import (
	"bytes"
	"mime/multipart"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/core"
)

// TestOffersPageForms: the Offerte page previews an offer without storing
// it, sends it with its schedule, refuses a bad one on the page, renames
// and revokes a screen, and is closed to assistants.
func TestOffersPageForms(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	offers := func() []map[string]any {
		var out struct {
			Offers []map[string]any `json:"offers"`
		}
		c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/offers", nil, apptest.Bearer(owner)...), 200).JSON(t, &out)
		return out.Offers
	}
	v := url.Values{"title": {"Aperitivo"}, "text": {"Sconto serale"}, "weekdays": {"thu", "fri"}, "from": {"19:30"}, "to": {"09:00"}, "action": {"preview"}}
	r := c.Form("/console/offers/shop-milano-centro", v, 200, apptest.Bearer(owner)...)
	if !strings.Contains(string(r.Body), `id="reach"`) || len(offers()) != 0 {
		t.Fatalf("preview stored an offer or shows no reach")
	}
	v.Set("action", "send")
	c.Form("/console/offers/shop-milano-centro", v, 303, apptest.Bearer(owner)...)
	list := offers()
	if len(list) != 1 {
		t.Fatalf("offers %v", list)
	}
	s := list[0]["schedule"].(map[string]any)
	if s["from"] != "19:30" || s["to"] != "09:00" || len(s["weekdays"].([]any)) != 2 {
		t.Fatalf("schedule %v", s)
	}
	v.Set("from", "25:00")
	r = c.Form("/console/offers/shop-milano-centro", v, 422, apptest.Bearer(owner)...)
	if !strings.Contains(string(r.Body), "schedule.from") || len(offers()) != 1 {
		t.Fatal("a bad schedule was not refused on the page")
	}
	k := c.PairKiosk(owner, "shop-milano-centro", "Vetrina")
	c.Form("/console/offers/shop-milano-centro/kiosks/"+k.ID, url.Values{"label": {"Vetrina nord"}}, 303, apptest.Bearer(owner)...)
	c.Form("/console/offers/shop-milano-centro/kiosks/"+k.ID, url.Values{"revoke": {"1"}}, 303, apptest.Bearer(owner)...)
	var ks struct {
		Kiosks []struct {
			Label     string `json:"label"`
			RevokedAt string `json:"revoked_at"`
		} `json:"kiosks"`
	}
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/kiosks", nil, apptest.Bearer(owner)...), 200).JSON(t, &ks)
	if ks.Kiosks[0].Label != "Vetrina nord" || ks.Kiosks[0].RevokedAt == "" {
		t.Fatalf("kiosk %+v", ks)
	}
	c.Form("/console/offers/shop-milano-centro/"+list[0]["id"].(string)+"/end", url.Values{}, 303, apptest.Bearer(owner)...)
	if len(offers()) != 0 {
		t.Fatal("an ended offer is still listed")
	}
	assistant := c.StaffLogin("assistente@example.com", apptest.AddStaff(t, m, "assistente@example.com", core.RoleAssistant, "shop-milano-centro"))
	c.Want(c.Do("GET", "/console/offers", nil, apptest.Bearer(assistant)...), 403)
}

// TestDeskLinkPage: on the check-in page, staff pick the screen and type
// the e-mail of the customer in front of them (of any home shop); the
// visit is theirs, and the page lists them. An unknown e-mail changes
// nothing.
func TestDeskLinkPage(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, "shop-milano-centro", "Banco")
	s := c.Signup("roma.cliente@example.com", func(b map[string]any) { b["shop_id"] = "shop-roma-prati" })
	manager := c.StaffLogin("gestore@example.com", apptest.AddStaff(t, m, "gestore@example.com", core.RoleManager, "shop-milano-centro"))
	post := func(email string, want int) string {
		t.Helper()
		v := url.Values{"kiosk": {k.ID}, "email": {email}}
		return string(c.Want(c.Do("POST", "/console/checkins/shop-milano-centro/link", v.Encode(),
			append(apptest.Bearer(manager), "Content-Type", "application/x-www-form-urlencoded")...), want).Body)
	}
	// The page polls its rows with the tag it last saw: an unchanged list
	// is a 304 with no body; a new check-in changes the tag.
	list := func(tag string, want int) apptest.Response {
		t.Helper()
		h := apptest.Bearer(manager)
		if tag != "" {
			h = append(h, "If-None-Match", tag)
		}
		return c.Want(c.Do("GET", "/console/checkins/list?shop=shop-milano-centro", nil, h...), want)
	}
	before := list("", 200).Header.Get("ETag")
	if r := list(before, 304); before == "" || len(r.Body) != 0 {
		t.Fatalf("an unchanged list: tag %q, body %q", before, r.Body)
	}
	if body := post("nobody@example.com", 422); !strings.Contains(body, "Nessun cliente") {
		t.Fatalf("unknown e-mail: %s", body)
	} else if !strings.Contains(body, `value="nobody@example.com"`) || !strings.Contains(body, `<option value="`+k.ID+`" selected>`) {
		t.Error("a refused desk link forgets the address or the screen typed")
	}
	if vs, _ := m.Store.CustomerVisits(t.Context(), s.Customer.ID); len(vs) != 0 {
		t.Fatal("an unknown e-mail linked a visit")
	}
	if body := post("Roma.Cliente@example.com", 200); !strings.Contains(body, "Visita collegata a Giulia Rossi") || !strings.Contains(body, `class="checkin"`) {
		t.Fatalf("after the desk link: %s", body)
	}
	vs, err := m.Store.CustomerVisits(t.Context(), s.Customer.ID)
	apptest.Must(t, err)
	if len(vs) != 1 || vs[0].Via != "desk" || vs[0].KioskID != k.ID {
		t.Fatalf("visits %+v", vs)
	}
	after := list(before, 200)
	if tag := after.Header.Get("ETag"); tag == before || !strings.Contains(string(after.Body), "Giulia Rossi") {
		t.Fatalf("after a check-in: tag %q (was %q), rows %s", tag, before, after.Body)
	}
	list(after.Header.Get("ETag"), 304)
}

// TestStaffReadNamesNotIds: the screens table says what a screen shows,
// the plays say which screen and what, the staff table which shop: in
// words, not ids.
func TestStaffReadNamesNotIds(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	c.Form("/console/offers/shop-milano-centro", url.Values{"title": {"Aperitivo"}, "text": {"Sconto serale"}, "action": {"send"}}, 303, apptest.Bearer(owner)...)
	var offers struct {
		Offers []struct{ ID string } `json:"offers"`
	}
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/offers", nil, apptest.Bearer(owner)...), 200).JSON(t, &offers)
	k := c.PairKiosk(owner, "shop-milano-centro", "Vetrina nord")
	shown := offers.Offers[0].ID
	c.Want(c.Do("POST", "/kiosk/v1/plays", map[string]any{"showing": "offer:" + shown,
		"plays": []any{map[string]any{"item_kind": "offer", "item_id": shown, "shown_at": time.Now().UTC(), "seconds": 8}}}, apptest.Bearer(k.Token)...), 202)

	page := string(c.Want(c.Do("GET", "/console/offers?shop=shop-milano-centro", nil, apptest.Bearer(owner)...), 200).Body)
	if !strings.Contains(page, "Offerta «Aperitivo»") || strings.Contains(page, "offer:"+shown) {
		t.Fatalf("the screens table does not say what the screen shows: %s", page)
	}
	var plays struct {
		Plays []struct {
			KioskLabel string `json:"kiosk_label"`
			ItemName   string `json:"item_name"`
		} `json:"plays"`
	}
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/plays", nil, append(apptest.Bearer(owner), "Accept-Language", "it")...), 200).JSON(t, &plays)
	if len(plays.Plays) != 1 || plays.Plays[0].KioskLabel != "Vetrina nord" || plays.Plays[0].ItemName != "Offerta «Aperitivo»" {
		t.Fatalf("plays %+v", plays)
	}
	// Ended since, the offer still names its plays.
	c.Form("/console/offers/shop-milano-centro/"+shown+"/end", url.Values{}, 303, apptest.Bearer(owner)...)
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/plays", nil, append(apptest.Bearer(owner), "Accept-Language", "it")...), 200).JSON(t, &plays)
	if len(plays.Plays) != 1 || plays.Plays[0].ItemName != "Offerta «Aperitivo»" {
		t.Fatalf("plays of an ended offer %+v", plays)
	}
	apptest.AddStaff(t, m, "assistente@example.com", core.RoleAssistant, "shop-milano-centro")
	setup := string(c.Want(c.Do("GET", "/console/setup", nil, apptest.Bearer(owner)...), 200).Body)
	if !strings.Contains(setup, "<td>assistente@example.com</td><td>assistente</td><td>Ottica Vista Milano Centro</td>") {
		t.Fatalf("the staff table does not name the shop: %s", setup)
	}
}

// TestOneHeaderOnEveryPage: every console page has the same header, with
// the page marked and the shop carried; an assistant's lacks what they
// may not open.
func TestOneHeaderOnEveryPage(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	links := []string{"home", "customers", "agenda", "checkins", "offers", "setup"}
	for _, here := range links {
		path := map[string]string{"home": "/console/"}[here]
		if path == "" {
			path = "/console/" + here
		}
		body := string(c.Want(c.Do("GET", path+"?shop=shop-roma-prati", nil, apptest.Bearer(owner)...), 200).Body)
		head, _, _ := strings.Cut(body, "</header>")
		for _, l := range links {
			if !strings.Contains(head, `id="`+l+`-link"`) {
				t.Errorf("%s: the header lacks %s", here, l)
			}
		}
		if !strings.Contains(head, `id="`+here+`-link" href="`) || strings.Count(head, `aria-current="page"`) != 1 ||
			!regexp.MustCompile(`id="`+here+`-link" href="[^"]*"[^>]* aria-current="page"`).MatchString(head) {
			t.Errorf("%s: the header does not mark the page: %s", here, head)
		}
		if here != "setup" && !strings.Contains(head, `href="/console/agenda?lang=it&amp;shop=shop-roma-prati"`) {
			t.Errorf("%s: the header does not carry the shop: %s", here, head)
		}
	}
	assistant := c.StaffLogin("assistente@example.com", apptest.AddStaff(t, m, "assistente@example.com", core.RoleAssistant, "shop-milano-centro"))
	head, _, _ := strings.Cut(string(c.Want(c.Do("GET", "/console/agenda", nil, apptest.Bearer(assistant)...), 200).Body), "</header>")
	if !strings.Contains(head, `id="checkins-link"`) || strings.Contains(head, `id="offers-link"`) || strings.Contains(head, `id="setup-link"`) {
		t.Errorf("an assistant's header: %s", head)
	}
}

// TestBookACallerFromTheAgenda: an assistant books someone on the phone
// from the agenda page: a free time of a service, a name and a phone as
// people type it; the booking is in the day, and a refused form (no name)
// comes back as typed with the message next to the field.
func TestBookACallerFromTheAgenda(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	assistant := c.StaffLogin("assistente@example.com", apptest.AddStaff(t, m, "assistente@example.com", core.RoleAssistant, "shop-milano-centro"))
	day := time.Now().In(time.FixedZone("CET", 3600)).AddDate(0, 0, 2)
	for day.Weekday() == time.Sunday || day.Weekday() == time.Monday {
		day = day.AddDate(0, 0, 1)
	}
	page := string(c.Want(c.Do("GET", "/console/agenda?shop=shop-milano-centro&day="+day.Format(time.DateOnly), nil, apptest.Bearer(assistant)...), 200).Body)
	service := regexp.MustCompile(`name="service_id" value="([^"]+)"`).FindStringSubmatch(page)
	start := regexp.MustCompile(`<select id="book-start" name="start"><option value="([^"]+)">`).FindStringSubmatch(page)
	if service == nil || start == nil {
		t.Fatalf("the agenda has no booking form with free times: %s", page)
	}
	v := url.Values{"shop": {"shop-milano-centro"}, "day": {day.Format(time.DateOnly)}, "service_id": {service[1]}, "start": {start[1]},
		"source": {"phone"}, "guest.phone": {"333 123 4567"}, "note": {"porta gli occhiali vecchi"}}
	refused := string(c.Form("/console/agenda/book", v, 422, apptest.Bearer(assistant)...).Body)
	if !strings.Contains(refused, `id="book-name" name="guest.name" required maxlength="100" autocomplete="off" value="" aria-invalid="true"`) ||
		!strings.Contains(refused, "è obbligatorio") || !strings.Contains(refused, `value="333 123 4567"`) {
		t.Fatalf("a booking without a name: %s", refused)
	}
	v.Set("guest.name", "Carla Verdi")
	r := c.Form("/console/agenda/book", v, 303, apptest.Bearer(assistant)...)
	if loc := r.Header.Get("Location"); !strings.Contains(loc, "Appuntamento+fissato") {
		t.Fatalf("after booking: %s", loc)
	}
	var agenda struct {
		Bookings []struct {
			Source, Who, Note string
		}
	}
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/agenda?from="+day.Format(time.DateOnly), nil, apptest.Bearer(assistant)...), 200).JSON(t, &agenda)
	if len(agenda.Bookings) != 1 || agenda.Bookings[0].Source != "phone" || !strings.Contains(agenda.Bookings[0].Who, "Carla Verdi · +39 333 123 4567") {
		t.Fatalf("agenda %+v", agenda.Bookings)
	}
	page = string(c.Want(c.Do("GET", "/console/agenda?shop=shop-milano-centro&day="+day.Format(time.DateOnly), nil, apptest.Bearer(assistant)...), 200).Body)
	if !strings.Contains(page, "Carla Verdi") || strings.Contains(page, `<option value="`+start[1]+`"`) {
		t.Fatal("the agenda does not show the booking, or still offers its time")
	}
}

// TestCatalogAndPromotionsOnTheOffersPage: a manager imports the catalog
// file from the page (a bad line refuses the file and is named by its
// line), then creates a promotion for a category from a day to a day, and
// ends it; a wrong value is answered next to its field.
func TestCatalogAndPromotionsOnTheOffersPage(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	manager := c.StaffLogin("responsabile@example.com", apptest.AddStaff(t, m, "responsabile@example.com", core.RoleManager, "shop-milano-centro"))
	upload := func(file string, skip bool, want int) string {
		t.Helper()
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		f, _ := w.CreateFormFile("file", "catalogo.csv")
		f.Write([]byte(file))
		if skip {
			w.WriteField("skip_errors", "1")
		}
		w.Close()
		return string(c.Want(c.Do("POST", "/console/offers/shop-milano-centro/import", body.Bytes(),
			append(apptest.Bearer(manager), "Content-Type", w.FormDataContentType())...), want).Body)
	}
	file := "sku;brand;name;category;price;stock\nNEW-1;Oakley;Holbrook;sunglasses;129,00;4\nBAD-2;Oakley;Frogskins;sunglasses;tanti;1\n"
	if page := upload(file, false, 422); !strings.Contains(page, "non è stato salvato niente") || !strings.Contains(page, "<td>3</td>") {
		t.Fatalf("a file with a bad line: %s", page)
	}
	r := c.Want(c.Do("POST", "/console/offers/shop-milano-centro/import", nil, apptest.Bearer(manager)...), 422)
	if !strings.Contains(string(r.Body), "Scegli un file") {
		t.Fatal("an import without a file is not answered")
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	f, _ := w.CreateFormFile("file", "catalogo.csv")
	f.Write([]byte(file))
	w.WriteField("skip_errors", "1")
	w.Close()
	r = c.Want(c.Do("POST", "/console/offers/shop-milano-centro/import", body.Bytes(), append(apptest.Bearer(manager), "Content-Type", w.FormDataContentType())...), 303)
	if loc, _ := url.QueryUnescape(r.Header.Get("Location")); !strings.Contains(loc, "1 prodotti, 1 giacenze, 1 righe saltate") {
		t.Fatalf("after a skipping import: %s", loc)
	}

	today := time.Now().In(time.FixedZone("CET", 3600))
	v := url.Values{"name": {"Saldi estivi"}, "kind": {"percent"}, "value": {"120"}, "starts": {today.Format(time.DateOnly)},
		"ends": {today.AddDate(0, 0, 10).Format(time.DateOnly)}, "categories": {"sunglasses"}}
	refused := string(c.Form("/console/offers/shop-milano-centro/promotions", v, 422, apptest.Bearer(manager)...).Body)
	if !strings.Contains(refused, `id="promo-value" name="value" required maxlength="12" value="120" aria-invalid="true"`) || !strings.Contains(refused, `value="Saldi estivi"`) {
		t.Fatalf("a 120%% promotion: %s", refused)
	}
	v.Set("value", "20%")
	c.Form("/console/offers/shop-milano-centro/promotions", v, 303, apptest.Bearer(manager)...)
	var promos struct {
		Promotions []struct {
			ID, Name   string
			PercentOff int      `json:"percent_off"`
			Categories []string `json:"categories"`
		} `json:"promotions"`
	}
	ours := func() int {
		c.Want(c.Do("GET", "/v1/staff/promotions", nil, apptest.Bearer(manager)...), 200).JSON(t, &promos)
		for i, p := range promos.Promotions {
			if p.Name == "Saldi estivi" {
				return i
			}
		}
		return -1
	}
	i := ours()
	if i < 0 || promos.Promotions[i].PercentOff != 20 || len(promos.Promotions[i].Categories) != 1 {
		t.Fatalf("promotions %+v", promos)
	}
	page := string(c.Want(c.Do("GET", "/console/offers?shop=shop-milano-centro", nil, apptest.Bearer(manager)...), 200).Body)
	if !strings.Contains(page, "Saldi estivi") || !strings.Contains(page, "−20%") || !strings.Contains(page, today.AddDate(0, 0, 10).Format("02/01/2006")) {
		t.Fatalf("the page does not list the promotion with its last day: %s", page)
	}
	c.Form("/console/offers/shop-milano-centro/promotions/"+promos.Promotions[i].ID+"/end", url.Values{}, 303, apptest.Bearer(manager)...)
	if ours() >= 0 {
		t.Fatalf("an ended promotion is still listed: %+v", promos)
	}
}
