package mongo

// WithoutTransactions makes db run its all-or-nothing writes as it does on
// a standalone server, which has no transactions.
func (db *DB) WithoutTransactions() { db.withoutTransactions = true }
