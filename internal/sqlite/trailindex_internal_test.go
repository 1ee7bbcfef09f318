package sqlite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

func pendingBlocks(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.view(context.Background(), func(tx *tx) error {
		return tx.queryRow(context.Background(), `SELECT COUNT(*) FROM cloudtrail_unindexed`).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// appendChange writes ev as a change's record, in a transaction of its
// own.
func appendChange(t *testing.T, db *DB, ev kernel.TrailEvent) {
	t.Helper()
	ctx := context.Background()
	if err := db.update(ctx, func(t *tx) error { return t.AppendTrailEvent(ctx, ev) }); err != nil {
		t.Fatal(err)
	}
}

// putChange is the record of the i-th PutAlternateContact of account
// 111122223333, i seconds into a day.
func putChange(i int) kernel.TrailEvent {
	return kernel.TrailEvent{ID: fmt.Sprintf("change-%d", i), Account: "111122223333", Time: time.Date(2026, 3, 1, 12, 0, i, 0, time.UTC),
		Name: "PutAlternateContact", Source: "account.amazonaws.com", Username: "root", AccessKeyID: "AKID", Record: []byte(`{}`), FreshID: true}
}

// lookupAll pages through q (pages of limit) and returns the event ids,
// in order.
func lookupAll(t *testing.T, db *DB, q kernel.TrailQuery, limit int) []string {
	t.Helper()
	q.Limit = limit
	var ids []string
	for {
		page, err := db.LookupEvents(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page {
			ids = append(ids, ev.ID)
		}
		if len(page) < limit {
			return ids
		}
		q.After = page[len(page)-1].Seq
	}
}

// Changes' records are written without their postings (pending) and
// indexed later. Every lookup finds the same records, in the same order,
// before and after: what a brute-force filter of the records written
// selects. A pending record can be replaced, found by id (ids stay
// unique), trimmed; rewriting one with other lookup values indexes it at
// once; the indexer indexes what a stop left pending.
func TestPendingChangesAreFoundAsIfIndexed(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/db"
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	db.stopTrailIndexer()

	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	accounts := []identity.AccountID{"111122223333", "444455556666"}
	names := []string{"PutAlternateContact", "DeleteAlternateContact", "EnableRegion"}
	var written []kernel.TrailEvent
	for i := range 60 {
		ev := kernel.TrailEvent{ID: fmt.Sprintf("change-%02d", i), Account: accounts[i%2], Time: at.Add(time.Duration(i/3) * time.Second),
			Name: names[i%3], Source: "account.amazonaws.com", Username: fmt.Sprintf("user%d", i%4), AccessKeyID: fmt.Sprintf("AKID%d", i%5),
			Resources: []kernel.TrailResource{{Type: "AWS::Account::Account", Name: fmt.Sprintf("res%d", i%7)}}, Record: []byte(`{}`), FreshID: true}
		appendChange(t, db, ev)
		written = append(written, ev)
		if i == 30 { // a block of reads between the changes, indexed at once
			reads := []kernel.TrailEvent{{ID: "read-1", Account: accounts[0], Time: at.Add(10 * time.Second), Name: "GetAlternateContact",
				Source: "account.amazonaws.com", Username: "user1", AccessKeyID: "AKID1", ReadOnly: true, Record: []byte(`{}`)}}
			if err := db.AppendEvents(ctx, reads); err != nil {
				t.Fatal(err)
			}
			written = append(written, reads...)
		}
	}
	if n := pendingBlocks(t, db); n != 60 {
		t.Fatalf("%d blocks pending after 60 changes, want 60", n)
	}
	postingsBefore, _ := postingCounts(t, db)

	var queries []kernel.TrailQuery
	for _, acct := range accounts {
		queries = append(queries,
			kernel.TrailQuery{Account: acct},
			kernel.TrailQuery{Account: acct, Start: at.Add(5 * time.Second), End: at.Add(12 * time.Second)},
			kernel.TrailQuery{Account: acct, Key: kernel.AttrEventName, Value: "EnableRegion"},
			kernel.TrailQuery{Account: acct, Key: kernel.AttrUsername, Value: "user1"},
			kernel.TrailQuery{Account: acct, Key: kernel.AttrAccessKeyID, Value: "AKID3"},
			kernel.TrailQuery{Account: acct, Key: kernel.AttrResourceName, Value: "res2"},
			kernel.TrailQuery{Account: acct, Key: kernel.AttrReadOnly, Value: "false"},
			kernel.TrailQuery{Account: acct, Key: kernel.AttrEventID, Value: "change-07"},
			kernel.TrailQuery{Account: acct, Key: kernel.AttrEventID, Value: "change-08"},
		)
	}
	want := func(q kernel.TrailQuery) []string {
		var evs []kernel.TrailEvent
		for i := range written {
			if selects(q, &written[i]) {
				evs = append(evs, written[i])
			}
		}
		// Newest first; ties in the reverse of the order of writing.
		slices.Reverse(evs)
		slices.SortStableFunc(evs, func(a, b kernel.TrailEvent) int { return b.Time.Compare(a.Time) })
		var ids []string
		for _, ev := range evs {
			ids = append(ids, ev.ID)
		}
		return ids
	}
	check := func(when string) {
		t.Helper()
		for _, q := range queries {
			w := want(q)
			if len(w) == 0 && q.Key != kernel.AttrEventID { // another account's id: none
				t.Fatalf("query %+v selects nothing: the test would prove little", q)
			}
			for _, limit := range []int{3, 50} {
				if got := lookupAll(t, db, q, limit); !slices.Equal(got, w) {
					t.Fatalf("%s: lookup %+v (pages of %d): %v, want %v", when, q, limit, got, w)
				}
			}
		}
	}
	check("pending")

	// A pending record replaced with the same lookup values stays pending.
	replaced := written[0]
	replaced.Record = []byte(`{"responseElements":{"x":1}}`)
	if err := db.ReplaceEvent(ctx, replaced); err != nil {
		t.Fatal(err)
	}
	if n := pendingBlocks(t, db); n != 60 {
		t.Fatalf("%d blocks pending after a replacement, want 60", n)
	}
	got, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: replaced.Account, Key: kernel.AttrEventID, Value: replaced.ID})
	if err != nil || len(got) != 1 || string(got[0].Record) != string(replaced.Record) {
		t.Fatalf("the replaced pending record: %v, %v", got, err)
	}
	// A pending id is taken.
	dup := written[5]
	dup.FreshID = false
	if err := db.update(ctx, func(t *tx) error { return t.AppendTrailEvent(ctx, dup) }); err == nil || !strings.Contains(err.Error(), "taken") {
		t.Fatalf("a second record with a pending record's id: %v, want taken", err)
	}
	// Replaced with another name, a pending record is indexed at once.
	renamed := written[1]
	renamed.Name = "CloseAccount"
	if err := db.ReplaceEvent(ctx, renamed); err != nil {
		t.Fatal(err)
	}
	written[1] = renamed
	if n := pendingBlocks(t, db); n != 59 {
		t.Fatalf("%d blocks pending after a renaming replacement, want 59", n)
	}
	queries = append(queries, kernel.TrailQuery{Account: renamed.Account, Key: kernel.AttrEventName, Value: "CloseAccount"})
	check("one rewritten")

	// A stop leaves blocks pending; the indexer indexes them at start-up.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); pendingBlocks(t, db) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d blocks still pending 10 s after start-up", pendingBlocks(t, db))
		}
	}
	if after, _ := postingCounts(t, db); after < postingsBefore+59*7 {
		t.Fatalf("postings: %d before indexing, %d after; want at least 7 more per record", postingsBefore, after)
	}
	check("indexed")

	// Trimming deletes whole blocks, indexed or pending.
	db.stopTrailIndexer()
	for i := range 4 {
		ev := kernel.TrailEvent{ID: fmt.Sprintf("late-%d", i), Account: accounts[0], Time: at.Add(time.Minute), Name: "EnableRegion",
			Source: "account.amazonaws.com", Username: "user9", AccessKeyID: "AKID9", Record: []byte(`{}`), FreshID: true}
		appendChange(t, db, ev)
		written = append(written, ev)
	}
	if n, err := db.TrimEvents(ctx, 2); err != nil || n != int64(len(written)-2) {
		t.Fatalf("TrimEvents: %d, %v; want %d", n, err, len(written)-2)
	}
	written = written[len(written)-2:]
	if n := pendingBlocks(t, db); n != 2 {
		t.Fatalf("%d blocks pending after the trim, want the 2 kept", n)
	}
	queries = []kernel.TrailQuery{{Account: accounts[0]}, {Account: accounts[0], Key: kernel.AttrUsername, Value: "user9"}}
	check("trimmed")
}

// An export indexes pending blocks first; an import indexes those its
// document still brings (a PostgreSQL store has no indexer to do it
// later).
func TestImportIndexesPendingBlocks(t *testing.T) {
	ctx := context.Background()
	from, to := openTemp(t), openTemp(t)
	from.stopTrailIndexer()
	to.stopTrailIndexer()
	ev := putChange(1)
	appendChange(t, from, ev)
	if st, err := from.Export(ctx); err != nil || len(st.Tables["cloudtrail_unindexed"]) != 0 {
		t.Fatalf("Export: %d pending blocks, %v; want them indexed first", len(st.Tables["cloudtrail_unindexed"]), err)
	}
	appendChange(t, from, putChange(2))
	st, err := from.export(ctx) // as a write racing an Export leaves it
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Tables["cloudtrail_unindexed"]) != 1 {
		t.Fatalf("the export holds %d pending blocks, want 1", len(st.Tables["cloudtrail_unindexed"]))
	}
	doc, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := to.ImportFrom(ctx, bytes.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
	if n := pendingBlocks(t, to); n != 0 {
		t.Fatalf("%d blocks pending after the import, want 0", n)
	}
	if all, _ := postingCounts(t, to); all < 7 {
		t.Fatalf("%d postings after the import, want the record's", all)
	}
	got, err := to.LookupEvents(ctx, kernel.TrailQuery{Account: ev.Account, Key: kernel.AttrEventName, Value: ev.Name})
	if err != nil || len(got) != 2 {
		t.Fatalf("lookup after the import: %v, %v; want both records", got, err)
	}
}

// Past maxPending blocks pending, a change indexes its own record; a pass
// of the indexer counts what is pending again.
func TestPendingBacklogIsBounded(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	db.stopTrailIndexer()
	db.trailIndex.pending.Store(0)
	appendChange(t, db, putChange(1))
	if n, p := pendingBlocks(t, db), db.trailIndex.pending.Load(); n != 1 || p != 1 {
		t.Fatalf("after a change: %d blocks pending, counted %d; want 1, 1", n, p)
	}
	db.trailIndex.pending.Store(maxPending)
	before, _ := postingCounts(t, db)
	appendChange(t, db, putChange(2))
	if n := pendingBlocks(t, db); n != 1 {
		t.Fatalf("a change past the bound left its block pending (%d pending)", n)
	}
	if after, _ := postingCounts(t, db); after < before+7 {
		t.Fatalf("a change past the bound wrote %d postings, want its own (7 or more)", after-before)
	}
	if err := db.IndexPendingEvents(ctx); err != nil {
		t.Fatal(err)
	}
	if n, p := pendingBlocks(t, db), db.trailIndex.pending.Load(); n != 0 || p != 0 {
		t.Fatalf("after a pass: %d blocks pending, counted %d; want 0, 0", n, p)
	}
	got, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: "111122223333", Key: kernel.AttrEventName, Value: "PutAlternateContact"})
	if err != nil || len(got) != 2 {
		t.Fatalf("lookup: %d records, %v; want 2", len(got), err)
	}
}

// A pending block that cannot be read stays pending; the indexer indexes
// the others and does not fail.
func TestIndexerPassesOverAnUnreadableBlock(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	db.stopTrailIndexer()
	for i := range 3 {
		appendChange(t, db, putChange(i))
	}
	var broken int64
	if err := db.update(ctx, func(t *tx) error {
		if err := t.queryRow(ctx, `SELECT MIN(block) FROM cloudtrail_unindexed`).Scan(&broken); err != nil {
			return err
		}
		_, err := t.exec(ctx, "break a block", `UPDATE cloudtrail_blocks SET payload = x'09' WHERE id = ?`, broken)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.IndexPendingEvents(ctx); err != nil {
		t.Fatalf("IndexPendingEvents with an unreadable block: %v", err)
	}
	var left []int64
	if err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT block FROM cloudtrail_unindexed`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b int64
			if err := rows.Scan(&b); err != nil {
				return err
			}
			left = append(left, b)
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != broken {
		t.Fatalf("pending after the pass: %v, want only the unreadable block %d", left, broken)
	}
	if all, _ := postingCounts(t, db); all < 2*7 {
		t.Fatalf("%d postings after the pass, want the two readable records'", all)
	}
}
