package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test start this binary as vista itself: two processes
// on one data folder are two instances of a deployment.
func TestMain(m *testing.M) {
	if os.Getenv("VISTA_TEST_MAIN") == "1" {
		os.Args = append([]string{"vista"}, strings.Fields(os.Getenv("VISTA_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process is one vista serve started by a test.
type process struct {
	cmd  *exec.Cmd
	base string
	out  *bufio.Reader
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serve starts vista serve on dir at addr and waits for /healthz.
func serve(t *testing.T, dir, addr string, demo bool) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "VISTA_TEST_MAIN=1", "VISTA_TEST_ARGS=serve", "VISTA_DATA_DIR="+dir, "VISTA_HTTP_ADDR="+addr,
		"VISTA_ADMIN_ADDR=off", fmt.Sprintf("VISTA_DEMO=%v", demo), "VISTA_LOG_LEVEL=warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, base: "http://" + addr, out: bufio.NewReader(stdout)}
	t.Cleanup(func() { p.stop() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		if r, err := http.Get(p.base + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("vista on %s never became healthy", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *process) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// ownerPassword reads the demo owner's password from the banner.
func (p *process) ownerPassword(t *testing.T) string {
	t.Helper()
	re := regexp.MustCompile(`^\s+password\s+(\S+)`)
	for {
		line, err := p.out.ReadString('\n')
		if m := re.FindStringSubmatch(line); m != nil {
			go func() { _, _ = io.Copy(io.Discard, p.out) }()
			return m[1]
		}
		if err != nil {
			t.Fatalf("no owner password in the banner: %v", err)
		}
	}
}

func call(t *testing.T, method, url, token string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, url, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
}

// stream is a screen's event stream: events (id and data lines) as they
// arrive.
func stream(t *testing.T, base, token, lastID string) (<-chan [2]string, func()) {
	t.Helper()
	var resp *http.Response
	for deadline := time.Now().Add(10 * time.Second); ; {
		req, _ := http.NewRequest("GET", base+"/kiosk/v1/events", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		var err error
		if resp, err = http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		}
		// 503 while the instance's hub has not read the log yet: the
		// display retries, and so does this.
		if resp.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
			break
		}
		resp.Body.Close()
		time.Sleep(200 * time.Millisecond)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("events: %d", resp.StatusCode)
	}
	ch := make(chan [2]string, 16)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var id, data string
		for sc.Scan() {
			switch l := sc.Text(); {
			case strings.HasPrefix(l, "id: "):
				id = strings.TrimPrefix(l, "id: ")
			case strings.HasPrefix(l, "data: "):
				data = strings.TrimPrefix(l, "data: ")
			case l == "" && id != "":
				ch <- [2]string{id, data}
				id, data = "", ""
			}
		}
	}()
	return ch, func() { resp.Body.Close() }
}

func want(t *testing.T, ch <-chan [2]string, text string, within time.Duration) [2]string {
	t.Helper()
	select {
	case ev := <-ch:
		if !strings.Contains(ev[1], text) {
			t.Fatalf("event %v, want one with %q", ev, text)
		}
		return ev
	case <-time.After(within):
		t.Fatalf("no event with %q within %v", text, within)
	}
	return [2]string{}
}

// TestBroadcastAcrossInstances: two vista processes on one SQLite data
// folder. A screen connected to the second receives, within a second or
// so, an offer pushed through the first: the event travels through the
// database. When the second restarts, the screen reconnects with its last
// event id and receives the offer pushed while it was down.
func TestBroadcastAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two vista processes")
	}
	dir := t.TempDir()
	a := serve(t, dir, freeAddr(t), true)
	password := a.ownerPassword(t)
	bAddr := freeAddr(t)
	b := serve(t, dir, bAddr, false)

	var login struct {
		Token string `json:"access_token"`
	}
	call(t, "POST", a.base+"/v1/staff/auth/login", "", map[string]string{"email": "titolare@ottica-vista.demo", "password": password}, 200, &login)
	var code struct {
		Code string `json:"code"`
	}
	call(t, "POST", a.base+"/v1/staff/shops/shop-milano-centro/kiosks/pairing-codes", login.Token, nil, 201, &code)
	var kiosk struct {
		Token string `json:"token"`
	}
	call(t, "POST", b.base+"/kiosk/v1/pair", "", map[string]string{"code": code.Code, "label": "Vetrina"}, 201, &kiosk)

	events, closeStream := stream(t, b.base, kiosk.Token, "")
	start := time.Now()
	call(t, "POST", a.base+"/v1/staff/shops/shop-milano-centro/screens/broadcast", login.Token, map[string]string{"title": "Da A"}, 202, nil)
	first := want(t, events, "Da A", 5*time.Second)
	t.Logf("broadcast on A reached a screen on B in %v", time.Since(start))
	closeStream()

	b.stop()
	call(t, "POST", a.base+"/v1/staff/shops/shop-milano-centro/screens/broadcast", login.Token, map[string]string{"title": "Mentre B era giù"}, 202, nil)
	b = serve(t, dir, bAddr, false)
	events, closeStream = stream(t, b.base, kiosk.Token, first[0])
	defer closeStream()
	want(t, events, "Mentre B era giù", 5*time.Second)
	call(t, "POST", a.base+"/v1/staff/shops/shop-milano-centro/screens/broadcast", login.Token, map[string]string{"title": "Dopo"}, 202, nil)
	want(t, events, "Dopo", 5*time.Second)
}
