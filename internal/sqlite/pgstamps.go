package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/accountplane/accountplane/internal/generation"
)

// PostgreSQL stamps. Replicas share the store and their commits do not
// reach this process's counters, so the counters are sequences in the
// database: every table has one (tableSequence, created when a replica
// first writes the table or stamps a read of it), and so has the store as
// a whole (commitSequence). A counted commit advances the sequences of the
// tables it wrote, and the store's, once it has committed and before the
// call that committed returns (so before it is acknowledged).
//
// A stamped View reads the sequences first, then runs, noting the tables
// it reads; its stamp holds their values and stays fresh while they are
// unchanged: a change to an account's alternate contacts, on any replica,
// leaves cached organization facts fresh on every other. Sequences are
// read for the tables some stamp of this process depends on (the watched
// tables: a View that read a table not watched yet gets no stamp, and has
// it watched from then on), in one query shared by the requests that ask
// while none runs; the server has them read once as each request arrives
// (Refresh, pgrefresh.go), and the request's stamps are checked against
// those values: one cheap query per request. The store's
// sequence also carries the clock in sharedMaxAge steps, so that a
// replica that died between its commit and the advance leaves the others'
// results stale for at most sharedMaxAge; SharedGeneration gives it to
// caches that follow every change (the app's).
//
// Sequences never go back, even after a crash (PostgreSQL logs them
// ahead), so a stamp cannot see an old value come again.

// sharedMaxAge (seconds) bounds how long a replica that died between its
// commit and the sequences' advance leaves other replicas' cached reads
// stale: the shared generation also changes every sharedMaxAge seconds.
const sharedMaxAge = 60

// sharedEpoch is the shared generation's low half: the number of the
// sharedMaxAge-second step now, or the step a test froze.
func (db *DB) sharedEpoch() uint64 {
	if e := db.frozenEpoch.Load(); e != 0 {
		return uint64(e)
	}
	return uint64(uint32(time.Now().Unix() / sharedMaxAge))
}

// commitSequence is the PostgreSQL sequence of every counted commit.
const commitSequence = "accountplane_commits"

// factsSequence is the PostgreSQL sequence of the counted commits that
// wrote a table some request-path cache may depend on (credentials,
// policies, organization facts): every table but noFactsTables.
// SharedGeneration follows it, so that a change of alternate contacts
// (the bulk of a write-heavy load) does not drop every replica's cached
// credentials and organization facts.
const factsSequence = "accountplane_commits_facts"

// noFactsTables hold nothing the app's request-path caches read (keys,
// sessions, policies, memberships, the organization, its tags and
// policies): contacts, Regions, events, deliveries, the trail, key use and
// the store's own bookkeeping. A commit that wrote only these leaves
// SharedGeneration as it was. A table missing here only costs cache
// misses; a table listed here that such a cache reads would serve stale
// credentials or policies, so list only what is plainly not read by them.
var noFactsTables = map[string]bool{
	"alternate_contacts": true, "contact_information": true, "phone_verifications": true,
	"email_updates": true, "region_opts": true, "region_transitions": true,
	"bus_events": true, "event_targets": true, "event_deliveries": true, "outbox": true,
	"cloudtrail_blocks": true, "cloudtrail_postings": true, "cloudtrail_unindexed": true,
	"access_key_uses": true, "credential_reports": true,
	// Sessions get new random access key ids (AssumeRole, GetSessionToken,
	// AssumeRoot), and the credentials cache keeps found keys only: a new
	// session changes no cached lookup (a reset or an import writes every
	// table, and moves the generation).
	"sts_sessions": true,
	"settings":     true, "quota_buckets": true, "fault_rules": true,
}

// tableSequence is the PostgreSQL sequence of the counted commits that
// wrote table, advanced after each has committed (its done mark).
func tableSequence(table string) string { return "accountplane_done_" + table }

// begunSequence and rowDoneSequence are the marks of the row cache
// (pgrowcache.go): a counted commit that writes table advances begun
// before it commits and row done once after it has (or surely has not).
func begunSequence(table string) string   { return "accountplane_begun_" + table }
func rowDoneSequence(table string) string { return "accountplane_rowdone_" + table }

// sequenceValue is the SQL of a sequence's value (0 before its first
// nextval: last_value is 1 both before and after it, is_called tells).
func sequenceValue(seq string) string {
	return `(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM "` + seq + `")`
}

// createSequence creates the store's sequence (under the migration lock).
func createSequence(ctx context.Context, conn *sql.Conn) error {
	for _, seq := range []string{commitSequence, factsSequence} {
		if _, err := conn.ExecContext(ctx, `CREATE SEQUENCE IF NOT EXISTS "`+seq+`"`); err != nil {
			return fmt.Errorf("postgres: create %s: %w", seq, err)
		}
	}
	return nil
}

// ensureSequences creates the sequences of tables that this process has
// not seen to exist yet (when first written or watched: a store creates
// a sequence only for the tables it needs one for, and a new schema costs
// no fifty DDL statements). Replicas may race to create one: either wins.
func (db *DB) ensureSequences(ctx context.Context, tables []int) error {
	names := db.tables.byIndex
	var create strings.Builder
	var made []int
	for _, i := range tables {
		if _, ok := db.sequences.Load(i); !ok {
			create.WriteString(`CREATE SEQUENCE IF NOT EXISTS "` + tableSequence(names[i]) + `";`)
			if pgRowCached[names[i]] {
				create.WriteString(`CREATE SEQUENCE IF NOT EXISTS "` + begunSequence(names[i]) + `";`)
				create.WriteString(`CREATE SEQUENCE IF NOT EXISTS "` + rowDoneSequence(names[i]) + `";`)
			}
			made = append(made, i)
		}
	}
	if len(made) == 0 {
		return nil
	}
	if _, err := db.seqPool.Exec(ctx, create.String()); err != nil {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || (pe.Code != "42P07" && pe.Code != "23505") { // duplicate_table, unique_violation
			return fmt.Errorf("postgres: create the sequences of commits: %w", err)
		}
		return db.ensureSequences(ctx, made) // another replica made one: the others, again
	}
	for _, i := range made {
		db.sequences.Store(i, true)
	}
	return nil
}

// sharedGens are the sequences' values one query read: the store's and
// the facts' (each with the clock in its low 32 bits; SharedGeneration
// gives facts) and the watched tables'.
type sharedGens struct {
	global, facts uint64
	// tables are the watched tables' sequences; begun and rowDone the
	// row cache's marks of those of them in pgRowCached.
	tables, begun, rowDone map[int]uint64
	// n numbers the query among this process's sequence queries, in the
	// order they started (pgrowcache.go).
	n uint64
}

// leadColumns are the first columns of every sequence query: the store's
// sequence, the facts', and when the PostgreSQL server started (in
// microseconds: a restart, such as a restore, may take sequences back;
// see noteServer).
var leadColumns = sequenceValue(commitSequence) + `, ` + sequenceValue(factsSequence) +
	`, (extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint`

// watchSet is the tables whose sequences are read, and the query that
// reads them after the store's.
type watchSet struct {
	tables []int
	query  string
}

func (g *tableGens) watchQuery(tables []int) string {
	names := g.byIndex
	cols := []string{leadColumns}
	for _, i := range tables {
		cols = append(cols, sequenceValue(tableSequence(names[i])))
		if pgRowCached[names[i]] {
			// Row done before begun: read in that order, begun is never
			// below row done but for a mark gone wrong (pgrowcache.go).
			cols = append(cols, sequenceValue(rowDoneSequence(names[i])), sequenceValue(begunSequence(names[i])))
		}
	}
	return "SELECT " + strings.Join(cols, ", ")
}

// watch adds tables to those whose sequences are read.
func (db *DB) watch(ctx context.Context, tables []int) {
	if db.ensureSequences(ctx, tables) != nil {
		return // not watched: the next read tries again
	}
	db.watchMu.Lock()
	defer db.watchMu.Unlock()
	cur := db.watched.Load()
	next := &watchSet{}
	if cur != nil {
		next.tables = slices.Clone(cur.tables)
	}
	for _, i := range tables {
		if !slices.Contains(next.tables, i) {
			next.tables = append(next.tables, i)
		}
	}
	if cur != nil && len(next.tables) == len(cur.tables) {
		return
	}
	next.query = db.tables.watchQuery(next.tables)
	db.watched.Store(next)
}

// advanceAfterCommit advances the sequences of the tables a commit wrote
// (w), and the store's, after that commit; what it cannot advance awaits
// a retry (pendingTables). The values it advanced to raise this process's
// latest ones (pgrefresh.go).
func (db *DB) advanceAfterCommit(w *writeSet, marked []int) {
	tables := db.writtenTables(w)
	adv, ok := db.advanceTables(tables, marked)
	if !ok {
		db.markPending(tables)
	}
	for _, i := range tables {
		if pgRowCached[db.tables.byIndex[i]] {
			adv.marked = append(adv.marked, i)
		}
	}
	db.raiseLatest(adv)
}

// writtenTables lists the tables of w.
func (db *DB) writtenTables(w *writeSet) []int {
	var tables []int
	if w.all {
		for i := range db.tables.done {
			tables = append(tables, i)
		}
		return tables
	}
	for i := range w.tables {
		tables = append(tables, i)
	}
	slices.Sort(tables) // one statement text per set of tables
	return tables
}

// markPending records that tables' sequences await a retry.
func (db *DB) markPending(tables []int) {
	db.pendingMu.Lock()
	defer db.pendingMu.Unlock()
	if db.pendingTables == nil {
		db.pendingTables = map[int]uint64{}
	}
	db.pendingMarks++
	for _, i := range tables {
		db.pendingTables[i] = db.pendingMarks
	}
	db.pendingAdvance.Store(true)
}

// advance retries the advance of the pending tables' sequences, and
// reports whether none is left pending. A table marked again while the
// retry ran (another commit whose own advance failed) stays pending: the
// retry's nextval may have run before that commit.
func (db *DB) advance() bool {
	return db.retryPending(func(tables []int) bool {
		_, ok := db.advanceTables(tables, nil)
		return ok
	})
}

// retryPending is advance with the sequences advanced by advanceTables.
func (db *DB) retryPending(advanceTables func([]int) bool) bool {
	db.pendingMu.Lock()
	marks := make(map[int]uint64, len(db.pendingTables))
	tables := make([]int, 0, len(db.pendingTables))
	for i, m := range db.pendingTables {
		marks[i] = m
		tables = append(tables, i)
	}
	db.pendingMu.Unlock()
	if !advanceTables(tables) {
		return false
	}
	db.pendingMu.Lock()
	defer db.pendingMu.Unlock()
	for i, m := range marks {
		if db.pendingTables[i] == m {
			delete(db.pendingTables, i)
		}
	}
	if len(db.pendingTables) == 0 {
		db.pendingAdvance.Store(false)
		return true
	}
	return false
}

// advanceTables advances the sequences of tables and the store's (and the
// row done marks of marked, in the same statement), and reports whether
// it did and the values they advanced to (lost set if not). Only the
// sequences of tables are retried after a failure (pendingTables): another
// advance of those only costs cached reads, while a row done mark advanced
// twice would pass for a commit under way that is not there, so one that
// may have been advanced is left behind (pgrowcache.go).
func (db *DB) advanceTables(tables, marked []int) (ownAdvance, bool) {
	lost := ownAdvance{lost: true}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if db.ensureSequences(ctx, tables) != nil {
		return lost, false
	}
	q, _, vals := db.advanceStatement(tables, marked, false)
	if err := db.seqPool.QueryRow(ctx, q).Scan(int64Dests(vals)...); err != nil {
		// A sequence dropped under this process (a schema made anew) is
		// made again by the next try.
		db.sequences.Clear()
		return lost, false
	}
	return db.advanceOf(tables, vals), true
}

// advanceStatement is the statement advanceTables runs (the sequences must
// exist), its arguments and the values it returns, to scan into. With
// byName, the sequences are arguments, resolved when it runs (not when it
// is prepared: the advance sent in a commit's pipeline is prepared before
// the COMMIT, and a missing sequence must not fail the commit).
func (db *DB) advanceStatement(tables, marked []int, byName bool) (string, []any, []int64) {
	var seqs []string
	add := func(seq string) { seqs = append(seqs, seq) }
	add(commitSequence)
	names := db.tables.byIndex
	facts := false
	for _, i := range tables {
		add(tableSequence(names[i]))
		facts = facts || !noFactsTables[names[i]]
	}
	if facts {
		add(factsSequence)
	}
	for _, i := range marked {
		add(rowDoneSequence(names[i]))
	}
	cols := make([]string, len(seqs))
	var args []any
	for k, seq := range seqs {
		if byName {
			cols[k] = `nextval(?::text::regclass)`
			args = append(args, `"`+seq+`"`)
		} else {
			cols[k] = `nextval('"` + seq + `"')`
		}
	}
	return `SELECT ` + strings.Join(cols, `, `), args, make([]int64, len(seqs))
}

// advanceOf reads the values of tables' advance statement.
func (db *DB) advanceOf(tables []int, vals []int64) ownAdvance {
	adv := ownAdvance{global: uint64(vals[0]), tables: make(map[int]uint64, len(tables))}
	for k, i := range tables {
		adv.tables[i] = uint64(vals[1+k])
	}
	for _, i := range tables {
		if !noFactsTables[db.tables.byIndex[i]] {
			adv.facts = uint64(vals[1+len(tables)])
			break
		}
	}
	return adv
}

// SharedGeneration returns the generation of a store shared by replicas:
// it changes once any replica's counted commit that wrote a table outside
// noFactsTables is done (before that commit is acknowledged), as of the
// last Refresh (for the request being served) or this replica's own last
// commit, and every sharedMaxAge seconds. ok is false if it cannot be read, or the store is not shared.
func (db *DB) SharedGeneration() (uint64, bool) {
	if db.dialect != dialectPostgres {
		return 0, false
	}
	g, ok := db.currentGens()
	if !ok {
		return 0, false
	}
	return g.facts, true
}

// sharedGens reads the sequences: the store's and the watched tables'.
// Concurrent callers share a query that starts after they asked (so each
// sees every commit acknowledged before its call): one query at a time,
// however many requests ask.
func (db *DB) sharedGens() (*sharedGens, bool) {
	if db.pendingAdvance.Load() && !db.advance() {
		return nil, false // this replica's last commit is not counted yet
	}
	return db.genReads.read(func() (*sharedGens, bool) {
		db.latest.reads.Add(1)
		w := db.watched.Load()
		query := `SELECT ` + leadColumns
		var tables []int
		if w != nil {
			query, tables = w.query, w.tables
		}
		vals := make([]int64, 3, 3+3*len(tables))
		names := db.tables.byIndex
		for _, i := range tables {
			vals = append(vals, 0)
			if pgRowCached[names[i]] {
				vals = append(vals, 0, 0)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n := db.genQueries.Add(1) // before the query: see pgrowcache.go
		if err := db.seqPool.QueryRow(ctx, query).Scan(int64Dests(vals)...); err != nil {
			return nil, false
		}
		epoch := db.sharedEpoch()
		g := &sharedGens{global: uint64(vals[0])<<32 | epoch, facts: uint64(vals[1])<<32 | epoch, n: n,
			tables: make(map[int]uint64, len(tables)), begun: map[int]uint64{}, rowDone: map[int]uint64{}}
		db.noteServer(vals[2])
		rest := vals[3:]
		for _, i := range tables {
			g.tables[i], rest = uint64(rest[0]), rest[1:]
			if pgRowCached[names[i]] {
				g.rowDone[i], g.begun[i], rest = uint64(rest[0]), uint64(rest[1]), rest[2:]
			}
		}
		db.meetStuckMarks(g)
		return g, true
	})
}

// pgStamp is a PostgreSQL stamp: the clock step and the sequences of the
// tables read.
type pgStamp struct {
	db    *DB
	epoch uint32
	deps  []tableAt
}

// Fresh implements generation.Stamp.
func (s *pgStamp) Fresh() bool {
	g, ok := s.db.currentGens()
	if !ok || uint32(g.global) != s.epoch {
		return false
	}
	for _, d := range s.deps {
		if v, watched := g.tables[d.table]; !watched || v != d.done {
			return false
		}
	}
	return true
}

// viewStampedShared is viewStamped on PostgreSQL.
func (db *DB) viewStampedShared(ctx context.Context, fn func(*tx) error) (generation.Stamp, error) {
	before, ok := db.currentGens()
	rs := &readSet{read: map[int]bool{}}
	err := db.viewReading(ctx, fn, rs, false)
	if !ok || err != nil || rs.unknown {
		return nil, err
	}
	st := &pgStamp{db: db, epoch: uint32(before.global)}
	var unwatched []int
	for i := range rs.read {
		v, watched := before.tables[i]
		if !watched {
			unwatched = append(unwatched, i)
			continue
		}
		st.deps = append(st.deps, tableAt{i, v})
	}
	if len(unwatched) > 0 {
		db.watch(ctx, unwatched) // the next read of these gets a stamp
		return nil, nil
	}
	return st, nil
}

// sharedReads lets concurrent readers of the shared generation share one
// query, as long as it starts after they asked.
type sharedReads[T any] struct {
	mu      sync.Mutex
	waiting []chan genResult[T]
	running bool
}

type genResult[T any] struct {
	gen      T
	ok, lead bool
}

func (g *sharedReads[T]) read(query func() (T, bool)) (T, bool) {
	ch := make(chan genResult[T], 1)
	g.mu.Lock()
	g.waiting = append(g.waiting, ch)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	if !lead {
		r := <-ch
		if !r.lead {
			return r.gen, r.ok
		}
		// Handed the lead: ask again, for a query that starts from now.
		g.mu.Lock()
		g.waiting = append(g.waiting, ch)
		g.mu.Unlock()
	}
	// Lead one query for everyone waiting (this caller included), then
	// hand the lead to the first of those who came during it.
	g.mu.Lock()
	batch := g.waiting
	g.waiting = nil
	g.mu.Unlock()
	gen, ok := query() // started after every caller of batch asked
	for _, c := range batch {
		c <- genResult[T]{gen: gen, ok: ok}
	}
	g.mu.Lock()
	if len(g.waiting) > 0 {
		next := g.waiting[0]
		g.waiting = g.waiting[1:]
		g.mu.Unlock()
		next <- genResult[T]{lead: true}
	} else {
		g.running = false
		g.mu.Unlock()
	}
	r := <-ch
	return r.gen, r.ok
}
