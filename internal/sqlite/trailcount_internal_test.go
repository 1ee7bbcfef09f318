package sqlite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// trailCount returns the kept count of records (migration 0022) and the
// blocks' sum.
func trailCount(t *testing.T, db *DB) (kept, sum int64) {
	t.Helper()
	ctx := context.Background()
	err := db.view(ctx, func(tx *tx) error {
		if err := tx.queryRow(ctx, `SELECT COALESCE((SELECT n FROM cloudtrail_count WHERE id = 1), 0)`).Scan(&kept); err != nil {
			return err
		}
		return tx.queryRow(ctx, `SELECT COALESCE(SUM(records), 0) FROM cloudtrail_blocks`).Scan(&sum)
	})
	if err != nil {
		t.Fatal(err)
	}
	return kept, sum
}

// The count of records SQLite's trims read follows every change to the
// blocks, in the change's transaction: batches of reads' records, a
// change's record, a replaced record, a group's write rolled back to its
// savepoint, a trim, a purge, an import and a reset.
func TestTrailCountFollowsTheBlocks(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	want := func(step string, n int64) {
		t.Helper()
		kept, sum := trailCount(t, db)
		if kept != sum || sum != n {
			t.Fatalf("after %s: count %d, blocks hold %d; want %d", step, kept, sum, n)
		}
	}
	want("a new store", 0)
	reads := make([]kernel.TrailEvent, 10)
	for i := range reads {
		reads[i] = putChange(100 + i)
		reads[i].ID, reads[i].Name = fmt.Sprintf("read-%d", i), "GetAlternateContact"
	}
	if err := db.AppendEvents(ctx, reads); err != nil {
		t.Fatal(err)
	}
	want("a batch of reads' records", 10)
	for i := range 3 {
		appendChange(t, db, putChange(i))
	}
	want("three changes' records", 13)
	replaced := putChange(1)
	replaced.Record = []byte(`{"responseElements":{}}`)
	if err := db.ReplaceEvent(ctx, replaced); err != nil {
		t.Fatal(err)
	}
	want("a replaced record", 13)

	// One group: a write that appends a record and fails, then one that
	// appends a record and commits.
	failed := errors.New("refused")
	batch := []*groupWrite{
		{ctx: ctx, fn: func(tx *tx) error {
			if err := tx.AppendTrailEvent(ctx, putChange(50)); err != nil {
				return err
			}
			return failed
		}},
		{ctx: ctx, fn: func(tx *tx) error { return tx.AppendTrailEvent(ctx, putChange(51)) }},
	}
	for _, w := range batch {
		w.done = make(chan groupResult, 1)
	}
	db.commitGroup(batch)
	if r := <-batch[0].done; !errors.Is(r.err, failed) {
		t.Fatalf("the failing write: %v", r.err)
	}
	if r := <-batch[1].done; r.err != nil {
		t.Fatalf("the other write: %v", r.err)
	}
	want("a group with a write rolled back", 14)

	if n, err := db.TrimEvents(ctx, 12); err != nil || n != 2 {
		t.Fatalf("TrimEvents(12): %d, %v; want 2 deleted", n, err)
	}
	want("a trim to 12", 12)
	if n, err := db.TrimEvents(ctx, 5); err != nil || n != 7 {
		t.Fatalf("TrimEvents(5): %d, %v; want 7 deleted (a block cut)", n, err)
	}
	want("a trim to 5 that cuts a block", 5)

	st, err := db.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Tables["cloudtrail_count"]; ok {
		t.Error("the export holds the count: it follows the blocks")
	}
	doc, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	appendChange(t, db, putChange(60))
	want("one more change", 6)
	if err := db.ImportFrom(ctx, bytes.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
	want("an import of the store as it was", 5)
	if n, err := db.PurgeEvents(ctx, time.Date(2026, 3, 1, 12, 0, 2, 0, time.UTC)); err != nil || n == 0 {
		t.Fatalf("PurgeEvents: %d, %v; want some deleted", n, err)
	}
	kept, _ := trailCount(t, db)
	want("a purge", kept)
	if kept >= 5 {
		t.Fatalf("%d records after the purge, want fewer than 5", kept)
	}
	if err := db.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	want("a reset", 0)
}
