package storetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
)

func testServices(t *testing.T, e Engine) {
	ctx := context.Background()
	s := &booking.Service{ID: core.NewID(), Name: "Esame della vista", NameEN: "Eye exam", DurationMin: 30, BufferMin: 10, PerformedBy: booking.ByOptometrist, CreatedAt: base}
	must(t, e.CreateService(ctx, s))
	wantCode(t, e.CreateService(ctx, s), core.ECONFLICT)
	svcs, err := e.Services(ctx)
	must(t, err)
	if len(svcs) != 1 || !reflect.DeepEqual(svcs[0], s) {
		t.Fatalf("Services = %+v", svcs)
	}
}
