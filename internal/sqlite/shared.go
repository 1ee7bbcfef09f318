package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// What replicas share besides the domains' records: request-rate buckets
// and fault rules (tables of migration 0010).

// UpdateQuotaBucket changes the theoretical arrival time of a request-rate
// bucket in one transaction: step gets the stored value (known false:
// none) and returns the value to store. Replicas' updates of one bucket
// are serialized by the transaction.
func (db *DB) UpdateQuotaBucket(key string, step func(tat int64, known bool) int64) error {
	err := db.write(context.Background(), func(t *tx) error {
		var tat int64
		err := t.queryRow(context.Background(), `SELECT tat FROM quota_buckets WHERE bucket = ?`, key).Scan(&tat)
		known := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		next := step(tat, known)
		if known && next == tat {
			return nil
		}
		_, err = t.exec(context.Background(), "update quota bucket", `INSERT INTO quota_buckets (bucket, tat) VALUES (?, ?)
			ON CONFLICT (bucket) DO UPDATE SET tat = excluded.tat`, key, next)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: quota bucket %s: %w", key, err)
	}
	return nil
}

// FaultRow is a stored fault rule.
type FaultRow struct {
	ID        string
	Rule      []byte // JSON
	Remaining int    // -1: unlimited
	Injected  int
}

// Faults lists the fault rules, oldest first.
func (db *DB) Faults(ctx context.Context) ([]FaultRow, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT id, rule, remaining, injected FROM fault_rules ORDER BY created, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: faults: %w", unavailable(err))
	}
	defer rows.Close()
	var out []FaultRow
	for rows.Next() {
		var f FaultRow
		var rule string
		if err := rows.Scan(&f.ID, &rule, &f.Remaining, &f.Injected); err != nil {
			return nil, err
		}
		f.Rule = []byte(rule)
		out = append(out, f)
	}
	return out, rows.Err()
}

// PutFault adds a fault rule.
func (db *DB) PutFault(ctx context.Context, f FaultRow) error {
	return db.write(ctx, func(t *tx) error {
		_, err := t.exec(ctx, "put fault "+f.ID, `INSERT INTO fault_rules (id, rule, remaining, injected, created) VALUES (?, ?, ?, ?, ?)`,
			f.ID, string(f.Rule), f.Remaining, f.Injected, db.now().UnixNano())
		return err
	})
}

// DeleteFaults deletes the rule id ("" : every rule) and returns how many
// it deleted.
func (db *DB) DeleteFaults(ctx context.Context, id string) (int, error) {
	var n int64
	err := db.write(ctx, func(t *tx) error {
		q, args := `DELETE FROM fault_rules`, []any{}
		if id != "" {
			q, args = q+` WHERE id = ?`, append(args, id)
		}
		res, err := t.exec(ctx, "delete faults", q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// HitFault counts a hit of rule id and, for a counted rule, takes one of
// its remaining calls (the last one deletes it). ok is false when the rule
// is gone or has none left: another replica used it.
func (db *DB) HitFault(ctx context.Context, id string) (ok bool, err error) {
	err = db.write(ctx, func(t *tx) error {
		var remaining int
		err := t.queryRow(ctx, `SELECT remaining FROM fault_rules WHERE id = ?`, id).Scan(&remaining)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		switch {
		case remaining == 1:
			_, err = t.exec(ctx, "use fault", `DELETE FROM fault_rules WHERE id = ?`, id)
		case remaining > 1:
			_, err = t.exec(ctx, "use fault", `UPDATE fault_rules SET remaining = remaining - 1, injected = injected + 1 WHERE id = ?`, id)
		default:
			_, err = t.exec(ctx, "use fault", `UPDATE fault_rules SET injected = injected + 1 WHERE id = ?`, id)
		}
		ok = err == nil
		return err
	})
	return ok, err
}
