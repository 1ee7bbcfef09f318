package sqlite

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// A new SQLite store is created from freshSchema, the schema every
// migration together makes, instead of by running them one by one: the
// migrations' ALTERs and DROPs make SQLite parse its whole schema again
// and again, two thirds of a new store's start-up (about 30 ms). A store
// that exists is upgraded by the migrations it lacks, as before, and
// PostgreSQL stores always are.
//
// freshschema.sql is generated from the migrations by
// TestFreshSchemaIsTheMigrations (ACCOUNTPLANE_UPDATE_FRESH_SCHEMA=1), which
// also checks that it makes exactly the schema they make. Its first line
// names the newest migration it holds: a schema older than the newest
// migration is not used.
//
//go:embed freshschema.sql
var freshSchema string

// freshSchemaHeader starts freshschema.sql; the newest migration's version
// follows it.
const freshSchemaHeader = "-- accountplane fresh SQLite schema, generated from the migrations through "

// freshSchemaVersion is the newest migration freshSchema holds, 0 if it
// cannot be read.
func freshSchemaVersion() int {
	first, _, _ := strings.Cut(freshSchema, "\n")
	v, err := strconv.Atoi(strings.TrimPrefix(first, freshSchemaHeader))
	if err != nil || !strings.HasPrefix(first, freshSchemaHeader) {
		return 0
	}
	return v
}

// createFresh creates the schema of ms (the migrations in version order,
// none applied) in tx from freshSchema, with the migrations' records, if
// it can: the store is SQLite, empty but for schema_migrations, and
// freshSchema holds the migrations through ms's last (a list that stops
// earlier, as tests make, is migrated one by one). ok is false if it did
// nothing.
func (db *DB) createFresh(ctx context.Context, tx *sql.Tx, ms []migration) (ok bool, err error) {
	if db.dialect != dialectSQLite || !useFreshSchema || len(ms) == 0 || freshSchemaVersion() != ms[len(ms)-1].version {
		return false, nil
	}
	var tables int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name NOT IN ('schema_migrations', 'sqlite_autoindex_schema_migrations_1')`).Scan(&tables); err != nil {
		return false, fmt.Errorf("sqlite: migrate: %w", err)
	}
	if tables > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, freshSchema); err != nil {
		return false, fmt.Errorf("sqlite: create the schema: %w", err)
	}
	now := db.now().UnixNano()
	for _, m := range ms {
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, now); err != nil {
			return false, fmt.Errorf("sqlite: migrate %s: %w", m.name, err)
		}
	}
	return true, nil
}

// useFreshSchema lets a test make a store by its migrations alone.
var useFreshSchema = true
