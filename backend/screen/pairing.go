package screen

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/ratelimit"
)

// Pairing codes: 8 characters of an alphabet without look-alikes (no 0/O,
// 1/I), 40 bits, valid a few minutes, used once. Pair attempts are limited
// per address (per /64 for IPv6: web.ClientKey), so guessing one of the
// few live codes is out of reach, and a wrong code spends nobody else's
// budget: there is no service-wide bucket that an attacker could drain to
// lock every shop out. Codes are bounded where they are made (per member).
const (
	codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	codeLen      = 8
	PairingTTL   = 10 * time.Minute
)

// Rate limits of pairing.
var (
	PairIP       = ratelimit.Limit{Name: "kiosk-pair-ip", Max: 10, Window: 15 * time.Minute}
	pairingCodes = ratelimit.Limit{Name: "kiosk-pairing-codes", Max: 30, Window: time.Hour}
)

// MaxKiosksPerShop bounds the screens one shop may pair.
const MaxKiosksPerShop = 100

func hashCode(code string) string {
	sum := sha256.Sum256([]byte("vista-kiosk-pairing:" + code))
	return hex.EncodeToString(sum[:])
}

// normalizeCode reads what a person typed: case, dashes and spaces aside.
func normalizeCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// FormatCode shows a code in two groups of four, as people read it aloud.
func FormatCode(code string) string { return code[:4] + "-" + code[4:] }

// CreatePairingCode makes a pairing code for a shop, for its manager or
// an owner.
func (s *Service) CreatePairingCode(ctx context.Context, shopID string) (string, time.Time, error) {
	a, err := core.ManagerOf(ctx, shopID)
	if err != nil {
		return "", time.Time{}, err
	}
	if _, err := s.Catalog.Shops.Shop(ctx, shopID); err != nil {
		return "", time.Time{}, err
	}
	if err := s.Limiter.Hit(ctx, pairingCodes, a.ID); err != nil {
		return "", time.Time{}, err
	}
	b := make([]byte, codeLen)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)] // 256 is a multiple of 32: no bias
	}
	code := string(b)
	now := s.Clock.Now()
	pc := &PairingCode{Hash: hashCode(code), ShopID: shopID, CreatedBy: a.ID, CreatedAt: now, ExpiresAt: now.Add(PairingTTL)}
	if err := s.Store.CreatePairingCode(ctx, pc); err != nil {
		return "", time.Time{}, err
	}
	return FormatCode(code), pc.ExpiresAt, nil
}

// PairInput is what a browser sends to become a kiosk.
type PairInput struct {
	Code  string `json:"code" validate:"required,max=20"`
	Label string `json:"label" validate:"max=60"`
}

// Pair turns a pairing code into a kiosk of its shop and the kiosk's
// device token. ENOTFOUND for a code never made, EGONE for one used or
// expired. The caller applies the per-address limit (PairIP).
func (s *Service) Pair(ctx context.Context, in PairInput) (string, *Kiosk, error) {
	if err := s.check(&in); err != nil {
		return "", nil, err
	}
	code := normalizeCode(in.Code)
	if len(code) != codeLen || strings.Trim(code, codeAlphabet) != "" {
		return "", nil, core.Errorf(core.ENOTFOUND, "no such pairing code: ask the shop's manager for a new one")
	}
	now := s.Clock.Now()
	pc, err := s.Store.UsePairingCode(ctx, hashCode(code), now)
	switch {
	case core.IsCode(err, core.ENOTFOUND):
		return "", nil, core.Errorf(core.ENOTFOUND, "no such pairing code: ask the shop's manager for a new one")
	case core.IsCode(err, core.EGONE):
		return "", nil, core.Errorf(core.EGONE, "this pairing code was used or has expired: ask for a new one")
	case err != nil:
		return "", nil, err
	}
	kiosks, err := s.Store.ShopKiosks(ctx, pc.ShopID)
	if err != nil {
		return "", nil, err
	}
	if len(slices.DeleteFunc(kiosks, func(k *Kiosk) bool { return k.RevokedAt != nil })) >= MaxKiosksPerShop {
		return "", nil, core.Errorf(core.ECONFLICT, "this shop has %d screens: revoke one first", MaxKiosksPerShop)
	}
	label := strings.TrimSpace(in.Label)
	if label == "" {
		label = "Schermo " + now.Format("02/01 15:04")
	}
	k := &Kiosk{ID: "kiosk-" + core.NewID(), ShopID: pc.ShopID, Label: label, CreatedAt: now, LastSeenAt: &now}
	if err := s.Store.CreateKiosk(ctx, k); err != nil {
		return "", nil, err
	}
	tok, err := s.Token(k)
	return tok, k, err
}

// Token signs a new device token for k.
func (s *Service) Token(k *Kiosk) (string, error) {
	tok, _, err := s.Tokens.Sign(auth.KioskDevice, k.ID, auth.Claims{Shop: k.ShopID})
	return tok, err
}

// Authenticate loads the kiosk behind a verified device token: a revoked
// or removed kiosk is refused, whatever its token says.
func (s *Service) Authenticate(ctx context.Context, kioskID string) (core.Actor, error) {
	k, err := s.Store.Kiosk(ctx, kioskID)
	if core.IsCode(err, core.ENOTFOUND) || err == nil && k.RevokedAt != nil {
		return core.Actor{}, auth.ErrInvalidToken
	} else if err != nil {
		return core.Actor{}, err
	}
	return core.Actor{Kind: core.ActorKiosk, ID: k.ID, Shop: k.ShopID}, nil
}

// Kiosks lists a shop's screens to its staff.
func (s *Service) Kiosks(ctx context.Context, shopID string) ([]*Kiosk, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	return s.Store.ShopKiosks(ctx, shopID)
}

// KioskChange renames or revokes a screen.
type KioskChange struct {
	Label  *string `json:"label" validate:"omitempty,min=1,max=60"`
	Revoke bool    `json:"revoke"`
}

// ChangeKiosk renames a screen or revokes it. A revoked screen is told at
// once (an event) and refused from then on.
func (s *Service) ChangeKiosk(ctx context.Context, shopID, id string, in KioskChange) (*Kiosk, error) {
	if _, err := core.ManagerOf(ctx, shopID); err != nil {
		return nil, err
	}
	if err := s.check(&in); err != nil {
		return nil, err
	}
	k, err := s.Store.Kiosk(ctx, id)
	if err != nil || k.ShopID != shopID {
		return nil, core.Errorf(core.ENOTFOUND, "kiosk not found")
	}
	if in.Label != nil {
		k.Label = strings.TrimSpace(*in.Label)
	}
	now := s.Clock.Now()
	revoking := in.Revoke && k.RevokedAt == nil
	if revoking {
		k.RevokedAt = &now
	}
	if err := s.Store.UpdateKiosk(ctx, k); err != nil {
		return nil, err
	}
	if revoking {
		if err := s.append(ctx, &Event{ShopID: k.ShopID, KioskID: k.ID, Kind: EventRevoked, Data: `{}`}); err != nil {
			return nil, err
		}
	}
	return k, nil
}
