package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/uuid"
)

// BenchmarkLookupByEventName looks up a rare event name in a 200,000-record
// history: one index range, not a scan of the account's records. The
// records have ids of their own (postings per value) or, as the server
// writes reads, ids the store makes (one summary per bucket of accounts
// per block). With accounts=1000 the other records belong to 999 other
// accounts, and the lookup reads the summaries of every block with records
// of its account's bucket (the worst case of summaries: about every
// block).
func BenchmarkLookupByEventName(b *testing.B) {
	for _, storeIDs := range []bool{false, true} {
		b.Run(fmt.Sprintf("store-ids=%v", storeIDs), func(b *testing.B) { benchmarkLookupByEventName(b, storeIDs, 1) })
	}
	b.Run("store-ids=true/accounts=1000", func(b *testing.B) { benchmarkLookupByEventName(b, true, 1000) })
}

func benchmarkLookupByEventName(b *testing.B, storeIDs bool, accounts int) {
	db := mustOpen(b, filepath.Join(b.TempDir(), "trail.db"))
	ctx := context.Background()
	acct := identity.AccountID("111122223333")
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	const total = 200_000
	batch := make([]kernel.TrailEvent, 0, 1024) // the server's batches (writeBatch)
	for i := 0; i < total; i++ {
		name := "GetAlternateContact"
		if i%50_000 == 0 {
			name = "CloseAccount"
		}
		owner := acct
		if i%accounts != 0 && name != "CloseAccount" {
			owner = identity.AccountID(fmt.Sprintf("%012d", 111122223333+i%accounts))
		}
		batch = append(batch, kernel.TrailEvent{
			ID: fmt.Sprintf("e%07d", i), Account: owner, Time: t0.Add(time.Duration(i) * time.Second), Name: name,
			Source: "account.amazonaws.com", Username: "root", AccessKeyID: "AKID", ReadOnly: true, Record: []byte(`{}`), StoreID: storeIDs,
		})
		if len(batch) == cap(batch) {
			if err := db.AppendEvents(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		evs, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: acct, Key: kernel.AttrEventName, Value: "CloseAccount", Limit: 50})
		if err != nil || len(evs) != total/50_000 {
			b.Fatalf("lookup: %d events, %v", len(evs), err)
		}
	}
}

// BenchmarkAppendReadRecord appends the record of a signed read as the
// server writes it (batches of 32) and reports the bytes the database file
// grows by per record, indexes included (the goal: 250 or less).
//
// The records go to the history of one account, or (accounts=1000) of
// the account each call acts on, spread over 1,000 as the benchmark's
// GetAlternateContact spreads them: a block then holds records of a few
// hundred accounts.
func BenchmarkAppendReadRecord(b *testing.B) {
	for _, n := range []int{8, 32, 256, 1024} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) { benchmarkAppendReadRecord(b, n, 1) })
	}
	for _, n := range []int{256, 1024} {
		b.Run(fmt.Sprintf("batch=%d/accounts=1000", n), func(b *testing.B) { benchmarkAppendReadRecord(b, n, 1000) })
	}
}

func benchmarkAppendReadRecord(b *testing.B, batchSize, accounts int) {
	dir := b.TempDir()
	db := mustOpen(b, filepath.Join(dir, "trail.db"))
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	const record = `{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"000000000000","arn":"arn:aws:iam::000000000000:root","accountId":"000000000000","accessKeyId":"test"},` +
		`"eventTime":"%s","eventSource":"account.amazonaws.com","eventName":"GetAlternateContact","awsRegion":"us-east-1",` +
		`"sourceIPAddress":"127.0.0.1","userAgent":"Go-http-client/1.1","requestParameters":{"accountId":"%s","alternateContactType":"BILLING"},` +
		`"responseElements":null,"requestID":"%s","eventID":"%s","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,` +
		`"eventCategory":"Management","recipientAccountId":"%s"}`
	size := func() int64 {
		var n int64
		for _, f := range []string{"trail.db", "trail.db-wal"} {
			if st, err := os.Stat(filepath.Join(dir, f)); err == nil {
				n += st.Size()
			}
		}
		return n
	}
	// Warm up: the WAL reaches its usual size and the first pages exist.
	appendN := func(from, n int) {
		batch := make([]kernel.TrailEvent, 0, batchSize)
		for i := from; i < from+n; i++ {
			acct := identity.AccountID(fmt.Sprintf("%012d", 111122223333+(i*7919)%accounts))
			at := t0.Add(time.Duration(i) * time.Millisecond).Truncate(time.Second)
			id, req := uuid.New(), uuid.New()
			batch = append(batch, kernel.TrailEvent{
				ID: id, Account: acct, Time: at, Name: "GetAlternateContact", Source: "account.amazonaws.com",
				Username: "root", AccessKeyID: "test", ReadOnly: true, StoreID: true,
				Record: []byte(fmt.Sprintf(record, at.Format(time.RFC3339), acct, req, id, acct)),
			})
			if len(batch) == cap(batch) || i == from+n-1 {
				if err := db.AppendEvents(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
	appendN(0, 20_000)
	before := size()
	b.ResetTimer()
	appendN(20_000, b.N)
	b.StopTimer()
	if b.N >= 10_000 {
		b.ReportMetric(float64(size()-before)/float64(b.N), "bytes/record")
	}
}
