package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// Pipelined transactions (PostgreSQL). pgx's own BeginTx waits for the
// BEGIN's answer before the first statement is sent, and each statement for
// its own: on this machine's loopback every round trip costs each side tens
// of microseconds of system calls and a context switch, and a write made
// about ten. pgConn.BeginTx sends nothing: the BEGIN goes out with the
// transaction's first statement, in one pipeline (a pgx batch: BEGIN, the
// statement, one Sync), and a transaction that ran no statement ends
// without a round trip. A statement the store marks deferred (execDeferred:
// an insert whose answer it does not need, whose failure fails the
// transaction) is only queued, and goes out ahead of the next statement,
// or of the commit; its failure is reported there. The commit and rollback
// are pgx's own statements ("commit" and "rollback"), with its handling of
// their failures; a rollback drops the statements still queued.

// beginStatement is the BEGIN of a transaction with opts.
func beginStatement(opts driver.TxOptions) (string, error) {
	q := "begin"
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault:
	case sql.LevelReadUncommitted: // PostgreSQL's is read committed
		q += " isolation level read uncommitted"
	case sql.LevelReadCommitted:
		q += " isolation level read committed"
	case sql.LevelRepeatableRead, sql.LevelSnapshot:
		q += " isolation level repeatable read"
	case sql.LevelSerializable:
		q += " isolation level serializable"
	default:
		return "", fmt.Errorf("postgres: unsupported isolation level %v", sql.IsolationLevel(opts.Isolation))
	}
	if opts.ReadOnly {
		q += " read only"
	}
	return q, nil
}

// pgxConn is the pgx connection under c.
func (c pgConn) pgxConn() *pgx.Conn { return c.Conn.(*stdlib.Conn).Conn() }

// deferredExec, as the first argument of an Exec, marks a statement
// deferred (see execDeferred); deferredResult is what its Exec returns.
type deferredExec struct{}

type deferredResult struct{}

func (deferredResult) LastInsertId() (int64, error) {
	return 0, errors.New("postgres: a deferred statement has no result")
}

func (deferredResult) RowsAffected() (int64, error) {
	return 0, errors.New("postgres: a deferred statement has no result")
}

// pgQueued is a statement not sent yet.
type pgQueued struct {
	query string
	args  []any
}

func namedValues(args []driver.NamedValue) []any {
	values := make([]any, len(args))
	for i, a := range args {
		values[i] = a.Value
	}
	return values
}

// copiedValues is namedValues with byte slices copied: a deferred
// statement is sent after its caller returned, and may have reused them.
func copiedValues(args []driver.NamedValue) []any {
	values := namedValues(args)
	for i, v := range values {
		if b, ok := v.([]byte); ok {
			values[i] = bytes.Clone(b)
		}
	}
	return values
}

// pending reports whether the transaction has a BEGIN or statements not
// sent yet.
func (s *pgSession) pending() bool { return s.begin != "" || len(s.deferred) > 0 }

// sendPipelined sends what the transaction has pending, then tail, in one
// pipeline, and returns the results once all but tail's have arrived (the
// first failure among them is returned; PostgreSQL skips the rest).
func (c pgConn) sendPipelined(ctx context.Context, tail ...pgQueued) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	if c.s.begin != "" {
		b.Queue(c.s.begin)
	}
	for _, q := range c.s.deferred {
		b.Queue(q.query, q.args...)
	}
	for _, q := range tail {
		b.Queue(q.query, q.args...)
	}
	c.s.begin, c.s.deferred = "", nil // sent, or failed: the transaction ends with a statement now
	br := c.pgxConn().SendBatch(ctx, b)
	for range b.Len() - len(tail) {
		if _, err := br.Exec(); err != nil {
			br.Close()
			c.s.failed = err
			return nil, err
		}
	}
	return br, nil
}

// afterCommit, as the only argument of an Exec in a transaction, is a
// query of one row to run right after the transaction's commit, in the
// commit's pipeline (PostgreSQL skips it if the commit fails): the advance
// of the commit's sequences (commitMarked). ran tells whether its row was
// scanned into dest.
type afterCommit struct {
	query string
	args  []any
	dest  []any
	ran   bool
}

func (c pgConn) execPipelined(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	br, err := c.sendPipelined(ctx, pgQueued{query, namedValues(args)})
	if err != nil {
		return nil, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

func (c pgConn) queryPipelined(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	br, err := c.sendPipelined(ctx, pgQueued{query, namedValues(args)})
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &pgBatchRows{rows: rows, br: br, conn: c.pgxConn()}, nil
}

// end commits or rolls back c's transaction (stmt "commit" or "rollback"),
// as pgx's Tx does: a commit PostgreSQL answers with ROLLBACK (the
// transaction had failed) is an error, and a connection whose commit or
// rollback failed is closed (its state is unknown).
func (c pgConn) end(stmt string) error {
	ctx := c.s.beginCtx
	if ctx == nil {
		ctx = context.Background()
	}
	conn := c.pgxConn()
	if failed := c.s.failed; failed != nil {
		// Whatever PostgreSQL began is rolled back; a commit is refused.
		*c.s = pgSession{}
		if conn.PgConn().TxStatus() != 'I' {
			if _, err := conn.Exec(ctx, "rollback"); err != nil {
				closeNow(conn)
			}
		}
		if stmt == "commit" {
			return fmt.Errorf("%w: %w", pgx.ErrTxCommitRollback, failed)
		}
		return nil
	}
	begun := c.s.begin == ""
	after := c.s.after
	if stmt == "rollback" {
		c.s.deferred, after = nil, nil // never sent
	}
	if !begun && len(c.s.deferred) == 0 { // nothing was sent: nothing to end
		*c.s = pgSession{}
		return nil
	}
	var tag pgconn.CommandTag
	var err error
	if c.s.pending() || after != nil {
		tail := []pgQueued{{query: stmt}}
		if after != nil {
			tail = append(tail, pgQueued{query: after.query, args: after.args})
		}
		var br pgx.BatchResults
		if br, err = c.sendPipelined(ctx, tail...); err == nil {
			tag, err = br.Exec()
			if err == nil && after != nil {
				after.ran = br.QueryRow().Scan(after.dest...) == nil
			}
			if cerr := br.Close(); cerr != nil && err == nil {
				// The commit's answer came: whatever failed after it
				// (the query after it, the connection) does not undo it.
				if conn.PgConn().TxStatus() != 'I' {
					closeNow(conn)
				}
			}
		}
		if err != nil && conn.PgConn().TxStatus() == 'E' {
			// A deferred statement failed: the commit was skipped and
			// the transaction is open, failed.
			_, _ = conn.Exec(ctx, "rollback")
		}
	} else {
		tag, err = conn.Exec(ctx, stmt)
	}
	*c.s = pgSession{}
	if err != nil {
		if conn.PgConn().TxStatus() != 'I' { // in no known state: not reused
			closeNow(conn)
		}
		return connLost(err)
	}
	if stmt == "commit" && tag.String() == "ROLLBACK" {
		if after != nil {
			after.ran = false
		}
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// closeNow closes a connection left in no known state.
func closeNow(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = conn.Close(ctx)
}

// pgBatchRows are the rows of a statement sent in a pipeline, as
// database/sql reads them: each column converted as pgx's stdlib converts
// it (rowValue).
type pgBatchRows struct {
	rows   pgx.Rows
	br     pgx.BatchResults
	conn   *pgx.Conn
	cols   []string
	values []func(src []byte) (driver.Value, error)
}

func (r *pgBatchRows) Columns() []string {
	if r.cols == nil {
		fields := r.rows.FieldDescriptions()
		r.cols = make([]string, len(fields))
		for i, f := range fields {
			r.cols[i] = f.Name
		}
	}
	return r.cols
}

func (r *pgBatchRows) Close() error {
	r.rows.Close()
	err := r.rows.Err()
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return connLost(err)
}

func (r *pgBatchRows) Next(dest []driver.Value) error {
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return connLost(err)
		}
		return io.EOF
	}
	if r.values == nil {
		m := r.conn.TypeMap()
		for _, f := range r.rows.FieldDescriptions() {
			r.values = append(r.values, rowValue(m, f.DataTypeOID, f.Format))
		}
	}
	for i, src := range r.rows.RawValues() {
		if src == nil {
			dest[i] = nil
			continue
		}
		v, err := r.values[i](src)
		if err != nil {
			return fmt.Errorf("postgres: column %d: %w", i, err)
		}
		dest[i] = v
	}
	return nil
}

// rowValue converts a column of type oid as pgx's stdlib does: booleans,
// integers, floats and times as such, bytea and JSON as bytes, any other
// type as its text. A pipeline cannot ask for text results as the stdlib
// does (pgx's batches take binary wherever pgx has a codec for it): a type
// whose binary form pgx cannot read as text (interval, inet, arrays; none
// in the schema) fails the read, rather than reading differently
// (TestPostgresPipelinedRowsReadAsStdlib).
func rowValue(m *pgtype.Map, oid uint32, format int16) func([]byte) (driver.Value, error) {
	scan := func(target any, value func() driver.Value) func([]byte) (driver.Value, error) {
		plan := m.PlanScan(oid, format, target)
		return func(src []byte) (driver.Value, error) {
			if err := plan.Scan(src, target); err != nil {
				return nil, err
			}
			return value(), nil
		}
	}
	switch oid {
	case pgtype.BoolOID:
		var d bool
		return scan(&d, func() driver.Value { return d })
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID:
		var d int64
		return scan(&d, func() driver.Value { return d })
	case pgtype.Float4OID, pgtype.Float8OID:
		var d float64
		return scan(&d, func() driver.Value { return d })
	case pgtype.ByteaOID, pgtype.JSONOID, pgtype.JSONBOID:
		var d []byte
		return scan(&d, func() driver.Value { return bytes.Clone(d) })
	case pgtype.TimestampOID, pgtype.TimestamptzOID, pgtype.DateOID:
		var d time.Time
		return scan(&d, func() driver.Value { return d })
	default:
		var d string
		return scan(&d, func() driver.Value { return d })
	}
}
