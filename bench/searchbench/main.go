// Command searchbench measures the console's one search box through HTTP:
// GET /v1/staff/customers?q= over -n customers (100,000 by default) with
// Italian names drawn from a small pool, so a surname is shared by
// thousands, as in a real chain. It builds and runs the real vista binary
// on a temporary SQLite folder, serving on 127.0.0.1, writes the
// customers straight into its database beside it (through the same store
// code, name keys included), signs the demo owner in (who searches every
// shop: the widest case) and times names typed right, with one slip and
// as the start of words, phone numbers and e-mails, next to GET /healthz
// of the same server. It stops by itself.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/store/sqlite"
	"github.com/vista-optical/vista/bench/internal/vistabin"
)

var (
	firstNames = strings.Fields(`Giulia Marco Francesca Luca Chiara Matteo Sara Alessandro Martina Andrea Giorgia Lorenzo
		Valentina Davide Elena Simone Federica Riccardo Alessia Gabriele Silvia Stefano Laura Paolo Anna Giovanni Elisa
		Roberto Serena Francesco Ilaria Nicolò Beatrice Tommaso Camilla Filippo Noemi Pietro Aurora Antonio Sofia Mattia`)
	lastNames = strings.Fields(`Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti
		De Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli
		Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra Coppola De Santis D'Angelo Marchetti Parisi Villa
		Conte Ferraro Ferri Fabbri Bianco Marini Grasso Valentini Messina Sala De Angelis Gatti Pellegrini Palumbo Sanna`)
)

func main() {
	n := flag.Int("n", 100000, "customers")
	reads := flag.Int("reads", 300, "searches of each kind")
	flag.Parse()

	dir, err := os.MkdirTemp("", "vista-searchbench-")
	must(err)
	cleanup = func() { os.RemoveAll(dir) }
	p, err := vistabin.Start("VISTA_ACCESS_LOG=false", "VISTA_ADMIN_ADDR=off", "VISTA_DATA_DIR="+dir)
	must(err)
	cleanup = func() { p.Stop(); os.RemoveAll(dir) }
	defer cleanup()
	password, err := p.OwnerPassword()
	must(err)

	start := time.Now()
	people := seed(filepath.Join(dir, "vista.db"), *n)
	fmt.Printf("%d customers written in %.1f s\n", *n, time.Since(start).Seconds())

	var login struct {
		Token string `json:"access_token"`
	}
	post(p.URL+"/v1/staff/auth/login", map[string]string{"email": "titolare@ottica-vista.demo", "password": password}, &login)

	rng := rand.New(rand.NewPCG(2, 3))
	kinds := []struct {
		name string
		q    func(c *customer.Customer) string
	}{
		{"name as written", func(c *customer.Customer) string { return c.FirstName + " " + c.LastName }},
		{"name, one slip per word", func(c *customer.Customer) string { return slip(rng, c.FirstName) + " " + slip(rng, c.LastName) }},
		{"start of both words", func(c *customer.Customer) string { return prefix(c.FirstName) + " " + prefix(c.LastName) }},
		{"surname only", func(c *customer.Customer) string { return c.LastName }},
		{"phone as typed", func(c *customer.Customer) string { return c.Phone[3:6] + " " + c.Phone[6:] }},
		{"e-mail", func(c *customer.Customer) string { return c.Email }},
	}
	fmt.Printf("GET /v1/staff/customers?q= over %d customers, the owner (every shop), %d CPUs, %d searches each:\n", *n, runtime.NumCPU(), *reads)
	var all []time.Duration
	for _, k := range kinds {
		var lat []time.Duration
		found := 0
		for range *reads {
			c := people[rng.IntN(len(people))]
			t0 := time.Now()
			var out struct{ Customers []customer.Customer }
			get(p.URL+"/v1/staff/customers?"+url.Values{"q": {k.q(c)}, "limit": {"50"}}.Encode(), login.Token, &out)
			lat = append(lat, time.Since(t0))
			if slices.ContainsFunc(out.Customers, func(x customer.Customer) bool { return x.ID == c.ID }) {
				found++
			}
		}
		all = append(all, lat...)
		fmt.Printf("  %-26s median %6.2f ms  p99 %6.2f ms  (the customer among the 50 shown: %d%%)\n",
			k.name, ms(pct(lat, 50)), ms(pct(lat, 99)), found*100 / *reads)
	}
	var ref []time.Duration
	for range *reads {
		t0 := time.Now()
		get(p.URL+"/healthz", "", nil)
		ref = append(ref, time.Since(t0))
	}
	fmt.Printf("  %-26s median %6.2f ms  p99 %6.2f ms  (target: median < 20 ms, p99 < 50 ms)\n", "all searches", ms(pct(all, 50)), ms(pct(all, 99)))
	fmt.Printf("  GET /healthz in the same run: median %.2f ms (the server and connection alone)\n", ms(pct(ref, 50)))
}

// seed writes n customers into the database at path, beside the running
// binary, and returns them.
func seed(path string, n int) []*customer.Customer {
	ctx := context.Background()
	db, err := sqlite.Open(path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	must(err)
	defer db.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	shops := []string{"shop-milano-centro", "shop-roma-prati"}
	now := time.Now().UTC()
	out := make([]*customer.Customer, 0, n)
	for i := range n {
		c := &customer.Customer{ID: core.NewID(), FirstName: firstNames[rng.IntN(len(firstNames))], LastName: lastNames[rng.IntN(len(lastNames))],
			Phone: fmt.Sprintf("+393%09d", 100000000+i), Email: fmt.Sprintf("cliente%06d@example.com", i), ShopID: shops[i%2],
			Locale: "it", Origin: customer.OriginCounter, Status: customer.StatusActive, CreatedAt: now, UpdatedAt: now}
		must(db.CreateCustomer(ctx, c))
		out = append(out, c)
	}
	return out
}

// prefix is the first three letters of w, as one starts typing it.
func prefix(w string) string { return string([]rune(w)[:min(3, len([]rune(w)))]) }

// slip makes one typing slip in a word: a letter swapped with the next,
// left out, doubled or changed.
func slip(rng *rand.Rand, w string) string {
	r := []rune(w)
	if len(r) < 4 {
		return w
	}
	i := 1 + rng.IntN(len(r)-2)
	switch rng.IntN(4) {
	case 0:
		r[i], r[i+1] = r[i+1], r[i]
	case 1:
		r = append(r[:i], r[i+1:]...)
	case 2:
		r = slices.Insert(r, i, r[i])
	default:
		r[i] = 'x'
	}
	return string(r)
}

func get(u, token string, out any) {
	req, err := http.NewRequest("GET", u, nil)
	must(err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	do(req, out)
}

func post(u string, body, out any) {
	b, err := json.Marshal(body)
	must(err)
	req, err := http.NewRequest("POST", u, strings.NewReader(string(b)))
	must(err)
	req.Header.Set("Content-Type", "application/json")
	do(req, out)
}

func do(req *http.Request, out any) {
	resp, err := http.DefaultClient.Do(req)
	must(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(err)
	if resp.StatusCode != 200 {
		must(fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, b))
	}
	if out != nil {
		must(json.Unmarshal(b, out))
	}
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cleanup stops the binary and removes its folder, on every way out.
var cleanup = func() {}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "searchbench:", err)
		cleanup()
		os.Exit(1)
	}
}
