// Command bookingbench measures bookings through HTTP on this machine: the
// latency of availability for 60 days of a shop with 5 optometrists and
// 3 services over a half-full agenda, and how many bookings per second 64
// clients make on distinct slots at once, next to the same number of
// plain authenticated writes (PATCH /v1/me) in the same run. It runs the
// real program in process on a temporary SQLite folder, serving on
// 127.0.0.1, and stops by itself.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

func main() {
	reads := flag.Int("reads", 200, "availability requests (sequential)")
	clients := flag.Int("c", 64, "concurrent clients for the writes")
	per := flag.Int("n", 10, "writes per client")
	rounds := flag.Int("rounds", 3, "rounds of the write comparison; medians are reported")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the availability reads to this file")
	writeprofile := flag.String("writeprofile", "", "write a CPU profile of the write rounds to this file")
	flag.Parse()

	dir, err := os.MkdirTemp("", "vista-bookingbench-")
	must(err)
	defer os.RemoveAll(dir)
	m := app.NewMain(io.Discard)
	m.Config.HTTPAddr, m.Config.AdminAddr, m.Config.DataDir, m.Config.AccessLog = "127.0.0.1:0", "127.0.0.1:0", dir, false
	m.Config.Demo = false
	m.Logger = slog.New(slog.DiscardHandler)
	m.PasswordParams = auth.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}
	m.Limits.SignupIP.Max, m.Limits.GuestBookingIP.Max = 100000, 1000000
	ctx := context.Background()
	must(m.Open(ctx))
	m.Start()
	defer m.Close()
	base := "http://" + m.Addr()
	services := seed(ctx, m)

	today := time.Now().In(rome)
	from, to := today.Format(time.DateOnly), today.AddDate(0, 0, 59).Format(time.DateOnly)
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		must(err)
		must(pprof.StartCPUProfile(f))
	}
	var lat []time.Duration
	slotsSeen := 0
	for i := range *reads {
		svc := services[i%len(services)]
		start := time.Now()
		body := raw(base + "/v1/shops/bench/availability?service=" + svc + "&from=" + from + "&to=" + to)
		lat = append(lat, time.Since(start))
		if i == *reads-1 {
			var av booking.Availability
			must(json.Unmarshal(body, &av))
			slotsSeen = len(av.Slots)
		}
	}
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	fmt.Printf("availability, 60 days, 5 staff, 3 services, half-full agenda (%d CPUs), %d requests:\n", runtime.NumCPU(), *reads)
	fmt.Printf("  median %.2f ms, p90 %.2f ms, p99 %.2f ms (%d slots in the last answer; target median < 5 ms)\n",
		ms(pct(lat, 50)), ms(pct(lat, 90)), ms(pct(lat, 99)), slotsSeen)

	// Distinct free slots for the bookings: late in the window, one per
	// start (with five staff each start has room for five).
	var av booking.Availability
	get(base+"/v1/shops/bench/availability?service="+services[0]+"&from="+today.AddDate(0, 0, 30).Format(time.DateOnly)+"&to="+to, &av)
	need := *clients * *per * *rounds
	type pick struct {
		start time.Time
		staff string
	}
	var starts []pick
	last := map[string]time.Time{} // picks of one staff member must not overlap (30 min + 10 after)
	for _, s := range av.Slots {
		for _, id := range s.StaffIDs {
			if l, ok := last[id]; !ok || !s.Start.Before(l.Add(45*time.Minute)) {
				starts = append(starts, pick{s.Start, id})
				last[id] = s.Start
			}
		}
	}
	if len(starts) < need {
		fmt.Fprintf(os.Stderr, "only %d distinct free slots for %d bookings: lower -n or -rounds\n", len(starts), need)
		os.Exit(1)
	}
	tokens := make([]string, *clients)
	for i := range tokens {
		var s struct {
			Tokens struct {
				AccessToken string `json:"access_token"`
			} `json:"tokens"`
		}
		post(base+"/v1/auth/signup", "", map[string]any{"email": fmt.Sprintf("c%d@bench.example", i), "password": "correct horse battery",
			"first_name": "Bench", "last_name": "Client", "birth_date": "1990-01-01", "shop_id": "shop-bench", "locale": "it",
			"consents": []map[string]any{{"channel": "push", "purpose": "service", "granted": true}}, "consent_text_version": "v1"}, 201, &s)
		tokens[i] = s.Tokens.AccessToken
	}
	var bookRates, writeRates []float64
	next := 0
	if *writeprofile != "" {
		f, err := os.Create(*writeprofile)
		must(err)
		must(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	for range *rounds {
		batch := starts[next : next+*clients**per]
		next += *clients * *per
		bookRates = append(bookRates, run(*clients, *per, func(c, i int) {
			post(base+"/v1/public/shops/bench/bookings", "", map[string]any{"service_id": services[0], "start": batch[c**per+i].start, "staff_id": batch[c**per+i].staff,
				"guest": map[string]any{"name": "Ospite", "email": fmt.Sprintf("g%d-%d-%d@bench.example", next, c, i), "consent": true}}, 201, nil)
		}))
		writeRates = append(writeRates, run(*clients, *per, func(c, i int) {
			patch(base+"/v1/me", tokens[c], map[string]any{"first_name": fmt.Sprintf("Bench%d", i)})
		}))
	}
	b, w := median(bookRates), median(writeRates)
	fmt.Printf("\n%d clients × %d writes at once, medians of %d rounds:\n", *clients, *per, *rounds)
	fmt.Printf("  POST bookings on distinct slots  %7.0f /s\n", b)
	fmt.Printf("  PATCH /v1/me (plain auth write)  %7.0f /s  (bookings at %.0f%% of it)\n", w, b/w*100)
}

var rome, _ = time.LoadLocation("Europe/Rome")

// seed creates a shop open Monday to Saturday with 5 optometrists, 3
// services, and books about half of the next 60 days' exam time.
func seed(ctx context.Context, m *app.Main) []string {
	week := []shop.Span{{Open: "09:00", Close: "13:00"}, {Open: "15:00", Close: "19:30"}}
	hours := shop.Hours{Weekly: map[string][]shop.Span{"mon": week, "tue": week, "wed": week, "thu": week, "fri": week, "sat": week}}
	must(m.Store.CreateShop(ctx, &shop.Shop{ID: "shop-bench", Slug: "bench", Name: "Ottica Bench", City: "Milano", TimeZone: "Europe/Rome", Hours: hours, CreatedAt: time.Now()}))
	owner := core.WithActor(ctx, core.Actor{Kind: core.ActorStaff, ID: "bench-owner", Role: core.RoleOwner})
	var ids []string
	for i, sv := range []booking.ServiceInput{
		{Code: "bench-exam", Name: "Esame della vista", DurationMin: 30, BufferAfterMin: 10},
		{Code: "bench-cl", Name: "Lenti a contatto", DurationMin: 45, BufferAfterMin: 15},
		{Code: "bench-kids", Name: "Bambini", DurationMin: 20, BufferAfterMin: 10},
	} {
		sv.MaxAheadDays, sv.MinNoticeMin, sv.Skills = 90, 60, []string{booking.SkillOptometrist}
		s, err := m.Agenda.SaveService(owner, "", sv)
		must(err)
		ids = append(ids, s.ID)
		_ = i
	}
	var staff []string
	for i := range 5 {
		st := &shop.Staff{ID: fmt.Sprintf("opt-%d", i), Email: fmt.Sprintf("opt%d@bench.example", i), Name: fmt.Sprintf("Optometrista %d", i),
			Role: core.RoleAssistant, ShopID: "shop-bench", Active: true, CreatedAt: time.Now()}
		must(m.Store.CreateStaff(ctx, st))
		_, err := m.Agenda.SavePractitioner(owner, st.ID, booking.PractitionerInput{Skills: []string{booking.SkillOptometrist}})
		must(err)
		staff = append(staff, st.ID)
	}
	// Half full: every other hour of every staff member, days 1 to 60.
	today := time.Now().In(rome)
	for d := 1; d <= 60; d++ {
		day := today.AddDate(0, 0, d)
		if day.Weekday() == time.Sunday {
			continue
		}
		for _, h := range []int{9, 11, 15, 17} {
			start := time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, rome)
			for _, s := range staff {
				_, err := m.Agenda.BookForCustomer(owner, booking.Input{ShopID: "shop-bench", ServiceID: ids[1], Start: start, StaffID: s,
					Guest: &booking.GuestInput{Name: "Seed", Phone: "+393331234567"}}, "")
				if err != nil && !core.IsCode(err, core.ECONFLICT) {
					must(err)
				}
			}
		}
	}
	return ids
}

// run has c clients make n calls each at once and returns calls per second.
func run(c, n int, call func(client, i int)) float64 {
	var wg sync.WaitGroup
	start := time.Now()
	for k := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				call(k, i)
			}
		}()
	}
	wg.Wait()
	return float64(c*n) / time.Since(start).Seconds()
}

var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

func do(method, url, token string, body any, want int, out any) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	must(err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	must(err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		fmt.Fprintf(os.Stderr, "%s %s: %d %s\n", method, url, resp.StatusCode, b)
		os.Exit(1)
	}
	if out != nil {
		must(json.Unmarshal(b, out))
	}
}

// raw GETs url and returns its body, undecoded (the timing is the server's
// and the transfer's, not the client's JSON decoding).
func raw(url string) []byte {
	resp, err := client.Get(url)
	must(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(err)
	if resp.StatusCode != 200 {
		fmt.Fprintf(os.Stderr, "GET %s: %d %s\n", url, resp.StatusCode, b)
		os.Exit(1)
	}
	return b
}

func get(url string, out any)                             { do("GET", url, "", nil, 200, out) }
func post(url, token string, body any, want int, out any) { do("POST", url, token, body, want, out) }
func patch(url, token string, body any)                   { do("PATCH", url, token, body, 200, nil) }

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s) - 1) * p / 100
	return s[i]
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
