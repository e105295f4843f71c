// Command kioskbench measures the kiosk side of a real vista binary on
// 127.0.0.1: how fast a broadcast reaches connected SSE displays (1,000,
// then -hold of them), the server's memory per connection, and product
// search over 10,000 products through HTTP (timed first, on a quiet server). It stops by itself.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vista-optical/vista/bench/internal/vistabin"
)

func main() {
	first := flag.Int("n", 1000, "displays connected for the first measurement")
	hold := flag.Int("hold", 10000, "displays connected for the second")
	broadcasts := flag.Int("broadcasts", 10, "broadcasts timed at each size")
	products := flag.Int("products", 10000, "products in the catalog for the search benchmark")
	searches := flag.Int("searches", 2000, "searches timed")
	flag.Parse()

	v := start()
	defer v.stop()
	owner := v.login()
	kiosk := v.pair(owner)

	fmt.Printf("kioskbench on 127.0.0.1, %d CPUs, vista pid %d\n\n", numCPU(), v.Cmd.Process.Pid)
	v.catalog(owner, *products)
	// The kiosk's search (a device token, no per-address limit), then the
	// app's public one within its limit of 600 a minute per address.
	for _, s := range []struct {
		path, token string
		n           int
	}{{"/kiosk/v1/products?q=", kiosk, *searches}, {"/v1/shops/milano-centro/products?q=", "", 500}} {
		times := v.search(s.path, s.token, s.n)
		fmt.Printf("search over %d products, GET %s… (%d requests, one at a time): median %.2f ms, p99 %.2f ms\n",
			*products, s.path, len(times), ms(pct(times, 50)), ms(pct(times, 99)))
	}
	fmt.Println()
	base := rss(v.Cmd.Process.Pid)
	var conns []*display
	for _, size := range []int{*first, *hold} {
		conns = append(conns, connect(v.Addr, kiosk, size-len(conns))...)
		time.Sleep(2 * time.Second) // let the connects settle
		mem := rss(v.Cmd.Process.Pid)
		lat := broadcast(v, owner, conns, *broadcasts)
		fmt.Printf("%6d displays: broadcast delivery p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%d deliveries, %d missed)\n",
			size, ms(pct(lat.d, 50)), ms(pct(lat.d, 99)), ms(pct(lat.d, 100)), len(lat.d), lat.missed)
		fmt.Printf("%6d displays: server RSS %d MiB, %.1f KiB per connection\n", size, mem>>20, float64(mem-base)/float64(size)/1024)
	}

}

// pair pairs one screen; every connection below uses its token (the
// service pairs a screen per browser; ten thousand pairings from one
// address would only measure the pairing rate limit).
func (v *vista) pair(owner string) string {
	var code struct {
		Code string `json:"code"`
	}
	v.call("POST", "/v1/staff/shops/shop-milano-centro/kiosks/pairing-codes", owner, nil, &code)
	var k struct {
		Token string `json:"token"`
	}
	v.call("POST", "/kiosk/v1/pair", "", map[string]string{"code": code.Code, "label": "bench"}, &k)
	return k.Token
}

func (v *vista) call(method, path, token string, body, out any) {
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ctype = bytes.NewReader(b), "text/csv"
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, v.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	must(err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		panic(fmt.Sprintf("%s %s: %d %s", method, path, resp.StatusCode, b))
	}
	if out != nil {
		must(json.Unmarshal(b, out))
	}
}

// display is one connected screen, noting when each offer arrived.
type display struct {
	conn net.Conn
	mu   sync.Mutex
	got  map[string]time.Time // by offer title
}

var titleRe = regexp.MustCompile(`"title":"(b-\d+)"`)

// connect opens n event streams, 200 at a time.
func connect(addr, token string, n int) []*display {
	out := make([]*display, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 200)
	var failed atomic.Int64
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				failed.Add(1)
				return
			}
			fmt.Fprintf(c, "GET /kiosk/v1/events HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n", addr, token)
			r := bufio.NewReader(c)
			status, err := r.ReadString('\n')
			if err != nil || !strings.Contains(status, " 200 ") {
				failed.Add(1)
				c.Close()
				return
			}
			d := &display{conn: c, got: map[string]time.Time{}}
			out[i] = d
			go func() {
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if m := titleRe.FindStringSubmatch(line); m != nil {
						now := time.Now()
						d.mu.Lock()
						d.got[m[1]] = now
						d.mu.Unlock()
					}
				}
			}()
		}()
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		fmt.Fprintf(os.Stderr, "%d of %d connections failed\n", f, n)
	}
	return slices.DeleteFunc(out, func(d *display) bool { return d == nil })
}

type latencies struct {
	d      []time.Duration
	missed int
}

// broadcast pushes k offers one after the other and reads, per display,
// how long each took to arrive.
func broadcast(v *vista, owner string, ds []*display, k int) latencies {
	var lat latencies
	for i := range k {
		title := "b-" + strconv.FormatInt(time.Now().UnixNano(), 10)
		sent := time.Now()
		v.call("POST", "/v1/staff/shops/shop-milano-centro/screens/broadcast", owner, map[string]string{"title": title}, nil)
		deadline := time.Now().Add(10 * time.Second)
		for {
			n := 0
			for _, d := range ds {
				d.mu.Lock()
				if _, ok := d.got[title]; ok {
					n++
				}
				d.mu.Unlock()
			}
			if n == len(ds) || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, d := range ds {
			d.mu.Lock()
			if at, ok := d.got[title]; ok {
				lat.d = append(lat.d, at.Sub(sent))
			} else {
				lat.missed++
			}
			d.mu.Unlock()
		}
		_ = i
		time.Sleep(200 * time.Millisecond)
	}
	return lat
}

// catalog imports n products in files of 2,000 lines (the body limit
// is 256 KB).
func (v *vista) catalog(owner string, n int) {
	brands := []string{"Ray-Ban", "Persol", "Oakley", "Acuvue", "Alcon", "Zeiss", "Essilor", "Silhouette", "Lindberg", "Tom Ford"}
	cats := []string{"frames", "sunglasses", "contact_lenses", "lens_care", "accessories"}
	for from := 0; from < n; from += 2000 {
		var b bytes.Buffer
		b.WriteString("sku,brand,name,category,price,stock\n")
		for i := from; i < min(from+2000, n); i++ {
			fmt.Fprintf(&b, "B-%05d,%s,Modello %d colore %d,%s,%d.%02d,%d\n", i, brands[i%len(brands)], i, i%37, cats[i%len(cats)], 20+i%300, i%100, i%7)
		}
		v.call("POST", "/v1/staff/shops/shop-milano-centro/catalog/import", owner, b.Bytes(), nil)
	}
}

func (v *vista) search(path, token string, n int) []time.Duration {
	queries := []string{"ray", "modello 12", "colore 3", "zeiss", "b-0999", "tom ford", "persol modello", "lenti", "xyz", "acuvue"}
	client := &http.Client{}
	var out []time.Duration
	for i := range n {
		req, _ := http.NewRequest("GET", v.URL+path+strings.ReplaceAll(queries[i%len(queries)], " ", "+"), nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		start := time.Now()
		resp, err := client.Do(req)
		must(err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			panic(resp.Status)
		}
		out = append(out, time.Since(start))
	}
	return out
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(min(i, len(s))-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// rss is the resident memory of pid, from /proc.
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	must(err)
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			kb, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "processor\t:")
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// vista is the binary under test.
type vista struct{ *vistabin.Process }

// start builds and runs the real binary on a temporary SQLite folder.
func start() *vista {
	p, err := vistabin.Start("VISTA_ACCESS_LOG=false", "VISTA_ADMIN_ADDR=off")
	must(err)
	v := &vista{p}
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
	v.call("POST", "/v1/staff/auth/login", "", map[string]string{"email": "titolare@ottica-vista.demo", "password": password}, &out)
	return out.Token
}
