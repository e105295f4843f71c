package mongo

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// query is one query the engine issues, and the index meant to serve it:
// its equality fields (or $in) first, then its range or sort fields in
// the index's order. scan, instead of an index, says why a collection
// scan is fine.
type query struct {
	fn, col string
	eq      []string
	order   []string
	index   string // the index's keys, "a,b"; "_id" for the primary key
	scan    string
}

func q(fn, col, index string, eq []string, order ...string) query {
	return query{fn: fn, col: col, eq: eq, order: order, index: index}
}

func id(fn, col string) query { return q(fn, col, "_id", []string{"_id"}) }

func eqs(f ...string) []string { return f }

// served lists every query of the engine (explain() needs a server; this
// is the declared mapping, checked against the schema's indexes).
var served = []query{
	q("AuditEntries", colAudit, "customer_id,at", eqs("customer_id"), "at"),
	q("AuditEntries", colAudit, "actor_id,at", eqs("actor_id"), "at"),
	q("AuditEntries", colAudit, "at", nil, "at"),

	id("UpdateOffering", colBookingServices),
	id("Offering", colBookingServices),
	q("Offerings", colBookingServices, "name,_id", nil, "name", "_id"),
	id("SavePractitioner", colPractitioners),
	id("Practitioner", colPractitioners),
	q("Practitioners", colPractitioners, "shop_id,_id", eqs("shop_id"), "_id"),
	q("PractitionerByFeed", colPractitioners, "feed_hash", eqs("feed_hash")),
	id("hold", colBookingClaims),
	q("release", colBookingClaims, "booking_id", eqs("booking_id")),
	q("CreateBooking", colBookings, "idem_scope,idem_key", eqs("idem_scope", "idem_key")),
	id("Booking", colBookings),
	q("BookingByKey", colBookings, "idem_scope,idem_key", eqs("idem_scope", "idem_key")),
	q("MoveBooking", colBookingClaims, "booking_id", eqs("booking_id")),
	id("MoveBooking", colBookings),
	id("CancelBooking", colBookings),
	q("CancelBooking", colBookingClaims, "booking_id", eqs("booking_id")),
	q("CancelBooking", colWaitlist, "shop_id,service_id,day,created_at", eqs("shop_id", "service_id", "day"), "created_at"),
	id("MarkBooking", colBookings),
	id("ConfirmBooking", colBookings),
	q("ConfirmBooking", colBookingClaims, "booking_id", eqs("booking_id")),
	q("CancelExpiredHolds", colBookings, "held_until", nil, "held_until"),
	q("MarkBooking", colBookingClaims, "booking_id", eqs("booking_id")),
	q("ShopBookings", colBookings, "shop_id,hold_start", eqs("shop_id"), "hold_start"),
	q("ShopHolds", colBookings, "shop_id,hold_start", eqs("shop_id"), "hold_start"),
	q("StaffBookings", colBookings, "staff_id,start", eqs("staff_id"), "start"),
	q("CustomerBookings", colBookings, "customer_id,start", eqs("customer_id"), "start"),
	q("CountNoShows", colBookings, "customer_id,start", eqs("customer_id")),
	q("DueBookingReminders", colBookings, "remind_at", nil, "remind_at"),
	q("PurgeClaims", colBookingClaims, "until", nil, "until"),
	q("ForgetGuests", colBookings, "end", nil, "end"),
	id("AdvanceBookingReminders", colBookings),
	q("DeleteCustomerBookings", colBookings, "customer_id,start", eqs("customer_id")),
	q("DeleteCustomerBookings", colBookingClaims, "booking_id", eqs("booking_id")),
	q("DeleteCustomerBookings", colWaitlist, "customer_id,shop_id,service_id,day", eqs("customer_id")),
	id("WaitEntry", colWaitlist),
	q("CustomerWaitlist", colWaitlist, "customer_id,shop_id,service_id,day", eqs("customer_id")),
	id("LeaveWaitlist", colWaitlist),

	q("Products", colProducts, "brand,name", nil, "brand", "name"),
	id("Product", colProducts),
	q("ProductsBySKU", colProducts, "sku", eqs("sku")),
	q("SearchProducts", colProducts, "sort_key,_id", nil, "sort_key", "_id"),
	id("PutCatalog", colProducts),
	q("PutCatalog", colProducts, "sku", eqs("sku")),
	id("PutCatalog", colStock),
	id("catalogUndo", colProducts),
	id("catalogUndo", colStock),
	q("StockLevels", colStock, "shop_id,product_id", eqs("shop_id", "product_id")),
	id("CatalogSettings", colCatalogSettings),
	id("SaveCatalogSettings", colCatalogSettings),
	q("CountTouches", colTouches, "shop_id,at", eqs("shop_id"), "at"),
	q("PurgeTouches", colTouches, "at", nil, "at"),

	id("Customer", colCustomers),
	q("CustomerByEmail", colCustomers, "email", eqs("email")),
	q("CustomerByFirebaseUID", colCustomers, "firebase_uid", eqs("firebase_uid")),
	id("UpdateCustomer", colCustomers),
	id("writeKeys", colCustomers),
	q("SearchCustomers", colCustomers, "search,shop_id", eqs("search")),
	{fn: "searchKeys", col: colCustomers, scan: "once, at schema step 7: the active customers that have no name keys yet"},
	q("CustomersByIDs", colCustomers, "_id", eqs("_id")),
	q("CustomersByContact", colCustomers, "phone,status", eqs("phone", "status")),
	q("CustomersByContact", colCustomers, "tax_code,status", eqs("tax_code", "status")),
	q("CustomersByShop", colCustomers, "shop_id,created_at,_id", eqs("shop_id"), "created_at"),
	id("EraseCustomer", colCustomers),
	q("ConsentEvents", colConsentEvents, "customer_id,occurred_at,_id", eqs("customer_id"), "occurred_at", "_id"),
	q("DeleteConsentEvents", colConsentEvents, "customer_id,occurred_at,_id", eqs("customer_id")),
	id("UpsertDevice", colDevices),
	q("Devices", colDevices, "customer_id,created_at", eqs("customer_id"), "created_at"),
	q("DeleteDevice", colDevices, "_id", eqs("_id")),
	q("DeleteDevices", colDevices, "customer_id,created_at", eqs("customer_id")),

	q("UpsertExam", colExams, "customer_id,member_id", eqs("customer_id", "member_id")),
	q("Exams", colExams, "customer_id,member_id", eqs("customer_id")),
	q("DueExams", colExams, "next_reminder_at", nil, "next_reminder_at"),
	id("AdvanceExamReminders", colExams),
	q("DeleteExams", colExams, "customer_id,member_id", eqs("customer_id")),

	id("FamilyMember", colFamily),
	q("FamilyMembers", colFamily, "customer_id,created_at", eqs("customer_id"), "created_at"),
	id("DeleteFamilyMember", colFamily),
	q("DeleteFamilyMembers", colFamily, "customer_id,created_at", eqs("customer_id")),

	id("Supply", colSupplies),
	q("Supplies", colSupplies, "customer_id,created_at", eqs("customer_id"), "created_at"),
	id("UpdateSupply", colSupplies),
	id("DeleteSupply", colSupplies),
	q("DeleteSupplies", colSupplies, "customer_id,created_at", eqs("customer_id")),
	q("DueSupplies", colSupplies, "next_reminder_at", nil, "next_reminder_at"),
	id("ImportSupplies", colSupplies),
	id("AdvanceReminder", colSupplies),

	id("UseLink", colLinks),
	q("VoidLinks", colLinks, "subject,kind", eqs("subject", "kind")),
	q("PurgeLinks", colLinks, "expires_at", nil, "expires_at"),

	q("CountSent", colOutbox, "customer_id,created_at", eqs("customer_id")),
	q("CountMessages", colOutbox, "status,updated_at", eqs("status")),
	q("ClaimMessages", colOutbox, "status,due_at", eqs("status"), "due_at"),
	id("ClaimMessages", colOutbox),
	q("ClaimMessages", colOutbox, "lease_id", eqs("lease_id")),
	id("FinishMessage", colOutbox),
	id("FinishMessages", colOutbox),
	id("Message", colOutbox),
	q("MessagesByStatus", colOutbox, "status,updated_at", eqs("status"), "updated_at"),
	q("ShopMessagesByStatus", colOutbox, "shop_id,status,updated_at", eqs("shop_id", "status"), "updated_at"),
	id("RetryMessage", colOutbox),
	q("CustomerMessages", colOutbox, "customer_id,created_at", eqs("customer_id"), "created_at"),
	q("DeleteCustomerMessages", colOutbox, "customer_id,created_at", eqs("customer_id")),
	q("ShopMessages", colOutbox, "shop_id,channel,created_at", eqs("shop_id", "channel"), "created_at"),
	q("Inbox", colOutbox, "customer_id,created_at", eqs("customer_id"), "created_at"),
	id("MarkMessage", colOutbox),

	q("ActivePromotions", colPromotions, "ends,starts", nil, "ends"),
	q("Promotions", colPromotions, "ends,starts", nil, "ends"),
	id("DeletePromotion", colPromotions),

	id("HitRate", colRateHits),
	id("UnhitRate", colRateHits),
	id("RateCounts", colRateHits),
	q("PurgeRates", colRateHits, "expires_at", nil, "expires_at"),

	id("RefreshFamily", colRefreshFamilies),
	id("ClaimRefreshToken", colRefreshTokens),
	id("RevokeRefreshFamily", colRefreshFamilies),
	q("DeleteCustomerSessions", colRefreshTokens, "customer_id", eqs("customer_id")),
	q("DeleteCustomerSessions", colRefreshFamilies, "customer_id,created_at", eqs("customer_id")),
	q("CustomerSessions", colRefreshFamilies, "customer_id,created_at", eqs("customer_id"), "created_at"),
	q("PurgeRefreshTokens", colRefreshTokens, "expires_at", nil, "expires_at"),

	q("ShopReservations", colReservations, "shop_id,created_at", eqs("shop_id"), "created_at"),
	q("CustomerReservations", colReservations, "customer_id,created_at", eqs("customer_id"), "created_at"),
	q("DeleteCustomerReservations", colReservations, "customer_id,created_at", eqs("customer_id")),

	id("SaveRevocation", colRevocations),
	q("RevocationsSince", colRevocations, "recorded_at", nil, "recorded_at"),
	q("PurgeRevocations", colRevocations, "recorded_at", nil, "recorded_at"),

	id("ShopSettings", colShopSettings),
	id("SaveShopSettings", colShopSettings),

	id("UpdateShop", colShops),
	id("Shop", colShops),
	{fn: "Shops", col: colShops, scan: "every shop of the chain, a few tens, sorted in memory"},
	id("UpdateStaff", colStaff),
	q("AllStaff", colStaff, "name,_id", nil, "name", "_id"),
	id("ChainSettings", colChainSettings),
	id("SaveChainSettings", colChainSettings),
	id("PutImage", colImages),
	id("Image", colImages),
	id("StaffMember", colStaff),
	q("StaffByEmail", colStaff, "email", eqs("email")),
	q("StaffOfShop", colStaff, "shop_id,name", eqs("shop_id"), "name"),

	id("StaffSession", colStaffSessions),
	id("TouchStaffSession", colStaffSessions),
	id("RevokeStaffSession", colStaffSessions),
	q("PurgeStaffSessions", colStaffSessions, "created_at", nil, "created_at"),
	q("RevokeStaffSessionsOf", colStaffSessions, "staff_id", eqs("staff_id")),

	id("UsePairingCode", colPairingCodes),
	id("Kiosk", colKiosks),
	q("ShopKiosks", colKiosks, "shop_id,created_at", eqs("shop_id"), "created_at"),
	id("UpdateKiosk", colKiosks),
	id("TouchKiosk", colKiosks),
	id("Offer", colOffers),
	q("Offers", colOffers, "ends", nil, "ends"),
	id("EndOffer", colOffers),
	id("SetOfferCustomers", colOffers),
	id("AppendEvent", colCounters),
	id("EventsAfter", colScreenEvents),
	id("LastEventSeq", colScreenEvents),
	q("PurgeEvents", colScreenEvents, "at", nil, "at"),
	q("Plays", colPlays, "shop_id,shown_at", eqs("shop_id"), "shown_at"),
	q("PurgePlays", colPlays, "shown_at", nil, "shown_at"),

	id("Visit", colVisits),
	q("OpenVisit", colVisits, "kiosk_id,customer_id,last_at", eqs("kiosk_id", "customer_id"), "last_at"),
	q("EndVisit", colVisits, "kiosk_id,customer_id,last_at", eqs("kiosk_id", "customer_id")),
	q("EndVisit", colVisitCodes, "visit_id", eqs("visit_id")),
	id("TouchVisit", colVisits),
	id("LinkVisit", colVisits),
	q("VisitEvents", colVisitEvents, "visit_id,at", eqs("visit_id"), "at"),
	q("CustomerVisits", colVisits, "customer_id,started_at", eqs("customer_id"), "started_at"),
	q("ShopCheckins", colVisits, "shop_id,last_at", eqs("shop_id"), "last_at"),
	q("visitIDs", colVisits, "customer_id,started_at", eqs("customer_id")),
	q("deleteVisits", colVisitEvents, "visit_id,at", eqs("visit_id")),
	q("deleteVisits", colVisitCodes, "visit_id", eqs("visit_id")),
	id("deleteVisits", colVisits),
	q("DeleteCustomerVisits", colVisits, "customer_id,started_at", eqs("customer_id")),
	{fn: "DeleteCustomerVisits", col: colVisitCodes, scan: "erasure only (rare): codes the customer resolved but did not claim, a minute's worth each"},
	id("Greets", colVisitPrefs),
	id("SetGreets", colVisitPrefs),
	id("Code", colVisitCodes),
	q("PurgeAnonymousVisits", colVisits, "customer_id,started_at", eqs("customer_id")),
	id("ResolveCode", colVisitCodes),
	id("ClaimCode", colVisitCodes),
	id("codeMiss", colVisitCodes),
	q("ClaimVisit", colVisitCodes, "claimed_by,claimed_at", eqs("claimed_by"), "claimed_at"),
	q("ClaimVisit", colVisitCodes, "kiosk_id,claimed_at", eqs("kiosk_id"), "claimed_at"),
}

// helpers take their filter from their caller, whose entry covers it;
// schema functions read and write schema_migrations by _id.
var helpers = []string{"after", "afterUpsert", "findOne", "findPage", "all", "updateOne", "deleteMany", "createIndexes", "dropIndex",
	"appliedSteps", "lockSchema", "portableIndexes", "Migrate", "findCustomer", "findStaff"}

// schemaIndexes are the indexes after every schema step: keys as "a,b".
func schemaIndexes() map[string][]string {
	out := map[string][]string{}
	add := func(col string, keys bson.D) {
		var names []string
		for _, k := range keys {
			names = append(names, k.Key)
		}
		out[col] = append(out[col], strings.Join(names, ","))
	}
	for col, models := range baselineIndexes() {
		for _, m := range models {
			add(col, m.Keys.(bson.D))
		}
	}
	for _, d := range portableDrops {
		name := strings.TrimSuffix(strings.ReplaceAll(strings.ReplaceAll(d.name, "_1_", ","), "_-1_", ","), "_1")
		name = strings.TrimSuffix(name, "_-1")
		out[d.col] = slices.DeleteFunc(out[d.col], func(k string) bool { return k == name })
	}
	for _, step := range []map[string][]mongo.IndexModel{portableIndexModels(), retentionIndexModels(), linkSubjectIndexModels(), newestCustomersIndexModels(), contactIndexModels(), searchIndexModels()} {
		for col, models := range step {
			for _, m := range models {
				add(col, m.Keys.(bson.D))
			}
		}
	}
	return out
}

// TestEveryQueryHasAnIndex checks the declared mapping: each entry's index
// exists in the schema and serves the query (its equality fields are the
// index's first keys, its range or sort fields the next), and every
// function of the engine that issues a query has an entry, so a new query
// without one fails here, in review.
func TestEveryQueryHasAnIndex(t *testing.T) {
	indexes := schemaIndexes()
	for _, qu := range served {
		if qu.scan != "" {
			continue
		}
		keys := strings.Split(qu.index, ",")
		if qu.index != "_id" && !slices.Contains(indexes[qu.col], qu.index) {
			t.Errorf("%s: %s has no index (%s); it has %v", qu.fn, qu.col, qu.index, indexes[qu.col])
			continue
		}
		if len(keys) < len(qu.eq)+len(qu.order) {
			t.Errorf("%s: index %s is shorter than the query", qu.fn, qu.index)
			continue
		}
		lead := slices.Clone(keys[:len(qu.eq)])
		slices.Sort(lead)
		want := slices.Clone(qu.eq)
		slices.Sort(want)
		if !slices.Equal(lead, want) {
			t.Errorf("%s: index %s does not start with the equality fields %v", qu.fn, qu.index, qu.eq)
		}
		if next := keys[len(qu.eq) : len(qu.eq)+len(qu.order)]; !slices.Equal(next, qu.order) {
			t.Errorf("%s: index %s does not continue with %v", qu.fn, qu.index, qu.order)
		}
	}

	declared := map[string]bool{}
	for _, qu := range served {
		declared[qu.fn] = true
	}
	ops := map[string]bool{"Find": true, "FindOne": true, "FindOneAndUpdate": true, "FindOneAndDelete": true, "UpdateOne": true,
		"UpdateMany": true, "DeleteOne": true, "DeleteMany": true, "CountDocuments": true, "ReplaceOne": true, "Aggregate": true,
		"InsertOne": false, "findOne": true, "findPage": true, "updateOne": true, "deleteMany": true}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || slices.Contains(helpers, fd.Name.Name) {
				continue
			}
			issues := false
			ast.Inspect(fd, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					switch fn := c.Fun.(type) {
					case *ast.SelectorExpr:
						// options.FindOneAndUpdate() builds options, not a query.
						if x, ok := fn.X.(*ast.Ident); ok && x.Name == "options" {
							return true
						}
						issues = issues || ops[fn.Sel.Name]
					case *ast.Ident:
						issues = issues || ops[fn.Name]
					case *ast.IndexExpr:
						if id, ok := fn.X.(*ast.Ident); ok {
							issues = issues || ops[id.Name]
						}
					}
				}
				return true
			})
			if issues {
				checked++
				if !declared[fd.Name.Name] {
					t.Errorf("%s (%s) issues a query with no entry in served: name the index that serves it", fd.Name.Name, f)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("found only %d functions issuing queries: is the scan still seeing the engine?", checked)
	}
	t.Logf("%d functions issue queries; %d declared queries checked against the schema", checked, len(served))
}
