package shop

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/media"
)

// Chain is the chain's own settings: its name, where its app is and which
// apps open its links, the language its shops speak by default, and how
// its screens look.
type Chain struct {
	Name          string `json:"name"`
	IOSURL        string `json:"ios_url"`
	AndroidURL    string `json:"android_url"`
	DefaultLocale string `json:"default_locale"`
	// AppleAppIDs (TEAMID.bundle.id) and AndroidApps
	// (package=SHA-256 fingerprint[|another]) open visit codes in the
	// installed app: served in /.well-known beside the server's flags.
	AppleAppIDs []string `json:"apple_app_ids"`
	AndroidApps []string `json:"android_apps"`
	// LogoURL is the chain's logo, a picture uploaded to Vista; Colour and
	// Accent (#rrggbb) are the background and the highlight of its screens.
	LogoURL   string    `json:"logo_url"`
	Colour    string    `json:"colour"`
	Accent    string    `json:"accent"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Screen colours of a chain that chose none.
const (
	DefaultColour = "#0f1720"
	DefaultAccent = "#ffd166"
)

// Bounds of the chain's app ids, and what each must look like.
var (
	appleAppID = regexp.MustCompile(`^[A-Z0-9]{10}\.[A-Za-z0-9][A-Za-z0-9.-]{0,154}$`)
	androidApp = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+=([0-9A-F]{2}(:[0-9A-F]{2}){31})(\|[0-9A-F]{2}(:[0-9A-F]{2}){31}){0,4}$`)
	hexColour  = regexp.MustCompile(`^#[0-9a-f]{6}$`)
)

const maxChainApps = 10

// ValidAppleAppID and ValidAndroidApp tell whether an app id, as the
// console or a server flag gives it, can go in /.well-known.
func ValidAppleAppID(s string) bool { return appleAppID.MatchString(s) }

// ValidAndroidApp: see ValidAppleAppID.
func ValidAndroidApp(s string) bool { return androidApp.MatchString(s) }

// Chain returns the chain's settings (defaults before any were saved).
func (s *Service) Chain(ctx context.Context) (*Chain, error) {
	c, err := s.Store.ChainSettings(ctx)
	if core.IsCode(err, core.ENOTFOUND) {
		return &Chain{Name: "Vista", DefaultLocale: "it"}, nil
	}
	return c, err
}

// SaveChain replaces the chain's settings: owners only.
func (s *Service) SaveChain(ctx context.Context, c Chain) (*Chain, error) {
	if err := s.check(&c); err != nil {
		return nil, err
	}
	a, err := staffActor(ctx)
	if err != nil {
		return nil, err
	}
	if a.Role != core.RoleOwner {
		return nil, core.Errorf(core.EFORBIDDEN, "only the owner changes the chain's settings")
	}
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "" || len([]rune(c.Name)) > 120:
		return nil, core.Invalid("the name is not valid", core.FieldError{Field: "name", Code: "length", Param: "1 a 120", Message: "must be 1 to 120 characters"})
	case c.DefaultLocale != "it" && c.DefaultLocale != "en":
		return nil, core.Invalid("the language is not offered", core.FieldError{Field: "default_locale", Code: "not_allowed", Message: "must be one of: it, en"})
	}
	for field, u := range map[string]string{"ios_url": c.IOSURL, "android_url": c.AndroidURL} {
		if u != "" && (!strings.HasPrefix(u, "https://") || len(u) > 500 || strings.ContainsAny(u, " \"<>")) {
			return nil, core.Invalid("a store link is not valid", core.FieldError{Field: field, Code: "invalid_store_url", Message: "must be an https:// address of at most 500 characters"})
		}
	}
	for _, f := range []struct {
		field string
		ids   []string
		valid func(string) bool
		msg   string
	}{
		{"apple_app_ids", c.AppleAppIDs, ValidAppleAppID, "must be TEAMID.bundle.id, such as ABCDE12345.it.ottica.app"},
		{"android_apps", c.AndroidApps, ValidAndroidApp, "must be package=SHA-256 fingerprint, such as it.ottica.app=AB:CD:…(32 pairs)"},
	} {
		if len(f.ids) > maxChainApps {
			return nil, core.Invalid("too many apps", core.FieldError{Field: f.field, Code: "too_many", Param: "10", Message: "must be at most 10"})
		}
		for _, id := range f.ids {
			if !f.valid(id) {
				return nil, core.Invalid("an app id is not valid", core.FieldError{Field: f.field, Code: "invalid_app", Message: f.msg})
			}
		}
	}
	c.Colour, c.Accent = strings.ToLower(c.Colour), strings.ToLower(c.Accent)
	for field, v := range map[string]string{"colour": c.Colour, "accent": c.Accent} {
		if v != "" && !hexColour.MatchString(v) {
			return nil, core.Invalid("a colour is not valid", core.FieldError{Field: field, Code: "invalid_colour", Message: "must be #rrggbb, such as #0f1720"})
		}
	}
	if c.LogoURL != "" && !media.ValidURL(c.LogoURL) {
		return nil, core.Invalid("the logo is not valid", core.FieldError{Field: "logo_url", Code: "invalid_url", Message: "must be a picture uploaded to Vista"})
	}
	c.UpdatedAt = s.Clock.Now()
	return &c, s.Store.SaveChainSettings(ctx, &c)
}

// SetLogo stores an uploaded picture as the chain's logo: owners only.
func (s *Service) SetLogo(ctx context.Context, data []byte) (*Chain, error) {
	if a, err := staffActor(ctx); err != nil {
		return nil, err
	} else if a.Role != core.RoleOwner {
		return nil, core.Errorf(core.EFORBIDDEN, "only the owner changes the chain's settings")
	}
	im, err := media.Prepare(data, media.LogoSide, s.Clock.Now())
	if err != nil {
		return nil, err
	}
	if err := s.Media.PutImage(ctx, im); err != nil {
		return nil, err
	}
	c, err := s.Chain(ctx)
	if err != nil {
		return nil, err
	}
	c.LogoURL = im.URL()
	return s.SaveChain(ctx, *c)
}
