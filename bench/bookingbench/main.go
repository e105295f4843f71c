// Command bookingbench measures bookings through HTTP on this machine: the
// latency of availability for 60 days of a shop with 5 optometrists and
// 3 services over a half-full agenda, and how many bookings per second 64
// clients make on distinct slots at once, next to the same number of
// plain authenticated writes (PUT of a shop's catalog settings) in the
// same run. It builds and runs the real vista binary on a temporary SQLite
// folder, serving on 127.0.0.1, sets its chain up through the staff API,
// and stops by itself.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/vista-optical/vista/bench/internal/vistabin"

	"github.com/vista-optical/vista/backend/booking"
)

func main() {
	reads := flag.Int("reads", 200, "availability requests (sequential)")
	clients := flag.Int("c", 64, "concurrent clients for the writes")
	per := flag.Int("n", 4, "writes per client")
	rounds := flag.Int("rounds", 3, "rounds of the write comparison; medians are reported")
	flag.Parse()

	v := start()
	defer v.stop()
	owner := v.login()
	// The write comparison books on staff of its own, enough of them for
	// every booking asked (about 400 free starts each in 60 days).
	need := *clients * *per * *rounds
	services, writeService := v.seed(owner, need/350+1)

	today := time.Now().In(rome)
	from, to := today.Format(time.DateOnly), today.AddDate(0, 0, 59).Format(time.DateOnly)
	var lat []time.Duration
	slotsSeen := 0
	for i := range *reads {
		svc := services[i%len(services)]
		start := time.Now()
		body := raw(v.URL + "/v1/shops/bench/availability?service=" + svc + "&from=" + from + "&to=" + to)
		lat = append(lat, time.Since(start))
		if i == *reads-1 {
			var av booking.Availability
			must(json.Unmarshal(body, &av))
			slotsSeen = len(av.Slots)
		}
	}
	// The reference of the same run: the cheapest answer of the same
	// server over the same connection (the machine's speed drifts).
	var ref []time.Duration
	for range *reads {
		start := time.Now()
		raw(v.URL + "/healthz")
		ref = append(ref, time.Since(start))
	}
	fmt.Printf("availability, 60 days, 5 staff, 3 services, half-full agenda (%d CPUs), %d requests:\n", runtime.NumCPU(), *reads)
	fmt.Printf("  median %.2f ms, p90 %.2f ms, p99 %.2f ms (%d slots in the last answer; target median < 5 ms)\n",
		ms(pct(lat, 50)), ms(pct(lat, 90)), ms(pct(lat, 99)), slotsSeen)
	fmt.Printf("  GET /healthz in the same run: median %.2f ms (the server and connection alone)\n", ms(pct(ref, 50)))

	// Distinct free slots for the bookings: those of the write service,
	// whose own staff are free all day (the agenda above is untouched), a
	// start and a staff member each, no two of one staff member's
	// overlapping.
	var av booking.Availability
	get(v.URL+"/v1/shops/bench/availability?service="+writeService+"&from="+from+"&to="+to, &av)
	need = *clients * *per * *rounds
	type pick struct {
		start time.Time
		staff string
	}
	var starts []pick
	last := map[string]time.Time{} // 30 minutes and 10 after
	for _, s := range av.Slots {
		for _, id := range s.StaffIDs {
			if l, ok := last[id]; !ok || !s.Start.Before(l.Add(45*time.Minute)) {
				starts = append(starts, pick{s.Start, id})
				last[id] = s.Start
			}
		}
	}
	if len(starts) < need {
		fmt.Fprintf(os.Stderr, "only %d distinct free slots for %d bookings: lower -c, -n or -rounds\n", len(starts), need)
		exit()
	}
	var bookRates, writeRates []float64
	next := 0
	for r := range *rounds {
		batch := starts[next : next+*clients**per]
		next += *clients * *per
		bookRates = append(bookRates, run(*clients, *per, func(c, i int) {
			p := batch[c**per+i]
			post(v.URL+"/v1/staff/bookings", owner, map[string]any{"shop_id": "shop-bench", "service_id": writeService, "start": p.start, "staff_id": p.staff,
				"guest": map[string]any{"name": "Ospite", "email": fmt.Sprintf("g%d-%d-%d@bench.example", r, c, i)}}, 201, nil)
		}))
		writeRates = append(writeRates, run(*clients, *per, func(c, i int) {
			do("PUT", v.URL+"/v1/staff/shops/shop-bench/catalog-settings", owner, map[string]any{"reserve_min_stock": (c + i) % 5, "click_collect": true}, 200, nil)
		}))
	}
	b, w := median(bookRates), median(writeRates)
	fmt.Printf("\n%d clients × %d writes at once, medians of %d rounds:\n", *clients, *per, *rounds)
	fmt.Printf("  POST /v1/staff/bookings, distinct slots  %7.0f /s\n", b)
	fmt.Printf("  PUT catalog-settings (a one-row write)   %7.0f /s  (bookings at %.0f%% of it)\n", w, b/w*100)
}

var rome, _ = time.LoadLocation("Europe/Rome")

// seed creates, through the staff API, a shop open Monday to Saturday
// (holidays too, so that the workload does not depend on the date) with 5
// optometrists and 3 services, and books about half of the next 60 days'
// time; it returns the services' ids. Beside them, writers staff members
// with a skill of their own (contact_lens) and a service that needs it, for the write
// comparison.
func (v *vista) seed(owner string, writers int) (ids []string, writeService string) {
	week := []map[string]string{{"open": "09:00", "close": "13:00"}, {"open": "15:00", "close": "19:30"}}
	hours := map[string]any{"weekly": map[string]any{"mon": week, "tue": week, "wed": week, "thu": week, "fri": week, "sat": week},
		"open_on_holidays": true}
	post(v.URL+"/v1/staff/shops", owner, map[string]any{"id": "shop-bench", "slug": "bench", "name": "Ottica Bench", "city": "Milano",
		"time_zone": "Europe/Rome", "hours": hours}, 201, nil)
	for _, sv := range []map[string]any{
		{"code": "bench-exam", "name": "Esame della vista", "duration_min": 30, "buffer_after_min": 10},
		{"code": "bench-cl", "name": "Lenti a contatto", "duration_min": 45, "buffer_after_min": 15},
		{"code": "bench-kids", "name": "Bambini", "duration_min": 20, "buffer_after_min": 10},
	} {
		sv["shop_id"], sv["max_ahead_days"], sv["min_notice_min"], sv["skills"] = "shop-bench", 90, 60, []string{"optometrist"}
		var s struct{ ID string }
		post(v.URL+"/v1/staff/services", owner, sv, 201, &s)
		ids = append(ids, s.ID)
	}
	var staff []string
	for i := range 5 {
		var m struct{ ID string }
		post(v.URL+"/v1/staff/members", owner, map[string]any{"email": fmt.Sprintf("opt%d@bench.example", i), "name": fmt.Sprintf("Optometrista %d", i),
			"role": "assistant", "shop_id": "shop-bench"}, 201, &m)
		do("PUT", v.URL+"/v1/staff/members/"+m.ID+"/agenda", owner, map[string]any{"skills": []string{"optometrist"}}, 200, nil)
		staff = append(staff, m.ID)
	}
	var ws struct{ ID string }
	post(v.URL+"/v1/staff/services", owner, map[string]any{"code": "bench-write", "name": "Controllo", "duration_min": 30, "buffer_after_min": 10,
		"shop_id": "shop-bench", "max_ahead_days": 90, "min_notice_min": 60, "skills": []string{"contact_lens"}}, 201, &ws)
	for i := range writers {
		var m struct{ ID string }
		post(v.URL+"/v1/staff/members", owner, map[string]any{"email": fmt.Sprintf("w%d@bench.example", i), "name": fmt.Sprintf("Ottico %d", i),
			"role": "assistant", "shop_id": "shop-bench"}, 201, &m)
		do("PUT", v.URL+"/v1/staff/members/"+m.ID+"/agenda", owner, map[string]any{"skills": []string{"contact_lens"}}, 200, nil)
	}
	// Half full: four 45-minute appointments of every staff member a day.
	today := time.Now().In(rome)
	for d := 1; d <= 60; d++ {
		day := today.AddDate(0, 0, d)
		if day.Weekday() == time.Sunday {
			continue
		}
		for _, h := range []int{9, 11, 15, 17} {
			start := time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, rome)
			for k, s := range staff { // one person each: a person is not booked twice at once either
				post(v.URL+"/v1/staff/bookings", owner, map[string]any{"shop_id": "shop-bench", "service_id": ids[1], "start": start, "staff_id": s,
					"guest": map[string]any{"name": "Seed", "phone": fmt.Sprintf("+39333123456%d", k)}}, 201, nil)
			}
		}
	}
	return ids, ws.ID
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
		exit()
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
		exit()
	}
	return b
}

func get(url string, out any)                             { do("GET", url, "", nil, 200, out) }
func post(url, token string, body any, want int, out any) { do("POST", url, token, body, want, out) }

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

// running is the binary under test, stopped on every way out.
var running *vista

// exit stops the binary (a bench that fails midway must not leave a
// server behind) and exits with an error status.
func exit() {
	if running != nil {
		running.stop()
	}
	os.Exit(1)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		exit()
	}
}

// vista is the binary under test.
type vista struct{ *vistabin.Process }

// start builds and runs the real binary on a temporary SQLite folder.
func start() *vista {
	p, err := vistabin.Start("VISTA_ACCESS_LOG=false", "VISTA_ADMIN_ADDR=off")
	must(err)
	v := &vista{p}
	running = v
	return v
}

func (v *vista) stop() { v.Stop() }

// login signs the demo owner in with the password the binary printed.
func (v *vista) login() string {
	password, err := v.OwnerPassword()
	must(err)
	var out struct {
		Token string `json:"access_token"`
	}
	post(v.URL+"/v1/staff/auth/login", "", map[string]string{"email": "titolare@ottica-vista.demo", "password": password}, 200, &out)
	return out.Token
}
