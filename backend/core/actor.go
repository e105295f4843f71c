package core

import "context"

// ActorKind says which realm a principal belongs to.
type ActorKind string

// The realms of Vista. Each has its own token kind and its own routes.
const (
	ActorCustomer ActorKind = "customer"
	ActorStaff    ActorKind = "staff"
	ActorKiosk    ActorKind = "kiosk"
	ActorSystem   ActorKind = "system"
	// ActorAnyone is the realm of public routes: anyone, signed in or not.
	ActorAnyone ActorKind = "public"
)

// Role is a staff member's role. Owners span the whole chain; managers and
// assistants are bound to one shop.
type Role string

// Staff roles, from the widest to the narrowest.
const (
	RoleOwner     Role = "owner"
	RoleManager   Role = "manager"
	RoleAssistant Role = "assistant"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r grants everything min grants.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && r.rank() > 0 }

func (r Role) rank() int {
	switch r {
	case RoleOwner:
		return 3
	case RoleManager:
		return 2
	case RoleAssistant:
		return 1
	}
	return 0
}

// Actor is who is acting in a request or job. Services read it from the
// context to decide what the caller may see.
type Actor struct {
	Kind ActorKind
	ID   string // customer, staff member or kiosk device id
	Role Role   // staff only
	Shop string // the shop a staff member or kiosk is bound to; empty for owners
	// Session is the server-side session a staff member signed in with.
	Session string
}

// CanSeeShop reports whether the actor may see data that belongs to shop.
// It is the one place where shop scope is decided.
func (a Actor) CanSeeShop(shop string) bool {
	switch a.Kind {
	case ActorSystem:
		return true
	case ActorStaff:
		return a.Role == RoleOwner || (a.Shop != "" && a.Shop == shop)
	case ActorKiosk:
		return a.Shop != "" && a.Shop == shop
	}
	return false
}

// ManagerOf returns the staff member in ctx if they manage shop (its
// manager, or an owner): ENOTFOUND for a shop outside their scope,
// EFORBIDDEN for a role below manager. The catalog and the screens of a
// shop are changed only by them.
func ManagerOf(ctx context.Context, shop string) (Actor, error) {
	a, _ := ActorFrom(ctx)
	if a.Kind != ActorStaff || !a.CanSeeShop(shop) {
		return a, Errorf(ENOTFOUND, "shop not found")
	}
	if !a.Role.AtLeast(RoleManager) {
		return a, Errorf(EFORBIDDEN, "only a manager of this shop or an owner can do this")
	}
	return a, nil
}

type actorKey struct{}

// WithActor returns a context that carries a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx and whether there is one.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// ErrInvalidToken refuses a token that is not valid, or has expired, and a
// customer's action to anyone else, since a wrong token is what let them
// this far.
var ErrInvalidToken = &Error{Code: EUNAUTHORIZED, Message: "invalid or expired token"}

// SignedInCustomer returns the id of the customer signed in in ctx, or
// EUNAUTHORIZED: the one way a service learns whose data a customer's
// request is about.
func SignedInCustomer(ctx context.Context) (string, error) {
	a, ok := ActorFrom(ctx)
	if !ok || a.Kind != ActorCustomer || a.ID == "" {
		return "", ErrInvalidToken
	}
	return a.ID, nil
}
