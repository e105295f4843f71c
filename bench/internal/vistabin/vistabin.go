// Package vistabin runs the real vista binary for the load tools in
// bench/: built from ./backend/cmd/vista into a temporary folder, served
// on a free port of 127.0.0.1, on a SQLite folder there (or, with
// VISTA_MONGODB_URI set, on a MongoDB database of its own), stopped by
// the tool however it ends.
package vistabin

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// Process is a running vista.
type Process struct {
	Cmd  *exec.Cmd
	Addr string // host:port
	URL  string // http://host:port
	dir  string
	// password receives the demo owner's password the binary prints once.
	password chan string
}

var printed = regexp.MustCompile(`^\s+password\s+(\S+)`)

// Start builds and starts vista serve with env added to this process's
// environment, and waits until /healthz answers. Its output is read (so
// it never blocks on a full pipe) and dropped, but for the demo owner's
// password.
func Start(env ...string) (*Process, error) {
	dir, err := os.MkdirTemp("", "vista-bench-")
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "vista")
	build := exec.Command("go", "build", "-o", bin, "./backend/cmd/vista")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("build vista: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "VISTA_HTTP_ADDR="+addr, "VISTA_DATA_DIR="+filepath.Join(dir, "data"), "VISTA_LOG_LEVEL=warn")
	if os.Getenv("VISTA_MONGODB_URI") != "" {
		// The binary reads VISTA_MONGODB_URI; a database of its own, with
		// the demo chain. Figures on a wire-protocol peer are the peer's.
		cmd.Env = append(cmd.Env, "VISTA_MONGODB_DATABASE=vista_bench_"+strconv.FormatInt(time.Now().UnixNano(), 36), "VISTA_DEMO=true")
		fmt.Fprintln(os.Stderr, "vista on MongoDB at VISTA_MONGODB_URI")
	}
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p := &Process{Cmd: cmd, Addr: addr, URL: "http://" + addr, dir: dir, password: make(chan string, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := printed.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case p.password <- m[1]:
				default:
				}
			}
		}
	}()
	for range 300 {
		if resp, err := http.Get(p.URL + "/healthz"); err == nil {
			resp.Body.Close()
			return p, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.Stop()
	return nil, errors.New("vista did not answer /healthz within 30 s")
}

// OwnerPassword is the demo owner's password, as the binary printed it.
func (p *Process) OwnerPassword() (string, error) {
	select {
	case pw := <-p.password:
		return pw, nil
	case <-time.After(30 * time.Second):
		return "", errors.New("vista printed no demo owner password")
	}
}

// Stop interrupts vista, kills it after 20 s, and removes its folder.
func (p *Process) Stop() {
	_ = p.Cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.Cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = p.Cmd.Process.Kill()
	}
	os.RemoveAll(p.dir)
}
