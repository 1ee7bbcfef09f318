package sqlite

import (
	"context"
	"database/sql/driver"
	"strconv"
	"strings"
	"sync"
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
	return pgConn{conn}, nil
}

// pgConn rewrites each query and its arguments before pgx sees them. It
// implements the context and named-value interfaces database/sql needs;
// the wrapped conn (pgx's *stdlib.Conn) implements them all.
type pgConn struct{ driver.Conn }

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
	st, err := c.inner().PrepareContext(ctx, rebind(query))
	if err != nil {
		return nil, err
	}
	return pgStmt{st}, nil
}

func (c pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner().BeginTx(ctx, opts)
}

func (c pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.inner().ExecContext(ctx, rebind(query), pgArgs(args))
}

func (c pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.inner().QueryContext(ctx, rebind(query), pgArgs(args))
}

func (c pgConn) Ping(ctx context.Context) error { return c.inner().Ping(ctx) }

func (c pgConn) CheckNamedValue(v *driver.NamedValue) error { return c.inner().CheckNamedValue(v) }

func (c pgConn) ResetSession(ctx context.Context) error { return c.inner().ResetSession(ctx) }

// pgStmt converts the arguments of a prepared statement.
type pgStmt struct{ driver.Stmt }

func (s pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, pgArgs(args))
}

func (s pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, pgArgs(args))
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
