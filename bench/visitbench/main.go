// Command visitbench measures the phygital link on this machine: how many
// visit codes (a signed token and its 256 px PNG) one core renders per
// second next to go-qrcode's bare encode of the same URL in the same run,
// and the latency of claims (resolve, then claim, through visit.Service on
// a SQLite store in a temporary folder) with 64 concurrent claimers. It
// stops by itself.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/store/sqlite"
	"github.com/vista-optical/vista/backend/visit"
	"github.com/vista-optical/vista/qr"
)

func main() {
	n := flag.Int("n", 300, "codes rendered per round")
	rounds := flag.Int("rounds", 5, "rounds; medians are reported")
	claimers := flag.Int("claimers", 64, "concurrent claimers")
	perClaimer := flag.Int("claims", 10, "claims per claimer (the per-customer limit is 10 a minute)")
	flag.Parse()
	keys, _, err := auth.GenerateKeys("bench")
	must(err)
	tokens := auth.NewTokens(keys, core.SystemClock)
	url := "https://ottica-rossi.example.it/q/"

	prev := runtime.GOMAXPROCS(1)
	var bare, ours []float64
	for r := 0; r < *rounds; r++ {
		tok, _ := tokens.SignVisitLink(time.Minute)
		start := time.Now()
		for range *n {
			_, err := qrcode.Encode(url+tok, qrcode.Medium, 256)
			must(err)
		}
		bare = append(bare, float64(*n)/time.Since(start).Seconds())
		start = time.Now()
		for range *n {
			tok, _ := tokens.SignVisitLink(time.Minute)
			_, err := qr.PNG(url+tok, 256)
			must(err)
		}
		ours = append(ours, float64(*n)/time.Since(start).Seconds())
	}
	runtime.GOMAXPROCS(prev)
	b, o := median(bare), median(ours)
	fmt.Printf("visit codes on one core, 256 px PNG, medians of %d rounds of %d:\n", *rounds, *n)
	fmt.Printf("  go-qrcode Encode alone      %7.0f /s  (%.2f ms each)\n", b, 1000/b)
	fmt.Printf("  token + qr.PNG (vista)      %7.0f /s  (%.2f ms each, +%.1f%%; target < +10%%)\n", o, 1000/o, (b/o-1)*100)

	lat := claims(tokens, *claimers, *perClaimer)
	fmt.Printf("\nclaims (after their resolve) through visit.Service on SQLite, %d concurrent claimers × %d claims (%d CPUs):\n", *claimers, *perClaimer, runtime.NumCPU())
	fmt.Printf("  claim p50 %.2f ms, p99 %.2f ms, max %.2f ms (target p99 < 20 ms, aim 10 ms)\n", ms(pct(lat, 50)), ms(pct(lat, 99)), ms(pct(lat, 100)))
}

// claims gives claimers customers, each at its own kiosk, per resolved
// codes, then lets them all claim at once, one code after the other each;
// it returns each claim's time.
func claims(tokens *auth.Tokens, claimers, per int) []time.Duration {
	dir, err := os.MkdirTemp("", "vista-visitbench-")
	must(err)
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(filepath.Join(dir, "vista.db"), nil)
	must(err)
	defer db.Close()
	ctx := context.Background()
	must(db.Migrate(ctx))
	now := time.Now().UTC()
	must(db.CreateShop(ctx, &shop.Shop{ID: "shop-b", Slug: "b", Name: "Bench", City: "Milano", TimeZone: "Europe/Rome", CreatedAt: now}))
	svc := &visit.Service{Store: db, Tokens: tokens, Limiter: &ratelimit.Limiter{Store: db, Clock: core.SystemClock}, Shops: db, Kiosks: db,
		Clock: core.SystemClock, PublicURL: func() string { return "https://ottica-rossi.example.it" }}
	var mu sync.Mutex
	var out []time.Duration
	var wg sync.WaitGroup
	startLine := make(chan struct{})
	for i := range claimers {
		kiosk := fmt.Sprintf("kiosk-%d", i)
		cust := fmt.Sprintf("customer-%d", i)
		must(db.CreateKiosk(ctx, &screen.Kiosk{ID: kiosk, ShopID: "shop-b", Label: "Bench", CreatedAt: now}))
		must(db.CreateCustomer(ctx, &customer.Customer{ID: cust, Email: cust + "@example.com", FirstName: "B", LastName: "M", BirthDate: "1990-01-01",
			Status: customer.StatusActive, Locale: "it", CreatedAt: now, UpdatedAt: now}))
		// Each claimer's codes are shown and resolved first (the screen and
		// the app's first step), then all claimers claim at once.
		kctx := core.WithActor(ctx, core.Actor{Kind: core.ActorKiosk, ID: kiosk, Shop: "shop-b"})
		cctx := core.WithActor(ctx, core.Actor{Kind: core.ActorCustomer, ID: cust})
		var toks []string
		for range per {
			code, err := svc.NewCode(kctx)
			must(err)
			_, err = svc.Resolve(cctx, code.Token)
			must(err)
			toks = append(toks, code.Token)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startLine
			for _, tok := range toks {
				start := time.Now()
				_, err := svc.Claim(cctx, tok)
				must(err)
				d := time.Since(start)
				mu.Lock()
				out = append(out, d)
				mu.Unlock()
			}
		}()
	}
	close(startLine)
	wg.Wait()
	return out
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(min(i, len(s))-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func must(err error) {
	if err != nil {
		panic(err)
	}
}
