package sqlite

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// Postings written later (SQLite; migration 0021). A change's record is
// the block of one record its change's transaction writes. Its nine or so
// postings — each hashed with the record's account, so each lands at its
// own place in cloudtrail_postings — were most of a durable write's pages:
// about three of every four bytes a PutAlternateContact wrote to the WAL,
// and without them a group commit ran at about 1.7 times the rate. So on
// SQLite the change's transaction writes one row of cloudtrail_unindexed
// in their stead (the block, its account's posting and its event id's),
// and an indexer in the background writes the postings of the blocks
// pending, sorted, indexBatch blocks per transaction, each of which also
// deletes their rows: a batch's postings of one value land together, and
// its transaction does not wait for the disk (a power failure loses at
// most that batch, whose blocks are then pending again).
//
// A block pending is found as if it were indexed: a lookup reads the
// pending blocks of its account (or of its event id) next to the postings,
// those whose record has the lookup's value (newCandidates); an event id
// is looked for among them (blocksByIDHashes);
// rewriting a pending block with other lookup values indexes it at once
// (rewriteBlock). PostgreSQL, whose cost is round trips rather than pages,
// writes a change's postings in the statement that writes its block.

// indexEvery is how often the indexer looks for pending blocks (while
// any may be pending); indexBatch bounds the blocks one of its
// transactions indexes (and so how long it keeps the one writer from the
// group commits: about 50 ms for a full batch on a slow machine);
// maxPending is the backlog past which a change indexes its own record
// again, as PostgreSQL's do (a bulk load faster than the indexer, such as
// a seed of thousands of accounts, would otherwise leave it behind, and
// every lookup would read more pending blocks).
const (
	indexEvery = 100 * time.Millisecond
	indexBatch = 1024
	maxPending = 8 * indexBatch
)

// putPendingBlock writes the one record ev as a new block whose postings
// the indexer writes later, or now if the backlog is at maxPending.
func (t *tx) putPendingBlock(ctx context.Context, ev kernel.TrailEvent) error {
	if t.db.trailIndex.pending.Load() >= maxPending {
		return t.putCheckedBlock(ctx, []kernel.TrailEvent{ev})
	}
	evs := []kernel.TrailEvent{ev}
	evs[0].Seq = 0
	payload, lo, hi, err := blockRow(evs)
	if err != nil {
		return err
	}
	id, err := t.insertBlock(ctx, lo, hi, 1, payload)
	if err != nil {
		return fmt.Errorf("sqlite: put events: %w", err)
	}
	if _, err := t.exec(ctx, "put events", `INSERT INTO cloudtrail_unindexed (block, acct_h, id_h) VALUES (?, ?, ?)`,
		id, attrHash(string(ev.Account), "", ""), eventIDHash(ev.ID)); err != nil {
		return err
	}
	t.db.trailIndex.pending.Add(1)
	return nil
}

// indexPending writes the postings of the oldest pending blocks, at most
// limit of them, and deletes their rows; it returns how many it indexed.
func (t *tx) indexPending(ctx context.Context, limit int) (int, error) {
	type row struct{ h, maxTime, block int64 }
	var all []row
	var bad []any // blocks that cannot be read: left pending (a lookup that reads one says why)
	var last int64 = -1
	selected := 0
	ids := t.db.idsOrNil()
	err := func() error {
		// A row whose block is gone (none is left so, but for a store
		// edited by hand) has a NULL payload and is deleted with the rest.
		rows, err := t.query(ctx, `SELECT u.block, b.payload FROM cloudtrail_unindexed u LEFT JOIN cloudtrail_blocks b ON b.id = u.block
			ORDER BY u.block LIMIT ?`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var payload []byte
			if err := rows.Scan(&last, &payload); err != nil {
				return err
			}
			selected++
			if payload == nil {
				continue
			}
			evs, err := decodeBlock(last, payload)
			if err != nil || len(evs) == 0 {
				bad = append(bad, last)
				continue
			}
			for h, p := range postingsOf(evs, ids, false) {
				all = append(all, row{h, p.maxTime, last})
			}
		}
		return rows.Err()
	}()
	if err != nil || last < 0 {
		return 0, wrapIndexErr(err)
	}
	// In the index's order: the postings of one value go in together.
	slices.SortFunc(all, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.h, b.h), cmp.Compare(a.maxTime, b.maxTime), cmp.Compare(a.block, b.block))
	})
	args := make([]any, 0, 3*len(all))
	for _, r := range all {
		args = append(args, r.h, r.maxTime, r.block)
	}
	if err := t.execRows(ctx, "index events", `INSERT INTO cloudtrail_postings (attr_h, max_time, block) VALUES `, `(?, ?, ?)`, ``, 3, args); err != nil {
		return 0, err
	}
	del := `DELETE FROM cloudtrail_unindexed WHERE block <= ?`
	if len(bad) > 0 {
		del += ` AND block NOT IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(bad)), ", ") + `)`
	}
	if _, err := t.exec(ctx, "index events", del, append([]any{last}, bad...)...); err != nil {
		return 0, err
	}
	return selected, nil
}

// mayHavePending reports whether t's store may hold pending blocks: a
// SQLite store past migration 0021 (a PostgreSQL store indexes at once,
// and an import what it brings).
func (t *tx) mayHavePending() bool {
	return t.dialect() == dialectSQLite && !t.noPending
}

// countPending counts the blocks pending, for the indexer's bound.
func (t *tx) countPending(ctx context.Context) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM cloudtrail_unindexed`).Scan(&n)
	return n, wrapIndexErr(err)
}

func wrapIndexErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlite: index events: %w", err)
}

// blocksByIDHashes returns the blocks that may hold an event id with one
// of hashes: those its postings name and those pending with it.
func (t *tx) blocksByIDHashes(ctx context.Context, hashes []any) ([][]kernel.TrailEvent, error) {
	in := strings.TrimSuffix(strings.Repeat("?, ", len(hashes)), ", ")
	if !t.mayHavePending() {
		return t.blocksOf(ctx, `SELECT id, payload FROM cloudtrail_blocks WHERE id IN (
			SELECT block FROM cloudtrail_postings WHERE attr_h IN (`+in+`))`, hashes...)
	}
	args := append(append(make([]any, 0, 2*len(hashes)), hashes...), hashes...)
	return t.blocksOf(ctx, `SELECT id, payload FROM cloudtrail_blocks WHERE id IN (
		SELECT block FROM cloudtrail_postings WHERE attr_h IN (`+in+`)
		UNION SELECT block FROM cloudtrail_unindexed WHERE id_h IN (`+in+`))`, args...)
}

// trailIndexer runs indexPending in the background (SQLite).
type trailIndexer struct {
	// pending is about how many blocks are pending: counted up as they
	// are written (rolled back or not), set to the count of the store by
	// each pass of the indexer.
	pending atomic.Int64
	// failures counts the indexer's failed transactions (for tests).
	failures atomic.Uint64
	stop     chan struct{}
	cancel   context.CancelFunc // ends a pass under way
	done     sync.WaitGroup
	once     sync.Once
}

// startTrailIndexer starts the background indexer of db. It looks once at
// start-up, for blocks a stop left pending.
func (db *DB) startTrailIndexer() {
	x := &db.trailIndex
	x.stop = make(chan struct{})
	x.pending.Store(1)
	x.done.Add(1)
	var ctx context.Context
	ctx, x.cancel = context.WithCancel(context.Background())
	go func() {
		defer x.done.Done()
		tick := time.NewTicker(indexEvery)
		defer tick.Stop()
		var wait time.Time // after failures: not before then
		for fails := 0; ; {
			select {
			case <-x.stop:
				return
			case <-tick.C:
			}
			if x.pending.Load() == 0 || time.Now().Before(wait) {
				continue
			}
			if err := db.IndexPendingEvents(ctx); err != nil {
				// Looked at again later, each time later (at most a
				// minute): a pass that fails still held the writer.
				x.failures.Add(1)
				fails++
				wait = time.Now().Add(min(indexEvery<<min(fails, 10), time.Minute))
				continue
			}
			fails = 0
		}
	}()
}

// stopTrailIndexer stops the indexer (if started) and waits for it.
func (db *DB) stopTrailIndexer() {
	x := &db.trailIndex
	if x.stop == nil {
		return
	}
	x.once.Do(func() {
		close(x.stop)
		x.cancel()
	})
	x.done.Wait()
}

// IndexPendingEvents writes the postings of every block pending, a batch
// per transaction (which does not wait for the disk: see relaxedUpdate).
// The background indexer calls it; so may a test or a tool.
func (db *DB) IndexPendingEvents(ctx context.Context) error {
	for {
		var n int
		err := db.relaxedUpdate(ctx, func(t *tx) (err error) {
			if n, err = t.indexPending(ctx, indexBatch); err != nil {
				return err
			}
			left, err := t.countPending(ctx)
			if err == nil {
				// Set while this transaction holds the one writer
				// connection: no write counts one up meanwhile.
				db.trailIndex.pending.Store(left)
			}
			return err
		})
		if err != nil {
			db.trailIndex.pending.Add(1) // whatever it was, the next pass looks again
			return err
		}
		if n < indexBatch {
			return nil
		}
	}
}
