package catalog

import (
	"context"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/media"
)

// Picture is an uploaded picture, for anyone: its address is its hash.
func (s *Service) Picture(ctx context.Context, id string) (*media.Image, error) {
	if !media.ValidID(id) {
		return nil, core.Errorf(core.ENOTFOUND, "no such picture")
	}
	return s.Media.Image(ctx, id)
}

// StorePicture stores an uploaded picture shrunk to media.ProductSide,
// for a manager or an owner, and returns its address: a product's
// image_url. A picture stored and never named is only some bytes.
func (s *Service) StorePicture(ctx context.Context, data []byte) (string, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.Role.AtLeast(core.RoleManager) {
		return "", core.Errorf(core.EFORBIDDEN, "only managers and owners change the catalog")
	}
	im, err := media.Prepare(data, media.ProductSide, s.Clock.Now())
	if err != nil {
		return "", err
	}
	return im.URL(), s.Media.PutImage(ctx, im)
}

// SetProductImage makes an uploaded picture the product's, shrunk to
// media.ProductSide, for a manager or an owner. ENOTFOUND for no such
// product.
func (s *Service) SetProductImage(ctx context.Context, productID string, data []byte) (*Product, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.Role.AtLeast(core.RoleManager) {
		return nil, core.Errorf(core.EFORBIDDEN, "only managers and owners change the catalog")
	}
	p, err := s.Store.Product(ctx, productID)
	if err != nil {
		return nil, err
	}
	url, err := s.StorePicture(ctx, data)
	if err != nil {
		return nil, err
	}
	p.ImageURL, p.UpdatedAt = url, s.Clock.Now()
	if err := s.Store.PutCatalog(ctx, []*Product{p}, nil); err != nil {
		return nil, err
	}
	return p, nil
}
