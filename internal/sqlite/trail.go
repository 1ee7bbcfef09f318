package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// The CloudTrail event history (tables cloudtrail_records and
// cloudtrail_resources, migration 0016; the encoding in trailcodec.go).
//
// A request's record is written by update, in the transaction of the
// request's first committed change (see writePending); records of calls
// that changed nothing are written by AppendEvent, in a transaction of
// their own.

const insertEvent = `INSERT INTO cloudtrail_records
	(event_id, account_id, event_time, read_only, name_h, user_h, source_h, key_h, payload)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// eventRow is an event's columns, in insertEvent's order.
func eventRow(ev *kernel.TrailEvent) ([]any, error) {
	payload, err := encodePayload(ev)
	if err != nil {
		return nil, err
	}
	acct := string(ev.Account)
	return []any{eventIDBytes(ev.ID), accountNumber(acct), ev.Time.Unix(), ev.ReadOnly,
		attrHash(acct, kernel.AttrEventName, ev.Name), attrHash(acct, kernel.AttrUsername, ev.Username),
		attrHash(acct, kernel.AttrEventSource, ev.Source), attrHash(acct, kernel.AttrAccessKeyID, ev.AccessKeyID),
		payload}, nil
}

// accountNumber is an account id in the account_id column: the number a
// 12-digit id spells; any other id a negative number of its own.
func accountNumber(id string) int64 {
	if n, err := strconv.ParseUint(id, 10, 40); err == nil && len(id) == 12 {
		return int64(n)
	}
	return -1 - attrHash(id, "", "")
}

// AppendTrailEvent implements kernel.TrailTx: ev is written in t.
func (t *tx) AppendTrailEvent(ctx context.Context, ev kernel.TrailEvent) error {
	args, err := eventRow(&ev)
	if err != nil {
		return fmt.Errorf("sqlite: put event %s: %w", ev.ID, err)
	}
	var seq int64
	if err := t.queryRow(ctx, insertEvent+` RETURNING seq`, args...).Scan(&seq); err != nil {
		return fmt.Errorf("sqlite: put event %s: %w", ev.ID, err)
	}
	return t.putResources(ctx, &ev, seq)
}

// putResources writes the resource postings of ev, stored as seq.
func (t *tx) putResources(ctx context.Context, ev *kernel.TrailEvent, seq int64) error {
	acct := string(ev.Account)
	seen := map[int64]bool{}
	for _, r := range ev.Resources {
		for _, h := range []int64{attrHash(acct, kernel.AttrResourceType, r.Type), attrHash(acct, kernel.AttrResourceName, r.Name)} {
			if seen[h] {
				continue
			}
			seen[h] = true
			if _, err := t.exec(ctx, "put event "+ev.ID, `INSERT INTO cloudtrail_resources (attr_h, event_time, seq) VALUES (?, ?, ?)`,
				h, ev.Time.Unix(), seq); err != nil {
				return err
			}
		}
	}
	return nil
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
	args, err := eventRow(&ev)
	if err != nil {
		return fmt.Errorf("sqlite: replace event %s: %w", ev.ID, err)
	}
	return db.write(context.WithoutCancel(ctx), func(t *tx) error {
		var seq int64
		err := t.queryRow(ctx, `UPDATE cloudtrail_records SET account_id = ?, event_time = ?, read_only = ?,
			name_h = ?, user_h = ?, source_h = ?, key_h = ?, payload = ? WHERE event_id = ? RETURNING seq`,
			append(args[1:], args[0])...).Scan(&seq)
		if err != nil {
			return rowErr(err, "replace event "+ev.ID)
		}
		if _, err := t.exec(ctx, "replace event "+ev.ID, `DELETE FROM cloudtrail_resources WHERE seq = ?`, seq); err != nil {
			return err
		}
		return t.putResources(ctx, &ev, seq)
	})
}

// TrimEvents deletes the oldest events so that at most max remain (by
// sequence: the rows below the newest sequence minus max, one range of the
// primary key, however many there are) and returns how many it deleted.
func (db *DB) TrimEvents(ctx context.Context, max int64) (int64, error) {
	var n int64
	err := db.write(ctx, func(t *tx) error {
		var last int64
		if err := t.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM cloudtrail_records`).Scan(&last); err != nil {
			return fmt.Errorf("sqlite: trim events: %w", err)
		}
		if _, err := t.exec(ctx, "trim events", `DELETE FROM cloudtrail_resources WHERE seq <= ?`, last-max); err != nil {
			return err
		}
		res, err := t.exec(ctx, "trim events", `DELETE FROM cloudtrail_records WHERE seq <= ?`, last-max)
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
	cut := ceilSeconds(before)
	err := db.write(ctx, func(t *tx) error {
		const old = `FROM cloudtrail_records WHERE account_id IN (SELECT CAST(id AS BIGINT) FROM accounts) AND event_time < ?`
		if _, err := t.exec(ctx, "purge events", `DELETE FROM cloudtrail_resources WHERE seq IN (SELECT seq `+old+`)`, cut); err != nil {
			return err
		}
		res, err := t.exec(ctx, "purge events", `DELETE `+old, cut)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// ceilSeconds is t in unix seconds, rounded up: a record's whole-second
// time is at or after t exactly when it is at or after ceilSeconds(t).
func ceilSeconds(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// lookupColumns are the hashed attributes' columns.
var lookupColumns = map[kernel.TrailAttributeKey]string{
	kernel.AttrEventName:   "name_h",
	kernel.AttrUsername:    "user_h",
	kernel.AttrEventSource: "source_h",
	kernel.AttrAccessKeyID: "key_h",
}

// LookupEvents returns the events of q.Account that q selects, newest
// first (by event time, then by the order they were written). The
// ReadOnly attribute's value is "true" or "false". Each attribute reads
// one index range; the hashes narrow the rows down and the event's own
// facts decide.
func (db *DB) LookupEvents(ctx context.Context, q kernel.TrailQuery) ([]kernel.TrailEvent, error) {
	const columns = `r.seq, r.account_id, r.event_id, r.event_time, r.read_only, r.payload`
	acct := string(q.Account)
	from, order := ` FROM cloudtrail_records r WHERE r.account_id = ?`, ` ORDER BY r.event_time DESC, r.seq DESC`
	args := []any{accountNumber(acct)}
	switch q.Key {
	case "":
	case kernel.AttrEventID:
		from += ` AND r.event_id = ?`
		args = append(args, eventIDBytes(q.Value))
	case kernel.AttrReadOnly:
		from += ` AND r.read_only = ?`
		args = append(args, q.Value == "true")
	case kernel.AttrResourceType, kernel.AttrResourceName:
		from = ` FROM cloudtrail_resources p JOIN cloudtrail_records r ON r.seq = p.seq WHERE p.attr_h = ? AND r.account_id = ?`
		order = ` ORDER BY p.event_time DESC, p.seq DESC`
		args = []any{attrHash(acct, q.Key, q.Value), accountNumber(acct)}
	default:
		col, ok := lookupColumns[q.Key]
		if !ok {
			return nil, fmt.Errorf("sqlite: lookup events: unknown attribute %q", q.Key)
		}
		from = ` FROM cloudtrail_records r WHERE r.` + col + ` = ? AND r.account_id = ?`
		args = []any{attrHash(acct, q.Key, q.Value), accountNumber(acct)}
	}
	timeCol := "r.event_time"
	if strings.HasPrefix(from, " FROM cloudtrail_resources") {
		timeCol = "p.event_time"
	}
	if !q.Start.IsZero() {
		from += ` AND ` + timeCol + ` >= ?`
		args = append(args, ceilSeconds(q.Start))
	}
	if !q.End.IsZero() {
		from += ` AND ` + timeCol + ` <= ?`
		args = append(args, q.End.Unix())
	}
	if q.After > 0 {
		from += ` AND (` + timeCol + `, r.seq) < (SELECT event_time, seq FROM cloudtrail_records WHERE seq = ?)`
		args = append(args, q.After)
	}
	query := `SELECT ` + columns + from + order
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	var rows []kernel.TrailEvent
	err := db.view(ctx, func(t *tx) error {
		var err error
		rows, err = queryList(ctx, t, "lookup events", scanEvent, query, args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, ev := range rows {
		ev.Account = q.Account
		if q.Key == "" || matches(&ev, q.Key, q.Value) {
			out = append(out, ev)
		}
	}
	return out, nil
}

// matches reports whether ev's value of attribute key is value (the
// hashes of two values may meet).
func matches(ev *kernel.TrailEvent, key kernel.TrailAttributeKey, value string) bool {
	switch key {
	case kernel.AttrEventName:
		return ev.Name == value
	case kernel.AttrUsername:
		return ev.Username == value
	case kernel.AttrEventSource:
		return ev.Source == value
	case kernel.AttrAccessKeyID:
		return ev.AccessKeyID == value
	case kernel.AttrResourceType, kernel.AttrResourceName:
		for _, r := range ev.Resources {
			if (key == kernel.AttrResourceType && r.Type == value) || (key == kernel.AttrResourceName && r.Name == value) {
				return true
			}
		}
		return false
	}
	return true // EventId and ReadOnly are compared exactly by the query
}

func scanEvent(s scanner, ev *kernel.TrailEvent) error {
	var id, payload []byte
	var acct, sec int64
	if err := s.Scan(&ev.Seq, &acct, &id, &sec, &ev.ReadOnly, &payload); err != nil {
		return err
	}
	return rowEvent(acct, id, sec, payload, ev)
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
