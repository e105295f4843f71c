package booking

import (
	"context"
	"fmt"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/shop"
)

// texts are the booking messages, by locale and kind: a title and a body
// taking the service, the shop and the local time.
var texts = map[string]map[string][2]string{
	"it": {
		"confirmed":    {"Appuntamento confermato", "%s da %s, %s. Ti aspettiamo!"},
		"moved":        {"Appuntamento spostato", "%s da %s è ora %s."},
		"cancelled":    {"Appuntamento annullato", "%s da %s, %s, è stato annullato."},
		"reminder-24h": {"Domani hai un appuntamento", "%s da %s, %s."},
		"reminder-2h":  {"Tra poco hai un appuntamento", "%s da %s, %s."},
		"offer":        {"Si è liberato un posto", "%s da %s, %s: tocca per prenotarlo."},
	},
	"en": {
		"confirmed":    {"Appointment confirmed", "%s at %s, %s. See you there!"},
		"moved":        {"Appointment moved", "%s at %s is now %s."},
		"cancelled":    {"Appointment cancelled", "%s at %s, %s, was cancelled."},
		"reminder-24h": {"Your appointment is tomorrow", "%s at %s, %s."},
		"reminder-2h":  {"Your appointment is soon", "%s at %s, %s."},
		"offer":        {"A slot just opened", "%s at %s, %s: tap to book it."},
	},
}

var weekdays = map[string][]string{
	"it": {"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"},
	"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
}

// DayName writes the local day of t the way a page says it:
// "mercoledì 02/12", "Wednesday 2 Dec".
func DayName(t time.Time, loc *time.Location, locale string) string {
	l := t.In(loc)
	if locale == "en" {
		return weekdays["en"][l.Weekday()] + " " + l.Format("2 Jan")
	}
	return weekdays["it"][l.Weekday()] + " " + l.Format("02/01")
}

var months = map[string][]string{
	"it": {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// LongDay writes a calendar day (2026-12-09) the way a heading says it:
// "mercoledì 9 dicembre", "Wednesday 9 December"; the year only when it
// is not the year of now. A day it cannot read comes back as it was.
func LongDay(day string, now time.Time, locale string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	if _, ok := months[locale]; !ok {
		locale = "it"
	}
	s := fmt.Sprintf("%s %d %s", weekdays[locale][d.Weekday()], d.Day(), months[locale][d.Month()-1])
	if d.Year() != now.Year() {
		s += fmt.Sprint(" ", d.Year())
	}
	return s
}

// When writes a start the way a message says it, in the shop's zone.
func When(t time.Time, loc *time.Location, locale string) string {
	if locale == "en" {
		return DayName(t, loc, locale) + " at " + t.In(loc).Format("15:04")
	}
	return DayName(t, loc, locale) + " alle " + t.In(loc).Format("15:04")
}

func (a *Agenda) localeOf(ctx context.Context, b *Booking) string {
	if b.Guest != nil {
		return b.Guest.Locale
	}
	if a.Customers != nil {
		if l, ok := a.Customers.Locale(ctx, b.CustomerID); ok {
			return l
		}
	}
	return "it"
}

// notice is the messages of one kind about b: to an account, a push and
// its in-app copy; to a guest, an e-mail (or an SMS when they gave only a
// phone) to what they gave, with their manage link. Each carries a dedupe
// key of its kind, booking and start, so a retry never sends it twice.
func (a *Agenda) notice(ctx context.Context, b *Booking, sv *Offering, sh *shop.Shop, kind string, now time.Time) []*notify.Message {
	locale := a.localeOf(ctx, b)
	t, ok := texts[locale]
	if !ok {
		t, locale = texts["it"], "it"
	}
	title := t[kind][0]
	body := fmt.Sprintf(t[kind][1], sv.NameIn(locale), sh.Name, When(b.Start, sh.Location(), locale))
	key := fmt.Sprintf("booking-%s:%s:%d", kind, b.ID, b.Start.Unix())
	msg := func(ch core.Channel, customer string, data map[string]string) *notify.Message {
		return &notify.Message{ID: core.NewID(), CustomerID: customer, ShopID: b.ShopID, Channel: ch, Purpose: notify.PurposeService,
			DedupeKey: key + ":" + string(ch), Cause: "booking:" + b.ID, Title: title, Body: body, Data: data,
			DueAt: now, Status: notify.StatusPending, CreatedAt: now, UpdatedAt: now}
	}
	if b.Guest == nil {
		data := map[string]string{"link": "vista://bookings/" + b.ID, "booking_id": b.ID}
		return []*notify.Message{msg(notify.ChannelPush, b.CustomerID, data), msg(notify.ChannelInbox, b.CustomerID, data)}
	}
	link := ""
	if v := a.view(b, sv, sh); v.ManageURL != "" {
		link = v.ManageURL
	}
	if b.Guest.Email != "" {
		return []*notify.Message{msg(notify.ChannelEmail, "", map[string]string{notify.DataTo: b.Guest.Email, notify.DataLink: link, notify.DataLocale: locale})}
	}
	return []*notify.Message{msg(notify.ChannelSMS, "", map[string]string{notify.DataTo: b.Guest.Phone, notify.DataLink: link})}
}

// offerMessages tell the first customer waiting for a day that b's slot
// is free: a push whose tap takes it, and its in-app copy.
func (a *Agenda) offerMessages(ctx context.Context, e *WaitEntry, b *Booking, sv *Offering, sh *shop.Shop, now time.Time) []*notify.Message {
	locale := "it"
	if a.Customers != nil {
		if l, ok := a.Customers.Locale(ctx, e.CustomerID); ok {
			locale = l
		}
	}
	t := texts[locale]
	if t == nil {
		t, locale = texts["it"], "it"
	}
	body := fmt.Sprintf(t["offer"][1], sv.NameIn(locale), sh.Name, When(b.Start, sh.Location(), locale))
	data := map[string]string{"link": "vista://bookings/waitlist/" + e.ID, "action": "take_slot", "wait_id": e.ID,
		"start": b.Start.In(sh.Location()).Format(time.RFC3339)}
	var out []*notify.Message
	for _, ch := range []core.Channel{notify.ChannelPush, notify.ChannelInbox} {
		out = append(out, &notify.Message{ID: core.NewID(), CustomerID: e.CustomerID, ShopID: b.ShopID, Channel: ch, Purpose: notify.PurposeService,
			DedupeKey: fmt.Sprintf("booking-offer:%s:%s:%s", e.ID, b.ID, ch), Cause: "waitlist:" + e.ID, Title: t["offer"][0], Body: body,
			Data: data, DueAt: now, Status: notify.StatusPending, CreatedAt: now, UpdatedAt: now})
	}
	return out
}

// Calendar is an iCalendar file of bookings: one event each, in UTC,
// with its shop as location.
func (a *Agenda) Calendar(ctx context.Context, name string, bs []*Booked) string {
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//Vista//Agenda//IT")
	cal.SetName(name)
	now := a.Clock.Now()
	for _, b := range bs {
		ev := cal.AddEvent(b.ID + "@vista")
		ev.SetDtStampTime(now)
		ev.SetStartAt(b.Start)
		ev.SetEndAt(b.End)
		ev.SetSummary(b.ServiceName + " · " + b.ShopName)
		if sh, err := a.Shops.Shop(ctx, b.ShopID); err == nil {
			ev.SetLocation(sh.Place())
		}
		if b.Status == StatusCancelled {
			ev.SetStatus(ics.ObjectStatusCancelled)
		} else {
			ev.SetStatus(ics.ObjectStatusConfirmed)
		}
	}
	return cal.Serialize()
}

// GuestCalendar is the .ics of the booking a manage link names.
func (a *Agenda) GuestCalendar(ctx context.Context, token string) (string, error) {
	v, err := a.Guest(ctx, token)
	if err != nil {
		return "", err
	}
	return a.Calendar(ctx, v.ShopName, []*Booked{v}), nil
}

// MyCalendar is the .ics of one of the signed-in customer's bookings.
func (a *Agenda) MyCalendar(ctx context.Context, id string) (string, error) {
	b, sv, sh, err := a.mine(ctx, id)
	if err != nil {
		return "", err
	}
	return a.Calendar(ctx, sh.Name, []*Booked{a.view(b, sv, sh)}), nil
}

// Feed is a staff member's calendar feed, by its secret: their active
// bookings from a week ago to 90 days ahead.
func (a *Agenda) Feed(ctx context.Context, secret string) (string, error) {
	if len(secret) < 20 || len(secret) > 100 {
		return "", core.Errorf(core.ENOTFOUND, "feed not found")
	}
	p, err := a.Store.PractitionerByFeed(ctx, feedSecret(secret))
	if err != nil {
		return "", core.Errorf(core.ENOTFOUND, "feed not found")
	}
	now := a.Clock.Now()
	bs, err := a.Store.StaffBookings(ctx, p.StaffID, now.AddDate(0, 0, -7), now.AddDate(0, 0, 90))
	if err != nil {
		return "", err
	}
	name := "Agenda"
	if m, err := a.Shops.StaffMember(ctx, p.StaffID); err == nil {
		name = "Agenda · " + m.Name
	}
	return a.Calendar(ctx, name, a.views(ctx, bs)), nil
}
