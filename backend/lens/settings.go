package lens

import (
	"context"
	"sync"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// ShopSettings are a shop's own reminder settings, when it changed the
// defaults.
type ShopSettings struct {
	ShopID            string    `json:"shop_id"`
	RunsOutDaysBefore []int     `json:"runs_out_days_before" validate:"required,min=1,max=4,dive,min=1,max=60"`
	ReplaceDay        bool      `json:"replace_day"`
	HourLocal         int       `json:"hour_local" validate:"min=8,max=20"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// SettingsStore keeps shops' reminder settings.
type SettingsStore interface {
	// ShopSettings returns a shop's settings, or ENOTFOUND when it uses the
	// defaults.
	ShopSettings(ctx context.Context, shopID string) (*ShopSettings, error)
	// SaveShopSettings stores s, replacing the shop's previous settings.
	SaveShopSettings(ctx context.Context, s *ShopSettings) error
}

// SettingsSource answers a shop's reminder settings: its own, else the
// defaults, in the shop's time zone. Answers are kept for a minute, since
// a scan asks once per due supply.
type SettingsSource struct {
	Store SettingsStore
	// Zones answers a shop's time zone: the shop service.
	Zones interface {
		Zone(ctx context.Context, shopID string) (*time.Location, error)
	}

	mu    sync.Mutex
	cache map[string]cachedSettings
}

type cachedSettings struct {
	s   Settings
	exp time.Time
}

// For returns the settings of shopID ("" for customers without a shop).
func (src *SettingsSource) For(ctx context.Context, shopID string) Settings {
	now := time.Now()
	src.mu.Lock()
	if c, ok := src.cache[shopID]; ok && now.Before(c.exp) {
		src.mu.Unlock()
		return c.s
	}
	src.mu.Unlock()
	st := DefaultSettings()
	if shopID != "" {
		if loc, err := src.Zones.Zone(ctx, shopID); err == nil && loc != nil {
			st.Location = loc
		}
		if own, err := src.Store.ShopSettings(ctx, shopID); err == nil {
			st.RunsOutDaysBefore, st.ReplaceDay, st.HourLocal = own.RunsOutDaysBefore, own.ReplaceDay, own.HourLocal
		}
	}
	src.mu.Lock()
	if src.cache == nil {
		src.cache = map[string]cachedSettings{}
	}
	src.cache[shopID] = cachedSettings{s: st, exp: now.Add(time.Minute)}
	src.mu.Unlock()
	return st
}

// Forget drops a shop's cached settings after a change.
func (src *SettingsSource) Forget(shopID string) {
	src.mu.Lock()
	delete(src.cache, shopID)
	src.mu.Unlock()
}

// ReminderSettings returns a shop's reminder settings, the defaults when
// it has none of its own. ENOTFOUND for a shop outside the actor's scope.
func (s *Service) ReminderSettings(ctx context.Context, shopID string) (*ShopSettings, error) {
	if a, _ := core.ActorFrom(ctx); !a.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	own, err := s.SettingsStore.ShopSettings(ctx, shopID)
	if core.IsCode(err, core.ENOTFOUND) {
		d := DefaultSettings()
		return &ShopSettings{ShopID: shopID, RunsOutDaysBefore: d.RunsOutDaysBefore, ReplaceDay: d.ReplaceDay, HourLocal: d.HourLocal}, nil
	}
	return own, err
}

// SaveReminderSettings changes a shop's reminder settings (its managers
// and the owners). Supplies recorded from then on follow them; reminders
// already planned keep their time. ENOTFOUND for a shop outside the
// actor's scope, EFORBIDDEN below manager.
func (s *Service) SaveReminderSettings(ctx context.Context, shopID string, in ShopSettings) (*ShopSettings, error) {
	a, _ := core.ActorFrom(ctx)
	if !a.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	if !a.Role.AtLeast(core.RoleManager) {
		return nil, core.Errorf(core.EFORBIDDEN, "only a manager of the shop or an owner changes its reminder settings")
	}
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
	}
	in.ShopID, in.UpdatedAt = shopID, s.Clock.Now()
	if err := s.SettingsStore.SaveShopSettings(ctx, &in); err != nil {
		return nil, err
	}
	if s.Settings != nil {
		s.Settings.Forget(shopID)
	}
	return &in, nil
}
