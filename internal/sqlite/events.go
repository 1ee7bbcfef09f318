package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/kernel"
)

// The EventBridge bus tables (migration 0005): bus_events,
// region_transitions, event_targets, event_deliveries.

var (
	_ kernel.BusTx = (*tx)(nil)
)

// Events returns the database as the event bus's store (same
// transactions as every other view of the DB).
func (db *DB) Events() kernel.Store[kernel.BusTx] {
	return storeOf(db, func(t *tx) kernel.BusTx { return t })
}

// reservedBusInsert appends an event at the seq BusReserve gave it.
const reservedBusInsert = `INSERT INTO bus_events
	(seq, id, event_time, account_id, source, detail_type, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

// BusAppend implements kernel.BusTx.
func (t *tx) BusAppend(ctx context.Context, r *kernel.BusRecord) error {
	if r == nil {
		return errNil("append event")
	}
	if t.readOnly {
		return fmt.Errorf("sqlite: append event %s: %w", r.ID, errReadOnly)
	}
	var err error
	if r.Seq != 0 { // reserved: BusReserve
		return t.execDeferred(ctx, "append event "+r.ID, reservedBusInsert,
			r.Seq, r.ID, nanos(r.Time), r.Account, r.Source, r.DetailType, string(r.Body), nanos(r.Created))
	}
	const insert = `INSERT INTO bus_events
		(id, event_time, account_id, source, detail_type, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	args := []any{r.ID, nanos(r.Time), r.Account, r.Source, r.DetailType, string(r.Body), nanos(r.Created)}
	if t.dialect() == dialectPostgres {
		err = t.queryRow(ctx, insert+` RETURNING seq`, args...).Scan(&r.Seq)
	} else {
		// SQLite: the row id of an exec (seq is the rowid), cheaper than a
		// query's RETURNING (every write appends an event).
		var res sql.Result
		if res, err = t.exec(ctx, "append event "+r.ID, insert, args...); err != nil {
			return err
		}
		r.Seq, err = res.LastInsertId()
	}
	if err != nil {
		return fmt.Errorf("sqlite: append event %s: %w", r.ID, err)
	}
	return nil
}

const busEventColumns = `seq, id, event_time, account_id, source, detail_type, body, created_at`

func scanBusEvent(s scanner, r *kernel.BusRecord) error {
	var body string
	if err := s.Scan(&r.Seq, &r.ID, scanTime{&r.Time}, &r.Account, &r.Source, &r.DetailType, &body, scanTime{&r.Created}); err != nil {
		return err
	}
	r.Body = []byte(body)
	return nil
}

// BusEvents implements kernel.BusTx.
func (t *tx) BusEvents(ctx context.Context, after int64, notBefore time.Time, limit int) ([]kernel.BusRecord, error) {
	if notBefore.IsZero() {
		return queryList(ctx, t, "list events", scanBusEvent,
			`SELECT `+busEventColumns+` FROM bus_events WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	}
	return queryList(ctx, t, "list events", scanBusEvent,
		`SELECT `+busEventColumns+` FROM bus_events WHERE seq > ? AND event_time >= ? ORDER BY seq LIMIT ?`,
		after, nanos(notBefore), limit)
}

// BusLastSeq implements kernel.BusTx: the highest seq ever given, deleted rows
// included (the dialect's sequence), so that a reset does not move it back.
func (t *tx) BusLastSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := t.queryRow(ctx, t.dialect().lastBusSeq()).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("sqlite: last event seq: %w", err)
	}
	return seq, nil
}

// BusReserve implements kernel.BusTx: the next value of the seq column's
// sequence (SQLite's AUTOINCREMENT counter: one writer, so the next insert
// gets it; PostgreSQL's identity sequence, taken now), and the id the
// store derives from it (eventids.go, in a domain of its own). On SQLite a
// transaction reads the counter once and counts on from it (busNext): the
// Updates of a group commit share one transaction, and one that rolls
// back to its savepoint leaves a gap, so that no later reservation in the
// transaction gives its seq again (an append with no reserved seq may
// take it: that event never existed). Any other write of bus_events in the
// transaction (see note) makes the next reservation read the counter again.
func (t *tx) BusReserve(ctx context.Context) (int64, string, error) {
	if t.readOnly {
		return 0, "", fmt.Errorf("sqlite: reserve event: %w", errReadOnly)
	}
	ids := t.db.idsOrNil()
	if ids == nil {
		return 0, "", errors.New("sqlite: reserve event: the store has no id key")
	}
	if t.busNext != 0 { // SQLite: this transaction reserved one already
		seq := t.busNext
		t.busNext++
		return seq, ids.bus.id(seq), nil
	}
	q := `SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'bus_events'), 0) + 1`
	if t.dialect() == dialectPostgres {
		q = `SELECT nextval(pg_get_serial_sequence('bus_events', 'seq'))`
	}
	var seq int64
	if err := t.queryRow(ctx, q).Scan(&seq); err != nil {
		return 0, "", fmt.Errorf("sqlite: reserve event: %w", err)
	}
	if t.dialect() != dialectPostgres {
		t.busNext = seq + 1
	}
	return seq, ids.bus.id(seq), nil
}

// BusEventSeq implements kernel.BusTx: an id BusReserve gave names its
// seq; any other (events appended with ids of their own, and those of
// stores from before 0020) is looked for in every row.
func (t *tx) BusEventSeq(ctx context.Context, id string) (int64, error) {
	if seq, ok := t.db.idsOrNil().busSeqOf(id); ok {
		var stored string
		if err := t.queryRow(ctx, `SELECT id FROM bus_events WHERE seq = ?`, seq).Scan(&stored); err != nil {
			return 0, rowErr(err, "event "+id)
		}
		if stored == id {
			return seq, nil
		}
	}
	var seq int64
	if err := t.queryRow(ctx, `SELECT seq FROM bus_events WHERE id = ?`, id).Scan(&seq); err != nil {
		return 0, rowErr(err, "event "+id)
	}
	return seq, nil
}

// BusTargets implements kernel.BusTx.
// The list comes from memory while event_targets has had no commit
// (rowcache.go; on PostgreSQL, in a write, pgTableCache): every write's
// event is matched against it.
func (t *tx) BusTargets(ctx context.Context) ([]kernel.BusTarget, error) {
	const q = `SELECT id, url, pattern FROM event_targets WHERE active = 1 ORDER BY id`
	load := func() ([]kernel.BusTarget, error) {
		return queryList(ctx, t, "list event targets", func(s scanner, e *kernel.BusTarget) error {
			return s.Scan(&e.ID, &e.URL, &e.Pattern)
		}, q)
	}
	if t.dialect() == dialectPostgres && !t.readOnly {
		return t.db.pgTargets.get(ctx, t, "event_targets", load)
	}
	return cachedList(ctx, t, q, "", load)
}

// BusSetTargets implements kernel.BusTx.
func (t *tx) BusSetTargets(ctx context.Context, ts []kernel.BusTarget, now time.Time) error {
	if _, err := t.exec(ctx, "deactivate event targets", `UPDATE event_targets SET active = 0`); err != nil {
		return err
	}
	for _, e := range ts {
		_, err := t.exec(ctx, "put event target "+e.URL, `INSERT INTO event_targets (id, url, pattern, active, created_at)
			VALUES (?, ?, ?, 1, ?) ON CONFLICT (id) DO UPDATE SET active = 1`, e.ID, e.URL, e.Pattern, nanos(now))
		if err != nil {
			return err
		}
	}
	return nil
}

// BusAddDelivery implements kernel.BusTx.
func (t *tx) BusAddDelivery(ctx context.Context, targetID string, seq int64, now time.Time) error {
	_, err := t.exec(ctx, fmt.Sprintf("queue event %d for %s", seq, targetID), `INSERT INTO event_deliveries
		(target_id, seq, created_at, attempts, next_attempt_at, last_error) VALUES (?, ?, ?, 0, NULL, '')
		ON CONFLICT (target_id, seq) DO NOTHING`, targetID, seq, nanos(now))
	return err
}

// deliveryColumns are the columns scanDelivery reads, from
// event_deliveries d joined with bus_events e.
const deliveryColumns = `d.target_id, d.seq, d.attempts, d.next_attempt_at, d.created_at, d.first_attempt_at,
	d.dead_at, d.last_error, d.claimed_by, d.claimed_until, e.seq, e.id, e.event_time, e.account_id, e.source, e.detail_type, e.body, e.created_at`

func scanDelivery(s scanner, d *kernel.BusDelivery, more ...any) error {
	var body string
	r := &d.Event
	dest := append([]any{&d.TargetID, &d.Seq, &d.Attempts, scanTime{&d.NextAttempt}, scanTime{&d.Created},
		scanTime{&d.FirstAttempt}, scanTime{&d.Dead}, &d.LastError, &d.ClaimedBy, scanTime{&d.ClaimedUntil},
		&r.Seq, &r.ID, scanTime{&r.Time}, &r.Account, &r.Source, &r.DetailType, &body, scanTime{&r.Created}}, more...)
	if err := s.Scan(dest...); err != nil {
		return err
	}
	r.Body = []byte(body)
	return nil
}

// BusNextDelivery implements kernel.BusTx.
func (t *tx) BusNextDelivery(ctx context.Context, targetID string) (*kernel.BusDelivery, error) {
	var d kernel.BusDelivery
	err := scanDelivery(t.queryRow(ctx, `SELECT `+deliveryColumns+`
		FROM event_deliveries d JOIN bus_events e ON e.seq = d.seq
		WHERE d.target_id = ? AND d.dead_at IS NULL ORDER BY d.seq LIMIT 1`, targetID), &d)
	if err != nil {
		return nil, rowErr(err, "next delivery for "+targetID)
	}
	return &d, nil
}

// BusClaimDelivery implements kernel.BusTx.
func (t *tx) BusClaimDelivery(ctx context.Context, targetID string, seq int64, owner string, now, until time.Time) (bool, error) {
	res, err := t.exec(ctx, fmt.Sprintf("claim delivery of event %d to %s", seq, targetID),
		`UPDATE event_deliveries SET claimed_by = ?, claimed_until = ?
		WHERE target_id = ? AND seq = ? AND dead_at IS NULL
			AND (claimed_until IS NULL OR claimed_until <= ? OR claimed_by = ?)`,
		owner, nanos(until), targetID, seq, nanos(now), owner)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// BusDelivered implements kernel.BusTx.
func (t *tx) BusDelivered(ctx context.Context, targetID string, seq int64) error {
	_, err := t.exec(ctx, fmt.Sprintf("delivered event %d to %s", seq, targetID),
		`DELETE FROM event_deliveries WHERE target_id = ? AND seq = ?`, targetID, seq)
	return err
}

// BusDeliveryFailed implements kernel.BusTx.
func (t *tx) BusDeliveryFailed(ctx context.Context, targetID string, seq int64, f kernel.DeliveryFailure) error {
	_, err := t.exec(ctx, fmt.Sprintf("failed delivery of event %d to %s", seq, targetID),
		`UPDATE event_deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
			first_attempt_at = COALESCE(first_attempt_at, ?), dead_at = ?, claimed_by = '', claimed_until = NULL
		WHERE target_id = ? AND seq = ?`, nanos(f.Next), f.Err, nanos(f.At), nanos(f.Dead), targetID, seq)
	return err
}

// BusDeadDeliveries implements kernel.BusTx.
func (t *tx) BusDeadDeliveries(ctx context.Context, limit int) ([]kernel.BusDelivery, error) {
	return queryList(ctx, t, "list dead deliveries", func(s scanner, d *kernel.BusDelivery) error {
		return scanDelivery(s, d, &d.TargetURL)
	}, `SELECT `+deliveryColumns+`, g.url
		FROM event_deliveries d JOIN bus_events e ON e.seq = d.seq JOIN event_targets g ON g.id = d.target_id
		WHERE d.dead_at IS NOT NULL ORDER BY d.seq, d.target_id LIMIT ?`, limit)
}

// BusRetryDelivery implements kernel.BusTx.
func (t *tx) BusRetryDelivery(ctx context.Context, targetID string, seq int64) error {
	what := fmt.Sprintf("retry delivery of event %d to %s", seq, targetID)
	res, err := t.exec(ctx, what, `UPDATE event_deliveries
		SET attempts = 0, next_attempt_at = NULL, first_attempt_at = NULL, dead_at = NULL
		WHERE target_id = ? AND seq = ? AND dead_at IS NOT NULL`, targetID, seq)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s: no such dead delivery: %w", what, account.ErrNotFound)
	}
	return nil
}

// BusTrim implements kernel.BusTx.
func (t *tx) BusTrim(ctx context.Context, keep int64, limit int) (int64, error) {
	res, err := t.exec(ctx, "trim events", `DELETE FROM bus_events WHERE seq IN (
		SELECT e.seq FROM bus_events e WHERE e.seq <= (SELECT COALESCE(MAX(seq), 0) FROM bus_events) - ?
			AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.seq = e.seq)
		ORDER BY e.seq LIMIT ?)`, keep, limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: trim events: %w", err)
	}
	return n, nil
}

// BusOutboxStats implements kernel.BusTx.
func (t *tx) BusOutboxStats(ctx context.Context) (kernel.OutboxStats, error) {
	var st kernel.OutboxStats
	var oldest sql.NullInt64
	err := t.queryRow(ctx, `SELECT COUNT(*), MIN(d.created_at) FROM event_deliveries d
		JOIN event_targets g ON g.id = d.target_id WHERE g.active = 1 AND d.dead_at IS NULL`).Scan(&st.Pending, &oldest)
	if err != nil {
		return st, fmt.Errorf("sqlite: pending deliveries: %w", err)
	}
	if oldest.Valid {
		st.Oldest = time.Unix(0, oldest.Int64).UTC()
	}
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM event_deliveries WHERE dead_at IS NOT NULL`).Scan(&st.Dead); err != nil {
		return st, fmt.Errorf("sqlite: dead deliveries: %w", err)
	}
	return st, nil
}

// AddRegionTransition implements kernel.BusTx.
func (t *tx) AddRegionTransition(ctx context.Context, tr *kernel.RegionTransition) error {
	if tr == nil {
		return errNil("add region transition")
	}
	what := fmt.Sprintf("add region transition %s %s", tr.Account, tr.Region)
	if t.readOnly {
		return fmt.Errorf("sqlite: %s: %w", what, errReadOnly)
	}
	err := t.queryRow(ctx, `INSERT INTO region_transitions
		(account_id, region, caller, target, requested_at, due_at, completed) VALUES (?, ?, ?, ?, ?, ?, 0) RETURNING id`,
		tr.Account, tr.Region, tr.Caller, string(tr.Target), nanos(tr.RequestedAt), nanos(tr.DueAt)).Scan(&tr.ID)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return nil
}

// DueRegionTransitions implements kernel.BusTx.
func (t *tx) DueRegionTransitions(ctx context.Context, now time.Time, limit int) ([]kernel.RegionTransition, error) {
	return queryList(ctx, t, "due region transitions", func(s scanner, tr *kernel.RegionTransition) error {
		var target string
		err := s.Scan(&tr.ID, &tr.Account, &tr.Region, &tr.Caller, &target, scanTime{&tr.RequestedAt}, scanTime{&tr.DueAt})
		tr.Target = account.RegionStatus(target)
		return err
	}, `SELECT id, account_id, region, caller, target, requested_at, due_at FROM region_transitions
		WHERE completed = 0 AND due_at <= ? ORDER BY due_at, id LIMIT ?`, nanos(now), limit)
}

// CompleteRegionTransition implements kernel.BusTx.
func (t *tx) CompleteRegionTransition(ctx context.Context, id int64) (bool, error) {
	what := fmt.Sprintf("complete region transition %d", id)
	res, err := t.exec(ctx, what, `UPDATE region_transitions SET completed = 1 WHERE id = ? AND completed = 0`, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return n == 1, nil
}

// PendingRegionTransitions implements kernel.BusTx.
func (t *tx) PendingRegionTransitions(ctx context.Context) (int, error) {
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM region_transitions WHERE completed = 0`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count pending region transitions: %w", err)
	}
	return n, nil
}
