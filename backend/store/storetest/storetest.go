// Package storetest is the conformance suite every storage engine of Vista
// runs: one behaviour, checked through the public Store interfaces and the
// core error codes only, so that an engine that passes here can replace
// another. An engine runs it with one line:
//
//	storetest.Run(t, func(t *testing.T) storetest.Engine { return openTemp(t) })
package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/store"
)

// Engine is everything a storage engine implements.
type Engine = store.Engine

// Opener returns a new, empty, migrated engine that lives until the end of t.
type Opener func(t *testing.T) Engine

// Run runs every conformance test against engines made by open.
func Run(t *testing.T, open Opener) {
	t.Run("Shops", func(t *testing.T) { testShops(t, open(t)) })
	t.Run("Staff", func(t *testing.T) { testStaff(t, open(t)) })
	t.Run("Customers", func(t *testing.T) { testCustomers(t, open(t)) })
	t.Run("CustomerUpdate", func(t *testing.T) { testCustomerUpdate(t, open(t)) })
	t.Run("CustomerErase", func(t *testing.T) { testCustomerErase(t, open(t)) })
	t.Run("ConsentEvents", func(t *testing.T) { testConsentEvents(t, open(t)) })
	t.Run("Devices", func(t *testing.T) { testDevices(t, open(t)) })
	t.Run("RefreshTokens", func(t *testing.T) { testRefreshTokens(t, open(t)) })
	t.Run("RefreshClaimRace", func(t *testing.T) { testRefreshClaimRace(t, open(t)) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open(t)) })
	t.Run("RateHits", func(t *testing.T) { testRateHits(t, open(t)) })
	t.Run("Revocations", func(t *testing.T) { testRevocations(t, open(t)) })
	t.Run("StaffSessions", func(t *testing.T) { testStaffSessions(t, open(t)) })
	t.Run("StaffSessionsOf", func(t *testing.T) { testStaffSessionsOf(t, open(t)) })
	t.Run("ShopUpdate", func(t *testing.T) { testShopUpdate(t, open(t)) })
	t.Run("StaffUpdate", func(t *testing.T) { testStaffUpdate(t, open(t)) })
	t.Run("ChainSettings", func(t *testing.T) { testChainSettings(t, open(t)) })
	t.Run("Images", func(t *testing.T) { testImages(t, open(t)) })
	t.Run("Links", func(t *testing.T) { testLinks(t, open(t)) })
	t.Run("LinkUseRace", func(t *testing.T) { testLinkUseRace(t, open(t)) })
	t.Run("VoidLinks", func(t *testing.T) { testVoidLinks(t, open(t)) })
	t.Run("Catalog", func(t *testing.T) { testCatalog(t, open(t)) })
	t.Run("CatalogPut", func(t *testing.T) { testCatalogPut(t, open(t)) })
	t.Run("CatalogPutRace", func(t *testing.T) { testCatalogPutRace(t, open(t)) })
	t.Run("CatalogSearch", func(t *testing.T) { testCatalogSearch(t, open(t)) })
	t.Run("CatalogSettings", func(t *testing.T) { testCatalogSettings(t, open(t)) })
	t.Run("Touches", func(t *testing.T) { testTouches(t, open(t)) })
	t.Run("Promotions", func(t *testing.T) { testPromotions(t, open(t)) })
	t.Run("PairingCodes", func(t *testing.T) { testPairingCodes(t, open(t)) })
	t.Run("Kiosks", func(t *testing.T) { testKiosks(t, open(t)) })
	t.Run("Offers", func(t *testing.T) { testOffers(t, open(t)) })
	t.Run("ScreenEvents", func(t *testing.T) { testScreenEvents(t, open(t)) })
	t.Run("Plays", func(t *testing.T) { testPlays(t, open(t)) })
	t.Run("Visits", func(t *testing.T) { testVisits(t, open(t)) })
	t.Run("VisitCodes", func(t *testing.T) { testVisitCodes(t, open(t)) })
	t.Run("Services", func(t *testing.T) { testServices(t, open(t)) })
	t.Run("Practitioners", func(t *testing.T) { testPractitioners(t, open(t)) })
	t.Run("BookingClaims", func(t *testing.T) { testBookingClaims(t, open(t)) })
	t.Run("BookingRace", func(t *testing.T) { testBookingRace(t, open(t)) })
	t.Run("BookingSeats", func(t *testing.T) { testBookingSeats(t, open(t)) })
	t.Run("BookingIdempotency", func(t *testing.T) { testBookingIdempotency(t, open(t)) })
	t.Run("Waitlist", func(t *testing.T) { testWaitlist(t, open(t)) })
	t.Run("BookingReminders", func(t *testing.T) { testBookingReminders(t, open(t)) })
	t.Run("BookingRetention", func(t *testing.T) { testBookingRetention(t, open(t)) })
	t.Run("BookingHolds", func(t *testing.T) { testBookingHolds(t, open(t)) })
	t.Run("ShopHolds", func(t *testing.T) { testShopHolds(t, open(t)) })
	t.Run("OutboxEnqueue", func(t *testing.T) { testOutboxEnqueue(t, open(t)) })
	t.Run("OutboxEnqueueMany", func(t *testing.T) { testOutboxEnqueueMany(t, open(t)) })
	t.Run("OutboxClaim", func(t *testing.T) { testOutboxClaim(t, open(t)) })
	t.Run("OutboxLeaseExpiry", func(t *testing.T) { testOutboxLeaseExpiry(t, open(t)) })
	t.Run("OutboxClaimRace", func(t *testing.T) { testOutboxClaimRace(t, open(t)) })
	t.Run("OutboxFinishAndClaim", func(t *testing.T) { testOutboxFinishAndClaim(t, open(t)) })
	t.Run("OutboxLeaseOrder", func(t *testing.T) { testOutboxLeaseOrder(t, open(t)) })
	t.Run("LimitZero", func(t *testing.T) { testLimitZero(t, open(t)) })
	t.Run("OutboxDeadLetters", func(t *testing.T) { testOutboxDeadLetters(t, open(t)) })
	t.Run("OutboxCustomer", func(t *testing.T) { testOutboxCustomer(t, open(t)) })
	t.Run("Inbox", func(t *testing.T) { testInbox(t, open(t)) })
	t.Run("OutboxCountSent", func(t *testing.T) { testOutboxCountSent(t, open(t)) })
	t.Run("LensSupplies", func(t *testing.T) { testLensSupplies(t, open(t)) })
	t.Run("LensImportAndBatchAdvance", func(t *testing.T) { testLensImportAndBatchAdvance(t, open(t)) })
	t.Run("ImportSuppliesRace", func(t *testing.T) { testImportSuppliesRace(t, open(t)) })
	t.Run("Exams", func(t *testing.T) { testExams(t, open(t)) })
	t.Run("ShopSettings", func(t *testing.T) { testShopSettings(t, open(t)) })
	t.Run("ShopMessages", func(t *testing.T) { testShopMessages(t, open(t)) })
	t.Run("Family", func(t *testing.T) { testFamily(t, open(t)) })
	t.Run("Reservations", func(t *testing.T) { testReservations(t, open(t)) })
	t.Run("StaffListPages", func(t *testing.T) { testStaffListPages(t, open(t)) })
	t.Run("CustomerListPages", func(t *testing.T) { testCustomerListPages(t, open(t)) })
	t.Run("CounterCustomers", func(t *testing.T) { testCounterCustomers(t, open(t)) })
	t.Run("CustomerSearch", func(t *testing.T) { testCustomerSearch(t, open(t)) })
}

// base is a fixed instant, at millisecond precision like both engines.
var base = time.Date(2026, 3, 29, 8, 30, 0, 0, time.UTC)

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := core.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newShop(t *testing.T, e Engine, name string) *shop.Shop {
	t.Helper()
	id := core.NewID()
	s := &shop.Shop{ID: id, Slug: "s-" + strings.ToLower(id), Name: name, City: "Milano", TimeZone: "Europe/Rome", CreatedAt: base}
	must(t, e.CreateShop(context.Background(), s))
	return s
}

func newCustomer(t *testing.T, e Engine, email, shopID string) *customer.Customer {
	t.Helper()
	c := &customer.Customer{
		ID: core.NewID(), Email: email, PasswordHash: "$argon2id$x", FirstName: "Giulia", LastName: "Rossi",
		Phone: "+393401234567", BirthDate: "1990-05-17", ShopID: shopID, Locale: "it", Status: customer.StatusActive,
		Origin: customer.OriginApp, CreatedAt: base, UpdatedAt: base,
	}
	must(t, e.CreateCustomer(context.Background(), c))
	return c
}
