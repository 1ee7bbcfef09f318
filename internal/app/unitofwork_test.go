package app

// The unit of work over the real store: a change commits with its
// CloudTrail record and its API call event, in the same transaction, or
// not at all.

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	bus "github.com/accountplane/accountplane/internal/events"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/sqlite"
	"github.com/accountplane/accountplane/internal/trail"
)

const trailAcct identity.AccountID = "111122223333"

var trailT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func mustOpen(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	if _, err := account.NewService(db, account.Options{}).EnsureSignUp(context.Background(), account.SignUp{ID: trailAcct, Name: "t", Email: "t@example.com"}); err != nil {
		tb.Fatal(err)
	}
	return db
}

func tempPath(tb testing.TB) string { return filepath.Join(tb.TempDir(), "accountplane.db") }

// pendingPut is the pending record of a PutAlternateContact call.
func pendingPut(id string) *trail.Pending {
	return trail.NewPending(trail.Call{
		Principal: identity.RootPrincipal(trailAcct, "AKIDROOT"), Service: "account", Operation: "PutAlternateContact",
		Params: map[string]any{"AlternateContactType": "BILLING", "Name": "Ann"}, EventID: id, Time: trailT0,
	}, trail.Options{})
}

func putBilling(ctx context.Context, db *sqlite.DB, name string) error {
	return db.Update(ctx, func(tx account.Tx) error {
		return tx.PutAlternateContact(ctx, trailAcct, &account.AlternateContact{Type: account.Billing, Name: name, Title: "t", EmailAddress: "a@example.com"})
	})
}

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

func trailEvents(t *testing.T, db *sqlite.DB, q trail.Query) []trail.Event {
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

// A change commits with its record, in the same transaction; a change
// that rolls back leaves no record; and when writing the record fails, the
// change rolls back with it.
func TestTrailAtomicity(t *testing.T) {
	for _, path := range []string{":memory:", "file"} {
		t.Run(path, func(t *testing.T) {
			if path == "file" {
				path = tempPath(t)
			}
			db := mustOpen(t, path)
			db.SetBeforeCommit(unitOfWork{realNow: time.Now}.beforeCommit)
			bg := context.Background()

			// The change fails: no record.
			p := pendingPut("00000000-0000-4000-8000-000000000001")
			ctx := trail.WithPending(bg, p)
			boom := errors.New("boom")
			err := db.Update(ctx, func(tx account.Tx) error {
				if err := tx.PutAlternateContact(ctx, trailAcct, &account.AlternateContact{Type: account.Billing, Name: "x"}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) || p.Written() || billing(t, db) != nil || len(trailEvents(t, db, trail.Query{})) != 0 {
				t.Fatalf("a failed change: err %v, written %v, contact %v", err, p.Written(), billing(t, db))
			}

			// The change commits with its record; a second Update of the
			// same call writes no second record.
			if err := putBilling(ctx, db, "Ann"); err != nil {
				t.Fatal(err)
			}
			if err := putBilling(ctx, db, "Ann2"); err != nil {
				t.Fatal(err)
			}
			evs := trailEvents(t, db, trail.Query{})
			if !p.Written() || len(evs) != 1 || evs[0].ID != "00000000-0000-4000-8000-000000000001" || evs[0].Name != "PutAlternateContact" {
				t.Fatalf("after the change: written %v, events %+v", p.Written(), evs)
			}
			if !strings.Contains(string(evs[0].Record), `"alternateContactType":"BILLING"`) {
				t.Errorf("record %s", evs[0].Record)
			}

			// Writing the record fails after fn succeeded (its event id is
			// taken): the change rolls back too.
			dup := pendingPut("00000000-0000-4000-8000-000000000001")
			ctx = trail.WithPending(bg, dup)
			if err := putBilling(ctx, db, "Mallory"); err == nil {
				t.Fatal("an Update whose record could not be written succeeded")
			}
			if c := billing(t, db); c == nil || c.Name != "Ann2" {
				t.Errorf("the contact after the failed Update is %+v, want Ann2's", c)
			}
			if dup.Written() {
				t.Error("the failed record counts as written")
			}
			if evs := trailEvents(t, db, trail.Query{}); len(evs) != 1 {
				t.Errorf("%d events after the failed Update, want 1", len(evs))
			}

			// Views write nothing.
			r := pendingPut("00000000-0000-4000-8000-000000000003")
			if err := db.View(trail.WithPending(bg, r), func(account.Tx) error { return nil }); err != nil || r.Written() {
				t.Errorf("View wrote the record (%v)", err)
			}
		})
	}
}

// busLog returns the whole bus log.
func busLog(t *testing.T, db *sqlite.DB) []bus.Record {
	t.Helper()
	var recs []bus.Record
	err := db.Events().View(context.Background(), func(tx bus.Tx) (err error) {
		recs, err = tx.BusEvents(context.Background(), 0, time.Time{}, 1000)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// A successful write appends one API call event, whose detail is its
// record, in the record's transaction, and queues it for the matching
// targets; a write that rolls back, a failed call and a read append none.
func TestAPICallEvents(t *testing.T) {
	for _, path := range []string{":memory:", "file"} {
		t.Run(path, func(t *testing.T) {
			if path == "file" {
				path = tempPath(t)
			}
			db := mustOpen(t, path)
			bg := context.Background()
			woken := make(chan struct{}, 10)
			db.SetBeforeCommit(unitOfWork{committed: func() { woken <- struct{}{} }, realNow: time.Now}.beforeCommit)
			err := db.Events().Update(bg, func(tx bus.Tx) error {
				return tx.BusSetTargets(bg, []bus.Target{
					{ID: "all", URL: "http://all.invalid/"},
					{ID: "put", URL: "http://put.invalid/", Pattern: `{"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["PutAlternateContact"]}}`},
					{ID: "region", URL: "http://region.invalid/", Pattern: `{"detail-type":["Region Opt-In Status Change"]}`},
				}, time.Now())
			})
			if err != nil {
				t.Fatal(err)
			}

			// The change rolls back: no event.
			ctx := trail.WithPending(bg, pendingPut("00000000-0000-4000-8000-0000000000a1"))
			boom := errors.New("boom")
			err = db.Update(ctx, func(tx account.Tx) error {
				if err := tx.PutAlternateContact(ctx, trailAcct, &account.AlternateContact{Type: account.Billing, Name: "x"}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) || len(busLog(t, db)) != 0 {
				t.Fatalf("a rolled back write: err %v, log %d events", err, len(busLog(t, db)))
			}

			// A failed call (errorCode) and a read: no event.
			failed := trail.NewPending(trail.Call{
				Principal: identity.RootPrincipal(trailAcct, "AKIDROOT"), Service: "account", Operation: "PutAlternateContact",
				EventID: "00000000-0000-4000-8000-0000000000a2", Time: trailT0, ErrorCode: "ValidationException",
			}, trail.Options{})
			read := trail.NewPending(trail.Call{
				Principal: identity.RootPrincipal(trailAcct, "AKIDROOT"), Service: "account", Operation: "GetAlternateContact",
				ReadOnly: true, EventID: "00000000-0000-4000-8000-0000000000a3", Time: trailT0,
			}, trail.Options{})
			for _, p := range []*trail.Pending{failed, read} {
				if err := putBilling(trail.WithPending(bg, p), db, "y"); err != nil || !p.Written() {
					t.Fatalf("write: %v, written %v", err, p.Written())
				}
			}
			if n := len(busLog(t, db)); n != 0 {
				t.Fatalf("%d events after a failed call and a read, want 0", n)
			}
			select {
			case <-woken:
				t.Fatal("the bus was woken with no event")
			default:
			}

			// The write succeeds: one event, the record as detail. A second
			// Update of the same call appends nothing.
			if err := putBilling(ctx, db, "Ann"); err != nil {
				t.Fatal(err)
			}
			if err := putBilling(ctx, db, "Ann2"); err != nil {
				t.Fatal(err)
			}
			log := busLog(t, db)
			if len(log) != 1 {
				t.Fatalf("%d events after the write, want 1", len(log))
			}
			select {
			case <-woken:
			default:
				t.Error("the bus was not woken after the commit")
			}
			recs := trailEvents(t, db, trail.Query{})
			var rec trail.Event
			for _, e := range recs {
				if e.ID == "00000000-0000-4000-8000-0000000000a1" {
					rec = e
				}
			}
			var ev struct {
				Version    string          `json:"version"`
				ID         string          `json:"id"`
				DetailType string          `json:"detail-type"`
				Source     string          `json:"source"`
				Account    string          `json:"account"`
				Time       string          `json:"time"`
				Region     string          `json:"region"`
				Resources  []string        `json:"resources"`
				Detail     json.RawMessage `json:"detail"`
			}
			if err := json.Unmarshal(log[0].Body, &ev); err != nil {
				t.Fatal(err)
			}
			if ev.Version != "0" || ev.ID != log[0].ID || ev.DetailType != bus.DetailTypeAPICall || ev.Source != "aws.account" ||
				ev.Account != string(trailAcct) || ev.Time != "2026-03-01T12:00:00Z" || ev.Region != "us-east-1" ||
				ev.Resources == nil || len(ev.Resources) != 0 {
				t.Errorf("event %s", log[0].Body)
			}
			if string(ev.Detail) != string(rec.Record) || rec.Record == nil {
				t.Errorf("detail %s, want the record %s", ev.Detail, rec.Record)
			}
			if log[0].Source != "aws.account" || log[0].DetailType != bus.DetailTypeAPICall || log[0].Account != string(trailAcct) {
				t.Errorf("log row %+v", log[0])
			}

			// Queued for the targets whose pattern matches.
			for id, want := range map[string]bool{"all": true, "put": true, "region": false} {
				var d *bus.Delivery
				err := db.Events().View(bg, func(tx bus.Tx) (err error) {
					d, err = tx.BusNextDelivery(bg, id)
					return err
				})
				switch {
				case want && (err != nil || d.Seq != log[0].Seq):
					t.Errorf("target %s: %+v, %v; want the event queued", id, d, err)
				case !want && !errors.Is(err, kernel.ErrNotFound):
					t.Errorf("target %s: %+v, %v; want nothing queued", id, d, err)
				}
			}
		})
	}
}
