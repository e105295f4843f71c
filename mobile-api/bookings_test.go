package mobileapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

// The demo's Milano shop opens Wednesday 09:30–13:00 and 15:30–19:30; its
// eye exam lasts 30 minutes with 10 after, needs an optometrist (the
// manager) and two hours' notice; changes close 24 hours before.
const (
	milano = "shop-milano-centro"
	exam   = "svc-eye-exam"
	pickup = "svc-glasses-pickup" // 15 minutes; assistants and optometrists
)

var rome, _ = time.LoadLocation("Europe/Rome")

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, rome)
	if err != nil {
		panic(err)
	}
	return t
}

type bookedView struct {
	ID          string            `json:"id"`
	StaffID     string            `json:"staff_id"`
	Status      string            `json:"status"`
	Start       time.Time         `json:"start"`
	End         time.Time         `json:"end"`
	Source      string            `json:"source"`
	UTM         map[string]string `json:"utm"`
	ManageToken string            `json:"manage_token"`
	ManageURL   string            `json:"manage_url"`
	VisitID     string            `json:"visit_id"`
	NoShows     int               `json:"no_shows"`
	Who         string            `json:"who"`
}

type slotsView struct {
	TimeZone string `json:"time_zone"`
	Slots    []struct {
		Start    time.Time `json:"start"`
		End      time.Time `json:"end"`
		StaffIDs []string  `json:"staff_ids"`
	} `json:"slots"`
}

// engines names the engine the booking races run on: SQLite, or MongoDB
// when VISTA_TEST_MONGODB_URI names one (apptest.Boot then boots every
// HTTP test on it).
func engines() map[string]func(*app.Main) {
	if os.Getenv("VISTA_TEST_MONGODB_URI") != "" {
		return map[string]func(*app.Main){"mongodb": func(*app.Main) {}}
	}
	return map[string]func(*app.Main){"sqlite": func(*app.Main) {}}
}

func bootAgenda(t *testing.T, tweaks ...func(*app.Main)) (*app.Main, apptest.Client, *apptest.Clock) {
	clock := apptest.NewClock(at("2026-12-01 08:00").UTC())
	m := apptest.Boot(t, t.TempDir(), append([]func(*app.Main){func(m *app.Main) {
		m.Clock = clock.Now
		m.Limits.SignupIP.Max = 1000
		m.Limits.GuestBookingIP.Max = 100000
	}}, tweaks...)...)
	return m, apptest.Client{T: t, M: m}, clock
}

func slots(c apptest.Client, shop, service, from, to string) slotsView {
	c.T.Helper()
	var v slotsView
	c.Want(c.Do("GET", "/v1/shops/"+shop+"/availability?service="+service+"&from="+from+"&to="+to, nil), 200).JSON(c.T, &v)
	return v
}

func free(v slotsView, start time.Time) bool {
	for _, s := range v.Slots {
		if s.Start.Equal(start) {
			return true
		}
	}
	return false
}

func guest(i int, start time.Time) map[string]any {
	return map[string]any{"service_id": exam, "start": start,
		"guest": map[string]any{"name": fmt.Sprintf("Ospite %d", i), "email": fmt.Sprintf("ospite%d@example.com", i), "consent": true}}
}

// TestBookingSameSlot (T20): 200 concurrent requests for one slot give
// exactly one 201 and 199 409s, and one booking in the agenda; twenty
// runs, each on another slot, on every engine.
func TestBookingSameSlot(t *testing.T) {
	for name, tweak := range engines() {
		t.Run(name, func(t *testing.T) {
			m, c, _ := bootAgenda(t, tweak)
			owner := apptest.OwnerLogin(t, m)
			starts := []time.Time{}
			for _, day := range []string{"2026-12-02", "2026-12-03"} {
				for _, hm := range []string{"09:30", "10:15", "11:00", "11:45", "12:30", "15:30", "16:15", "17:00", "17:45", "18:30"} {
					starts = append(starts, at(day+" "+hm))
				}
			}
			for run, start := range starts {
				var wg sync.WaitGroup
				var mu sync.Mutex
				codes := map[int]int{}
				for i := range 200 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						r := c.Do("POST", "/v1/public/shops/milano-centro/bookings", guest(run*1000+i, start))
						mu.Lock()
						codes[r.Status]++
						mu.Unlock()
					}()
				}
				wg.Wait()
				if codes[201] != 1 || codes[409] != 199 {
					t.Fatalf("run %d at %s: %v, want 1×201 and 199×409", run, start, codes)
				}
			}
			var agenda struct{ Bookings []bookedView }
			c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/agenda?from=2026-12-02&to=2026-12-03", nil, apptest.Bearer(owner)...), 200).JSON(t, &agenda)
			if len(agenda.Bookings) != len(starts) {
				t.Fatalf("%d bookings in the agenda, want %d", len(agenda.Bookings), len(starts))
			}
		})
	}
}

// TestBookingOverlapsAndLimits (T21): a 30-minute exam at 10:00 and a
// 15-minute pickup at 10:15 with the same optometrist, at once: one
// wins; cancel then rebook gives 201; a customer holds at most 3
// upcoming bookings; a service the staff member cannot perform is
// refused.
func TestBookingOverlapsAndLimits(t *testing.T) {
	for name, tweak := range engines() {
		t.Run(name, func(t *testing.T) {
			m, c, _ := bootAgenda(t, tweak)
			owner := apptest.OwnerLogin(t, m)
			day := slots(c, "milano-centro", exam, "2026-12-02", "2026-12-02")
			opt := day.Slots[0].StaffIDs[0]
			for i, hm := range []string{"10:00", "11:00", "12:00", "16:00", "17:00", "18:00"} {
				start := at("2026-12-02 " + hm)
				var wg sync.WaitGroup
				results := make([]int, 2)
				for j, body := range []map[string]any{
					{"shop_id": milano, "service_id": exam, "start": start, "staff_id": opt, "guest": map[string]any{"name": "A", "phone": "+393331234567"}},
					{"shop_id": milano, "service_id": pickup, "start": start.Add(15 * time.Minute), "staff_id": opt, "guest": map[string]any{"name": "B", "phone": "+393337654321"}},
				} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						results[j] = c.Do("POST", "/v1/staff/bookings", body, apptest.Bearer(owner)...).Status
					}()
				}
				wg.Wait()
				if !(results[0] == 201 && results[1] == 409 || results[0] == 409 && results[1] == 201) {
					t.Fatalf("run %d: %v, want one 201 and one 409", i, results)
				}
			}

			s := c.Signup("giulia@example.com")
			tok := apptest.Bearer(s.Tokens.AccessToken)
			var b bookedView
			book := func(start time.Time) apptest.Response {
				return c.Do("POST", "/v1/bookings", map[string]any{"shop_id": "milano-centro", "service_id": exam, "start": start}, tok...)
			}
			c.Want(book(at("2026-12-03 09:30")), 201).JSON(t, &b)
			c.Want(c.Do("DELETE", "/v1/bookings/"+b.ID, nil, tok...), 200)
			c.Want(book(at("2026-12-03 09:30")), 201).JSON(t, &b) // cancel, then rebook
			c.Want(book(at("2026-12-03 10:30")), 201)
			c.Want(book(at("2026-12-03 11:30")), 201)
			p := c.Want(book(at("2026-12-03 12:15")), 409).Problem(t)
			if !strings.Contains(fmt.Sprint(p["detail"], p["title"]), "3 upcoming") {
				t.Fatalf("fourth booking: %v", p)
			}

			var ps struct {
				Practitioners []struct {
					StaffID string   `json:"staff_id"`
					Skills  []string `json:"skills"`
				}
			}
			c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/practitioners", nil, apptest.Bearer(owner)...), 200).JSON(t, &ps)
			var assistant string
			for _, p := range ps.Practitioners {
				if p.StaffID != opt {
					assistant = p.StaffID
				}
			}
			r := c.Want(c.Do("POST", "/v1/staff/bookings", map[string]any{"shop_id": milano, "service_id": exam, "start": at("2026-12-04 09:30"),
				"staff_id": assistant, "guest": map[string]any{"name": "C", "phone": "+393331112222"}}, apptest.Bearer(owner)...), 422)
			if pb := r.Problem(t); !strings.Contains(string(r.Body), "does not perform") {
				t.Fatalf("eye exam with an assistant: %v", pb)
			}
		})
	}
}

// TestBookingIdempotencyKey (T22): one key replayed ten times, at once
// and after a restart of the server, gives one booking and the same
// bytes; the key with another body is 422.
func TestBookingIdempotencyKey(t *testing.T) {
	dir := t.TempDir()
	clock := apptest.NewClock(at("2026-12-01 08:00").UTC())
	tweak := func(m *app.Main) { m.Clock, m.Config.PublicURL = clock.Now, "https://ottica.example" }
	m := apptest.Boot(t, dir, tweak)
	c := apptest.Client{T: t, M: m}
	body := guest(1, at("2026-12-02 09:30"))
	key := []string{"Idempotency-Key", "0b7c1e9a-retry"}
	var wg sync.WaitGroup
	bodies := make([][]byte, 10)
	statuses := make([]int, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.Do("POST", "/v1/public/shops/milano-centro/bookings", body, key...)
			bodies[i], statuses[i] = r.Body, r.Status
		}()
	}
	wg.Wait()
	for i := range bodies {
		if statuses[i] != 201 || !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("replay %d: %d %s\nfirst: %s", i, statuses[i], bodies[i], bodies[0])
		}
	}
	m.Close()
	m2 := apptest.Boot(t, dir, tweak)
	c2 := apptest.Client{T: t, M: m2}
	r := c2.Want(c2.Do("POST", "/v1/public/shops/milano-centro/bookings", body, key...), 201)
	if !bytes.Equal(r.Body, bodies[0]) {
		t.Fatalf("after a restart: %s\nfirst: %s", r.Body, bodies[0])
	}
	other := guest(1, at("2026-12-02 10:30"))
	c2.Want(c2.Do("POST", "/v1/public/shops/milano-centro/bookings", other, key...), 422)
	bs, err := m2.Store.ShopBookings(context.Background(), milano, at("2026-12-02 00:00"), at("2026-12-03 00:00"))
	apptest.Must(t, err)
	if len(bs) != 1 {
		t.Fatalf("%d bookings, want 1", len(bs))
	}
	c2.Want(c2.Do("POST", "/v1/public/shops/milano-centro/bookings", body, "Idempotency-Key", "bad key with spaces"), 422)
}

// TestBookingLifecycle: reschedule frees the old slot; a change after
// the cut-off is refused with a clear message; a cancellation offers the
// slot to the first customer waiting that day, who takes it with one
// request; a guest's manage link works, and a tampered one does not.
func TestBookingLifecycle(t *testing.T) {
	m, c, clock := bootAgenda(t)
	a := c.Signup("anna@example.com")
	atok := apptest.Bearer(a.Tokens.AccessToken)
	w := c.Signup("walter@example.com")
	wtok := apptest.Bearer(w.Tokens.AccessToken)

	var b bookedView
	c.Want(c.Do("POST", "/v1/bookings", map[string]any{"shop_id": milano, "service_id": exam, "start": at("2026-12-03 09:30"), "source": "app",
		"utm": map[string]string{"utm_campaign": "inverno"}}, atok...), 201).JSON(t, &b)
	if b.Source != "app" || b.UTM["utm_campaign"] != "inverno" || !b.End.Equal(at("2026-12-03 10:00")) {
		t.Fatalf("booking %+v", b)
	}
	if free(slots(c, milano, exam, "2026-12-03", "2026-12-03"), at("2026-12-03 09:30")) {
		t.Fatal("the booked slot is still offered")
	}
	// Reschedule: the old slot is free again, the new one taken.
	c.Want(c.Do("PATCH", "/v1/bookings/"+b.ID, map[string]any{"start": at("2026-12-03 11:00")}, atok...), 200).JSON(t, &b)
	day := slots(c, milano, exam, "2026-12-03", "2026-12-03")
	if !free(day, at("2026-12-03 09:30")) || free(day, at("2026-12-03 11:00")) {
		t.Fatal("the move did not free the old slot or take the new one")
	}
	var other bookedView
	c.Want(c.Do("POST", "/v1/bookings", map[string]any{"shop_id": milano, "service_id": exam, "start": at("2026-12-03 09:30")}, wtok...), 201).JSON(t, &other)
	c.Want(c.Do("DELETE", "/v1/bookings/"+other.ID, nil, atok...), 404) // not hers

	// Walter cannot wait for a day with free times; once guests have
	// taken them all he waits for Thursday; Anna cancels hers; Walter is
	// offered it.
	join := map[string]any{"shop_id": milano, "service_id": exam, "day": "2026-12-03"}
	p := c.Want(c.Do("POST", "/v1/me/waitlist", join, wtok...), 422).Problem(t)
	if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "day" || errs[0].(map[string]any)["code"] != "has_free_slots" {
		t.Fatalf("waitlist on a day with free times: %+v", p)
	}
	for i := 0; len(slots(c, milano, exam, "2026-12-03", "2026-12-03").Slots) > 0; i++ {
		if i > 200 {
			t.Fatal("the day never filled up")
		}
		c.Want(c.Do("POST", "/v1/public/shops/milano-centro/bookings", guest(100+i, slots(c, milano, exam, "2026-12-03", "2026-12-03").Slots[0].Start)), 201)
	}
	var wait struct{ ID string }
	c.Want(c.Do("POST", "/v1/me/waitlist", join, wtok...), 201).JSON(t, &wait)
	c.Want(c.Do("POST", "/v1/me/waitlist", map[string]any{"shop_id": milano, "service_id": exam, "day": "2026-12-03"}, wtok...), 409)
	c.Want(c.Do("POST", "/v1/me/waitlist/"+wait.ID+"/take", nil, wtok...), 409) // nothing offered yet
	c.Want(c.Do("DELETE", "/v1/bookings/"+b.ID, nil, atok...), 200)
	msgs, err := m.Store.CustomerMessages(context.Background(), w.Customer.ID, core.Page{Limit: 20})
	apptest.Must(t, err)
	offered := 0
	for _, msg := range msgs {
		if msg.Data["action"] == "take_slot" && msg.Data["wait_id"] == wait.ID {
			offered++
		}
	}
	if offered != 2 { // a push and its inbox copy
		t.Fatalf("offer messages to the waiting customer: %d, want 2", offered)
	}
	var took bookedView
	c.Want(c.Do("POST", "/v1/me/waitlist/"+wait.ID+"/take", nil, wtok...), 201).JSON(t, &took)
	if !took.Start.Equal(at("2026-12-03 11:00")) {
		t.Fatalf("took %s, want the freed 11:00", took.Start)
	}

	// The cut-off: 24 hours before. On Tuesday at 08:00 Anna books
	// Tuesday 15:30; she can no longer cancel or move it online.
	c.Want(c.Do("POST", "/v1/bookings", map[string]any{"shop_id": milano, "service_id": exam, "start": at("2026-12-01 15:30")}, atok...), 201).JSON(t, &b)
	r := c.Want(c.Do("DELETE", "/v1/bookings/"+b.ID, nil, atok...), 422)
	if !strings.Contains(string(r.Body), "can no longer be changed online") || !strings.Contains(string(r.Body), "+390212345678") {
		t.Fatalf("cut-off: %s", r.Body)
	}
	c.Want(c.Do("PATCH", "/v1/bookings/"+b.ID, map[string]any{"start": at("2026-12-04 15:30")}, atok...), 422)
	_ = clock

	// A guest's manage link.
	var g bookedView
	c.Want(c.Do("POST", "/v1/public/shops/milano-centro/bookings", guest(7, at("2026-12-04 09:30"))), 201).JSON(t, &g)
	if g.ManageToken == "" || !strings.HasSuffix(g.ManageURL, "/prenota/b/"+g.ManageToken) {
		t.Fatalf("guest booking %+v", g)
	}
	tampered := g.ManageToken[:len(g.ManageToken)-2] + "xx"
	c.Want(c.Do("GET", "/v1/public/bookings/"+tampered, nil), 401).Problem(t)
	c.Want(c.Do("DELETE", "/v1/public/bookings/"+tampered, nil), 401)
	forged := strings.Replace(g.ManageToken, g.ID, other.ID, 1) // another booking's id with this tag
	c.Want(c.Do("GET", "/v1/public/bookings/"+forged, nil), 401)
	ics := c.Want(c.Do("GET", "/v1/public/bookings/"+g.ManageToken+"/calendar.ics", nil), 200)
	if !strings.Contains(string(ics.Body), "BEGIN:VEVENT") || !strings.Contains(string(ics.Body), "DTSTART:20261204T083000Z") {
		t.Fatalf("ics: %s", ics.Body)
	}
	_, loc, _ := strings.Cut(string(ics.Body), "LOCATION:")
	if loc, _, _ = strings.Cut(loc, "\n"); !strings.Contains(loc, "Via ") || strings.Count(loc, "Milano")+strings.Count(loc, "Roma") != 1 {
		t.Fatalf("ics location %q: the address with its city once", loc)
	}
	c.Want(c.Do("GET", "/v1/public/bookings/"+g.ManageToken, nil), 200)
	c.Want(c.Do("DELETE", "/v1/public/bookings/"+g.ManageToken, nil), 200).JSON(t, &g)
	if g.Status != "cancelled" {
		t.Fatalf("guest cancel: %+v", g)
	}
	c.Want(c.Do("DELETE", "/v1/public/bookings/"+g.ManageToken, nil), 409)

	// Their confirmation went to the address they gave.
	found := false
	all, _ := m.Store.MessagesByStatus(context.Background(), notify.StatusPending, 500)
	for _, msg := range all {
		if msg.Channel == notify.ChannelEmail && msg.Data[notify.DataTo] == "ospite7@example.com" && strings.Contains(msg.DedupeKey, "confirmed") {
			found = msg.Data[notify.DataLink] == g.ManageURL || strings.HasSuffix(msg.Data[notify.DataLink], g.ManageToken)
		}
	}
	if !found {
		t.Fatal("no confirmation e-mail to the guest with their manage link")
	}
}

// TestBookingBadInput: bad input gets a field-level problem and books
// nothing.
func TestBookingBadInput(t *testing.T) {
	m, c, _ := bootAgenda(t)
	s := c.Signup("bianca@example.com")
	tok := apptest.Bearer(s.Tokens.AccessToken)
	post := func(body any) apptest.Response { return c.Do("POST", "/v1/bookings", body, tok...) }
	good := func() map[string]any {
		return map[string]any{"shop_id": milano, "service_id": exam, "start": at("2026-12-02 09:30")}
	}
	for name, tc := range map[string]struct {
		body   func(map[string]any)
		status int
		field  string
	}{
		"unknown field":       {func(b map[string]any) { b["price"] = 0 }, 400, ""},
		"staff's customer_id": {func(b map[string]any) { b["customer_id"] = "cu-someone-else" }, 400, ""},
		"staff's guest":       {func(b map[string]any) { b["guest"] = map[string]any{"name": "X", "phone": "+393331234567"} }, 400, ""},
		"staff's note":        {func(b map[string]any) { b["note"] = "vip" }, 400, ""},
		"start not a time":    {func(b map[string]any) { b["start"] = "tomorrow" }, 400, ""},
		"no service":          {func(b map[string]any) { delete(b, "service_id") }, 422, "service_id"},
		"unknown service":     {func(b map[string]any) { b["service_id"] = "svc-nope" }, 422, "service_id"},
		"unknown shop":        {func(b map[string]any) { b["shop_id"] = "shop-nope" }, 422, "shop_id"},
		"not a slot":          {func(b map[string]any) { b["start"] = at("2026-12-02 09:40") }, 422, "start"},
		"shop closed":         {func(b map[string]any) { b["start"] = at("2026-12-02 14:00") }, 422, "start"},
		"too soon":            {func(b map[string]any) { b["start"] = at("2026-12-01 09:30") }, 422, "start"},
		"too far ahead":       {func(b map[string]any) { b["start"] = at("2027-03-03 09:30") }, 422, "start"},
		"bad source":          {func(b map[string]any) { b["source"] = "tiktok" }, 422, "source"},
		"bad utm key":         {func(b map[string]any) { b["utm"] = map[string]string{"gclid": "x"} }, 422, "utm"},
		"long utm value":      {func(b map[string]any) { b["utm"] = map[string]string{"utm_source": strings.Repeat("x", 101)} }, 422, "utm"},
		"not family":          {func(b map[string]any) { b["family_member_id"] = "fam-nope" }, 422, "family_member_id"},
		"unknown variant":     {func(b map[string]any) { b["variant"] = "xl" }, 422, "variant"},
		"control in variant":  {func(b map[string]any) { b["variant"] = "a\u202eb" }, 422, "variant"},
		"staff of other shop": {func(b map[string]any) { b["staff_id"] = "staff-nope" }, 422, "staff_id"},
	} {
		t.Run(name, func(t *testing.T) {
			b := good()
			tc.body(b)
			r := c.Want(post(b), tc.status)
			p := r.Problem(t)
			if tc.field != "" && !strings.Contains(string(r.Body), `"field":"`+tc.field) {
				t.Fatalf("%s: no error for field %s: %v", name, tc.field, p)
			}
		})
	}
	for _, q := range []string{"from=2026-12-02&to=2027-02-05", "from=2026-12-02&to=2026-12-01", "from=02/12/2026&to=2026-12-03", "from=2026-12-02"} {
		c.Want(c.Do("GET", "/v1/shops/milano-centro/availability?service="+exam+"&"+q, nil), 422).Problem(t)
	}
	c.Want(c.Do("GET", "/v1/shops/nope/availability?service="+exam+"&from=2026-12-02&to=2026-12-02", nil), 404)
	g := guest(1, at("2026-12-02 09:30"))
	g["guest"].(map[string]any)["consent"] = false
	c.Want(c.Do("POST", "/v1/public/shops/milano-centro/bookings", g), 422)
	g = guest(1, at("2026-12-02 09:30"))
	delete(g["guest"].(map[string]any), "email")
	c.Want(c.Do("POST", "/v1/public/shops/milano-centro/bookings", g), 422)
	for _, field := range []string{"customer_id", "family_member_id", "note", "hold"} {
		g = guest(1, at("2026-12-02 09:30"))
		g[field] = "x"
		if field == "hold" {
			g[field] = true
		}
		c.Want(c.Do("POST", "/v1/public/shops/milano-centro/bookings", g), 400)
	}
	bs, err := m.Store.ShopBookings(context.Background(), milano, at("2026-12-01 00:00"), at("2027-04-01 00:00"))
	apptest.Must(t, err)
	if len(bs) != 0 {
		t.Fatalf("bad input stored %d bookings", len(bs))
	}
	// A 62-day range is accepted.
	c.Want(c.Do("GET", "/v1/shops/milano-centro/availability?service="+exam+"&from=2026-12-01&to=2027-01-31", nil), 200)
}

// TestStaffAgenda: staff book for a caller, move and cancel; marking
// arrived checks the customer in (a visit at the shop, in the check-ins);
// a no-show is recorded once the time has come and counted; the secret
// calendar feed serves the staff member's agenda until it is replaced.
func TestStaffAgenda(t *testing.T) {
	m, c, clock := bootAgenda(t)
	owner := apptest.OwnerLogin(t, m)
	staff := apptest.Bearer(owner)
	s := c.Signup("carla@example.com")

	var phone bookedView
	c.Want(c.Do("POST", "/v1/staff/bookings", map[string]any{"shop_id": milano, "service_id": exam, "start": at("2026-12-01 09:30"),
		"guest": map[string]any{"name": "Signora Rossi", "phone": "+393339998877"}}, staff...), 201).JSON(t, &phone)
	if phone.Source != "phone" {
		t.Fatalf("staff booking source %q, want phone", phone.Source)
	}
	var acct bookedView
	c.Want(c.Do("POST", "/v1/staff/bookings", map[string]any{"shop_id": milano, "service_id": exam, "start": at("2026-12-01 10:15"),
		"customer_id": s.Customer.ID, "source": "walk-in"}, staff...), 201).JSON(t, &acct)
	c.Want(c.Do("PATCH", "/v1/staff/bookings/"+phone.ID, map[string]any{"start": at("2026-12-01 11:00")}, staff...), 200)
	c.Want(c.Do("POST", "/v1/staff/bookings/"+acct.ID+"/no-show", nil, staff...), 409) // not yet started

	c.Want(c.Do("POST", "/v1/staff/bookings/"+acct.ID+"/arrived", nil, staff...), 200).JSON(t, &acct)
	if acct.Status != "arrived" || acct.VisitID == "" {
		t.Fatalf("arrived: %+v", acct)
	}
	var checkins struct {
		Checkins []struct {
			CustomerID string `json:"customer_id"`
			Via        string `json:"via"`
		}
	}
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/checkins?date=2026-12-01", nil, staff...), 200).JSON(t, &checkins)
	if len(checkins.Checkins) != 1 || checkins.Checkins[0].CustomerID != s.Customer.ID || checkins.Checkins[0].Via != "booking" {
		t.Fatalf("check-ins %+v", checkins)
	}

	var feed struct {
		FeedURL string `json:"feed_url"`
	}
	c.Want(c.Do("POST", "/v1/staff/members/"+phone.StaffID+"/agenda/feed", nil, staff...), 201).JSON(t, &feed)
	u, _ := url.Parse(feed.FeedURL)
	ics := c.Want(c.Do("GET", u.Path, nil), 200)
	if strings.Count(string(ics.Body), "BEGIN:VEVENT") != 2 || !strings.Contains(string(ics.Body), "Esame della vista") {
		t.Fatalf("feed: %s", ics.Body)
	}
	c.Want(c.Do("POST", "/v1/staff/members/"+phone.StaffID+"/agenda/feed", nil, staff...), 201)
	c.Want(c.Do("GET", u.Path, nil), 404) // the old URL stopped working

	clock.Add(3 * time.Hour) // 11:00 has come
	owner = apptest.OwnerLogin(t, m)
	c.Want(c.Do("POST", "/v1/staff/bookings/"+phone.ID+"/no-show", nil, apptest.Bearer(owner)...), 200)
	var agenda struct{ Bookings []bookedView }
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/agenda", nil, apptest.Bearer(owner)...), 200).JSON(t, &agenda)
	statuses := map[string]string{}
	for _, b := range agenda.Bookings {
		statuses[b.ID] = b.Status
	}
	if statuses[phone.ID] != "no_show" || statuses[acct.ID] != "arrived" {
		t.Fatalf("agenda %v", statuses)
	}
	c.Want(c.Do("DELETE", "/v1/staff/bookings/"+phone.ID, nil, apptest.Bearer(owner)...), 409)

	// The account's missed appointment is counted on its later ones.
	var missed bookedView
	c.Want(c.Do("POST", "/v1/staff/bookings", map[string]any{"shop_id": milano, "service_id": exam, "start": at("2026-12-01 12:00"),
		"customer_id": s.Customer.ID}, apptest.Bearer(owner)...), 201).JSON(t, &missed)
	clock.Add(time.Hour)
	c.Want(c.Do("POST", "/v1/staff/bookings/"+missed.ID+"/no-show", nil, apptest.Bearer(owner)...), 200)

	// Reminders: one of each kind, however often the job runs.
	var later bookedView
	c.Want(c.Do("POST", "/v1/staff/bookings", map[string]any{"shop_id": milano, "service_id": exam, "start": at("2026-12-03 09:30"),
		"customer_id": s.Customer.ID}, apptest.Bearer(owner)...), 201).JSON(t, &later)
	count := func(kind string) int {
		msgs, err := m.Store.CustomerMessages(context.Background(), s.Customer.ID, core.Page{Limit: 100})
		apptest.Must(t, err)
		n := 0
		for _, msg := range msgs {
			if strings.HasPrefix(msg.DedupeKey, "booking-"+kind+":"+later.ID) {
				n++
			}
		}
		return n
	}
	clock.Add(at("2026-12-02 09:30").Sub(clock.Now()))
	for range 3 {
		_, err := m.Agenda.Remind(context.Background(), m.Store)
		apptest.Must(t, err)
	}
	clock.Add(22 * time.Hour)
	for range 2 {
		_, err := m.Agenda.Remind(context.Background(), m.Store)
		apptest.Must(t, err)
	}
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/agenda?from=2026-12-03", nil, apptest.Bearer(apptest.OwnerLogin(t, m))...), 200).JSON(t, &agenda)
	if len(agenda.Bookings) != 1 || agenda.Bookings[0].NoShows != 1 || agenda.Bookings[0].Who == "" {
		t.Fatalf("later booking in the agenda: %+v", agenda.Bookings)
	}
	if count("reminder-24h") != 2 || count("reminder-2h") != 2 || count("confirmed") != 2 {
		t.Fatalf("reminders 24h=%d 2h=%d confirmed=%d, want a push and an inbox copy of each", count("reminder-24h"), count("reminder-2h"), count("confirmed"))
	}
}

// TestAgendaConfiguration: the owner sets chain-wide services, a shop's
// manager their shop's services and their staff's agendas (skills,
// hours, absences); a manager cannot touch another shop or the chain's
// services, and an assistant cannot configure; bad values are refused
// field by field; what is configured is what availability offers.
func TestAgendaConfiguration(t *testing.T) {
	m, c, _ := bootAgenda(t)
	owner := apptest.Bearer(apptest.OwnerLogin(t, m))
	apptest.AddStaff(t, m, "opt.milano@example.com", core.RoleAssistant, milano)
	pw := apptest.AddStaff(t, m, "capo.milano@example.com", core.RoleManager, milano)
	manager := apptest.Bearer(c.StaffLogin("capo.milano@example.com", pw))
	apw := apptest.AddStaff(t, m, "banco.milano@example.com", core.RoleAssistant, milano)
	assistant := apptest.Bearer(c.StaffLogin("banco.milano@example.com", apw))

	svc := map[string]any{"shop_id": milano, "code": "progressive", "name": "Prova lenti progressive", "name_en": "Progressive lens fitting",
		"duration_min": 40, "buffer_before_min": 5, "buffer_after_min": 10, "min_notice_min": 60, "max_ahead_days": 30, "cancel_notice_min": 120,
		"daily_cap": 2, "skills": []string{"optometrist"}, "variants": []map[string]any{{"code": "review", "name": "Controllo", "name_en": "Review", "duration_min": 15}}}
	c.Want(c.Do("POST", "/v1/staff/services", svc, assistant...), 403)
	var s struct {
		ID string `json:"id"`
	}
	c.Want(c.Do("POST", "/v1/staff/services", svc, manager...), 201).JSON(t, &s)
	c.Want(c.Do("POST", "/v1/staff/services", svc, manager...), 422) // the code is taken
	chain := map[string]any{"code": "frame-fit", "name": "Regolazione montatura", "duration_min": 10, "max_ahead_days": 30, "skills": []string{"assistant"}}
	c.Want(c.Do("POST", "/v1/staff/services", chain, manager...), 403)
	c.Want(c.Do("POST", "/v1/staff/services", chain, owner...), 201)
	other := map[string]any{"shop_id": "shop-roma-prati", "code": "roma-only", "name": "Solo Roma", "duration_min": 10, "max_ahead_days": 30, "skills": []string{"assistant"}}
	c.Want(c.Do("POST", "/v1/staff/services", other, manager...), 404)
	for field, bad := range map[string]any{"duration_min": 42, "buffer_after_min": 200, "skills": []string{"surgeon"}, "code": "Con Spazi", "max_ahead_days": 0} {
		b := map[string]any{}
		for k, v := range svc {
			b[k] = v
		}
		b["code"], b[field] = "other-code", bad
		if field == "code" {
			b["code"] = bad
		}
		r := c.Want(c.Do("POST", "/v1/staff/services", b, manager...), 422)
		if !strings.Contains(string(r.Body), `"field":"`+field) {
			t.Errorf("%s=%v: %s", field, bad, r.Body)
		}
	}

	var ps struct {
		Practitioners []struct {
			StaffID string `json:"staff_id"`
			Name    string `json:"name"`
		}
	}
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/practitioners", nil, assistant...), 200).JSON(t, &ps)
	var members struct {
		Staff []struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"staff"`
	}
	c.Want(c.Do("GET", "/v1/staff/members", nil, manager...), 200).JSON(t, &members)
	var opt string
	for _, mb := range members.Staff {
		if mb.Email == "opt.milano@example.com" {
			opt = mb.ID
		}
	}
	if opt == "" {
		t.Fatalf("members %+v", members)
	}
	agenda := map[string]any{"skills": []string{"optometrist"}, "hours": map[string]any{"wed": []map[string]string{{"open": "15:30", "close": "17:00"}}},
		"absences": []map[string]string{{"from": "2026-12-09", "to": "2026-12-10", "note": "corso"}}}
	c.Want(c.Do("PUT", "/v1/staff/members/"+opt+"/agenda", agenda, assistant...), 403)
	c.Want(c.Do("PUT", "/v1/staff/members/"+opt+"/agenda", agenda, manager...), 200)
	for name, bad := range map[string]map[string]any{
		"hours": {"skills": []string{"optometrist"}, "hours": map[string]any{"wed": []map[string]string{{"open": "17:00", "close": "15:30"}}}},
		"day":   {"skills": []string{"optometrist"}, "hours": map[string]any{"someday": []map[string]string{{"open": "09:00", "close": "10:00"}}}},
		"to":    {"skills": []string{"optometrist"}, "absences": []map[string]string{{"from": "2026-12-10", "to": "2026-12-09"}}},
		"skill": {"skills": []string{"wizard"}},
	} {
		c.Want(c.Do("PUT", "/v1/staff/members/"+opt+"/agenda", bad, manager...), 422).Problem(t)
		_ = name
	}

	// The new optometrist takes Wednesday afternoon progressive fittings
	// (40 minutes, 5 before and 10 after), besides the manager of the
	// demo; the second Wednesday they are away.
	week := slots(c, milano, s.ID, "2026-12-02", "2026-12-02")
	var theirs []string
	for _, sl := range week.Slots {
		for _, id := range sl.StaffIDs {
			if id == opt {
				theirs = append(theirs, sl.Start.In(rome).Format("15:04"))
			}
		}
	}
	if strings.Join(theirs, " ") != "15:30 15:45 16:00 16:15" {
		t.Fatalf("the new optometrist's starts %v", theirs)
	}
	for _, sl := range slots(c, milano, s.ID, "2026-12-09", "2026-12-09").Slots {
		for _, id := range sl.StaffIDs {
			if id == opt {
				t.Fatalf("offered on a day away: %v", sl.Start)
			}
		}
	}
	var variant slotsView
	c.Want(c.Do("GET", "/v1/shops/"+milano+"/availability?service="+s.ID+"&variant=review&from=2026-12-02&to=2026-12-02", nil), 200).JSON(t, &variant)
	if len(variant.Slots) == 0 || variant.Slots[0].End.Sub(variant.Slots[0].Start) != 15*time.Minute {
		t.Fatalf("variant slots %+v", variant.Slots)
	}
	var listed struct {
		Services []struct {
			ID string `json:"id"`
		}
	}
	c.Want(c.Do("GET", "/v1/shops/roma-prati/services", nil), 200).JSON(t, &listed)
	for _, l := range listed.Services {
		if l.ID == s.ID {
			t.Fatal("Milano's own service is offered in Rome")
		}
	}
	// Switched off, it is no longer bookable.
	svc["active"] = false
	c.Want(c.Do("PUT", "/v1/staff/services/"+s.ID, svc, manager...), 200)
	c.Want(c.Do("GET", "/v1/shops/"+milano+"/availability?service="+s.ID+"&from=2026-12-02&to=2026-12-02", nil), 422)
}

// TestBookingHolds (T21): a held slot blocks others until its hold ends,
// then it is free; of two holds on one slot (the first expired), the
// confirmations at once give one 200 and one 409; a hold confirmed in time
// is booked, with its confirmation.
func TestBookingHolds(t *testing.T) {
	m, c, clock := bootAgenda(t)
	a := apptest.Bearer(c.Signup("anna.hold@example.com").Tokens.AccessToken)
	b := apptest.Bearer(c.Signup("bruno.hold@example.com").Tokens.AccessToken)
	start := at("2026-12-03 09:30")
	body := map[string]any{"shop_id": milano, "service_id": exam, "start": start, "hold": true}
	var ha bookedView
	c.Want(c.Do("POST", "/v1/bookings", body, a...), 201).JSON(t, &ha)
	if ha.Status != "held" {
		t.Fatalf("hold = %+v", ha)
	}
	if free(slots(c, milano, exam, "2026-12-03", "2026-12-03"), start) {
		t.Fatal("a held slot is offered")
	}
	c.Want(c.Do("POST", "/v1/bookings", map[string]any{"shop_id": milano, "service_id": exam, "start": start}, b...), 409)

	clock.Add(11 * time.Minute) // the hold ended unconfirmed
	if !free(slots(c, milano, exam, "2026-12-03", "2026-12-03"), start) {
		t.Fatal("a slot whose hold ended is not offered")
	}
	var hb bookedView
	c.Want(c.Do("POST", "/v1/bookings", body, b...), 201).JSON(t, &hb)
	codes := make(chan int, 2)
	for _, x := range []struct {
		id  string
		tok []string
	}{{ha.ID, a}, {hb.ID, b}} {
		go func() { codes <- c.Do("POST", "/v1/bookings/"+x.id+"/confirm", nil, x.tok...).Status }()
	}
	got := map[int]int{<-codes: 1}
	got[<-codes]++
	if got[200] != 1 || got[409] != 1 {
		t.Fatalf("concurrent confirms: %v, want one 200 and one 409", got)
	}
	var mine struct{ Bookings []bookedView }
	c.Want(c.Do("GET", "/v1/me/bookings", nil, b...), 200).JSON(t, &mine)
	if len(mine.Bookings) != 1 || mine.Bookings[0].Status != "booked" {
		t.Fatalf("Bruno's bookings %+v", mine.Bookings)
	}
	confirmed := 0
	msgs, err := m.Store.MessagesByStatus(context.Background(), notify.StatusPending, 100)
	apptest.Must(t, err)
	for _, msg := range msgs {
		if strings.HasPrefix(msg.DedupeKey, "booking-confirmed:"+hb.ID) {
			confirmed++
		}
	}
	if confirmed != 2 {
		t.Fatalf("%d confirmation messages for the confirmed hold, want a push and its inbox copy", confirmed)
	}
	// Letting a hold go frees it at once.
	var hc bookedView
	c.Want(c.Do("POST", "/v1/bookings", map[string]any{"shop_id": milano, "service_id": exam, "start": at("2026-12-03 11:00"), "hold": true}, a...), 201).JSON(t, &hc)
	c.Want(c.Do("DELETE", "/v1/bookings/"+hc.ID, nil, a...), 200)
	if !free(slots(c, milano, exam, "2026-12-03", "2026-12-03"), at("2026-12-03 11:00")) {
		t.Fatal("a released hold still takes its slot")
	}
}

// TestHolidaysAreClosed: the demo chain's calendars close Italy's public
// holidays and each town's patron saint: in Milan nothing on 7 December
// (Sant'Ambrogio), 8 December (Immacolata) or Christmas; Rome is open on
// the 7th and closed on the 8th.
func TestHolidaysAreClosed(t *testing.T) {
	_, c, _ := bootAgenda(t)
	days := func(shop string) map[string]int {
		n := map[string]int{}
		for _, s := range slots(c, shop, exam, "2026-12-07", "2026-12-26").Slots {
			n[s.Start.In(rome).Format(time.DateOnly)]++
		}
		return n
	}
	milan, roma := days("milano-centro"), days("roma-prati")
	for _, d := range []string{"2026-12-07", "2026-12-08", "2026-12-25", "2026-12-26"} {
		if milan[d] != 0 {
			t.Errorf("Milan has %d free slots on %s", milan[d], d)
		}
	}
	if milan["2026-12-09"] == 0 || roma["2026-12-07"] == 0 || roma["2026-12-08"] != 0 {
		t.Errorf("Milan on the 9th %d, Rome on the 7th %d and the 8th %d", milan["2026-12-09"], roma["2026-12-07"], roma["2026-12-08"])
	}
}
