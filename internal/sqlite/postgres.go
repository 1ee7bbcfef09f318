package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/accountplane/accountplane/internal/kernel"
)

// IsPostgres reports whether dsn names a PostgreSQL database
// (postgres:// or postgresql://).
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openPostgres connects to PostgreSQL with pgx's pool and applies the
// migrations under an advisory lock, so that replicas starting together
// migrate once. The same SQL as SQLite's runs (pgdriver.go).
func (db *DB) openPostgres(ctx context.Context, dsn string) error {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	db.pgPool = pool
	seqCfg := cfg.Copy()
	seqCfg.MaxConns = seqPoolConns
	seqCfg.MinConns = min(seqCfg.MinConns, seqPoolConns) // pool_min_conns of the DSN is the main pool's
	seqCfg.MinIdleConns = min(seqCfg.MinIdleConns, seqPoolConns)
	if db.seqPool, err = pgxpool.NewWithConfig(ctx, seqCfg); err != nil {
		pool.Close()
		return fmt.Errorf("postgres: %w", err)
	}
	// The first commit needs a connection of the sequences' pool: it is
	// opened now, while the migrations run on the main pool's (a new
	// connection costs PostgreSQL a backend, 10-30 ms on a slow machine:
	// the first write waited for it, a third of a replica's start-up).
	// Opening more at once made the start slower on two cores.
	go func(p *pgxpool.Pool) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if c, err := p.Acquire(ctx); err == nil {
			c.Release()
		}
	}(db.seqPool)

	sqlDB := sql.OpenDB(pgConnector{stdlib.GetPoolConnector(pool)})
	sqlDB.SetMaxIdleConns(0) // the pgx pool keeps the connections
	db.writer, db.reader, db.dialect = sqlDB, sqlDB, dialectPostgres
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("postgres: %w", unavailable(err))
	}
	return db.migrateLocked(ctx)
}

// seqPoolConns is the size of the pool that reads and advances the
// sequences of commits: one query at a time reads them, and each commit
// advances them once.
const seqPoolConns = 4

// migrationLock is the advisory lock key the migrations run under.
const migrationLock = 0x6163_636f_756e_7470 // "accountp"

// migrateLocked runs migrate holding the advisory lock on one connection.
func (db *DB) migrateLocked(ctx context.Context) error {
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLock)); err != nil {
		return fmt.Errorf("postgres: migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrationLock))
	if err := db.migrateOn(ctx, conn); err != nil { // on this connection: no other to open
		return err
	}
	// The sequences of counted commits (pgstamps.go) are PostgreSQL's
	// alone, outside the migrations SQLite shares.
	return createSequence(ctx, conn)
}

// maxAttempts bounds the attempts of a PostgreSQL Update whose transaction
// conflicts with concurrent ones (serialization failure, deadlock, or a
// unique violation that a serial order would have turned into the
// domain's own answer).
const maxAttempts = 20

// retryable reports whether err is a conflict that a new attempt of the
// whole transaction may not have.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "40001", "40P01", "23505": // serialization_failure, deadlock_detected, unique_violation
		return true
	}
	return false
}

// unavailable wraps the errors of an unreachable database with
// kernel.ErrUnavailable.
func unavailable(err error) error {
	if err == nil || errors.Is(err, kernel.ErrUnavailable) {
		return err
	}
	var ne net.Error
	var pe *pgconn.PgError
	if errors.As(err, &ne) || pgconn.SafeToRetry(err) || (errors.As(err, &pe) && strings.HasPrefix(pe.Code, "08")) || errors.Is(err, errConnLost) ||
		strings.Contains(err.Error(), "connect: connection refused") ||
		strings.Contains(err.Error(), "failed to connect") || strings.Contains(err.Error(), "conn closed") {
		return fmt.Errorf("%w: %v", kernel.ErrUnavailable, err)
	}
	return err
}

// updatePostgres runs fn in a SERIALIZABLE transaction, retrying the whole
// transaction (fn and the unit of work) on conflicts: what a failed attempt
// wrote is rolled back, so a retry repeats no side effect. A first attempt
// runs alongside every other transaction; retries of this process take
// turns (retryMu), so that a hot row's writers converge instead of failing
// each other again. It returns kernel.ErrConflict when the attempts are
// exhausted.
func (db *DB) updatePostgres(ctx context.Context, fn func(*tx) error, counted bool, iso sql.IsolationLevel) error {
	var last error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			db.retries.Add(1)
		}
		if attempt == 1 {
			db.retryMu.Lock()
			defer db.retryMu.Unlock()
		}
		if attempt > 1 {
			backoff := time.Duration(1<<min(attempt, 5)) * time.Millisecond
			select {
			case <-time.After(backoff/2 + rand.N(backoff/2+1)):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		err := db.updateOnce(ctx, fn, &sql.TxOptions{Isolation: iso}, counted)
		if err == nil || !retryable(err) {
			return unavailable(err)
		}
		last = err
	}
	db.conflicts.Add(1)
	return fmt.Errorf("%w (%d attempts; last: %v)", kernel.ErrConflict, maxAttempts, last)
}
