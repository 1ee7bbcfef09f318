package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/sqlite"
	"github.com/accountplane/accountplane/internal/trail"
)

const trailAcct identity.AccountID = "111122223333"

var trailT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func billing(t *testing.T, db *sqlite.DB) *account.AlternateContact {
	t.Helper()
	var c *account.AlternateContact
	err := db.View(context.Background(), func(tx account.Tx) error {
		var err error
		c, err = tx.AlternateContact(context.Background(), trailAcct, account.Billing)
		return err
	})
	if errors.Is(err, kernel.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func events(t *testing.T, db *sqlite.DB, q trail.Query) []trail.Event {
	t.Helper()
	if q.Account == "" {
		q.Account = trailAcct
	}
	evs, err := db.LookupEvents(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

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

func ids(evs []trail.Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, e.ID)
	}
	return strings.Join(s, ",")
}

func TestLookupEvents(t *testing.T) {
	db := mustOpen(t, ":memory:")
	const other identity.AccountID = "999999999999"
	addEvent(t, db, trailAcct, "e1", trailT0, "CreateUser", "iam.amazonaws.com", "root", "AKID1", false, trail.Resource{Type: "AWS::IAM::User", Name: "bob"})
	addEvent(t, db, trailAcct, "e2", trailT0.Add(time.Second), "ListUsers", "iam.amazonaws.com", "alice", "AKID2", true)
	addEvent(t, db, trailAcct, "e3", trailT0.Add(time.Second), "GetAlternateContact", "account.amazonaws.com", "root", "AKID1", true)
	addEvent(t, db, trailAcct, "e4", trailT0.Add(time.Hour), "PutAlternateContact", "account.amazonaws.com", "s1", "ASIA1", false)
	addEvent(t, db, other, "o1", trailT0, "CreateUser", "iam.amazonaws.com", "root", "AKIDO", false)

	tests := []struct {
		name string
		q    trail.Query
		want string
	}{
		{"all, newest first, ties in write order", trail.Query{}, "e4,e3,e2,e1"},
		{"other account", trail.Query{Account: other}, "o1"},
		{"event id", trail.Query{Key: trail.AttrEventID, Value: "e2"}, "e2"},
		{"event name", trail.Query{Key: trail.AttrEventName, Value: "CreateUser"}, "e1"},
		{"read only", trail.Query{Key: trail.AttrReadOnly, Value: "true"}, "e3,e2"},
		{"writes", trail.Query{Key: trail.AttrReadOnly, Value: "false"}, "e4,e1"},
		{"username", trail.Query{Key: trail.AttrUsername, Value: "root"}, "e3,e1"},
		{"source", trail.Query{Key: trail.AttrEventSource, Value: "account.amazonaws.com"}, "e4,e3"},
		{"access key", trail.Query{Key: trail.AttrAccessKeyID, Value: "AKID1"}, "e3,e1"},
		{"resource type", trail.Query{Key: trail.AttrResourceType, Value: "AWS::IAM::User"}, "e1"},
		{"resource name", trail.Query{Key: trail.AttrResourceName, Value: "bob"}, "e1"},
		{"start", trail.Query{Start: trailT0.Add(time.Second)}, "e4,e3,e2"},
		{"end", trail.Query{End: trailT0.Add(time.Second)}, "e3,e2,e1"},
		{"limit", trail.Query{Limit: 2}, "e4,e3"},
		{"after", trail.Query{After: seqOf(t, db, "e3"), Limit: 2}, "e2,e1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(events(t, db, tt.q)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	evs := events(t, db, trail.Query{Key: trail.AttrEventID, Value: "e1"})
	if len(evs) != 1 || len(evs[0].Resources) != 1 || evs[0].Resources[0].Name != "bob" || !evs[0].Time.Equal(trailT0) ||
		string(evs[0].Record) != `{"eventID":"e1"}` || evs[0].Username != "root" || evs[0].AccessKeyID != "AKID1" {
		t.Errorf("e1 reads back as %+v", evs)
	}

	// Replace keeps the position; purge drops what is older than the
	// window.
	if err := db.ReplaceEvent(context.Background(), trail.Event{ID: "e2", Account: trailAcct, Time: trailT0.Add(time.Second), Name: "ListUsers",
		Source: "iam.amazonaws.com", Username: "alice", ReadOnly: true, Record: []byte(`{"errorCode":"AccessDenied"}`)}); err != nil {
		t.Fatal(err)
	}
	if got := ids(events(t, db, trail.Query{})); got != "e4,e3,e2,e1" {
		t.Errorf("after replace: %s", got)
	}
	if err := db.ReplaceEvent(context.Background(), trail.Event{ID: "nope", Account: trailAcct}); !errors.Is(err, kernel.ErrNotFound) {
		t.Errorf("replacing a missing event: %v", err)
	}
	// Records belong to existing accounts.
	err := db.Update(context.Background(), func(tx account.Tx) error {
		return tx.PutAccount(context.Background(), &kernel.Account{ID: trailAcct, Name: "a", Email: "a@example.com", CreatedAt: trailT0})
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.PurgeEvents(context.Background(), trailT0.Add(time.Minute))
	if err != nil || n != 3 {
		t.Fatalf("purge: %d, %v", n, err)
	}
	if got := ids(events(t, db, trail.Query{})); got != "e4" {
		t.Errorf("after purge: %s", got)
	}
}

func seqOf(t *testing.T, db *sqlite.DB, id string) int64 {
	t.Helper()
	evs := events(t, db, trail.Query{Key: trail.AttrEventID, Value: id})
	if len(evs) != 1 {
		t.Fatalf("no event %s", id)
	}
	return evs[0].Seq
}

// TrimEvents keeps the newest max records.
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
