package sqlite

import (
	"context"
	"fmt"
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

// A batch of reads' records (store-made ids) costs one posting per
// account, a summary; a change's record one per lookup value. Purging
// every record leaves no posting behind, whatever the form.
func TestReadBlocksPostOneSummaryPerAccount(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, t.TempDir()+"/db", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var reads []kernel.TrailEvent
	for i := range 100 {
		acct := identity.AccountID(fmt.Sprintf("1111222233%02d", i%10))
		reads = append(reads, kernel.TrailEvent{ID: fmt.Sprintf("r%d", i), Account: acct, Time: at.Add(time.Duration(i) * time.Second),
			Name: "GetAlternateContact", Source: "account.amazonaws.com", Username: "root", AccessKeyID: "AKID", ReadOnly: true,
			Resources: []kernel.TrailResource{{Type: "AWS::Account::Account", Name: fmt.Sprintf("res%d", i)}},
			StoreID:   true, Record: []byte(`{}`)})
	}
	if err := db.AppendEvents(ctx, reads); err != nil {
		t.Fatal(err)
	}
	if all, summaries := postingCounts(t, db); all != 10 || summaries != 10 {
		t.Fatalf("postings of 100 reads of 10 accounts: %d, %d of them summaries; want 10 summaries", all, summaries)
	}
	// Each summary holds its account's ten resource names, and lookups
	// find a read by each.
	for i := range 100 {
		acct := identity.AccountID(fmt.Sprintf("1111222233%02d", i%10))
		got, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: acct, Key: kernel.AttrResourceName, Value: fmt.Sprintf("res%d", i)})
		if err != nil || len(got) != 1 || got[0].Time != at.Add(time.Duration(i)*time.Second) {
			t.Fatalf("lookup of res%d: got %v, %v; want its read", i, got, err)
		}
	}
	change := kernel.TrailEvent{ID: "w1", Account: "111122223300", Time: at, Name: "PutAlternateContact", Source: "account.amazonaws.com",
		Username: "root", AccessKeyID: "AKID", Record: []byte(`{}`)}
	if err := db.update(ctx, func(t *tx) error { return t.AppendTrailEvent(ctx, change) }); err != nil {
		t.Fatal(err)
	}
	// account, event id, read-only, name, username, source, access key
	if all, summaries := postingCounts(t, db); all != 17 || summaries != 10 {
		t.Fatalf("postings after a change's record: %d, %d summaries; want 17, 10", all, summaries)
	}
	// A purge that cuts the block of reads rewrites it with summaries.
	if n, err := db.PurgeEvents(ctx, at.Add(50*time.Second)); err != nil || n != 51 {
		t.Fatalf("PurgeEvents: %d, %v; want 51", n, err)
	}
	if all, summaries := postingCounts(t, db); all != 10 || summaries != 10 {
		t.Fatalf("postings after the purge: %d, %d summaries; want 10 summaries", all, summaries)
	}
	if n, err := db.PurgeEvents(ctx, at.Add(time.Hour)); err != nil || n != 50 {
		t.Fatalf("PurgeEvents of the rest: %d, %v; want 50", n, err)
	}
	if all, _ := postingCounts(t, db); all != 0 {
		t.Fatalf("postings after purging every record: %d, want 0", all)
	}
}
