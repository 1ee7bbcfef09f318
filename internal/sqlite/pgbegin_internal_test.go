package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/accountplane/accountplane/internal/pgtest"
)

// pipelineProbe opens a PostgreSQL store with a scratch table and pins one
// connection of its writer pool; state reports that connection's backend
// state as another connection sees it (pg_stat_activity): "idle" until a
// BEGIN reached it, "idle in transaction" after.
func pipelineProbe(t *testing.T) (db *DB, conn *sql.Conn, state func() string) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, pgtest.DSN(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.pgPool.Exec(ctx, `CREATE TABLE probe (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	conn, err = db.writer.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var pid int
	if err := conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	state = func() string {
		t.Helper()
		var s string
		if err := db.pgPool.QueryRow(ctx, `SELECT state FROM pg_stat_activity WHERE pid = $1`, pid).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	return db, conn, state
}

func probeRows(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.pgPool.QueryRow(context.Background(), `SELECT COUNT(*) FROM probe`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A transaction's BEGIN waits for its first statement, and a deferred
// statement for the next one that needs an answer: both then go out ahead
// of it, and it sees what they wrote.
func TestPostgresPipelinedTransaction(t *testing.T) {
	ctx := context.Background()
	db, conn, state := pipelineProbe(t)
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		t.Fatal(err)
	}
	if s := state(); s != "idle" {
		t.Errorf("after BeginTx the backend is %q, want idle (the BEGIN waits for a statement)", s)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO probe (id, v) VALUES ($1, $2)`, deferredExec{}, 1, "a"); err != nil {
		t.Fatal(err)
	}
	if s := state(); s != "idle" {
		t.Errorf("after a deferred insert the backend is %q, want idle (nothing sent yet)", s)
	}
	var v string
	if err := tx.QueryRowContext(ctx, `SELECT v FROM probe WHERE id = $1`, 1).Scan(&v); err != nil || v != "a" {
		t.Fatalf("the transaction's read of its deferred insert: %q, %v; want a", v, err)
	}
	if s := state(); s != "idle in transaction" {
		t.Errorf("after a query the backend is %q, want idle in transaction", s)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO probe (id, v) VALUES ($1, $2)`, deferredExec{}, 2, "b"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := probeRows(t, db); n != 2 {
		t.Errorf("%d rows after the commit, want 2 (the insert deferred to the commit included)", n)
	}
	if s := state(); s != "idle" {
		t.Errorf("after the commit the backend is %q, want idle", s)
	}
}

// A deferred statement that fails fails the transaction where it is sent
// (its next statement, or the commit), leaves nothing written and the
// connection usable; a rollback drops the statements not sent.
func TestPostgresDeferredFailureFailsTheTransaction(t *testing.T) {
	ctx := context.Background()
	db, conn, state := pipelineProbe(t)
	insert := func(tx *sql.Tx, id int, v string) {
		t.Helper()
		if _, err := tx.ExecContext(ctx, `INSERT INTO probe (id, v) VALUES ($1, $2)`, deferredExec{}, id, v); err != nil {
			t.Fatalf("a deferred insert failed at once: %v", err)
		}
	}
	begin := func() *sql.Tx {
		t.Helper()
		tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	var pe *pgconn.PgError

	tx := begin()
	insert(tx, 1, "a")
	insert(tx, 1, "again") // a duplicate key
	err := tx.Commit()
	if !errors.As(err, &pe) || pe.Code != "23505" {
		t.Errorf("commit after a failing deferred insert: %v, want a unique violation (23505)", err)
	}
	if n := probeRows(t, db); n != 0 {
		t.Errorf("%d rows after a commit that failed, want none", n)
	}

	tx = begin()
	insert(tx, 1, "a")
	insert(tx, 1, "again")
	var n int
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM probe`).Scan(&n)
	if !errors.As(err, &pe) || pe.Code != "23505" {
		t.Errorf("the statement after a failing deferred insert: %v, want its unique violation (23505)", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Errorf("rollback: %v", err)
	}

	tx = begin()
	insert(tx, 3, "dropped")
	if err := tx.Rollback(); err != nil {
		t.Errorf("rollback of a transaction with only deferred statements: %v", err)
	}
	if s := state(); s != "idle" {
		t.Errorf("after rolling back a transaction that sent nothing, the backend is %q, want idle", s)
	}

	tx = begin() // the connection serves the next transaction
	insert(tx, 4, "kept")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := probeRows(t, db); n != 1 {
		t.Errorf("%d rows, want 1: the last transaction's only", n)
	}
}
