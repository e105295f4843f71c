// Package privacy is the registry behind the customer's rights of access
// and erasure: every store that holds data about a customer registers a
// Section here, so an export is complete and an erasure leaves nothing
// behind that the law does not require.
package privacy

import "context"

// Section is one part of what Vista holds on a customer.
type Section struct {
	// Name is the key of this part in the export document.
	Name string
	// Collections names the tables (SQLite) and collections (MongoDB) whose
	// rows about a customer this section covers; both engines use the same
	// names. A test checks every table with a customer id is covered.
	Collections []string
	// Export returns the customer's data in this section, ready for JSON.
	Export func(ctx context.Context, customerID string) (any, error)
	// Erase removes or anonymises the customer's data in this section. It
	// must be idempotent: an interrupted erasure is run again. Nil means
	// the data is kept because the law requires it and holds no personal
	// data beyond the pseudonymous id (say why in Kept).
	Erase func(ctx context.Context, customerID string) error
	// Kept says why data is kept when Erase is nil.
	Kept string
}

// Registry is the list of sections, in export order.
type Registry struct{ sections []Section }

// Register adds s.
func (r *Registry) Register(s ...Section) { r.sections = append(r.sections, s...) }

// Sections returns the registered sections.
func (r *Registry) Sections() []Section { return r.sections }

// Collections returns every collection name covered by some section.
func (r *Registry) Collections() map[string]bool {
	m := map[string]bool{}
	for _, s := range r.sections {
		for _, c := range s.Collections {
			m[c] = true
		}
	}
	return m
}
