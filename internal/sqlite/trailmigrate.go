package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// dataMigrations are the steps of a migration that SQL cannot take: each
// runs in the migration's transaction, after its script.
var dataMigrations = map[int]func(ctx context.Context, tx *sql.Tx, db *DB) error{
	17: convertTrail,
	22: countTrail,
}

// countTrail counts the records of the blocks into cloudtrail_count and
// creates the triggers that keep it (SQLite; migration 0022).
func countTrail(ctx context.Context, tx *sql.Tx, db *DB) error {
	if db.dialect == dialectPostgres {
		return nil
	}
	add := func(delta string) string {
		return `INSERT INTO cloudtrail_count (id, n) VALUES (1, ` + delta + `)
		ON CONFLICT (id) DO UPDATE SET n = n + excluded.n`
	}
	for _, q := range []string{
		add(`(SELECT COALESCE(SUM(records), 0) FROM cloudtrail_blocks)`),
		`CREATE TRIGGER cloudtrail_count_insert AFTER INSERT ON cloudtrail_blocks
		BEGIN ` + add(`NEW.records`) + `; END`,
		`CREATE TRIGGER cloudtrail_count_delete AFTER DELETE ON cloudtrail_blocks
		BEGIN ` + add(`-OLD.records`) + `; END`,
		`CREATE TRIGGER cloudtrail_count_update AFTER UPDATE OF records ON cloudtrail_blocks
		BEGIN ` + add(`NEW.records - OLD.records`) + `; END`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("count the trail: %w", err)
		}
	}
	return nil
}

// convertTrail moves the event history of the earlier layouts into blocks
// (migration 0017), in the order it was written, and drops their tables:
// cloudtrail_events (one JSON row per record, migrations 0004 and 0012)
// and cloudtrail_records with cloudtrail_resources (one compact row per
// record, migration 0016, which a store of this program's version 16
// holds). Records get new sequences: NextTokens of before the upgrade no
// longer point at them.
func convertTrail(ctx context.Context, q *sql.Tx, db *DB) error {
	t := &tx{tx: q, db: db, noPending: true}
	tables, err := t.tableNames(ctx)
	if err != nil {
		return err
	}
	sources := []struct {
		table string
		read  func(ctx context.Context, q *sql.Tx, after int64, limit int) ([]kernel.TrailEvent, error)
	}{{"cloudtrail_events", eventsRows}, {"cloudtrail_records", compactRows}}
	for _, src := range sources {
		if !slices.Contains(tables, src.table) {
			continue
		}
		for after := int64(0); ; {
			evs, err := src.read(ctx, q, after, blockRecords)
			if err != nil {
				return fmt.Errorf("read %s: %w", src.table, err)
			}
			if len(evs) > 0 {
				if err := t.putBlock(ctx, evs); err != nil {
					return err
				}
				after = evs[len(evs)-1].Seq
			}
			if len(evs) < blockRecords {
				break
			}
		}
	}
	for _, old := range []string{"cloudtrail_events", "cloudtrail_resources", "cloudtrail_records"} {
		if slices.Contains(tables, old) {
			if _, err := q.ExecContext(ctx, `DROP TABLE `+old); err != nil {
				return err
			}
		}
	}
	return nil
}

// eventsRows reads the rows of cloudtrail_events after seq after.
func eventsRows(ctx context.Context, q *sql.Tx, after int64, limit int) ([]kernel.TrailEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, event_id, account_id, event_time, event_name, event_source, username,
		access_key_id, read_only, resources, body FROM cloudtrail_events WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []kernel.TrailEvent
	for rows.Next() {
		var ev kernel.TrailEvent
		var acct, res, body string
		var nanos int64
		if err := rows.Scan(&ev.Seq, &ev.ID, &acct, &nanos, &ev.Name, &ev.Source, &ev.Username,
			&ev.AccessKeyID, &ev.ReadOnly, &res, &body); err != nil {
			return nil, err
		}
		ev.Account, ev.Time, ev.Record = identity.AccountID(acct), time.Unix(0, nanos).UTC(), []byte(body)
		var rs []struct{ Type, Name string }
		if err := json.Unmarshal([]byte(res), &rs); err != nil {
			return nil, fmt.Errorf("resources of %s: %w", ev.ID, err)
		}
		for _, r := range rs {
			ev.Resources = append(ev.Resources, kernel.TrailResource{Type: r.Type, Name: r.Name})
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// compactRows reads the rows of cloudtrail_records after seq after.
func compactRows(ctx context.Context, q *sql.Tx, after int64, limit int) ([]kernel.TrailEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, account_id, event_id, event_time, read_only, payload
		FROM cloudtrail_records WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []kernel.TrailEvent
	for rows.Next() {
		var ev kernel.TrailEvent
		var id, payload []byte
		var acct, sec int64
		if err := rows.Scan(&ev.Seq, &acct, &id, &sec, &ev.ReadOnly, &payload); err != nil {
			return nil, err
		}
		if err := rowEvent(acct, id, sec, payload, &ev); err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}
