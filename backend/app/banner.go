package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/vista-optical/vista/backend/demo"
	"github.com/vista-optical/vista/backend/notify/email"
)

// SeedDemo creates the demo chain on a database without shops, and keeps
// its logins to print once.
func (m *Main) SeedDemo(ctx context.Context) error {
	logins, err := demo.Seed(ctx, m.Store, m.passwords, m.Clock)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if len(logins) > 0 {
		m.DemoLogins, m.Owner = logins, &logins[0]
	}
	return nil
}

func (m *Main) publicURL() string {
	if m.Config.PublicURL != "" {
		return strings.TrimRight(m.Config.PublicURL, "/")
	}
	host, port, err := net.SplitHostPort(m.Addr())
	if err != nil {
		host, port, _ = net.SplitHostPort(m.Config.HTTPAddr)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func (m *Main) printBanner() {
	u := m.publicURL()
	w := m.Out
	fmt.Fprintf(w, "\nVista %s is running\n", m.Version)
	if m.Config.Has(RoleKiosk) {
		fmt.Fprintf(w, "  Staff console   %s/console/   (set-up: %s/console/setup, screens and offers: %s/console/offers)\n", u, u, u)
		fmt.Fprintf(w, "  Shop screens    %s/kiosk   (pair with a code from the console; API: %s/kiosk/v1/openapi.json)\n", u, u)
	}
	if m.Config.Has(RoleAPI) {
		fmt.Fprintf(w, "  Mobile API      %s/v1/   (contract: %s/v1/openapi.json)\n", u, u)
		if shops, err := m.Shops.OperatorShops(context.Background()); err == nil && len(shops) > 0 {
			fmt.Fprintf(w, "  Booking page    %s/prenota/%s?src=instagram   (one per shop; widget and links on the console's Agenda)\n", u, shops[0].SlugOrID())
		}
	}
	fmt.Fprintf(w, "  Health          %s/healthz  %s/readyz\n", u, u)
	if a := m.AdminAddr(); a != "" {
		fmt.Fprintf(w, "  Operator        http://%s/metrics  http://%s/debug/pprof/   (VISTA_ADMIN_ADDR)\n", a, a)
	}
	fmt.Fprintf(w, "  Database        %s\n", m.describeStore())
	fmt.Fprintf(w, "  Roles           %s\n", strings.Join(m.Config.Roles, ", "))
	push := "logging only (no Firebase project configured)"
	switch {
	case m.Config.FCMEndpoint != "":
		push = "sent to " + m.Config.FCMEndpoint + " (FCM stand-in, no credentials)"
	case m.Config.FirebaseProject != "" && m.Config.FirebaseCreds != "":
		push = "live via Firebase project " + m.Config.FirebaseProject
	}
	if m.Config.ClockOffset != 0 {
		fmt.Fprintf(w, "  Clock           moved forward by %s (VISTA_CLOCK_OFFSET, demos only)\n", m.Config.ClockOffset)
	}
	mail := "logging only (no VISTA_SMTP_URL)"
	if m.Config.SMTPURL != "" {
		if ch, err := email.New(m.Config.SMTPURL, m.Config.MailFrom); err == nil {
			mail = "live via " + ch.Describe()
		}
	}
	fmt.Fprintf(w, "  Channels        push: %s; e-mail: %s; sms: logging only\n", push, mail)
	if m.Customers.Firebase != nil {
		fmt.Fprintf(w, "  Firebase sign-in  on (project %s)\n", m.Config.FirebaseProject)
	}
	if m.Owner != nil {
		fmt.Fprintf(w, "\n  Demo chain created: two shops (Milano Centro, Roma Prati), their staff, services and products.")
		fmt.Fprintf(w, "\n  Owner login (shown only this once):\n    e-mail    %s\n    password  %s\n", m.Owner.Email, m.Owner.Password)
		PrintLogins(w, m.DemoLogins[1:])
	}
	fmt.Fprintln(w)
}

// PrintLogins lists staff logins, one a line, to be shown once.
func PrintLogins(w io.Writer, logins []demo.Login) {
	if len(logins) == 0 {
		return
	}
	fmt.Fprintf(w, "  Other demo staff (shown only this once):\n")
	for _, l := range logins {
		fmt.Fprintf(w, "    %-40s %-10s %-20s %s\n", l.Email, l.Role, l.ShopID, l.Password)
	}
}
