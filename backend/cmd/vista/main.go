// Command vista runs the Vista platform of an optical centre: the customer
// app's API, the kiosk screens, the staff console and the background
// workers, on embedded SQLite by default or on MongoDB.
//
//	vista serve [flags]     run (all roles unless --roles says otherwise)
//	vista migrate [flags]   create or update the schema and indexes, then exit
//	vista version           print the version
//	vista healthcheck       exit 0 when the local server answers /healthz
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vista-optical/vista/backend/app"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "vista:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(out, "usage: vista serve|migrate|version|healthcheck [flags]  (vista serve -h lists the flags)")
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "version":
		fmt.Fprintln(out, "vista", version)
		return nil
	case "healthcheck":
		return healthcheck()
	case "serve", "migrate":
		m := app.NewMain(out)
		m.Version = version
		if err := m.Config.ParseFlags("vista "+cmd, rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
		if cmd == "migrate" {
			return m.Migrate(ctx)
		}
		return m.Run(ctx)
	}
	return fmt.Errorf("unknown command %q", cmd)
}

func healthcheck() error {
	addr := os.Getenv("VISTA_HTTP_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://127.0.0.1:" + port + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %s", resp.Status)
	}
	return nil
}
