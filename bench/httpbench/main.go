// Command httpbench measures authenticated GET /v1/me of the real vista
// binary on SQLite next to two references served on the same machine in
// the same run: a bare Fiber handler, and a Fiber handler that only
// verifies the same kind of access token (HS256, golang-jwt) and returns
// 1 KB of static JSON. Load comes from wrk (Debian package wrk) on
// 127.0.0.1; every run is bounded in time and stops by itself.
//
//	go run ./bench/httpbench -d 10s -c 64 -rounds 3
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"
)

type result struct {
	rps   float64
	p99ms float64
}

func main() {
	dur := flag.Duration("d", 10*time.Second, "duration of each wrk run")
	conns := flag.Int("c", 64, "concurrent connections")
	threads := flag.Int("t", 2, "wrk threads")
	rounds := flag.Int("rounds", 3, "rounds; medians are reported")
	accessLog := flag.Bool("access-log", false, "run vista with its access log on")
	flag.Parse()
	if _, err := exec.LookPath("wrk"); err != nil {
		fmt.Fprintln(os.Stderr, "httpbench needs wrk: apt-get install wrk")
		os.Exit(2)
	}

	secret := []byte("0123456789abcdef0123456789abcdef")
	keys := "kb:" + strings.TrimRight(base64URL(secret), "=")
	bare := startFiber(func(app *fiber.App) {
		app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	})
	payload := bytes.Repeat([]byte("x"), 1000)
	static, _ := json.Marshal(map[string]string{"data": string(payload)})
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience("vista-app"), jwt.WithIssuer("vista"), jwt.WithExpirationRequired())
	tokenOnly := startFiber(func(app *fiber.App) {
		app.Get("/", func(c *fiber.Ctx) error {
			h := c.Get("Authorization")
			if !strings.HasPrefix(h, "Bearer ") {
				return c.SendStatus(401)
			}
			_, err := parser.Parse(h[7:], func(*jwt.Token) (any, error) { return secret, nil })
			if err != nil {
				return c.SendStatus(401)
			}
			c.Set("Content-Type", "application/json")
			return c.Send(static)
		})
	})

	vistaURL, stop := startVista(keys, *accessLog)
	defer stop()
	token := signupToken(vistaURL)

	targets := []struct{ name, url string }{
		{"bare Fiber handler", bare + "/"},
		{"Fiber + token verify + 1 KB JSON", tokenOnly + "/"},
		{"vista GET /v1/me (" + engine() + ")", vistaURL + "/v1/me"},
	}
	runs := map[string][]result{}
	for r := 0; r < *rounds; r++ {
		for _, t := range targets {
			res := runWrk(t.url, token, *dur, *conns, *threads)
			runs[t.name] = append(runs[t.name], res)
			fmt.Fprintf(os.Stderr, "round %d  %-36s %9.0f req/s  p99 %6.2f ms\n", r+1, t.name, res.rps, res.p99ms)
		}
	}
	med := map[string]result{}
	fmt.Printf("\nmedians of %d rounds, wrk -t%d -c%d -d%s on 127.0.0.1 (%d CPUs)\n", *rounds, *threads, *conns, *dur, numCPU())
	fmt.Printf("%-36s %12s %10s %10s\n", "handler", "req/s", "p99 ms", "vs bare")
	for _, t := range targets {
		med[t.name] = median(runs[t.name])
		fmt.Printf("%-36s %12.0f %10.2f %10.2f\n", t.name, med[t.name].rps, med[t.name].p99ms, med[t.name].rps/med[targets[0].name].rps)
	}
	ratio := med[targets[2].name].rps / med[targets[1].name].rps
	fmt.Printf("\nGET /v1/me reaches %.0f%% of the token-only reference (target ≥ 65%%), p99 %.2f ms (target < 10 ms)\n",
		ratio*100, med[targets[2].name].p99ms)
}

func startFiber(routes func(*fiber.App)) string {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	routes(app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	go func() { _ = app.Listener(ln) }()
	return "http://" + ln.Addr().String()
}

// startVista builds and runs the real binary on a temp SQLite folder.
func startVista(keys string, accessLog bool) (string, func()) {
	dir, err := os.MkdirTemp("", "vista-bench-")
	must(err)
	bin := filepath.Join(dir, "vista")
	build := exec.Command("go", "build", "-o", bin, "./backend/cmd/vista")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	must(build.Run())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "VISTA_HTTP_ADDR="+addr, "VISTA_DATA_DIR="+filepath.Join(dir, "data"),
		"VISTA_JWT_KEYS="+keys, "VISTA_ACCESS_LOG="+strconv.FormatBool(accessLog), "VISTA_LOG_LEVEL=warn")
	if os.Getenv("VISTA_MONGODB_URI") != "" {
		// On MongoDB (the binary reads VISTA_MONGODB_URI): a database of
		// its own. Figures on a wire-protocol peer are the peer's.
		cmd.Env = append(cmd.Env, "VISTA_MONGODB_DATABASE=vista_httpbench_"+strconv.FormatInt(time.Now().UnixNano(), 36),
			"VISTA_DEMO=true") // the signup names a demo shop; the demo is off by default on MongoDB
		fmt.Fprintln(os.Stderr, "httpbench: vista on MongoDB at VISTA_MONGODB_URI")
	}
	cmd.Stdout, cmd.Stderr = nil, nil
	if accessLog {
		devnull, _ := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		cmd.Stderr = devnull
	}
	must(cmd.Start())
	url := "http://" + addr
	// A busy machine starts the binary slowly: wait up to a minute, and
	// say so rather than measure a server that is not there.
	up := false
	for deadline := time.Now().Add(60 * time.Second); !up && time.Now().Before(deadline); {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			up = true
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !up {
		_ = cmd.Process.Kill()
		must(errors.New("vista did not answer /healthz within 60 s"))
	}
	return url, func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		os.RemoveAll(dir)
	}
}

// engine names the store the binary runs on.
func engine() string {
	if os.Getenv("VISTA_MONGODB_URI") != "" {
		return "MongoDB"
	}
	return "SQLite"
}

func signupToken(url string) string {
	body := `{"email":"bench@example.com","password":"correct horse battery","first_name":"Bench","last_name":"Mark","birth_date":"1990-01-01","shop_id":"shop-milano-centro"}`
	resp, err := http.Post(url+"/v1/auth/signup", "application/json", strings.NewReader(body))
	must(err)
	defer resp.Body.Close()
	var s struct {
		Tokens struct {
			AccessToken string `json:"access_token"`
		} `json:"tokens"`
	}
	must(json.NewDecoder(resp.Body).Decode(&s))
	if s.Tokens.AccessToken == "" {
		panic("signup gave no token: status " + resp.Status)
	}
	return s.Tokens.AccessToken
}

var (
	reqRe = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	p99Re = regexp.MustCompile(`\s99%\s+([\d.]+)(us|ms|s)`)
	errRe = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

func runWrk(url, token string, d time.Duration, c, t int) result {
	ctx, cancel := context.WithTimeout(context.Background(), d+30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "wrk", "-t", strconv.Itoa(t), "-c", strconv.Itoa(c), "-d", d.String(), "--latency",
		"-H", "Authorization: Bearer "+token, url).CombinedOutput()
	if err != nil {
		panic(fmt.Sprintf("wrk: %v\n%s", err, out))
	}
	if m := errRe.FindSubmatch(out); m != nil {
		panic(fmt.Sprintf("%s answered %s non-2xx responses", url, m[1]))
	}
	var r result
	if m := reqRe.FindSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	if m := p99Re.FindSubmatch(out); m != nil {
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		switch string(m[2]) {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		r.p99ms = v
	}
	return r
}

func median(rs []result) result {
	rps := make([]float64, len(rs))
	p99 := make([]float64, len(rs))
	for i, r := range rs {
		rps[i], p99[i] = r.rps, r.p99ms
	}
	sort.Float64s(rps)
	sort.Float64s(p99)
	return result{rps: rps[len(rps)/2], p99ms: p99[len(p99)/2]}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func numCPU() int { return runtimeNumCPU() }
