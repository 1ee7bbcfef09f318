package sqlite

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// postingCounts returns the store's postings: how many there are, and how
// many are summaries.
func postingCounts(t *testing.T, db *DB) (all, summaries int) {
	t.Helper()
	err := db.view(context.Background(), func(tx *tx) error {
		return tx.queryRow(context.Background(), `SELECT COUNT(*), COUNT(attrs) FROM cloudtrail_postings`).Scan(&all, &summaries)
	})
	if err != nil {
		t.Fatal(err)
	}
	return all, summaries
}

// A batch of reads' records (store-made ids) costs one posting per bucket
// of accounts it has records of, a summary; a change's record one per
// lookup value. Lookups find every account's records, and only its own,
// though accounts share buckets. Purging every record leaves no posting
// behind, whatever the form.
func TestReadBlocksPostOneSummaryPerBucket(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	db.stopTrailIndexer() // changes' records are indexed when the test says
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const accounts, reads = 100, 200 // more accounts than buckets: some share one
	acctOf := func(i int) identity.AccountID { return identity.AccountID(fmt.Sprintf("1111222233%02d", i%accounts)) }
	buckets := map[int64]bool{}
	var evs []kernel.TrailEvent
	for i := range reads {
		buckets[bucketHash(attrHash(string(acctOf(i)), "", ""))] = true
		evs = append(evs, kernel.TrailEvent{ID: fmt.Sprintf("r%d", i), Account: acctOf(i), Time: at.Add(time.Duration(i) * time.Second),
			Name: "GetAlternateContact", Source: "account.amazonaws.com", Username: "root", AccessKeyID: "AKID", ReadOnly: true,
			Resources: []kernel.TrailResource{{Type: "AWS::Account::Account", Name: fmt.Sprintf("res%d", i)}},
			StoreID:   true, Record: []byte(`{}`)})
	}
	if len(buckets) >= accounts || len(buckets) > summaryBuckets {
		t.Fatalf("%d accounts fill %d buckets: the test wants them to share", accounts, len(buckets))
	}
	if err := db.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if all, summaries := postingCounts(t, db); all != len(buckets) || summaries != len(buckets) {
		t.Fatalf("postings of %d reads of %d accounts: %d, %d of them summaries; want %d summaries, one per bucket",
			reads, accounts, all, summaries, len(buckets))
	}
	for i := range accounts {
		got, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: acctOf(i)})
		if err != nil || len(got) != reads/accounts {
			t.Fatalf("history of %s: %d records, %v; want %d", acctOf(i), len(got), err, reads/accounts)
		}
	}
	for i := range reads {
		got, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: acctOf(i), Key: kernel.AttrResourceName, Value: fmt.Sprintf("res%d", i)})
		if err != nil || len(got) != 1 || !got[0].Time.Equal(at.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("lookup of res%d: got %v, %v; want its read", i, got, err)
		}
		if got, _ := db.LookupEvents(ctx, kernel.TrailQuery{Account: acctOf(i + 1), Key: kernel.AttrResourceName, Value: fmt.Sprintf("res%d", i)}); len(got) != 0 {
			t.Fatalf("another account's lookup of res%d found %d records", i, len(got))
		}
	}
	change := kernel.TrailEvent{ID: "w1", Account: acctOf(0), Time: at, Name: "PutAlternateContact", Source: "account.amazonaws.com",
		Username: "root", AccessKeyID: "AKID", Record: []byte(`{}`)}
	if err := db.update(ctx, func(t *tx) error { return t.AppendTrailEvent(ctx, change) }); err != nil {
		t.Fatal(err)
	}
	if all, _ := postingCounts(t, db); all != len(buckets) {
		t.Fatalf("postings right after a change's record: %d; want %d (its own are written later)", all, len(buckets))
	}
	if err := db.IndexPendingEvents(ctx); err != nil {
		t.Fatal(err)
	}
	// account, event id, read-only, name, username, source, access key
	if all, summaries := postingCounts(t, db); all != len(buckets)+7 || summaries != len(buckets) {
		t.Fatalf("postings after a change's record: %d, %d summaries; want %d, %d", all, summaries, len(buckets)+7, len(buckets))
	}
	// A purge that cuts the block of reads rewrites it with summaries.
	if n, err := db.PurgeEvents(ctx, at.Add(reads/2*time.Second)); err != nil || n != reads/2+1 {
		t.Fatalf("PurgeEvents: %d, %v; want %d", n, err, reads/2+1)
	}
	if all, summaries := postingCounts(t, db); all != summaries || summaries == 0 || summaries > len(buckets) {
		t.Fatalf("postings after the purge: %d, %d summaries; want only summaries, at most %d", all, summaries, len(buckets))
	}
	if n, err := db.PurgeEvents(ctx, at.Add(time.Hour)); err != nil || n != reads/2 {
		t.Fatalf("PurgeEvents of the rest: %d, %v; want %d", n, err, reads/2)
	}
	if all, _ := postingCounts(t, db); all != 0 {
		t.Fatalf("postings after purging every record: %d, want 0", all)
	}
}

// repost replaces the postings of the store's one block by summaries:
// summarize gives the posting each record goes under and the hashes it
// adds to that posting's summary.
func repost(t *testing.T, db *DB, summarize func(ev *kernel.TrailEvent) (key int64, hashes []int64)) {
	t.Helper()
	ctx := context.Background()
	err := db.update(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, "test", `DELETE FROM cloudtrail_postings`); err != nil {
			return err
		}
		var id int64
		var payload []byte
		if err := t.queryRow(ctx, `SELECT id, payload FROM cloudtrail_blocks`).Scan(&id, &payload); err != nil {
			return err
		}
		stored, err := decodeBlock(id, payload)
		if err != nil {
			return err
		}
		values, newest := map[int64][]uint32{}, map[int64]int64{}
		for i := range stored {
			key, hs := summarize(&stored[i])
			newest[key] = max(newest[key], stored[i].Time.Unix())
			for _, h := range hs {
				values[key] = append(values[key], uint32(h))
			}
		}
		for key, hs := range values {
			slices.Sort(hs)
			var attrs []byte
			for _, h := range slices.Compact(hs) {
				attrs = binary.BigEndian.AppendUint32(attrs, h)
			}
			if _, err := t.exec(ctx, "test", `INSERT INTO cloudtrail_postings (attr_h, max_time, block, attrs) VALUES (?, ?, ?, ?)`,
				key, newest[key], id, attrs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Blocks of reads with the first form of summaries (one per account, keyed
// by the account's posting) are still found by lookups, and deleted with
// their postings.
func TestFirstFormSummariesStillServe(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	acctOf := func(i int) identity.AccountID { return identity.AccountID(fmt.Sprintf("1111222233%02d", i%3)) }
	var evs []kernel.TrailEvent
	for i := range 9 {
		evs = append(evs, kernel.TrailEvent{ID: fmt.Sprintf("r%d", i), Account: acctOf(i), Time: at.Add(time.Duration(i) * time.Second),
			Name: fmt.Sprintf("Get%d", i), Source: "account.amazonaws.com", Username: "root", AccessKeyID: "AKID", ReadOnly: true,
			StoreID: true, Record: []byte(`{}`)})
	}
	if err := db.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	// Rewrite the block's postings in the first form: one summary per
	// account, under the account's posting.
	repost(t, db, func(ev *kernel.TrailEvent) (int64, []int64) {
		var hs []int64
		lookupValues(ev, func(h int64) { hs = append(hs, h) })
		return attrHash(string(ev.Account), "", ""), hs
	})
	for i := range 9 {
		if got, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: acctOf(i)}); err != nil || len(got) != 3 {
			t.Errorf("history of %s: %d records, %v; want 3", acctOf(i), len(got), err)
		}
		got, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: acctOf(i), Key: kernel.AttrEventName, Value: fmt.Sprintf("Get%d", i)})
		if err != nil || len(got) != 1 || got[0].Name != fmt.Sprintf("Get%d", i) {
			t.Errorf("lookup of Get%d: %v, %v; want its read", i, got, err)
		}
	}
	if n, err := db.PurgeEvents(ctx, at.Add(time.Hour)); err != nil || n != 9 {
		t.Fatalf("PurgeEvents: %d, %v; want 9", n, err)
	}
	if all, _ := postingCounts(t, db); all != 0 {
		t.Fatalf("postings after purging every record: %d, want 0", all)
	}
}

// Bucket summaries written before their values were hashed with no
// account (each value hashed with its record's account) are still found
// by lookups, and only for their own account.
func TestAccountHashedBucketSummariesStillServe(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const accounts = 40 // more than buckets: some share one
	acctOf := func(i int) identity.AccountID { return identity.AccountID(fmt.Sprintf("1111222233%02d", i%accounts)) }
	var evs []kernel.TrailEvent
	for i := range 2 * accounts {
		evs = append(evs, kernel.TrailEvent{ID: fmt.Sprintf("r%d", i), Account: acctOf(i), Time: at.Add(time.Duration(i) * time.Second),
			Name: fmt.Sprintf("Get%d", i%accounts), Source: "account.amazonaws.com", Username: "root", AccessKeyID: "AKID", ReadOnly: true,
			StoreID: true, Record: []byte(`{}`)})
	}
	if err := db.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	repost(t, db, func(ev *kernel.TrailEvent) (int64, []int64) {
		acct := attrHash(string(ev.Account), "", "")
		hs := []int64{acct}
		lookupValues(ev, func(h int64) { hs = append(hs, h) })
		return bucketHash(acct), hs
	})
	for i := range accounts {
		got, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: acctOf(i), Key: kernel.AttrEventName, Value: fmt.Sprintf("Get%d", i)})
		if err != nil || len(got) != 2 || got[0].Account != acctOf(i) {
			t.Errorf("lookup of Get%d in %s: %d records, %v; want its 2 reads", i, acctOf(i), len(got), err)
		}
		if got, _ := db.LookupEvents(ctx, kernel.TrailQuery{Account: acctOf(i + 1), Key: kernel.AttrEventName, Value: fmt.Sprintf("Get%d", i)}); len(got) != 0 {
			t.Errorf("another account's lookup of Get%d found %d records", i, len(got))
		}
	}
}

// A store imported from another's export keeps its records of reads
// found: by the ids the other store made (the import brings that store's
// key), and, after a purge rewrites their block, once each.
func TestImportedReadBlocks(t *testing.T) {
	ctx := context.Background()
	from, into := openTemp(t), openTemp(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var evs []kernel.TrailEvent
	for i := range 10 {
		evs = append(evs, kernel.TrailEvent{ID: fmt.Sprintf("r%d", i), Account: "111122223333", Time: at.Add(time.Duration(i) * time.Second),
			Name: "GetAlternateContact", Source: "account.amazonaws.com", Username: "root", AccessKeyID: "AKID", ReadOnly: true,
			StoreID: true, Record: []byte(`{}`)})
	}
	if err := from.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	st, err := from.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := into.ImportFrom(ctx, bytes.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
	all, err := into.LookupEvents(ctx, kernel.TrailQuery{Account: "111122223333"})
	if err != nil || len(all) != 10 {
		t.Fatalf("imported history: %d records, %v", len(all), err)
	}
	for _, ev := range all {
		got, err := into.LookupEvents(ctx, kernel.TrailQuery{Account: "111122223333", Key: kernel.AttrEventID, Value: ev.ID})
		if err != nil || len(got) != 1 || got[0].Seq != ev.Seq {
			t.Fatalf("lookup of imported id %s: %v, %v", ev.ID, got, err)
		}
	}
	if n, err := into.PurgeEvents(ctx, at.Add(5*time.Second)); err != nil || n != 5 {
		t.Fatalf("PurgeEvents: %d, %v; want 5", n, err)
	}
	for _, q := range []kernel.TrailQuery{{Account: "111122223333"}, {Account: "111122223333", Key: kernel.AttrEventName, Value: "GetAlternateContact"}} {
		if got, err := into.LookupEvents(ctx, q); err != nil || len(got) != 5 {
			t.Errorf("lookup %+v after the purge: %d records, %v; want 5", q, len(got), err)
		}
	}
}
