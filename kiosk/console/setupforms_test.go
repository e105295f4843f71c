package console_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
)

// TestSetUpFormsAnswerInItalianAndKeepWhatWasTyped: a shop with a wrong
// slug, time zone and hours, or an invitation with no shop, comes back
// with every value as typed and an Italian message next to each wrong
// field (English when the staff member chose it); a phone number typed
// the way people do is stored in E.164.
func TestSetUpFormsAnswerInItalianAndKeepWhatWasTyped(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	post := func(path string, v url.Values, want int, lang string) string {
		t.Helper()
		return string(c.Form(path, v, want, append(apptest.Bearer(owner), "Accept-Language", lang)...).Body)
	}
	value := func(page, name string) string {
		t.Helper()
		i := strings.Index(page, `id="new-shop"`)
		if i < 0 {
			t.Fatal("no new-shop form on the page")
		}
		f := page[i:]
		f = f[:strings.Index(f, "</form>")]
		if name == "hours" {
			got := regexp.MustCompile(`(?s)<textarea name="hours"[^>]*>(.*?)</textarea>`).FindStringSubmatch(f)
			return html.UnescapeString(got[1])
		}
		got := regexp.MustCompile(`name="` + name + `"[^>]*value="([^"]*)"`).FindStringSubmatch(f)
		if got == nil {
			t.Fatalf("no input %s in the new-shop form", name)
		}
		return html.UnescapeString(got[1])
	}
	typed := url.Values{"name": {"Ottica Bergamo"}, "slug": {"Bergamo Alta"}, "city": {"Bergamo"}, "address": {"Via Colleoni 1"},
		"phone": {"035 123456"}, "time_zone": {"Europe/Bergamo"}, "hours": {"lun 09:00-13:00\nmar 19:00-09:00"}}
	page := post("/console/shops", typed, 422, "it-IT")
	for name, want := range typed {
		if got := value(page, name); got != want[0] {
			t.Errorf("input %s shows %q after the refusal, want %q as typed", name, got, want[0])
		}
	}
	for _, want := range []string{"Alcuni campi non sono validi.", "solo lettere minuscole, cifre e trattini singoli"} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("the Italian page lacks %q", want)
		}
	}
	if strings.Contains(page, "lower-case letters") || strings.Contains(page, "some fields") {
		t.Error("the Italian page speaks English")
	}

	// One wrong field at a time, each in Italian next to its input.
	for field, want := range map[string]string{
		"time_zone": "deve essere un fuso orario come Europe/Rome",
		"hours":     "mar: la chiusura deve venire dopo l'apertura",
	} {
		v := url.Values{}
		for k, vv := range typed {
			v[k] = vv
		}
		v.Set("slug", "bergamo")
		if field == "hours" {
			v.Set("time_zone", "Europe/Rome")
		}
		page := html.UnescapeString(post("/console/shops", v, 422, "it-IT"))
		if !regexp.MustCompile(`name="`+field+`"[^>]*aria-invalid="true"`).MatchString(page) || !strings.Contains(page, `<span class="field-error" role="alert">`+want+`</span>`) {
			t.Errorf("%s: the page does not mark the field with %q", field, want)
		}
	}
	bad := html.UnescapeString(post("/console/shops", url.Values{"name": {"X"}, "slug": {"x"}, "hours": {"lunedi 9-13"}}, 422, "it-IT"))
	if !strings.Contains(bad, `riga 1: "lunedi" non è un giorno della settimana`) {
		t.Error("a line of hours the console cannot read is not explained in Italian")
	}
	en := html.UnescapeString(post("/console/shops?lang=en", url.Values{"name": {"X"}, "slug": {"Bad Slug"}, "time_zone": {"Europe/Rome"}}, 422, "it-IT"))
	if !strings.Contains(en, "lower-case letters, digits and single hyphens") {
		t.Error("a staff member who chose English does not read English")
	}

	// Typed the Italian way, stored in E.164.
	v := url.Values{}
	for k, vv := range typed {
		v[k] = vv
	}
	v.Set("slug", "bergamo")
	v.Set("time_zone", "Europe/Rome")
	v.Set("hours", "lun 09:00-13:00")
	post("/console/shops", v, 303, "it-IT")
	var shop struct {
		Phone string `json:"phone"`
	}
	c.Want(c.Do("GET", "/v1/staff/shops/shop-bergamo", nil, apptest.Bearer(owner)...), 200).JSON(t, &shop)
	if shop.Phone != "+39035123456" {
		t.Errorf("phone typed as 035 123456 stored as %q, want +39035123456", shop.Phone)
	}

	// An invitation of a manager without a shop: Italian, next to the shop,
	// with the name and address kept.
	inv := html.UnescapeString(post("/console/staff", url.Values{"name": {"Luca Bianchi"}, "email": {"luca@ottica-rossi.it"}, "role": {"manager"}, "shop_id": {""}}, 422, "it-IT"))
	if !strings.Contains(inv, `value="Luca Bianchi"`) || !strings.Contains(inv, `value="luca@ottica-rossi.it"`) {
		t.Error("the invitation form lost what was typed")
	}
	if !strings.Contains(inv, `<span class="field-error" role="alert">deve essere un negozio della catena</span>`) {
		t.Error("the missing shop is not said in Italian next to the shop")
	}
	if !regexp.MustCompile(`<option value="manager" selected>`).MatchString(inv) {
		t.Error("the role typed is not kept")
	}
}

// TestServicesSetUpInTheConsole: a manager creates a bookable service on
// the set-up page (duration, buffers, who performs it), a wrong duration
// is answered next to its field with what was typed kept, and a change
// to an existing service is stored.
func TestServicesSetUpInTheConsole(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	manager := c.StaffLogin("responsabile@example.com", apptest.AddStaff(t, m, "responsabile@example.com", core.RoleManager, "shop-milano-centro"))
	v := url.Values{"shop_id": {"shop-milano-centro"}, "name": {"Controllo montatura"}, "code": {"controllo-montatura"}, "duration_min": {"2"},
		"buffer_before_min": {"0"}, "buffer_after_min": {"5"}, "min_notice_min": {"60"}, "max_ahead_days": {"30"}, "cancel_notice_min": {"120"},
		"daily_cap": {"0"}, "skills": {"assistant"}, "active": {"1"}}
	page := string(c.Form("/console/services", v, 422, apptest.Bearer(manager)...).Body)
	if !strings.Contains(page, `name="duration_min" type="number" inputmode="numeric" required value="2" aria-invalid="true"`) ||
		!strings.Contains(page, `value="Controllo montatura"`) || !regexp.MustCompile(`value="2" aria-invalid="true"></label><span class="field-error" role="alert">[^<]*5`).MatchString(page) {
		t.Fatalf("a 2-minute service: %s", page)
	}
	// The refused form keeps its ticked boxes, and asks for the duration
	// before the buffers.
	if !strings.Contains(page, `value="assistant" style="width:auto" checked>`) || strings.Index(page, `name="duration_min"`) > strings.Index(page, `name="buffer_before_min"`) {
		t.Fatalf("the refused form lost its ticked skill or its order: %s", page)
	}
	v.Set("duration_min", "15")
	c.Form("/console/services", v, 303, apptest.Bearer(manager)...)
	svcs, err := m.Store.Offerings(t.Context())
	apptest.Must(t, err)
	var got *booking.Offering
	for _, s := range svcs {
		if s.Code == "controllo-montatura" {
			got = s
		}
	}
	if got == nil || got.DurationMin != 15 || got.BufferAfterMin != 5 || got.ShopID != "shop-milano-centro" || len(got.Skills) != 1 || !got.Active {
		t.Fatalf("stored service %+v", got)
	}
	v.Set("duration_min", "20")
	v.Del("active")
	c.Form("/console/services/"+got.ID, v, 303, apptest.Bearer(manager)...)
	again, err := m.Store.Offering(t.Context(), got.ID)
	apptest.Must(t, err)
	if again.DurationMin != 20 || again.Active {
		t.Fatalf("after the change: %+v", again)
	}
	setup := string(c.Want(c.Do("GET", "/console/setup", nil, apptest.Bearer(manager)...), 200).Body)
	if !strings.Contains(setup, "Controllo montatura · 20 min (disattivato)") {
		t.Fatalf("the set-up page does not list the service: %s", setup)
	}
}

// TestStaffAgendaInTheConsole: a manager sets what a member of their shop
// does, when they work and when they are away from the set-up page; the
// agenda API and the form show it back; a wrong line is refused next to
// its field, with what was typed and ticked, and stores nothing; an
// assistant changes nothing.
func TestStaffAgendaInTheConsole(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	manager := c.StaffLogin("responsabile@example.com", apptest.AddStaff(t, m, "responsabile@example.com", core.RoleManager, "shop-milano-centro"))
	asstPw := apptest.AddStaff(t, m, "ottico@example.com", core.RoleAssistant, "shop-milano-centro")
	member, err := m.Store.StaffByEmail(t.Context(), "ottico@example.com")
	apptest.Must(t, err)
	path := "/console/staff/" + member.ID + "/agenda?lang=it"
	v := url.Values{"skills": {"optometrist", "contact_lens"}, "hours": {"mar 10:00-13:00 14:00-18:00\ngio 10:00-13:00"},
		"absences": {"24/12/2026 31/12/2026 ferie\n2027-01-15"}}
	c.Form(path, v, 303, apptest.Bearer(manager)...)
	var ps struct {
		Practitioners []booking.Practitioner `json:"practitioners"`
	}
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/practitioners", nil, apptest.Bearer(manager)...), 200).JSON(t, &ps)
	var got *booking.Practitioner
	for i := range ps.Practitioners {
		if ps.Practitioners[i].StaffID == member.ID {
			got = &ps.Practitioners[i]
		}
	}
	if got == nil || len(got.Skills) != 2 || len(got.Hours["tue"]) != 2 || got.Hours["thu"][0].Close != "13:00" || len(got.Hours["mon"]) != 0 ||
		len(got.Absences) != 2 || got.Absences[0] != (booking.Absence{From: "2026-12-24", To: "2026-12-31", Note: "ferie"}) ||
		got.Absences[1] != (booking.Absence{From: "2027-01-15", To: "2027-01-15"}) {
		t.Fatalf("stored agenda %+v", got)
	}
	setup := string(c.Want(c.Do("GET", "/console/setup", nil, apptest.Bearer(manager)...), 200).Body)
	if !strings.Contains(setup, "24/12/2026 31/12/2026 ferie\n15/01/2027 15/01/2027") || !strings.Contains(setup, "mar 10:00-13:00 14:00-18:00") ||
		!strings.Contains(setup, `value="optometrist" style="width:auto" checked>`) {
		t.Fatalf("the set-up page does not show the agenda: %s", setup)
	}

	v.Set("skills", "contact_lens")
	v.Set("absences", "Natale 2026")
	page := string(c.Form(path, v, 422, apptest.Bearer(manager)...).Body)
	if i := strings.Index(page, `<details id="agenda-`+member.ID); i >= 0 { // the member's form alone
		page = page[i:]
		page = page[:strings.Index(page, "</details>")]
	}
	if !strings.Contains(page, "riga 1: scrivi il primo giorno") || !strings.Contains(page, ">Natale 2026</textarea>") ||
		!strings.Contains(page, `value="contact_lens" style="width:auto" checked>`) || strings.Contains(page, `value="optometrist" style="width:auto" checked>`) ||
		!strings.Contains(page, `<details id="agenda-`+member.ID+`" open>`) {
		t.Fatalf("a wrong absence on the page: %s", page)
	}
	v.Set("absences", "24/12/2026 31/12/2027")
	if page := string(c.Form(path, v, 422, apptest.Bearer(manager)...).Body); !strings.Contains(page, "riga 1: l&#39;ultimo giorno viene prima del primo, o l&#39;assenza dura più di un anno") {
		t.Fatalf("an absence of over a year: %s", page)
	}
	v.Set("absences", "")
	v.Set("hours", "12-24 chiuso")
	if page := string(c.Form(path, v, 422, apptest.Bearer(manager)...).Body); !strings.Contains(page, "solo i giorni della settimana") {
		t.Fatalf("a closing day in a member's hours: %s", page)
	}
	again, err := m.Store.Practitioner(t.Context(), member.ID)
	apptest.Must(t, err)
	if len(again.Skills) != 2 || len(again.Absences) != 2 {
		t.Fatalf("a refused form changed the agenda: %+v", again)
	}
	assistant := c.StaffLogin("ottico@example.com", asstPw)
	c.Form(path, url.Values{"skills": {"assistant"}}, 403, apptest.Bearer(assistant)...)
}
