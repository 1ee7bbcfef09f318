package sqlite

import (
	"context"
	"fmt"
)

// Reset deletes every row of every table but the migration bookkeeping, in
// one transaction: the emulator's "reset to the default world" (the caller
// then creates it again).
func (db *DB) Reset(ctx context.Context) error {
	return db.update(ctx, func(t *tx) error {
		rows, err := t.tx.QueryContext(ctx, `SELECT name FROM sqlite_master
			WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`)
		if err != nil {
			return fmt.Errorf("sqlite: reset: %w", err)
		}
		var tables []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: reset: %w", err)
			}
			tables = append(tables, name)
		}
		rows.Close()
		for _, name := range tables {
			if _, err := t.tx.ExecContext(ctx, `DELETE FROM "`+name+`"`); err != nil {
				return fmt.Errorf("sqlite: reset %s: %w", name, err)
			}
		}
		return nil
	})
}
