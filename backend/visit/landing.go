package visit

import (
	"context"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
)

// Landing is what the web page of a scanned code shows to a phone
// without the app, and the pending link its browser keeps.
type Landing struct {
	Shop    Place
	Screen  string
	Pending string // a PendingVisit token
}

// Peek is what the landing page of a code shows on GET: where the screen
// is, without using the code up, so that link previews and prefetching
// scanners take nobody's visit. ErrLinkExpired, ErrLinkForged and
// ErrLinkMalformed say why a code is refused.
func (s *Service) Peek(ctx context.Context, raw string) (*Landing, error) {
	c, err := s.landingCode(ctx, raw)
	if err != nil {
		return nil, err
	}
	return s.landing(ctx, c, "")
}

// Land is the landing page's button (a POST): the code is used up (its
// visit is kept for this browser for auth.PendingVisit.TTL), so that a
// sign-up minutes later still links it. A code someone already claimed
// still tells where the screen is: this browser's person then owns the
// screen's next visit. Errors as for Peek.
func (s *Service) Land(ctx context.Context, raw string) (*Landing, error) {
	c, err := s.landingCode(ctx, raw)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	visitID := ""
	if c.ClaimedAt == nil {
		browser := "web:" + core.NewID()
		if _, err := s.Store.ResolveCode(ctx, c.ID, browser, now); err == nil {
			if _, err := s.Store.ClaimCode(ctx, c.ID, browser, now); err == nil {
				visitID = c.VisitID
				if err := s.Store.AddVisitEvents(ctx, []Event{{VisitID: visitID, Kind: "qr_scanned", At: now}}); err != nil {
					return nil, err
				}
			}
		}
	}
	return s.landing(ctx, c, visitID)
}

func (s *Service) landingCode(ctx context.Context, raw string) (*Code, error) {
	link, err := s.Tokens.VerifyVisitLink(raw)
	if err != nil {
		return nil, err
	}
	return s.liveCode(ctx, link.ID())
}

// landing describes c's screen, with a pending link to visitID ("": the
// screen's next visit).
func (s *Service) landing(ctx context.Context, c *Code, visitID string) (*Landing, error) {
	pending, _, err := s.Tokens.Sign(auth.PendingVisit, c.KioskID, auth.Claims{Shop: c.ShopID, Visit: visitID})
	if err != nil {
		return nil, core.Internal(err)
	}
	sh, err := s.Shops.Shop(ctx, c.ShopID)
	if err != nil {
		return nil, err
	}
	l := &Landing{Shop: Place{ID: sh.ID, Name: sh.Name, City: sh.City}, Pending: pending}
	if k, err := s.Kiosks.Kiosk(ctx, c.KioskID); err == nil {
		l.Screen = k.Label
	}
	return l, nil
}

// PendingShop is the shop of the visit a browser keeps (pending, its
// cookie): the home shop of a person who signs up there.
func (s *Service) PendingShop(pending string) (string, error) {
	claims, err := s.Tokens.Verify(auth.PendingVisit, pending)
	if err != nil {
		return "", err
	}
	return claims.Shop, nil
}

// LinkPending links the visit a browser kept (Land) to the customer who
// just signed up or in there: that visit, or, if it was not kept or was
// linked meanwhile, a new visit at the same screen. It returns the shop.
func (s *Service) LinkPending(ctx context.Context, pending, customerID string) (*Place, error) {
	claims, err := s.Tokens.Verify(auth.PendingVisit, pending)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	err = core.Errorf(core.ECONFLICT, "no visit kept")
	if claims.Visit != "" {
		err = s.Store.LinkVisit(ctx, claims.Visit, customerID, "web", now)
	}
	if core.IsCode(err, core.ECONFLICT) {
		err = s.Store.CreateVisit(ctx, linkedVisit(claims.Shop, claims.Subject, customerID, "web", now))
	}
	if err != nil {
		return nil, err
	}
	if err := s.tellScreen(ctx, claims.Shop, claims.Subject, customerID); err != nil {
		return nil, err
	}
	sh, err := s.Shops.Shop(ctx, claims.Shop)
	if err != nil {
		return nil, err
	}
	return &Place{ID: sh.ID, Name: sh.Name, City: sh.City}, nil
}
