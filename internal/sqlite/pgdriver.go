package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL dialect runs the same SQL as SQLite: the store's queries
// use ? placeholders, INTEGER 0/1 booleans and ON CONFLICT upserts, which
// both databases read alike once the placeholders are numbered and Go
// booleans are sent as integers. pgConnector wraps pgx's database/sql
// connector to do exactly that, so that no query is written twice.

// pgConnector wraps a driver.Connector of pgx (stdlib.GetPoolConnector).
type pgConnector struct{ driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return pgConn{Conn: conn, s: &pgSession{}}, nil
}

// pgConn rewrites each query and its arguments before pgx sees them. It
// implements the context and named-value interfaces database/sql needs;
// the wrapped conn (pgx's *stdlib.Conn) implements them all.
type pgConn struct {
	driver.Conn
	s *pgSession
}

// pgSession is the state of a connection's transaction that has not
// reached PostgreSQL yet (pgbegin.go): BeginTx sends nothing; the BEGIN and
// the statements deferred since go out with the next statement that needs
// an answer, in one pipeline.
type pgSession struct {
	inTx     bool
	begin    string          // the BEGIN to send with the next statement ("" once sent)
	beginCtx context.Context // BeginTx's, for the commit or rollback (as pgx's stdlib does)
	deferred []pgQueued      // statements whose answer nobody waits for, not sent yet
	after    *afterCommit    // the query to run right after the commit
	// failed is the error of a pipeline that failed: PostgreSQL may or may
	// not have begun the transaction (pgx prepares new statements before
	// it sends a batch), so it serves no further statement, and its commit
	// is a rollback.
	failed error
}

type pgInner interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.NamedValueChecker
	driver.SessionResetter
}

func (c pgConn) inner() pgInner { return c.Conn.(pgInner) }

func (c pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	query = rebind(query)
	st, err := c.inner().PrepareContext(ctx, query)
	if err != nil {
		return nil, connLost(err)
	}
	return pgStmt{Stmt: st, c: c, query: query}, nil
}

func (c pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	begin, err := beginStatement(opts)
	if err != nil {
		return nil, err
	}
	if c.s.inTx {
		return nil, errors.New("postgres: a transaction is open on this connection already")
	}
	c.s.inTx, c.s.begin, c.s.beginCtx = true, begin, ctx
	return pgTx{c}, nil
}

func (c pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.exec(ctx, rebind(query), args)
}

func (c pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.query(ctx, rebind(query), args)
}

// exec runs a rebound statement, after what the transaction has still
// to send; one deferred (execDeferred) is only queued.
func (c pgConn) exec(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.s.failed != nil {
		return nil, fmt.Errorf("postgres: the transaction failed: %w", c.s.failed)
	}
	if len(args) == 1 {
		if ac, ok := args[0].Value.(*afterCommit); ok {
			if !c.s.inTx || c.s.after != nil {
				return nil, errors.New("postgres: a query after the commit needs a transaction (one per transaction)")
			}
			ac.query, c.s.after = query, ac
			return deferredResult{}, nil
		}
	}
	if len(args) > 0 && args[0].Value == (deferredExec{}) {
		args = args[1:]
		if c.s.inTx {
			c.s.deferred = append(c.s.deferred, pgQueued{query, copiedValues(pgArgs(args))})
			return deferredResult{}, nil
		}
	}
	if c.s.pending() {
		res, err := c.execPipelined(ctx, query, pgArgs(args))
		return res, connLost(err)
	}
	res, err := c.inner().ExecContext(ctx, query, pgArgs(args))
	return res, connLost(err)
}

// query is exec for a statement that returns rows.
func (c pgConn) query(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.s.failed != nil {
		return nil, fmt.Errorf("postgres: the transaction failed: %w", c.s.failed)
	}
	if c.s.pending() {
		rows, err := c.queryPipelined(ctx, query, pgArgs(args))
		return rows, connLost(err)
	}
	return pgRowsOf(c.inner().QueryContext(ctx, query, pgArgs(args)))
}

func (c pgConn) Ping(ctx context.Context) error { return c.inner().Ping(ctx) }

func (c pgConn) CheckNamedValue(v *driver.NamedValue) error {
	if _, ok := v.Value.(*afterCommit); ok || v.Value == (deferredExec{}) {
		return nil
	}
	return c.inner().CheckNamedValue(v)
}

// ResetSession refuses a connection whose transaction did not end (never
// so through database/sql, which ends each): its state is unknown.
func (c pgConn) ResetSession(ctx context.Context) error {
	if c.s.inTx {
		return driver.ErrBadConn
	}
	return c.inner().ResetSession(ctx)
}

// pgStmt is a prepared statement of a pgConn: pgx runs it by its text
// (its cache of prepared statements), as the conn's own statements.
type pgStmt struct {
	driver.Stmt
	c     pgConn
	query string // rebound
}

// NumInput is unknown (-1): a deferred statement has one argument more,
// its mark, and pgx checks the count itself.
func (s pgStmt) NumInput() int { return -1 }

func (s pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.c.exec(ctx, s.query, args)
}

func (s pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.c.query(ctx, s.query, args)
}

// pgTx ends a pgConn's transaction: one that never sent its BEGIN (no
// statement ran) ends without a round trip.
type pgTx struct{ c pgConn }

func (t pgTx) Commit() error   { return t.c.end("commit") }
func (t pgTx) Rollback() error { return t.c.end("rollback") }

// pgRows marks the connection failures of reading rows; every other method
// is pgx's.
type pgRows struct{ *stdlib.Rows }

func pgRowsOf(r driver.Rows, err error) (driver.Rows, error) {
	if err != nil {
		return nil, connLost(err)
	}
	if pr, ok := r.(*stdlib.Rows); ok {
		return pgRows{pr}, nil
	}
	return r, nil
}

func (r pgRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err == io.EOF { // the end of the rows, not of the connection
		return err
	}
	return connLost(err)
}

// errConnLost marks the failure of a call whose connection to PostgreSQL
// ended under it (the server or the network went away): pgx reports that
// as a bare io.ErrUnexpectedEOF, which unavailable could not tell from any
// other truncated input.
var errConnLost = errors.New("the connection to PostgreSQL was lost")

// connLost wraps err with errConnLost if it is pgx's report of a lost
// connection.
func connLost(err error) error {
	if err != nil && errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %w", errConnLost, err)
	}
	return err
}

// pgArgs sends Go booleans as the INTEGER 0/1 the schema stores.
func pgArgs(args []driver.NamedValue) []driver.NamedValue {
	for i, a := range args {
		if b, ok := a.Value.(bool); ok {
			v := int64(0)
			if b {
				v = 1
			}
			args[i].Value = v
		}
	}
	return args
}

var rebound sync.Map // query -> rebound query

// rebind numbers the ? placeholders of query ($1, $2, ...), leaving those
// inside string literals and quoted identifiers alone.
func rebind(query string) string {
	if v, ok := rebound.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	out := b.String()
	rebound.Store(query, out)
	return out
}
