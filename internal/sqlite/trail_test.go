package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/sqlite"
	"github.com/accountplane/accountplane/internal/trail"
)

// The trail store's own methods beyond the conformance suite's.

func addEvent(t *testing.T, db *sqlite.DB, acct identity.AccountID, id string, at time.Time, name, source, user, key string, ro bool, res ...trail.Resource) {
	t.Helper()
	err := db.AppendEvent(context.Background(), trail.Event{
		ID: id, Account: acct, Time: at, Name: name, Source: source, Username: user, AccessKeyID: key,
		ReadOnly: ro, Resources: res, Record: []byte(`{"eventID":"` + id + `"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTrimEvents(t *testing.T) {
	for _, path := range []string{":memory:", "file"} {
		t.Run(path, func(t *testing.T) {
			if path == "file" {
				path = tempPath(t)
			}
			db := mustOpen(t, path)
			acct := identity.AccountID("111122223333")
			for i := 0; i < 25; i++ {
				addEvent(t, db, acct, fmt.Sprintf("e%02d", i), time.Date(2026, 3, 1, 12, 0, i, 0, time.UTC), "GetX", "account.amazonaws.com", "root", "AKID", true)
			}
			n, err := db.TrimEvents(context.Background(), 10)
			if err != nil || n != 15 {
				t.Fatalf("TrimEvents = %d, %v; want 15 deleted", n, err)
			}
			evs, err := db.LookupEvents(context.Background(), kernel.TrailQuery{Account: acct})
			if err != nil || len(evs) != 10 || evs[0].ID != "e24" || evs[9].ID != "e15" {
				t.Fatalf("after trimming to 10: %d events (%v), newest %v", len(evs), err, evs)
			}
			if n, err := db.TrimEvents(context.Background(), 10); err != nil || n != 0 {
				t.Errorf("a second trim deleted %d (%v)", n, err)
			}
		})
	}
}
