package shop

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/ratelimit"
)

// How long the links the chain's set-up sends stay valid.
const (
	InviteTTL = 72 * time.Hour
	ResetTTL  = 30 * time.Minute
)

// Mailer queues an e-mail: the outbox.
type Mailer interface {
	EnqueueMessage(ctx context.Context, m *notify.Message) (bool, error)
}

// InviteInput is an invitation of a new staff member.
type InviteInput struct {
	Email  string    `json:"email" validate:"required,email,max=254"`
	Name   string    `json:"name" validate:"required,max=120"`
	Role   core.Role `json:"role" validate:"required"`
	ShopID string    `json:"shop_id" validate:"max=64"`
}

// StaffChange is a change to a staff member; nil fields stay.
type StaffChange struct {
	Name   *string    `json:"name" validate:"omitempty,max=120"`
	Role   *core.Role `json:"role"`
	ShopID *string    `json:"shop_id" validate:"omitempty,max=64"`
	Active *bool      `json:"active"`
}

func staffActor(ctx context.Context) (core.Actor, error) {
	a, ok := core.ActorFrom(ctx)
	if !ok || a.Kind != core.ActorStaff {
		return a, core.Errorf(core.EUNAUTHORIZED, "sign in as staff")
	}
	return a, nil
}

// StaffList returns the staff the member in ctx may manage: the whole
// chain for the owner, their shop's for a manager.
func (s *Service) StaffList(ctx context.Context) ([]*Staff, error) {
	a, err := staffActor(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case a.Role == core.RoleOwner:
		return s.Store.AllStaff(ctx)
	case a.Role == core.RoleManager:
		return s.Store.StaffOfShop(ctx, a.Shop)
	}
	return nil, core.Errorf(core.EFORBIDDEN, "a manager or the owner sees the staff list")
}

// mayPlace checks that the member in ctx may give role in shopID to
// someone: the owner anything (an owner has no shop, anyone else one that
// exists); a manager assistants and managers of their own shop.
func (s *Service) mayPlace(ctx context.Context, a core.Actor, role core.Role, shopID string) error {
	if !role.Valid() {
		return core.Invalid("the role is not valid", core.FieldError{Field: "role", Code: "not_allowed", Message: "must be one of: owner, manager, assistant"})
	}
	if a.Role != core.RoleOwner && (role == core.RoleOwner || shopID != a.Shop) {
		return core.Errorf(core.EFORBIDDEN, "a manager places staff in their own shop only, and never as owner")
	}
	if !a.Role.AtLeast(core.RoleManager) {
		return core.Errorf(core.EFORBIDDEN, "a manager or the owner manages staff")
	}
	if role == core.RoleOwner {
		if shopID != "" {
			return core.Invalid("an owner has no shop", core.FieldError{Field: "shop_id", Code: "shop_for_role", Message: "must be empty for an owner"})
		}
		return nil
	}
	if ok, err := s.Exists(ctx, shopID); err != nil {
		return err
	} else if !ok {
		return core.Invalid("the shop does not exist", core.FieldError{Field: "shop_id", Code: "unknown_shop", Message: "must name a shop of the chain"})
	}
	return nil
}

// Invite creates a staff member without a password and e-mails them a
// link, valid InviteTTL, to choose one. An address already on the staff
// is ECONFLICT.
func (s *Service) Invite(ctx context.Context, in InviteInput) (*Staff, error) {
	if err := s.check(&in); err != nil {
		return nil, err
	}
	a, err := staffActor(ctx)
	if err != nil {
		return nil, err
	}
	if a.Role == core.RoleManager && in.ShopID == "" {
		in.ShopID = a.Shop
	}
	if err := s.mayPlace(ctx, a, in.Role, in.ShopID); err != nil {
		return nil, err
	}
	m := &Staff{ID: core.NewID(), Email: core.NormalizeEmail(in.Email), Name: strings.TrimSpace(in.Name), Role: in.Role, ShopID: in.ShopID,
		Active: true, CreatedAt: s.Clock.Now()}
	if err := s.Store.CreateStaff(ctx, m); err != nil {
		if core.IsCode(err, core.ECONFLICT) {
			return nil, core.Invalid("this address is already on the staff", core.FieldError{Field: "email", Code: "already_staff", Message: "is already on the staff"})
		}
		return nil, err
	}
	if err := s.sendLink(ctx, m, auth.LinkStaffInvite, InviteTTL, "/console/invite"); err != nil {
		return nil, err
	}
	return m, nil
}

// ResendInvite sends a new invitation to a member who has not accepted.
func (s *Service) ResendInvite(ctx context.Context, id string) error {
	a, err := staffActor(ctx)
	if err != nil {
		return err
	}
	m, err := s.managed(ctx, a, id)
	if err != nil {
		return err
	}
	if !m.Invited() {
		return core.Errorf(core.ECONFLICT, "this member has already accepted the invitation")
	}
	return s.sendLink(ctx, m, auth.LinkStaffInvite, InviteTTL, "/console/invite")
}

// managed returns the member id if a may manage them.
func (s *Service) managed(ctx context.Context, a core.Actor, id string) (*Staff, error) {
	m, err := s.Store.StaffMember(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Role != core.RoleOwner && (a.Role != core.RoleManager || m.ShopID != a.Shop || m.Role == core.RoleOwner) {
		return nil, core.Errorf(core.ENOTFOUND, "staff member not found")
	}
	return m, nil
}

// ChangeStaff renames, moves, re-roles, deactivates or reactivates a
// member. A deactivated member's sessions end at once. Nobody changes
// their own role or deactivates themselves, so the chain keeps an owner.
func (s *Service) ChangeStaff(ctx context.Context, id string, ch StaffChange) (*Staff, error) {
	if err := s.check(&ch); err != nil {
		return nil, err
	}
	a, err := staffActor(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.managed(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if m.ID == a.ID && (ch.Role != nil && *ch.Role != m.Role || ch.Active != nil && !*ch.Active || ch.ShopID != nil && *ch.ShopID != m.ShopID) {
		return nil, core.Errorf(core.EFORBIDDEN, "nobody changes their own role, shop or access")
	}
	role, shopID := m.Role, m.ShopID
	if ch.Role != nil {
		role = *ch.Role
	}
	if ch.ShopID != nil {
		shopID = *ch.ShopID
	}
	if role == core.RoleOwner {
		shopID = ""
	}
	if role != m.Role || shopID != m.ShopID {
		if err := s.mayPlace(ctx, a, role, shopID); err != nil {
			return nil, err
		}
	}
	m.Role, m.ShopID = role, shopID
	if ch.Name != nil && strings.TrimSpace(*ch.Name) != "" {
		m.Name = strings.TrimSpace(*ch.Name)
	}
	if ch.Active != nil {
		m.Active = *ch.Active
	}
	if err := s.Store.UpdateStaff(ctx, m); err != nil {
		return nil, err
	}
	if !m.Active {
		if err := s.Sessions.RevokeStaffSessionsOf(ctx, m.ID, s.Clock.Now()); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// AcceptInvite sets the password of an invited member from the link they
// received; they then sign in.
func (s *Service) AcceptInvite(ctx context.Context, token, password string) (*Staff, error) {
	return s.redeem(ctx, auth.LinkStaffInvite, token, password)
}

// ForgotPassword e-mails an active staff member with a password a link,
// valid ResetTTL, to choose a new one. It answers the same whether or not
// the address is on the staff.
func (s *Service) ForgotPassword(ctx context.Context, email string) error {
	return auth.Forgot(ctx, s.Limiter, ForgotLimit, email, func(ctx context.Context, email string) error {
		m, err := s.Store.StaffByEmail(ctx, email)
		if core.IsCode(err, core.ENOTFOUND) || err == nil && (!m.Active || m.Invited()) {
			return nil
		} else if err != nil {
			return err
		}
		return s.sendLink(ctx, m, auth.LinkStaffReset, ResetTTL, "/console/reset")
	})
}

// ForgotLimit bounds reset e-mails per address.
var ForgotLimit = ratelimit.Limit{Name: "staff-forgot", Max: 3, Window: time.Hour}

// ResetPassword sets a new password from a reset link and ends every
// session of the member.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*Staff, error) {
	return s.redeem(ctx, auth.LinkStaffReset, token, password)
}

func (s *Service) redeem(ctx context.Context, kind, token, password string) (*Staff, error) {
	if err := auth.CheckPassword(password); err != nil {
		return nil, err
	}
	link, err := s.Links.Use(ctx, kind, token)
	if err != nil {
		return nil, err
	}
	m, err := s.Store.StaffMember(ctx, link.Subject)
	if err != nil {
		return nil, err
	}
	if !m.Active {
		return nil, core.Errorf(core.EGONE, "this staff account is no longer active")
	}
	if err := s.setPassword(ctx, m, password, false); err != nil {
		return nil, err
	}
	return m, s.Sessions.RevokeStaffSessionsOf(ctx, m.ID, s.Clock.Now())
}

// ChangePassword sets a new password for the signed-in member, who proves
// the current one.
func (s *Service) ChangePassword(ctx context.Context, current, password string) error {
	a, err := staffActor(ctx)
	if err != nil {
		return err
	}
	m, err := s.Store.StaffMember(ctx, a.ID)
	if err != nil {
		return err
	}
	if !s.Passwords.Check(m.PasswordHash, current) {
		return core.Invalid("the current password is not right", core.FieldError{Field: "current_password", Message: "is not right"})
	}
	if err := auth.CheckPassword(password); err != nil {
		return err
	}
	if current == password {
		return core.Invalid("choose a new password", core.FieldError{Field: "password", Message: "must differ from the current one"})
	}
	return s.setPassword(ctx, m, password, false)
}

func (s *Service) setPassword(ctx context.Context, m *Staff, password string, mustChange bool) error {
	hash, err := s.Passwords.Hash(password)
	if err != nil {
		return core.Internal(err)
	}
	m.PasswordHash, m.MustChangePassword = hash, mustChange
	return s.Store.UpdateStaff(ctx, m)
}

// sendLink issues a link of kind for m and queues the e-mail that carries
// it to PublicURL+path#token.
func (s *Service) sendLink(ctx context.Context, m *Staff, kind string, ttl time.Duration, path string) error {
	link, err := s.Links.IssueURL(ctx, kind, m.ID, nil, ttl, s.PublicURL(), path)
	if err != nil {
		return err
	}
	locale := "it"
	if c, err := s.Store.ChainSettings(ctx); err == nil && c.DefaultLocale != "" {
		locale = c.DefaultLocale
	}
	t := mailTexts[locale][kind]
	now := s.Clock.Now()
	msg := notify.AccountEmail("", m.Email, locale, kind, core.NewID(), t.subject, fmt.Sprintf(t.text, m.Name), link, now)
	msg.ShopID = m.ShopID
	_, err = s.Mail.EnqueueMessage(ctx, msg)
	return err
}

var mailTexts = map[string]map[string]struct{ subject, text string }{
	"it": {
		auth.LinkStaffInvite: {"Il tuo accesso alla console Vista", "Ciao %s,\n\nsei stato invitato nella console Vista del negozio. Apri il link qui sotto per scegliere la tua password: vale 72 ore e si usa una volta sola."},
		auth.LinkStaffReset:  {"Nuova password per la console Vista", "Ciao %s,\n\nper scegliere una nuova password apri il link qui sotto: vale 30 minuti e si usa una volta sola. Se non l'hai chiesto tu, ignora questa e-mail."},
	},
	"en": {
		auth.LinkStaffInvite: {"Your access to the Vista console", "Hello %s,\n\nyou have been invited to the shop's Vista console. Open the link below to choose your password: it is valid for 72 hours and works once."},
		auth.LinkStaffReset:  {"A new password for the Vista console", "Hello %s,\n\nopen the link below to choose a new password: it is valid for 30 minutes and works once. If you did not ask for it, ignore this e-mail."},
	},
}

// CreateStaffMember creates an active member with password (the command
// line's "staff create"). mustChange asks them for a new one at sign-in.
func (s *Service) CreateStaffMember(ctx context.Context, email, name string, role core.Role, shopID, password string, mustChange bool) (*Staff, error) {
	if !role.Valid() {
		return nil, core.Invalid("the role is not valid", core.FieldError{Field: "role", Code: "not_allowed", Message: "must be one of: owner, manager, assistant"})
	}
	if (role == core.RoleOwner) != (shopID == "") {
		return nil, core.Invalid("an owner has no shop; anyone else has one", core.FieldError{Field: "shop", Code: "shop_for_role", Message: "must be given for a manager or an assistant, and not for an owner"})
	}
	if role != core.RoleOwner {
		if ok, err := s.Exists(ctx, shopID); err != nil {
			return nil, err
		} else if !ok {
			return nil, core.Invalid("the shop does not exist", core.FieldError{Field: "shop", Code: "unknown_shop", Message: "must name a shop of the chain"})
		}
	}
	email = core.NormalizeEmail(email)
	if !strings.Contains(email, "@") || len(email) > 254 {
		return nil, core.Invalid("the e-mail is not valid", core.FieldError{Field: "email", Message: "must be an e-mail address"})
	}
	if err := auth.CheckPassword(password); err != nil {
		return nil, err
	}
	hash, err := s.Passwords.Hash(password)
	if err != nil {
		return nil, core.Internal(err)
	}
	if name == "" {
		name = email
	}
	m := &Staff{ID: core.NewID(), Email: email, Name: name, PasswordHash: hash, Role: role, ShopID: shopID, Active: true,
		MustChangePassword: mustChange, CreatedAt: s.Clock.Now()}
	if err := s.Store.CreateStaff(ctx, m); err != nil {
		if core.IsCode(err, core.ECONFLICT) {
			return nil, core.Invalid("this address is already on the staff", core.FieldError{Field: "email", Code: "already_staff", Message: "is already on the staff"})
		}
		return nil, err
	}
	return m, nil
}

// SetStaffPassword replaces a member's password (the command line's
// "staff reset-password") and ends their sessions; it also reactivates
// nothing: a deactivated member stays so.
func (s *Service) SetStaffPassword(ctx context.Context, email, password string, mustChange bool) (*Staff, error) {
	m, err := s.Store.StaffByEmail(ctx, core.NormalizeEmail(email))
	if err != nil {
		return nil, err
	}
	if err := auth.CheckPassword(password); err != nil {
		return nil, err
	}
	if err := s.setPassword(ctx, m, password, mustChange); err != nil {
		return nil, err
	}
	return m, s.Sessions.RevokeStaffSessionsOf(ctx, m.ID, s.Clock.Now())
}
