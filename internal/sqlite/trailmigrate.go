package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// dataMigrations are the steps of a migration that SQL cannot take: each
// runs in the migration's transaction, after its script.
var dataMigrations = map[int]func(ctx context.Context, tx *sql.Tx, d dialect) error{
	16: convertTrailEvents,
}

// convertTrailEvents copies the rows of cloudtrail_events (migration 0004)
// into the compact cloudtrail_records, keeping their sequence numbers, and
// drops the old table. It reads a thousand rows at a time.
func convertTrailEvents(ctx context.Context, q *sql.Tx, d dialect) error {
	const batch = 1000
	after := int64(0)
	for {
		evs, err := oldTrailEvents(ctx, q, after, batch)
		if err != nil {
			return fmt.Errorf("read cloudtrail_events: %w", err)
		}
		for i := range evs {
			args, err := eventRow(&evs[i])
			if err != nil {
				return fmt.Errorf("encode event %s: %w", evs[i].ID, err)
			}
			_, err = q.ExecContext(ctx, `INSERT INTO cloudtrail_records
				(seq, event_id, account_id, event_time, read_only, name_h, user_h, source_h, key_h, payload)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append([]any{evs[i].Seq}, args...)...)
			if err != nil {
				return fmt.Errorf("copy event %s: %w", evs[i].ID, err)
			}
			if err := (&tx{tx: q}).putResources(ctx, &evs[i], evs[i].Seq); err != nil {
				return err
			}
			after = evs[i].Seq
		}
		if len(evs) < batch {
			break
		}
	}
	if d == dialectPostgres && after > 0 { // the identity continues after the copied rows
		if _, err := q.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('cloudtrail_records', 'seq'), ?)`, after); err != nil {
			return fmt.Errorf("advance the sequence: %w", err)
		}
	}
	_, err := q.ExecContext(ctx, `DROP TABLE cloudtrail_events`)
	return err
}

func oldTrailEvents(ctx context.Context, q *sql.Tx, after int64, limit int) ([]kernel.TrailEvent, error) {
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
