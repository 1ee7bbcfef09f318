package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// A pipeline that fails before PostgreSQL began the transaction (pgx
// prepares a new statement before it sends the batch) fails the
// transaction: no later statement runs outside it, and its commit writes
// nothing.
func TestPostgresFailedPipelineFailsTheTransaction(t *testing.T) {
	ctx := context.Background()
	db, conn, _ := pipelineProbe(t)
	for _, end := range []string{"commit", "rollback"} {
		tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO probe (id, v) VALUES ($1, $2)`, deferredExec{}, 10, "deferred"); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO no_such_table (id) VALUES ($1)`, 1); err == nil {
			t.Fatal("an insert into a missing table succeeded")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO probe (id, v) VALUES ($1, $2)`, 3, "after"); err == nil {
			t.Errorf("%s: a statement after the failed pipeline ran", end)
		}
		if end == "commit" {
			if err := tx.Commit(); err == nil {
				t.Error("the commit of a failed transaction succeeded")
			}
		} else if err := tx.Rollback(); err != nil {
			t.Errorf("rollback: %v", err)
		}
		if n := probeRows(t, db); n != 0 {
			t.Errorf("%s: %d rows written by a failed transaction, want none", end, n)
		}
	}
}

// The rows of a statement sent with its BEGIN read as pgx's stdlib reads
// them outside a pipeline, whatever the column types.
func TestPostgresPipelinedRowsReadAsStdlib(t *testing.T) {
	ctx := context.Background()
	_, conn, _ := pipelineProbe(t)
	const q = `SELECT 1::int2, 2::int4, 3::int8, 1.5::float4, 2.5::float8, true, 'text'::text, 'x'::varchar,
		'\x0102'::bytea, '{"a": 1}'::json, '{"b": 2}'::jsonb, 12.34::numeric, 'r'::"char",
		'00000000-0000-0000-0000-000000000001'::uuid, '2026-12-07 10:00:00+00'::timestamptz, NULL::text`
	read := func(rows *sql.Rows) []any {
		t.Helper()
		defer rows.Close()
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if !rows.Next() {
			t.Fatalf("no row: %v", rows.Err())
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		return vals
	}
	rows, err := conn.QueryContext(ctx, q) // no transaction: pgx's stdlib
	if err != nil {
		t.Fatal(err)
	}
	want := read(rows)
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err = tx.QueryContext(ctx, q) // with its BEGIN, in a pipeline
	if err != nil {
		t.Fatal(err)
	}
	got := read(rows)
	for i := range want {
		if fmt.Sprintf("%T %v", got[i], got[i]) != fmt.Sprintf("%T %v", want[i], want[i]) {
			t.Errorf("column %d: %T %v in a pipeline, %T %v from pgx's stdlib", i, got[i], got[i], want[i], want[i])
		}
	}
}
