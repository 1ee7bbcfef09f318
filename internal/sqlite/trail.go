package sqlite

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// The CloudTrail event history (tables cloudtrail_blocks,
// cloudtrail_postings and cloudtrail_unindexed, migrations 0017, 0018 and
// 0021; the blocks in trailblock.go, their postings in trailsummary.go,
// the postings SQLite writes later in trailindex.go).
//
// A request's record is written by update, in the transaction of the
// request's first committed change (the unit of work's AppendTrailEvent),
// as a block of its own (on SQLite, pending: its postings come a moment
// later); records of calls that changed nothing are written
// by AppendEvents, in the batches the server's background writer gathers,
// in transactions of their own.

// AppendTrailEvent implements kernel.TrailTx: ev is written in t, as a
// block of its own, whose postings SQLite writes later (trailindex.go).
// (Gathering a group commit's records into one block was tried and
// undone: the server replaces the record of many writes after their
// answer — STS and IAM keep response elements — and rewriting a shared
// block for each made those writes twice as slow.)
func (t *tx) AppendTrailEvent(ctx context.Context, ev kernel.TrailEvent) error {
	if !t.mayHavePending() { // PostgreSQL: its postings with it
		return t.putBlock(ctx, []kernel.TrailEvent{ev})
	}
	if err := t.checkNewIDs(ctx, []kernel.TrailEvent{ev}); err != nil {
		return err
	}
	return t.putPendingBlock(ctx, ev)
}

// putBlock writes evs (at most blockCap) as a new block. An event id that
// is stored already, or twice in evs, is refused.
func (t *tx) putBlock(ctx context.Context, evs []kernel.TrailEvent) error {
	if err := t.checkNewIDs(ctx, evs); err != nil {
		return err
	}
	return t.putCheckedBlock(ctx, evs)
}

// putReadBlock writes the records of reads as a new block, with event ids
// the store makes from their sequences (eventids.go).
func (t *tx) putReadBlock(ctx context.Context, evs []kernel.TrailEvent) error {
	ids := t.db.idsOrNil()
	var given []kernel.TrailEvent // the events that keep their ids
	for _, ev := range evs {
		if ids == nil || !ev.StoreID {
			given = append(given, ev)
		}
	}
	if len(given) == len(evs) {
		return t.putBlock(ctx, evs)
	}
	if err := t.checkNewIDs(ctx, given); err != nil {
		return err
	}
	id, err := t.nextBlockID(ctx)
	if err != nil {
		return err
	}
	evs = ids.withStoreIDs(id, evs)
	payload, lo, hi, err := blockRow(evs)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, "put events", `INSERT INTO cloudtrail_blocks (id, min_time, max_time, records, payload) VALUES (?, ?, ?, ?, ?)`,
		id, lo, hi, len(evs), payload); err != nil {
		return err
	}
	return t.putPostings(ctx, id, evs, true)
}

// nextBlockID takes the id the next block gets (the sequence behind the
// column's AUTOINCREMENT or identity, which never gives an id twice).
func (t *tx) nextBlockID(ctx context.Context) (int64, error) {
	q := `SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'cloudtrail_blocks'), 0) + 1`
	if t.dialect() == dialectPostgres {
		q = `SELECT nextval(pg_get_serial_sequence('cloudtrail_blocks', 'id'))`
	}
	var id int64
	if err := t.queryRow(ctx, q).Scan(&id); err != nil {
		return 0, fmt.Errorf("sqlite: put events: block id: %w", err)
	}
	return id, nil
}

// putCheckedBlock is putBlock for events whose ids were checked.
func (t *tx) putCheckedBlock(ctx context.Context, evs []kernel.TrailEvent) error {
	evs = append([]kernel.TrailEvent(nil), evs...)
	for i := range evs {
		evs[i].Seq = int64(i) // the block's id is the database's to choose
	}
	payload, lo, hi, err := blockRow(evs)
	if err != nil {
		return err
	}
	if t.dialect() == dialectPostgres {
		return t.insertBlockWithPostings(ctx, lo, hi, payload, evs)
	}
	id, err := t.insertBlock(ctx, lo, hi, len(evs), payload)
	if err != nil {
		return fmt.Errorf("sqlite: put events: %w", err)
	}
	return t.putPostings(ctx, id, evs, false)
}

// insertBlockWithPostings is insertBlock and putPostings (without
// summaries) as one statement on PostgreSQL, whose INSERT ... RETURNING
// can feed another INSERT: a round trip less for every change's record.
func (t *tx) insertBlockWithPostings(ctx context.Context, lo, hi int64, payload []byte, evs []kernel.TrailEvent) error {
	postings := postingsOf(evs, t.db.idsOrNil(), false)
	args := make([]any, 0, 4+2*len(postings))
	args = append(args, lo, hi, len(evs), payload)
	rows := make([]string, 0, len(postings))
	for h, p := range postings {
		rows = append(rows, `(?::bigint, ?::bigint)`)
		args = append(args, h, p.maxTime)
	}
	q := `WITH block AS (INSERT INTO cloudtrail_blocks (min_time, max_time, records, payload) VALUES (?, ?, ?, ?) RETURNING id)
		INSERT INTO cloudtrail_postings (attr_h, max_time, block) SELECT p.h, p.t, block.id FROM block, (VALUES ` +
		strings.Join(rows, ", ") + `) AS p (h, t)`
	return t.execDeferred(ctx, "put events", q, args...)
}

// insertBlock inserts a block row and returns the id the database chose
// (SQLite: the row id of an exec, cheaper than a query's RETURNING).
func (t *tx) insertBlock(ctx context.Context, lo, hi int64, records int, payload []byte) (int64, error) {
	const insert = `INSERT INTO cloudtrail_blocks (min_time, max_time, records, payload) VALUES (?, ?, ?, ?)`
	var id int64
	if t.dialect() == dialectPostgres {
		err := t.queryRow(ctx, insert+` RETURNING id`, lo, hi, records, payload).Scan(&id)
		return id, err
	}
	res, err := t.exec(ctx, "put events", insert, lo, hi, records, payload)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// rewriteBlock replaces old, what block id holds, by evs (which keep
// their sequences); no events deletes the block.
func (t *tx) rewriteBlock(ctx context.Context, id int64, old, evs []kernel.TrailEvent) error {
	if len(evs) > 0 && samePostings(old, evs, t.db.idsOrNil()) {
		// A record replaced by one with the same lookup values (the
		// response elements STS and IAM add after their answer): the
		// block's postings stand as they are, in whichever form.
		payload, lo, hi, err := blockRow(evs)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, "rewrite events", `UPDATE cloudtrail_blocks SET min_time = ?, max_time = ?, records = ?, payload = ? WHERE id = ?`,
			lo, hi, len(evs), payload, id)
		return err
	}
	// A block pending (trailindex.go) has no postings yet; it gets them
	// now, so that it is no longer pending.
	var pending int64
	if t.mayHavePending() {
		res, err := t.exec(ctx, "rewrite events", `DELETE FROM cloudtrail_unindexed WHERE block = ?`, id)
		if err != nil {
			return err
		}
		if pending, err = res.RowsAffected(); err != nil {
			return err
		}
	}
	summaries := false
	if pending == 0 {
		var err error
		if summaries, err = t.hasSummaries(ctx, id, old); err != nil {
			return err
		}
		if err := t.deletePostings(ctx, id, old, summaries); err != nil {
			return err
		}
	}
	if len(evs) == 0 {
		_, err := t.exec(ctx, "rewrite events", `DELETE FROM cloudtrail_blocks WHERE id = ?`, id)
		return err
	}
	payload, lo, hi, err := blockRow(evs)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, "rewrite events", `UPDATE cloudtrail_blocks SET min_time = ?, max_time = ?, records = ?, payload = ? WHERE id = ?`,
		lo, hi, len(evs), payload, id); err != nil {
		return err
	}
	return t.putPostings(ctx, id, evs, summaries) // in the form it had
}

// samePostings reports whether blocks of a and of b have the same
// postings, in either form.
func samePostings(a, b []kernel.TrailEvent, ids *eventIDs) bool {
	for _, summaries := range []bool{false, true} {
		pa, pb := postingsOf(a, ids, summaries), postingsOf(b, ids, summaries)
		if len(pa) != len(pb) {
			return false
		}
		for h, p := range pa {
			q, ok := pb[h]
			if !ok || q.maxTime != p.maxTime || !bytes.Equal(q.attrs, p.attrs) {
				return false
			}
		}
	}
	return true
}

// blockRow returns the payload and time bounds of a block of evs.
func blockRow(evs []kernel.TrailEvent) (payload []byte, lo, hi int64, err error) {
	if payload, err = encodeBlock(evs); err != nil {
		return nil, 0, 0, fmt.Errorf("sqlite: put events: %w", err)
	}
	lo, hi = evs[0].Time.Unix(), evs[0].Time.Unix()
	for i := range evs {
		lo, hi = min(lo, evs[i].Time.Unix()), max(hi, evs[i].Time.Unix())
	}
	return payload, lo, hi, nil
}

// deletePostings deletes the postings of block id, which holds evs (the
// postings are found by their keys: the block has no index of its own).
func (t *tx) deletePostings(ctx context.Context, id int64, evs []kernel.TrailEvent, summaries bool) error {
	keys := postingKeys(evs, t.db.idsOrNil(), summaries)
	args := make([]any, 0, 3*len(keys))
	for h, maxTime := range keys {
		args = append(args, h, maxTime, id)
	}
	// The casts type the values for PostgreSQL, which reads them as text.
	return t.execRows(ctx, "delete event postings", `DELETE FROM cloudtrail_postings WHERE (attr_h, max_time, block) IN (VALUES `,
		`(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))`, `)`, 3, args)
}

// putPostings writes the postings of block id, which holds evs: summaries
// (trailsummary.go) or one per lookup value.
func (t *tx) putPostings(ctx context.Context, id int64, evs []kernel.TrailEvent, summaries bool) error {
	postings := postingsOf(evs, t.db.idsOrNil(), summaries)
	if !summaries { // also before migration 0018 added attrs
		args := make([]any, 0, 3*len(postings))
		for h, p := range postings {
			args = append(args, h, p.maxTime, id)
		}
		return t.execRows(ctx, "write event postings", `INSERT INTO cloudtrail_postings (attr_h, max_time, block) VALUES `, `(?, ?, ?)`, ``, 3, args)
	}
	args := make([]any, 0, 4*len(postings))
	for h, p := range postings {
		args = append(args, h, p.maxTime, id, p.attrs)
	}
	return t.execRows(ctx, "write event postings", `INSERT INTO cloudtrail_postings (attr_h, max_time, block, attrs) VALUES `, `(?, ?, ?, ?)`, ``, 4, args)
}

// execRows runs head, rows of width arguments each written as row, and
// tail, a hundred rows at a time.
func (t *tx) execRows(ctx context.Context, what, head, row, tail string, width int, args []any) error {
	const perStatement = 100
	for len(args) > 0 {
		n := min(len(args), width*perStatement)
		q := head + strings.TrimSuffix(strings.Repeat(row+", ", n/width), ", ") + tail
		if _, err := t.exec(ctx, what, q, args[:n]...); err != nil {
			return err
		}
		args = args[n:]
	}
	return nil
}

// checkNewIDs refuses an event id of evs that is stored already or
// repeated in evs.
func (t *tx) checkNewIDs(ctx context.Context, evs []kernel.TrailEvent) error {
	seen := make(map[string]bool, len(evs))
	hashes := make([]any, 0, len(evs))
	for i := range evs {
		if seen[evs[i].ID] {
			return fmt.Errorf("sqlite: put event %s: the event id is taken", evs[i].ID)
		}
		seen[evs[i].ID] = true
		if evs[i].FreshID { // drawn at random just now: no other has it
			continue
		}
		if t.db.idsOrNil().derived(evs[i].ID) { // one the store made: its block tells
			stored, err := t.blocksWithID(ctx, evs[i].ID)
			if err != nil {
				return err
			}
			if len(stored) > 0 {
				return fmt.Errorf("sqlite: put event %s: the event id is taken", evs[i].ID)
			}
			continue
		}
		hashes = append(hashes, eventIDHash(evs[i].ID))
	}
	for len(hashes) > 0 {
		n := min(len(hashes), 400)
		blocks, err := t.blocksByIDHashes(ctx, hashes[:n])
		if err != nil {
			return err
		}
		for _, stored := range blocks {
			for i := range stored {
				if seen[stored[i].ID] {
					return fmt.Errorf("sqlite: put event %s: the event id is taken", stored[i].ID)
				}
			}
		}
		hashes = hashes[n:]
	}
	return nil
}

// blocksWithID returns the records with event id id (at most one), read
// from the block the id gives when the store made it, else from the
// blocks its index entry names.
func (t *tx) blocksWithID(ctx context.Context, id string) ([]kernel.TrailEvent, error) {
	blocks, err := t.blocksHolding(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []kernel.TrailEvent
	for _, evs := range blocks {
		for _, ev := range evs {
			if ev.ID == id {
				out = append(out, ev)
			}
		}
	}
	return out, nil
}

// blocksHolding returns the whole blocks that may hold event id (those
// that do among them).
func (t *tx) blocksHolding(ctx context.Context, id string) ([][]kernel.TrailEvent, error) {
	if seq, ok := t.db.idsOrNil().seqOf(id); ok {
		return t.blocksOf(ctx, `SELECT id, payload FROM cloudtrail_blocks WHERE id = ?`, seq/blockCap)
	}
	return t.blocksByIDHashes(ctx, []any{eventIDHash(id)})
}

// blocksOf returns the records of the blocks query selects (columns id
// and payload).
func (t *tx) blocksOf(ctx context.Context, query string, args ...any) ([][]kernel.TrailEvent, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read events: %w", err)
	}
	defer rows.Close()
	var out [][]kernel.TrailEvent
	for rows.Next() {
		var id int64
		var payload []byte
		if err := rows.Scan(&id, &payload); err != nil {
			return nil, fmt.Errorf("sqlite: read events: %w", err)
		}
		evs, err := decodeBlock(id, payload)
		if err != nil {
			return nil, fmt.Errorf("sqlite: read events: %w", err)
		}
		out = append(out, evs)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: read events: %w", err)
	}
	return out, nil
}

// AppendEvent writes ev in a transaction of its own, which does not wait
// for the disk (see relaxedUpdate): ev records a call that changed
// nothing. It returns once ev is committed. (The server writes such records
// in batches, with AppendEvents; an earlier AppendEvent gathered concurrent
// calls into batches, with the looping leader the group commit had too.)
func (db *DB) AppendEvent(ctx context.Context, ev kernel.TrailEvent) error {
	return db.AppendEvents(ctx, []kernel.TrailEvent{ev})
}

// appendBatch writes evs in one transaction, in blocks of blockRecords;
// if that fails, each event on its own, so that one bad event fails alone.
// It returns the first error.
func (db *DB) appendBatch(ctx context.Context, evs []kernel.TrailEvent) error {
	err := db.relaxedUpdate(ctx, func(t *tx) error {
		for start := 0; start < len(evs); start += blockRecords {
			if err := t.putReadBlock(ctx, evs[start:min(len(evs), start+blockRecords)]); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(evs) == 1 {
		return err
	}
	var first error
	for _, ev := range evs {
		if err := db.relaxedUpdate(ctx, func(t *tx) error { return t.AppendTrailEvent(ctx, ev) }); err != nil && first == nil {
			first = err
		}
	}
	return first
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
	db.commits.Add(1)
	return nil
}

// ReplaceEvent replaces the stored event with ev's id by ev (its sequence
// is kept). It returns an error wrapping kernel.ErrNotFound if there is
// none. It rewrites one block, found by the event's id: writeRowLocked.
func (db *DB) ReplaceEvent(ctx context.Context, ev kernel.TrailEvent) error {
	return db.writeRowLocked(context.WithoutCancel(ctx), func(t *tx) error {
		blocks, err := t.blocksHolding(ctx, ev.ID)
		if err != nil {
			return err
		}
		var old []kernel.TrailEvent // the first block that holds it, read once
		for _, evs := range blocks {
			if slices.ContainsFunc(evs, func(e kernel.TrailEvent) bool { return e.ID == ev.ID }) {
				old = evs
				break
			}
		}
		if old == nil {
			return fmt.Errorf("sqlite: replace event %s: %w", ev.ID, kernel.ErrNotFound)
		}
		block := old[0].Seq / blockCap
		evs := slices.Clone(old)
		for i := range evs {
			if evs[i].ID == ev.ID {
				ev.Seq = evs[i].Seq
				evs[i] = ev
			}
		}
		return t.rewriteBlock(ctx, block, old, evs)
	})
}

// TrimEvents deletes the oldest events (by sequence) so that at most max
// remain, and returns how many it deleted: whole blocks, and the oldest
// records of one more.
func (db *DB) TrimEvents(ctx context.Context, max int64) (int64, error) {
	var deleted int64
	// REPEATABLE READ on PostgreSQL: the sum is a read of the whole
	// table, whose predicate locks in SERIALIZABLE would fail writers that
	// insert records meanwhile; a trim that races another deletes rows it
	// names, and one of the two is retried.
	err := db.writeRowLocked(ctx, func(t *tx) error {
		deleted = 0 // set afresh if the transaction runs again
		// SQLite's triggers keep the count (migration 0022); PostgreSQL
		// sums the blocks.
		count := `SELECT COALESCE((SELECT n FROM cloudtrail_count WHERE id = 1), 0)`
		if t.dialect() == dialectPostgres {
			count = `SELECT COALESCE(SUM(records), 0) FROM cloudtrail_blocks`
		}
		var total int64
		if err := t.queryRow(ctx, count).Scan(&total); err != nil {
			return fmt.Errorf("sqlite: trim events: %w", err)
		}
		excess := total - max
		if excess <= 0 {
			return nil
		}
		// The whole blocks to delete, oldest first, and the one cut.
		var last, cut int64 = 0, 0
		var kept int64
		err := func() error {
			rows, err := t.query(ctx, `SELECT id, records FROM cloudtrail_blocks ORDER BY id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			var sum int64
			for rows.Next() {
				var id, n int64
				if err := rows.Scan(&id, &n); err != nil {
					return err
				}
				if sum+n <= excess {
					sum, last = sum+n, id
					if sum == excess {
						break
					}
					continue
				}
				cut, kept = id, n-(excess-sum)
				break
			}
			return rows.Err()
		}()
		if err != nil {
			return fmt.Errorf("sqlite: trim events: %w", err)
		}
		if last > 0 {
			n, err := t.deleteBlocks(ctx, `id <= ?`, last)
			if err != nil {
				return err
			}
			deleted += n
		}
		if cut > 0 {
			blocks, err := t.blocksOf(ctx, `SELECT id, payload FROM cloudtrail_blocks WHERE id = ?`, cut)
			if err != nil || len(blocks) != 1 {
				return fmt.Errorf("sqlite: trim events: block %d: %v", cut, err)
			}
			evs := blocks[0]
			sort.Slice(evs, func(i, j int) bool { return evs[i].Seq < evs[j].Seq })
			deleted += int64(len(evs)) - kept
			if err := t.rewriteBlock(ctx, cut, evs, evs[int64(len(evs))-kept:]); err != nil {
				return err
			}
		}
		return nil
	})
	return deleted, err
}

// deleteBlocks deletes the blocks where selects (a condition on
// cloudtrail_blocks) with their postings, a few at a time, and returns how
// many records they held.
func (t *tx) deleteBlocks(ctx context.Context, where string, args ...any) (int64, error) {
	var n int64
	for {
		blocks, err := t.blocksOf(ctx, `SELECT id, payload FROM cloudtrail_blocks WHERE `+where+` ORDER BY id LIMIT 64`, args...)
		if err != nil || len(blocks) == 0 {
			return n, err
		}
		for _, evs := range blocks {
			if len(evs) == 0 {
				return n, errors.New("sqlite: delete events: an empty block")
			}
			id := evs[0].Seq / blockCap
			if err := t.rewriteBlock(ctx, id, evs, nil); err != nil {
				return n, err
			}
			n += int64(len(evs))
		}
	}
}

// PurgeEvents deletes the events older than before and returns how many:
// the blocks whose every record is older, and those records of the blocks
// that straddle before.
func (db *DB) PurgeEvents(ctx context.Context, before time.Time) (int64, error) {
	var deleted int64
	cut := ceilSeconds(before)
	err := db.write(ctx, func(t *tx) error {
		deleted = 0 // set afresh if the transaction runs again
		n, err := t.deleteBlocks(ctx, `max_time < ?`, cut)
		if err != nil {
			return err
		}
		deleted += n
		blocks, err := t.blocksOf(ctx, straddlersQuery, cut)
		if err != nil {
			return err
		}
		for _, evs := range blocks {
			kept := evs[:0:0]
			for _, ev := range evs {
				if ev.Time.Unix() >= cut {
					kept = append(kept, ev)
				}
			}
			deleted += int64(len(evs) - len(kept))
			if err := t.rewriteBlock(ctx, evs[0].Seq/blockCap, evs, kept); err != nil {
				return err
			}
		}
		return nil
	})
	return deleted, err
}

// straddlersQuery reads the blocks that hold a record older than a cut
// (after those wholly older are deleted: the blocks that straddle it), on
// the cloudtrail_blocks_min_time index (migration 0026), which holds the
// blocks of several records only (one record has one time).
const straddlersQuery = `SELECT id, payload FROM cloudtrail_blocks WHERE min_time < ? AND records > 1`

// ceilSeconds is t in unix seconds, rounded up: a record's whole-second
// time is at or after t exactly when it is at or after ceilSeconds(t).
func ceilSeconds(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// LookupEvents returns the events of q.Account that q selects, newest
// first (by event time, then by the reverse of the order they were
// written), at most q.Limit of them. The ReadOnly attribute's value is
// "true" or "false". It reads the postings of the lookup's value (and the
// account's blocks still pending: trailindex.go), newest block first, and
// stops once no further block can hold an event newer than the ones it
// has.
func (db *DB) LookupEvents(ctx context.Context, q kernel.TrailQuery) ([]kernel.TrailEvent, error) {
	var out []kernel.TrailEvent
	err := db.view(ctx, func(t *tx) error {
		if q.Key == kernel.AttrEventID && db.idsOrNil().derived(q.Value) {
			found, err := t.blocksWithID(ctx, q.Value)
			for _, ev := range found {
				if selects(q, &ev) && (q.After == 0 || ev.Seq < q.After) && (q.Limit == 0 || len(out) < q.Limit) {
					out = append(out, ev)
				}
			}
			return err
		}
		var anchor *kernel.TrailEvent
		if q.After > 0 {
			blocks, err := t.blocksOf(ctx, `SELECT id, payload FROM cloudtrail_blocks WHERE id = ?`, q.After/blockCap)
			if err != nil {
				return err
			}
			for _, evs := range blocks {
				for i := range evs {
					if evs[i].Seq == q.After {
						anchor = &evs[i]
					}
				}
			}
			if anchor == nil { // the page's last event is gone
				return nil
			}
		}
		candidates := newCandidates(t, q, anchor)
		for {
			floor, floored := int64(0), false // once the page is full: no block older than its last
			if q.Limit > 0 && len(out) >= q.Limit {
				floor, floored = out[q.Limit-1].Time.Unix(), true
			}
			c, ok, err := candidates.next(ctx, floor, floored)
			if err != nil {
				return fmt.Errorf("sqlite: lookup events: %w", err)
			}
			if !ok {
				return nil
			}
			if floored && c.maxTime < floor {
				return nil // every further block is older than the page
			}
			blocks := [][]kernel.TrailEvent{c.evs} // a pending block the stream read already
			if c.evs == nil {
				if blocks, err = t.blocksOf(ctx, `SELECT id, payload FROM cloudtrail_blocks WHERE id = ?`, c.block); err != nil {
					return fmt.Errorf("sqlite: lookup events: %w", err)
				}
			}
			for _, evs := range blocks {
				for i := range evs {
					if selects(q, &evs[i]) && (anchor == nil || newer(anchor, &evs[i])) {
						out = append(out, evs[i])
					}
				}
			}
			sort.Slice(out, func(i, j int) bool { return newer(&out[i], &out[j]) })
			if q.Limit > 0 && len(out) > q.Limit {
				out = out[:q.Limit]
			}
		}
	})
	return out, err
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
	return true
}

// AppendEvents writes events in order in one transaction (one at a time if
// the batch fails, so that one bad event fails alone). It returns the first
// error.
func (db *DB) AppendEvents(ctx context.Context, evs []kernel.TrailEvent) error {
	return db.appendBatch(context.WithoutCancel(ctx), evs)
}
