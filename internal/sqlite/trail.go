package sqlite

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// The CloudTrail event history (table cloudtrail_events, migration 0004).
//
// A request's record is written by update, in the transaction of the
// request's first committed change (see writePending); records of calls
// that changed nothing are written by AppendEvent, in a transaction of
// their own.

// resourceJSON is a kernel.TrailResource in the resources column.
type resourceJSON struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

const insertEvent = `INSERT INTO cloudtrail_events
	(event_id, account_id, event_time, event_name, event_source, username, access_key_id, read_only, resources, body)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// AppendTrailEvent implements kernel.TrailTx: ev is written in t.
func (t *tx) AppendTrailEvent(ctx context.Context, ev kernel.TrailEvent) error {
	res := make([]resourceJSON, len(ev.Resources))
	for i, r := range ev.Resources {
		res[i] = resourceJSON(r)
	}
	rb, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("sqlite: put event %s: %w", ev.ID, err)
	}
	_, err = t.exec(ctx, "put event "+ev.ID, insertEvent,
		ev.ID, string(ev.Account), nanos(ev.Time), ev.Name, ev.Source, ev.Username, ev.AccessKeyID,
		ev.ReadOnly, string(rb), string(ev.Record))
	return err
}

// AppendEvent writes ev in a transaction of its own, shared with the events
// other requests append at the same time (group commit: while one batch
// commits, the next gathers). The transaction does not wait for the disk
// (see relaxedUpdate): ev records a call that changed nothing. It returns
// once ev is committed.
func (db *DB) AppendEvent(ctx context.Context, ev kernel.TrailEvent) error {
	ctx = context.WithoutCancel(ctx)
	w := &recordWrite{ev: ev, done: make(chan error, 1)}
	b := &db.trailBatch
	b.mu.Lock()
	b.queue = append(b.queue, w)
	if b.flushing { // the flushing request commits w with its next batch
		b.mu.Unlock()
		return <-w.done
	}
	b.flushing = true
	for {
		batch := b.queue
		b.queue = nil
		b.mu.Unlock()
		db.appendBatch(ctx, batch)
		b.mu.Lock()
		if len(b.queue) == 0 {
			b.flushing = false
			b.mu.Unlock()
			return <-w.done
		}
	}
}

// recordBatch gathers the events AppendEvent writes together.
type recordBatch struct {
	mu       sync.Mutex
	queue    []*recordWrite
	flushing bool
}

type recordWrite struct {
	ev   kernel.TrailEvent
	done chan error
}

// appendBatch writes a batch in one transaction; if that fails, each event
// on its own, so that one bad event fails alone.
func (db *DB) appendBatch(ctx context.Context, batch []*recordWrite) {
	err := db.relaxedUpdate(ctx, func(t *tx) error {
		for _, w := range batch {
			if err := t.AppendTrailEvent(ctx, w.ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(batch) == 1 {
		for _, w := range batch {
			w.done <- err
		}
		return
	}
	for _, w := range batch {
		w.done <- db.relaxedUpdate(ctx, func(t *tx) error { return t.AppendTrailEvent(ctx, w.ev) })
	}
}

// relaxedUpdate is update for writes that need not survive a power
// failure (the records of reads): it commits with synchronous=NORMAL, so
// that the commit appends to the WAL without waiting for the disk, then
// restores FULL. The next durable commit syncs these writes too. A writer
// connection that cannot be restored to FULL is discarded.
func (db *DB) relaxedUpdate(ctx context.Context, fn func(*tx) error) error {
	if db.dialect == dialectPostgres {
		// The same bargain: the commit does not wait for the WAL flush.
		return db.write(ctx, func(t *tx) error {
			if _, err := t.exec(ctx, "relax", "SET LOCAL synchronous_commit = off"); err != nil {
				return err
			}
			return fn(t)
		})
	}
	if db.reader == db.writer { // ":memory:": nothing to sync
		return db.write(ctx, fn)
	}
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
		return fmt.Errorf("sqlite: relax: %w", err)
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = FULL"); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(&tx{tx: sqlTx, stmts: &db.writeStmts, pool: db.writer, db: db}); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// ReplaceEvent replaces the stored event with ev's id by ev (its sequence
// is kept). It returns an error wrapping kernel.ErrNotFound if there is
// none.
func (db *DB) ReplaceEvent(ctx context.Context, ev kernel.TrailEvent) error {
	res := make([]resourceJSON, len(ev.Resources))
	for i, r := range ev.Resources {
		res[i] = resourceJSON(r)
	}
	rb, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("sqlite: replace event %s: %w", ev.ID, err)
	}
	return db.write(context.WithoutCancel(ctx), func(t *tx) error {
		res, err := t.exec(ctx, "replace event "+ev.ID, `UPDATE cloudtrail_events SET account_id = ?, event_time = ?,
			event_name = ?, event_source = ?, username = ?, access_key_id = ?, read_only = ?, resources = ?, body = ?
			WHERE event_id = ?`,
			string(ev.Account), nanos(ev.Time), ev.Name, ev.Source, ev.Username, ev.AccessKeyID, ev.ReadOnly,
			string(rb), string(ev.Record), ev.ID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = kernel.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("sqlite: replace event %s: %w", ev.ID, err)
		}
		return nil
	})
}

// TrimEvents deletes the oldest events so that at most max remain (by
// sequence: the rows below the newest sequence minus max, one range of the
// primary key, however many there are) and returns how many it deleted.
func (db *DB) TrimEvents(ctx context.Context, max int64) (int64, error) {
	var n int64
	err := db.write(ctx, func(t *tx) error {
		res, err := t.exec(ctx, "trim events", `DELETE FROM cloudtrail_events
			WHERE seq <= (SELECT COALESCE(MAX(seq), 0) FROM cloudtrail_events) - ?`, max)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// PurgeEvents deletes the events older than before and returns how many.
// It walks the lookup index account by account (records belong to existing
// accounts: callers' and the targets they were allowed to act on).
func (db *DB) PurgeEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(t *tx) error {
		res, err := t.exec(ctx, "purge events", `DELETE FROM cloudtrail_events
			WHERE account_id IN (SELECT id FROM accounts) AND event_time < ?`, nanos(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// lookupFilters are the SQL conditions of the lookup attributes.
var lookupFilters = map[kernel.TrailAttributeKey]string{
	kernel.AttrEventID:     `event_id = ?`,
	kernel.AttrEventName:   `event_name = ?`,
	kernel.AttrReadOnly:    `read_only = ?`,
	kernel.AttrUsername:    `username = ?`,
	kernel.AttrEventSource: `event_source = ?`,
	kernel.AttrAccessKeyID: `access_key_id = ?`,
}

// LookupEvents returns the events of q.Account that q selects, newest
// first (by event time, then by the order they were written). The
// ReadOnly attribute's value is "true" or "false".
func (db *DB) LookupEvents(ctx context.Context, q kernel.TrailQuery) ([]kernel.TrailEvent, error) {
	query := `SELECT seq, event_id, account_id, event_time, event_name, event_source, username, access_key_id, read_only, resources, body
		FROM cloudtrail_events WHERE account_id = ?`
	args := []any{string(q.Account)}
	if !q.Start.IsZero() {
		query += ` AND event_time >= ?`
		args = append(args, nanos(q.Start))
	}
	if !q.End.IsZero() {
		query += ` AND event_time <= ?`
		args = append(args, nanos(q.End))
	}
	if q.Key != "" {
		cond, ok := lookupFilters[q.Key]
		switch q.Key {
		case kernel.AttrResourceType:
			cond, ok = db.dialect.resourceFilter("type"), true
		case kernel.AttrResourceName:
			cond, ok = db.dialect.resourceFilter("name"), true
		}
		if !ok {
			return nil, fmt.Errorf("sqlite: lookup events: unknown attribute %q", q.Key)
		}
		query += ` AND ` + cond
		var v any = q.Value
		if q.Key == kernel.AttrReadOnly {
			v = q.Value == "true"
		}
		args = append(args, v)
	}
	if q.After > 0 {
		query += ` AND (event_time, seq) < (SELECT event_time, seq FROM cloudtrail_events WHERE seq = ?)`
		args = append(args, q.After)
	}
	query += ` ORDER BY event_time DESC, seq DESC`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	var out []kernel.TrailEvent
	err := db.view(ctx, func(t *tx) error {
		var err error
		out, err = queryList(ctx, t, "lookup events", scanEvent, query, args...)
		return err
	})
	return out, err
}

func scanEvent(s scanner, ev *kernel.TrailEvent) error {
	var acct, res, body string
	if err := s.Scan(&ev.Seq, &ev.ID, &acct, scanTime{&ev.Time}, &ev.Name, &ev.Source, &ev.Username,
		&ev.AccessKeyID, &ev.ReadOnly, &res, &body); err != nil {
		return err
	}
	ev.Account = identity.AccountID(acct)
	ev.Record = []byte(body)
	var rs []resourceJSON
	if err := json.Unmarshal([]byte(res), &rs); err != nil {
		return fmt.Errorf("resources of %s: %w", ev.ID, err)
	}
	ev.Resources = make([]kernel.TrailResource, len(rs))
	for i, r := range rs {
		ev.Resources[i] = kernel.TrailResource(r)
	}
	if len(rs) == 0 {
		ev.Resources = nil
	}
	return nil
}

// AppendEvents writes events in order in one transaction (one at a time if
// the batch fails, so that one bad event fails alone). It returns the first
// error.
func (db *DB) AppendEvents(ctx context.Context, evs []kernel.TrailEvent) error {
	batch := make([]*recordWrite, len(evs))
	for i, ev := range evs {
		batch[i] = &recordWrite{ev: ev, done: make(chan error, 1)}
	}
	db.appendBatch(context.WithoutCancel(ctx), batch)
	var first error
	for _, w := range batch {
		if err := <-w.done; err != nil && first == nil {
			first = err
		}
	}
	return first
}
