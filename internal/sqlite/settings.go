package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// Setting returns the value of setting name, or ok false if it is unset.
func (db *DB) Setting(ctx context.Context, name string) (value string, ok bool, err error) {
	err = db.reader.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("sqlite: setting %s: %w", name, unavailable(err))
	}
	return value, true, nil
}

// InitSetting sets name to value unless it is set, and returns the value
// it has: the first replica to start chooses, the others read.
func (db *DB) InitSetting(ctx context.Context, name, value string) (string, error) {
	err := db.write(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, "init setting "+name, `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, value); err != nil {
			return err
		}
		return t.queryRow(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&value)
	})
	if err != nil {
		return "", fmt.Errorf("sqlite: init setting %s: %w", name, err)
	}
	return value, nil
}

// AddToSetting adds delta to the integer setting name (0 when unset) and
// returns the sum; reset sets it to 0 instead. Concurrent additions all
// count.
func (db *DB) AddToSetting(ctx context.Context, name string, delta int64, reset bool) (int64, error) {
	var sum int64
	err := db.write(ctx, func(t *tx) error {
		var cur string
		err := t.queryRow(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			if sum, err = strconv.ParseInt(cur, 10, 64); err != nil {
				return fmt.Errorf("setting %s is not an integer: %w", name, err)
			}
		}
		sum += delta
		if reset {
			sum = 0
		}
		_, err = t.exec(ctx, "set "+name, `INSERT INTO settings (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, strconv.FormatInt(sum, 10))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: add to setting %s: %w", name, err)
	}
	return sum, nil
}

// Shared reports whether the store is shared by replicas (PostgreSQL):
// caches of what it holds must then be checked against it on every
// request, and background work claimed.
func (db *DB) Shared() bool { return db.dialect == dialectPostgres }

// IntSetting reads the integer setting name (0 when unset).
func (db *DB) IntSetting(ctx context.Context, name string) (int64, error) {
	v, ok, err := db.Setting(ctx, name)
	if err != nil || !ok {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("sqlite: setting %s is not an integer: %w", name, err)
	}
	return n, nil
}

// Kind names the database: "sqlite" or "postgres".
func (db *DB) Kind() string { return db.dialect.String() }

// SchemaVersion returns the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := db.reader.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: schema version: %w", unavailable(err))
	}
	return int(v.Int64), nil
}

// PoolMetrics reports the PostgreSQL connection pool (none for SQLite).
func (db *DB) PoolMetrics() map[string]float64 {
	if db.pgPool == nil {
		return nil
	}
	st := db.pgPool.Stat()
	return map[string]float64{
		"accountplane_store_pool_connections_total":    float64(st.TotalConns()),
		"accountplane_store_pool_connections_acquired": float64(st.AcquiredConns()),
		"accountplane_store_pool_connections_idle":     float64(st.IdleConns()),
		"accountplane_store_pool_connections_max":      float64(st.MaxConns()),
		"accountplane_store_pool_acquires_total":       float64(st.AcquireCount()),
		"accountplane_store_pool_acquire_wait_seconds": st.AcquireDuration().Seconds(),
		"accountplane_store_retries_total":             float64(db.retries.Load()),
		"accountplane_store_conflicts_total":           float64(db.conflicts.Load()),
	}
}
