package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busyTimeout is how long a connection waits for a lock another connection
// holds before failing with SQLITE_BUSY.
const busyTimeout = 5 * time.Second

// Options are the optional knobs of [Open]; the zero value is usable.
type Options struct {
	// Now is the clock that stamps applied migrations (default time.Now).
	Now func() time.Time
}

// DB is an open SQLite database. It is safe for concurrent use.
type DB struct {
	// writer runs Update and every other write: one connection, so writes
	// are serialized in the process, and BEGIN IMMEDIATE.
	writer *sql.DB
	// reader runs View and the read-only methods: query-only connections.
	// For ":memory:" it is writer.
	reader *sql.DB
	// keep holds an in-memory database open for the DB's lifetime (nil for
	// files): a shared-cache memory database vanishes with its last
	// connection. keepPool is the pool keep comes from.
	keep     *sql.Conn
	keepPool *sql.DB
	now      func() time.Time
	// readStmts and writeStmts cache prepared statements per pool.
	readStmts, writeStmts sync.Map
	dialect               dialect
	// pgPool is the PostgreSQL connection pool (nil for SQLite); seqPool
	// a small one of its own for the sequences of commits (pgstamps.go),
	// so that a transaction holding one of pgPool's connections never
	// waits for another; retryMu makes this process's retried
	// transactions take turns.
	pgPool, seqPool *pgxpool.Pool
	retryMu         sync.Mutex
	// retries counts retried PostgreSQL transactions, conflicts the
	// updates that ran out of attempts.
	retries, conflicts atomic.Int64
	// group batches concurrent Updates into one commit (groupcommit.go).
	group groupCommitter
	// tables counts the commits of the domains' changes per table
	// (stamps.go); genReads shares the reads of PostgreSQL's shared
	// generation.
	tables   tableGens
	genReads sharedReads[*sharedGens]
	// latest are the sequences the last Refresh read (pgrefresh.go).
	latest latestState
	// PostgreSQL's sequences of commits (pgstamps.go): watched names the
	// tables whose sequences stamps depend on; pendingAdvance is set while
	// pendingTables hold tables of this replica's counted commits whose
	// sequences have not advanced yet.
	// genQueries numbers the sequence queries as they start
	// (pgrowcache.go).
	watched        atomic.Pointer[watchSet]
	genQueries     atomic.Uint64
	sequences      sync.Map // table index → true: its sequence exists
	watchMu        sync.Mutex
	pendingAdvance atomic.Bool
	pendingMu      sync.Mutex
	pendingTables  map[int]uint64 // table → the mark of its last failed advance
	pendingMarks   uint64
	// apart are the row-cached tables whose begun and done marks were
	// last seen apart (pgrowcache.go); meeting counts the meetings under
	// way; stuckAfter replaces the constant in tests.
	serverStart atomic.Int64 // the PostgreSQL server's start (noteServer)
	// frozenEpoch, when not 0, is the shared generation's minute step
	// (sharedEpoch), frozen by tests that compare generations read apart.
	frozenEpoch atomic.Uint32
	apartMu     sync.Mutex
	apart       map[int]apartMarks
	meeting     sync.WaitGroup
	stuckAfter  time.Duration
	// ids makes the event ids of read records (eventids.go); an import
	// replaces it.
	ids atomic.Pointer[eventIDs]
	// rows keeps rows read transactions looked up (rowcache.go).
	rows rowCache
	// pgTargets keeps the active event targets for PostgreSQL's writes
	// (pgtablecache.go).
	pgTargets pgTableCache[kernel.BusTarget]
	// commits counts the writer's commits; ckpt checkpoints a file's WAL
	// in the background after them (checkpoint.go; nil otherwise).
	commits atomic.Uint64
	ckpt    *checkpointer
	// trailIndex writes the postings of changes' records (trailindex.go).
	trailIndex trailIndexer
	// closed is set by Close (a View that needs no statement would not
	// notice otherwise).
	closed atomic.Bool
	// beforeCommit is the unit of work (see SetBeforeCommit).
	beforeCommit kernel.BeforeCommit
	// preparing counts statements being prepared in the background;
	// closing stops new ones (see prepareLater).
	prepMu    sync.Mutex
	closing   bool
	preparing sync.WaitGroup
}

// memoryDBs numbers the in-memory databases of the process, so that every
// Open(":memory:") gets a database of its own.
var memoryDBs atomic.Int64

// Open opens the database at path, creating it if needed, and applies any
// pending migrations. path is a file path or ":memory:" for a throwaway
// in-memory database.
func Open(ctx context.Context, path string, opts Options) (_ *DB, err error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	db := &DB{now: opts.Now}
	if db.now == nil {
		db.now = time.Now
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	switch {
	case path == ":memory:":
		err = db.openMemory(ctx)
	case IsPostgres(path):
		err = db.openPostgres(ctx, path)
	default:
		err = db.openFile(ctx, path)
	}
	if err == nil {
		err = db.initTableGens(ctx)
	}
	if err == nil {
		err = db.initEventIDs(ctx)
	}
	if err != nil {
		return nil, err
	}
	if db.dialect == dialectSQLite {
		db.startTrailIndexer()
	}
	return db, nil
}

func (db *DB) openMemory(ctx context.Context) error {
	name := fmt.Sprintf("accountplane-%d", memoryDBs.Add(1))
	q := url.Values{}
	q.Set("mode", "memory")
	q.Set("cache", "shared")
	q.Set("_busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10))
	q.Set("_foreign_keys", "1")
	q.Set("_txlock", "immediate")
	q.Add("_pragma", "temp_store(memory)")
	dsn := "file:" + name + "?" + q.Encode()

	// The keeper is a connection from a pool of its own that never runs a
	// statement after the ping, so it holds no locks.
	var err error
	db.keepPool, err = sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("sqlite: open memory database: %w", err)
	}
	if db.keep, err = db.keepPool.Conn(ctx); err != nil {
		return fmt.Errorf("sqlite: open memory database: %w", err)
	}
	if err := db.keep.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: open memory database: %w", err)
	}

	// A shared-cache database locks whole tables, so concurrent connections
	// would fail rather than wait: one connection serves reads and writes.
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("sqlite: open memory database: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db.writer, db.reader = w, w
	return db.migrate(ctx)
}

func (db *DB) openFile(ctx context.Context, name string) error {
	abs, err := filepath.Abs(name)
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", name, err)
	}
	timeout := strconv.FormatInt(busyTimeout.Milliseconds(), 10)

	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	writeFreshImage(abs, ms)

	wq := url.Values{}
	wq.Set("_busy_timeout", timeout)
	wq.Set("_journal_mode", "WAL")
	wq.Set("_synchronous", "FULL")
	wq.Set("_foreign_keys", "1")
	wq.Set("_txlock", "immediate")
	// Statement journals (a multi-row INSERT's, for its own rollback) in
	// memory, not in a temporary file written page by page; 32 MiB of page
	// cache for the writer, whose index inserts (CloudTrail's) land at
	// random places (SQLite's default is 2 MiB).
	wq.Add("_pragma", "temp_store(memory)")
	wq.Add("_pragma", "cache_size(-32768)")
	wq.Add("_pragma", "wal_autocheckpoint("+strconv.Itoa(walBackstopPages)+")") // see checkpoint.go
	db.writer, err = sql.Open("sqlite", fileURI(abs, wq))
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	db.writer.SetMaxOpenConns(1)
	db.writer.SetMaxIdleConns(1)
	db.writer.SetConnMaxLifetime(0)
	db.writer.SetConnMaxIdleTime(0)

	// The first connection creates the file and switches it to WAL, which
	// persists in the file; check that it took (it cannot on some network
	// file systems, and readers would then block writers).
	var mode string
	if err := db.writer.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("sqlite: open %s: journal mode is %q, want wal", abs, mode)
	}
	if err := db.migrate(ctx); err != nil {
		return err
	}
	if err := db.stampImageMigrations(ctx); err != nil {
		return err
	}

	rq := url.Values{}
	rq.Set("_busy_timeout", timeout)
	rq.Set("_foreign_keys", "1")
	rq.Set("_query_only", "1")
	db.reader, err = sql.Open("sqlite", fileURI(abs, rq))
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	n := min(max(runtime.GOMAXPROCS(0), 4), 16)
	db.reader.SetMaxOpenConns(n)
	db.reader.SetMaxIdleConns(n)
	if err := db.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	if err := db.startCheckpointer(abs); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	return nil
}

// fileURI returns the SQLite URI of the absolute path p with query q. The
// path is escaped, so '?', '#' and '%' in it are taken literally.
func fileURI(p string, q url.Values) string {
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// Close closes the database. An Update in progress may fail.
func (db *DB) Close() error {
	db.prepMu.Lock()
	db.closing = true
	db.prepMu.Unlock()
	db.closed.Store(true)
	db.preparing.Wait()
	var errs []error
	db.stopTrailIndexer()
	if db.ckpt != nil {
		errs = append(errs, db.ckpt.close())
	}
	for _, cache := range []*sync.Map{&db.readStmts, &db.writeStmts} {
		cache.Range(func(_, v any) bool {
			if s, _ := v.(*sql.Stmt); s != nil {
				errs = append(errs, s.Close())
			}
			return true
		})
	}
	if db.reader != nil && db.reader != db.writer {
		errs = append(errs, db.reader.Close())
	}
	if db.writer != nil {
		errs = append(errs, db.writer.Close())
	}
	if db.keep != nil {
		errs = append(errs, db.keep.Close())
	}
	if db.keepPool != nil {
		errs = append(errs, db.keepPool.Close())
	}
	if db.seqPool != nil {
		db.apartMu.Lock() // a meeting not yet started sees closed from here on
		db.apartMu.Unlock()
		db.meeting.Wait() // at most the 2 s of its statements
		db.seqPool.Close()
	}
	if db.pgPool != nil {
		db.pgPool.Close()
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// Empty reports whether the database holds no account (so the default world
// has not been created yet).
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var exists bool
	if err := db.reader.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM accounts)").Scan(&exists); err != nil {
		return false, fmt.Errorf("sqlite: find any account: %w", err)
	}
	return !exists, nil
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string // file name, e.g. 0001_init.sql
	sql     string
}

// migrations returns the embedded migrations in version order. Names are
// NNNN_description.sql; versions must be unique.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", base)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", other, base, v)
		}
		seen[v] = base
		b, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// createMigrationsTable creates the record of the migrations applied.
const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at INTEGER NOT NULL
)`

// migrator is what the migrations run on: the writer pool, or (on
// PostgreSQL) the connection that holds the migration lock.
type migrator interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// migrate applies the migrations not yet recorded in schema_migrations.
func (db *DB) migrate(ctx context.Context) error { return db.migrateOn(ctx, db.writer) }

// migrateOn is migrate on on.
func (db *DB) migrateOn(ctx context.Context, on migrator) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if _, err := on.ExecContext(ctx, db.dialect.ddl(createMigrationsTable)); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	var newest sql.NullInt64
	if err := on.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&newest); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if len(ms) > 0 && newest.Valid && newest.Int64 > int64(ms[len(ms)-1].version) {
		return fmt.Errorf("%s: the database schema (version %d) is newer than this program's (%d): run a newer accountplane, or a store made by this one", db.dialect,
			newest.Int64, ms[len(ms)-1].version)
	}
	return db.applyAll(ctx, on, ms)
}

// applyAll applies the migrations not yet recorded, in one transaction
// with their records: a store is upgraded wholly or not at all, and a new
// one is created with one commit (one fsync) rather than one per
// migration.
func (db *DB) applyAll(ctx context.Context, on migrator, ms []migration) error {
	tx, err := on.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer tx.Rollback()
	applied := map[int]bool{}
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if len(applied) == 0 {
		fresh, err := db.createFresh(ctx, tx, ms)
		if err != nil {
			return err
		}
		if fresh {
			if err := tx.Commit(); err != nil {
				return fmt.Errorf("sqlite: migrate: %w", err)
			}
			return nil
		}
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if err := db.apply(ctx, tx, m); err != nil {
			return fmt.Errorf("sqlite: migrate %s: %w", m.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// apply applies m in tx, with its record.
func (db *DB) apply(ctx context.Context, tx *sql.Tx, m migration) error {
	if _, err := tx.ExecContext(ctx, db.dialect.ddl(m.sql)); err != nil {
		return err
	}
	if convert := dataMigrations[m.version]; convert != nil {
		if err := convert(ctx, tx, db); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, db.now().UnixNano())
	return err
}

// Timestamps are stored as INTEGER unix nanoseconds, NULL for the zero
// time.Time, and read back in UTC: a time round-trips exactly (Equal, and ==
// for UTC times without a monotonic reading). Times outside what an int64 of
// nanoseconds holds (years 1678 to 2262) cannot be stored.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// nanos is a time.Time as a query argument.
type nanos time.Time

// Value implements driver.Valuer.
func (n nanos) Value() (driver.Value, error) {
	t := time.Time(n)
	if t.IsZero() {
		return nil, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return nil, fmt.Errorf("time %s is outside the storable range", t.Format(time.RFC3339Nano))
	}
	return t.UnixNano(), nil
}

// scanTime is a sql.Scanner that reads a nanos column into *t.
type scanTime struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s scanTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case int64:
		*s.t = time.Unix(0, v).UTC()
	default:
		return fmt.Errorf("timestamp column holds %T, want INTEGER", src)
	}
	return nil
}
