package notify

import (
	"context"

	"github.com/vista-optical/vista/backend/core"
)

// Messages is what people read of the outbox: a customer's inbox and the
// marks they set on it, and the staff's views — a shop's phone recalls, a
// customer's timeline, the dead letters — and the retry of one. Every
// method checks who is asking (the actor in ctx) and what they may see,
// and tells time by its clock, whichever surface calls it.
type Messages struct {
	Store Store
	Clock core.Clock
	// Audit records what staff do.
	Audit Recorder
	// Customers tells whether the staff member in ctx may see a customer
	// (recording the read), and the customer's shop.
	Customers interface {
		VisibleShop(ctx context.Context, customerID string) (string, error)
	}
	// Shops lists the shops the staff member in ctx may see.
	Shops interface {
		VisibleShopIDs(ctx context.Context) ([]string, error)
	}
}

// Recorder records an audited action of the actor in ctx.
type Recorder interface {
	Record(ctx context.Context, action, customerID, shopID, detail string) error
}

// MaxInboxPage bounds one page of the inbox.
const MaxInboxPage = 200

// Inbox lists one page of the signed-in customer's in-app inbox, newest
// first (its limit brought within 1 to MaxInboxPage), with the cursor of
// the next page ("" on the last).
func (s *Messages) Inbox(ctx context.Context, p core.Page) ([]*Message, string, error) {
	id, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, "", err
	}
	p.Limit = min(max(p.Limit, 1), MaxInboxPage)
	return core.Paged(p, func(p core.Page) ([]*Message, error) { return s.Store.Inbox(ctx, id, p) },
		func(m *Message) core.Cursor { return core.Cursor{At: m.CreatedAt, ID: m.ID} })
}

// Mark records that the signed-in customer read ("read") or opened from a
// notification ("opened") their message id, keeping the first time.
func (s *Messages) Mark(ctx context.Context, id, field string) error {
	customerID, err := core.SignedInCustomer(ctx)
	if err != nil {
		return err
	}
	return s.Store.MarkMessage(ctx, customerID, id, field, s.Clock.Now())
}

// Recalls lists one page of the phone calls a shop's staff should make:
// service reminders that could reach, on no digital channel, a customer
// who agreed to be called. ENOTFOUND for a shop outside the actor's scope.
func (s *Messages) Recalls(ctx context.Context, shopID string, p core.Page) ([]*Message, string, error) {
	if a, _ := core.ActorFrom(ctx); !a.CanSeeShop(shopID) {
		return nil, "", core.Errorf(core.ENOTFOUND, "shop not found")
	}
	return core.Paged(p, func(p core.Page) ([]*Message, error) {
		return s.Store.ShopMessages(ctx, shopID, ChannelRecall, p)
	}, byCreated)
}

// Timeline lists one page of what Vista sent, or will send, a customer the
// staff member in ctx may see, newest first. ENOTFOUND otherwise.
func (s *Messages) Timeline(ctx context.Context, customerID string, p core.Page) ([]*Message, string, error) {
	if _, err := s.Customers.VisibleShop(ctx, customerID); err != nil {
		return nil, "", err
	}
	return core.Paged(p, func(p core.Page) ([]*Message, error) {
		return s.Store.CustomerMessages(ctx, customerID, p)
	}, byCreated)
}

// DeadLetters lists one page of the messages that failed for good, by last
// change, newest first: of one shop, or of every shop the staff member in
// ctx may see when shopID is empty.
func (s *Messages) DeadLetters(ctx context.Context, shopID string, p core.Page) ([]*Message, string, error) {
	visible, err := s.Shops.VisibleShopIDs(ctx)
	if err != nil {
		return nil, "", err
	}
	var ids []string
	for _, id := range visible {
		if shopID == "" || id == shopID {
			ids = append(ids, id)
		}
	}
	return core.Paged(p, func(p core.Page) ([]*Message, error) {
		return s.Store.ShopMessagesByStatus(ctx, ids, StatusDead, p)
	}, func(m *Message) core.Cursor { return core.Cursor{At: m.UpdatedAt, ID: m.ID} })
}

// Retry sends a dead message again from a fresh start (after its cause
// was fixed: an FCM outage over, a payload corrected), and audits it.
// ENOTFOUND for a message of a shop the actor cannot see, ECONFLICT for
// one that is not dead.
func (s *Messages) Retry(ctx context.Context, id string) (*Message, error) {
	m, err := s.Store.Message(ctx, id)
	if err != nil {
		return nil, err
	}
	if a, _ := core.ActorFrom(ctx); !a.CanSeeShop(m.ShopID) {
		return nil, core.Errorf(core.ENOTFOUND, "message not found")
	}
	if m, err = s.Store.RetryMessage(ctx, id, s.Clock.Now()); err != nil {
		return nil, err
	}
	if err := s.Audit.Record(ctx, "outbox.message_retried", m.CustomerID, m.ShopID, m.ID); err != nil {
		return nil, err
	}
	return m, nil
}

func byCreated(m *Message) core.Cursor { return core.Cursor{At: m.CreatedAt, ID: m.ID} }
