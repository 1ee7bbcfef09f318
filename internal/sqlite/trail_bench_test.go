package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// BenchmarkLookupByEventName looks up a rare event name in a 200,000-record
// history: one index range, not a scan of the account's records.
func BenchmarkLookupByEventName(b *testing.B) {
	db := mustOpen(b, filepath.Join(b.TempDir(), "trail.db"))
	ctx := context.Background()
	acct := identity.AccountID("111122223333")
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	const total = 200_000
	batch := make([]kernel.TrailEvent, 0, 5000)
	for i := 0; i < total; i++ {
		name := "GetAlternateContact"
		if i%50_000 == 0 {
			name = "CloseAccount"
		}
		batch = append(batch, kernel.TrailEvent{
			ID: fmt.Sprintf("e%07d", i), Account: acct, Time: t0.Add(time.Duration(i) * time.Second), Name: name,
			Source: "account.amazonaws.com", Username: "root", AccessKeyID: "AKID", ReadOnly: true, Record: []byte(`{}`),
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
