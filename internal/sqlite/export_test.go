package sqlite

// FreezeSharedEpoch keeps db's shared generation from moving with the
// clock's minute steps, for tests that compare stamps taken apart in time.
func FreezeSharedEpoch(db *DB) { db.frozenEpoch.Store(1) }
