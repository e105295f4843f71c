package customer

import (
	"context"
	"slices"

	"github.com/vista-optical/vista/backend/core"
)

// DeviceInput registers the app on a phone for push messages.
type DeviceInput struct {
	Token      string `json:"token" validate:"required,min=16,max=512,printascii"`
	Platform   string `json:"platform" validate:"required,oneof=android ios web"`
	AppVersion string `json:"app_version" validate:"required,max=32"`
}

// AddDevice registers or refreshes a device of the signed-in customer.
func (s *Service) AddDevice(ctx context.Context, in DeviceInput) (*Device, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
	}
	if _, err := s.active(ctx, id); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	d := &Device{Token: in.Token, CustomerID: id, Platform: in.Platform, AppVersion: in.AppVersion, CreatedAt: now, LastSeenAt: now}
	if err := s.Store.UpsertDevice(ctx, d); err != nil {
		return nil, err
	}
	// A handful of phones and tablets per person: beyond MaxDevices the
	// ones unused the longest go, so one reminder never fans out to
	// hundreds of sends.
	list, err := s.Store.Devices(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(list) > MaxDevices {
		slices.SortFunc(list, func(a, b *Device) int { return b.LastSeenAt.Compare(a.LastSeenAt) })
		for _, old := range list[MaxDevices:] {
			if old.Token == d.Token {
				continue
			}
			if err := s.Store.DeleteDevice(ctx, id, old.Token); err != nil && !core.IsCode(err, core.ENOTFOUND) {
				return nil, err
			}
		}
	}
	return d, nil
}

// MaxDevices is how many devices one customer keeps registered.
const MaxDevices = 5

// Devices lists the signed-in customer's devices, newest first.
func (s *Service) Devices(ctx context.Context) ([]*Device, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	return s.Store.Devices(ctx, id)
}

// RemoveDevice unregisters one of the signed-in customer's devices.
// ENOTFOUND when the customer has no device with that token.
func (s *Service) RemoveDevice(ctx context.Context, token string) error {
	id, err := customerID(ctx)
	if err != nil {
		return err
	}
	return s.Store.DeleteDevice(ctx, id, token)
}
