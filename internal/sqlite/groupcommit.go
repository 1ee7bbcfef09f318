package sqlite

import (
	"context"
	"fmt"
	"sync"
)

// Group commit (SQLite). Every Update waits for its commit to be durable
// (synchronous=FULL: an fsync of the WAL), and the database has one writer.
// Updates that arrive while a commit is under way are run together in the
// next transaction, each inside a savepoint of its own, and committed with
// one fsync: an Update that fails rolls back to its savepoint and fails
// alone; the others commit together, and each caller hears only once its
// own write is durable. Serializability is kept: the writes run one after
// another in one transaction.

// maxGroup bounds how many Updates one commit carries.
const maxGroup = 128

type groupWrite struct {
	ctx     context.Context
	fn      func(*tx) error
	counted bool // a domain's change (see [DB.Generation])
	done    chan groupResult
	// lead tells the write that it commits the next group (the one it is
	// first in).
	lead chan struct{}
}

type groupResult struct {
	err      error
	panicked any
	after    func(committed bool)
}

// groupCommitter queues the Updates. While one group commits, the next
// gathers; the first Update of each group commits it, then hands the lead
// to the first of the next. (A leader that went on committing others'
// groups until the queue was empty kept its own caller waiting for as
// long as writes kept coming: seconds, under load.)
type groupCommitter struct {
	mu      sync.Mutex
	queue   []*groupWrite
	running bool // a group is being committed, or its leader told
}

// updateGrouped runs fn in the next group transaction and returns once
// that transaction committed (or fn failed).
func (db *DB) updateGrouped(ctx context.Context, fn func(*tx) error, counted bool) error {
	w := &groupWrite{ctx: ctx, fn: fn, counted: counted, done: make(chan groupResult, 1), lead: make(chan struct{}, 1)}
	g := &db.group
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if !g.running {
		g.running = true
		w.lead <- struct{}{}
	}
	g.mu.Unlock()
	var r groupResult
	select {
	case r = <-w.done:
	case <-w.lead:
		db.commitNextGroup()
		r = <-w.done
	}
	if r.panicked != nil {
		panic(r.panicked)
	}
	return r.err
}

// commitNextGroup commits the first maxGroup queued Updates, then hands
// the lead to the next one queued, if any.
func (db *DB) commitNextGroup() {
	g := &db.group
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if len(g.queue) == 0 {
			g.running = false
			return
		}
		g.queue[0].lead <- struct{}{}
	}()
	db.commitGroup(batch)
}

func (db *DB) commitGroup(batch []*groupWrite) {
	results := make([]groupResult, len(batch))
	finish := func(commitErr error) {
		for i, w := range batch {
			r := results[i]
			if r.after != nil {
				r.after(commitErr == nil && r.err == nil && r.panicked == nil)
			}
			if r.err == nil && r.panicked == nil && commitErr != nil {
				r.err = commitErr
			}
			w.done <- r
		}
	}
	if len(batch) == 1 { // nothing to share: the plain path
		w := batch[0]
		func() {
			defer func() {
				if p := recover(); p != nil {
					results[0].panicked = p
				}
			}()
			results[0].err = db.updateOnce(w.ctx, w.fn, nil, w.counted)
		}()
		finish(nil)
		return
	}
	sqlTx, err := db.writer.BeginTx(context.Background(), nil)
	if err != nil {
		for i := range results {
			results[i].err = fmt.Errorf("sqlite: begin: %w", err)
		}
		finish(nil)
		return
	}
	t := &tx{tx: sqlTx, stmts: db.stmtCache(&db.writeStmts), pool: db.writer, db: db, written: &writeSet{}}
	ok := 0
	for i, w := range batch {
		if err := t.control("SAVEPOINT w"); err != nil {
			results[i].err = fmt.Errorf("sqlite: savepoint: %w", err)
			continue
		}
		results[i] = db.runInSavepoint(w, t)
		release := []string{"RELEASE w"}
		if results[i].err != nil || results[i].panicked != nil {
			if results[i].after != nil {
				results[i].after(false)
				results[i].after = nil
			}
			release = []string{"ROLLBACK TO w", "RELEASE w"}
		} else {
			ok++
		}
		var err error
		for _, stmt := range release {
			if err == nil {
				err = t.control(stmt)
			}
		}
		if err != nil {
			sqlTx.Rollback()
			for j := range results {
				if results[j].err == nil && results[j].panicked == nil {
					results[j].err = fmt.Errorf("sqlite: savepoint: %w", err)
				}
			}
			finish(nil)
			return
		}
	}
	if ok == 0 {
		sqlTx.Rollback()
		finish(nil)
		return
	}
	commit := sqlTx.Commit
	for _, w := range batch {
		if w.counted {
			commit = func() error { return db.countCommit(t.written, nil, sqlTx.Commit) }
			break
		}
	}
	if err := commit(); err != nil {
		finish(fmt.Errorf("sqlite: commit: %w", err))
		return
	}
	db.commits.Add(1)
	finish(nil)
}

// control runs a savepoint statement of the group's transaction, prepared
// once like the writes' statements.
func (t *tx) control(query string) error {
	ctx := context.Background()
	if s := t.stmt(ctx, t.tx, query); s != nil {
		_, err := s.ExecContext(ctx)
		return err
	}
	_, err := t.tx.ExecContext(ctx, query)
	return err
}

// runInSavepoint runs one write and the unit of work's BeforeCommit for it.
func (db *DB) runInSavepoint(w *groupWrite, t *tx) (r groupResult) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked = p
		}
	}()
	if err := w.ctx.Err(); err != nil {
		return groupResult{err: err}
	}
	if err := w.fn(t); err != nil {
		return groupResult{err: err}
	}
	if db.beforeCommit != nil {
		after, err := db.beforeCommit(w.ctx, t)
		return groupResult{err: err, after: after}
	}
	return groupResult{}
}
