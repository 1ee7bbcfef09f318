package sqlite

import (
	"context"
)

// Reset deletes every row of every table but the migration bookkeeping and
// the settings, in
// one transaction: the emulator's "reset to the default world" (the caller
// then creates it again).
func (db *DB) Reset(ctx context.Context) error {
	return db.update(ctx, func(t *tx) error {
		t.written.all = true // the statements below bypass the helpers
		tables, err := t.tableNames(ctx)
		if err != nil {
			return err
		}
		for _, name := range tables {
			if name == "settings" { // the token key stays; the clock resets itself
				continue
			}
			if err := t.execOnce(ctx, "reset "+name, `DELETE FROM "`+name+`"`); err != nil {
				return err
			}
		}
		return nil
	})
}
