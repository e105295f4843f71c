// Command vista runs the Vista platform of an optical centre: the customer
// app's API, the kiosk screens, the staff console and the background
// workers, on embedded SQLite by default or on MongoDB. `vista help` lists
// its commands.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
)

// version is set at build time with -ldflags "-X main.version=…"; without
// it the module version from the build info is used.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "vista:", err)
		os.Exit(1)
	}
}

// commands are vista's commands, in the order help lists them.
var commands = []struct{ name, args, help string }{
	{"serve", "[flags]", "run the platform (all roles unless --roles says otherwise)"},
	{"migrate", "[flags]", "create or update the schema and indexes, then exit"},
	{"staff create", "--email E --role R [--shop S] [--name N] [--password-stdin]", "add a staff member and print their password once"},
	{"staff reset-password", "--email E [--password-stdin]", "give a staff member a new password and end their sessions"},
	{"demo", "[flags]", "create the demo chain on a database without shops and print its logins"},
	{"version", "", "print the version, the source revision and the Go version"},
	{"healthcheck", "", "exit 0 when the local server answers /healthz (for containers)"},
	{"help", "", "this list; every command also takes --help"},
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: vista <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-22s %s\n", c.name, c.help)
	}
	fmt.Fprintln(w, "\nEvery flag can also be set by the environment variable its help names (vista serve --help lists them).")
}

func run(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	if len(args) == 0 {
		usage(out)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "-help", "--help":
		usage(out)
		return nil
	case "version":
		if len(rest) > 0 && isHelp(rest[0]) {
			fmt.Fprintln(out, "usage: vista version\n\nprints the module version, the VCS revision and time, and the Go version of this build")
			return nil
		}
		fmt.Fprintln(out, versionText())
		return nil
	case "healthcheck":
		if len(rest) > 0 && isHelp(rest[0]) {
			fmt.Fprintln(out, "usage: vista healthcheck\n\nexits 0 when the server on $VISTA_HTTP_ADDR answers /healthz with 200")
			return nil
		}
		return healthcheck()
	case "serve", "migrate", "demo":
		m, err := program(out, "vista "+cmd, rest)
		if m == nil {
			return err
		}
		switch cmd {
		case "migrate":
			return m.Migrate(ctx)
		case "demo":
			return demoChain(ctx, m)
		}
		return m.Run(ctx)
	case "staff":
		if len(rest) == 0 || isHelp(rest[0]) {
			fmt.Fprintln(out, "usage: vista staff create|reset-password [flags]  (vista staff create --help lists them)")
			if len(rest) == 0 {
				return errors.New("no staff command given")
			}
			return nil
		}
		return staff(ctx, rest[0], rest[1:], in, out)
	}
	usage(out)
	return fmt.Errorf("unknown command %q", cmd)
}

// ownUsage prints the flags named of fs, those an operator's command is
// about, rather than every setting of the server it shares them with.
func ownUsage(fs *flag.FlagSet, name string, flags ...string) {
	own := flag.NewFlagSet(name, flag.ContinueOnError)
	own.SetOutput(fs.Output())
	for _, n := range flags {
		if f := fs.Lookup(n); f != nil {
			own.Var(f.Value, f.Name, f.Usage)
		}
	}
	fmt.Fprintf(fs.Output(), "Usage of %s:\n", name)
	own.PrintDefaults()
	fmt.Fprintln(fs.Output(), "Every other setting is read as vista serve reads it (vista serve --help lists them).")
}

func isHelp(a string) bool { return a == "-h" || a == "-help" || a == "--help" || a == "help" }

// program parses the configuration of a command; a nil Main with a nil
// error means help was printed.
func program(out io.Writer, name string, args []string, extra ...func(*flag.FlagSet)) (*app.Main, error) {
	m := app.NewMain(out)
	m.Version = versionText()
	extra = append(extra, func(fs *flag.FlagSet) { fs.SetOutput(out) })
	if err := m.Config.ParseFlags(name, args, extra...); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil
		}
		return nil, err
	}
	return m, nil
}

func versionText() string {
	v, rev, at, dirty, goVersion := version, "", "", false, ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	s := "vista " + v
	if rev != "" {
		s += " " + rev
		if dirty {
			s += "+modified"
		}
	}
	if at != "" {
		s += " " + at
	}
	return s + " " + goVersion
}

func demoChain(ctx context.Context, m *app.Main) error {
	if err := m.OpenServices(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	if err := m.SeedDemo(ctx); err != nil {
		return err
	}
	if m.Owner == nil {
		fmt.Fprintln(m.Out, "the database already has shops: no demo chain was created")
		return nil
	}
	fmt.Fprintln(m.Out, "Demo chain created: two shops, their staff, services and products.")
	fmt.Fprintf(m.Out, "  Owner login (shown only this once):\n    e-mail    %s\n    password  %s\n", m.Owner.Email, m.Owner.Password)
	app.PrintLogins(m.Out, m.DemoLogins[1:])
	return nil
}

// staff runs "staff create" and "staff reset-password".
func staff(ctx context.Context, sub string, args []string, in io.Reader, out io.Writer) error {
	var email, role, shopID, name string
	var fromStdin bool
	flags := func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the staff member's e-mail (required)")
		fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input instead of generating one")
		if sub == "create" {
			fs.StringVar(&role, "role", "", "owner, manager or assistant (required)")
			fs.StringVar(&shopID, "shop", "", "the shop id of a manager or an assistant")
			fs.StringVar(&name, "name", "", "the name shown in the console (default: the e-mail)")
		}
		fs.Usage = func() {
			ownUsage(fs, "vista staff "+sub, "email", "password-stdin", "role", "shop", "name", "data-dir", "mongodb-uri", "mongodb-database")
		}
	}
	if sub != "create" && sub != "reset-password" {
		return fmt.Errorf("unknown staff command %q (want create or reset-password)", sub)
	}
	m, err := program(out, "vista staff "+sub, args, flags)
	if m == nil {
		return err
	}
	if email == "" || (sub == "create" && role == "") {
		return errors.New("--email is required, and --role for create (vista staff " + sub + " --help)")
	}
	password, generated := "", !fromStdin
	if fromStdin {
		line, err := bufio.NewReader(io.LimitReader(in, 1024)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password = auth.RandomSecret(12)
	}
	if err := m.OpenServices(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	if sub == "create" {
		s, err := m.Shops.CreateStaffMember(ctx, email, name, core.Role(role), shopID, password, generated)
		if err != nil {
			return explain(err)
		}
		fmt.Fprintf(out, "created %s %s (%s)\n", s.Role, s.Email, s.ID)
	} else {
		s, err := m.Shops.SetStaffPassword(ctx, email, password, generated)
		if core.IsCode(err, core.ENOTFOUND) {
			return fmt.Errorf("no staff member has the e-mail %s", email)
		} else if err != nil {
			return explain(err)
		}
		fmt.Fprintf(out, "new password set for %s; their sessions have ended\n", s.Email)
	}
	if generated {
		fmt.Fprintf(out, "password (shown only this once; they are asked to change it at first sign-in): %s\n", password)
	}
	return nil
}

// explain turns a service's refusal into a line for the operator.
func explain(err error) error {
	var ce *core.Error
	if errors.As(err, &ce) && len(ce.Fields) > 0 {
		f := ce.Fields[0]
		return fmt.Errorf("%s: --%s %s", ce.Message, f.Field, f.Message)
	}
	return err
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
