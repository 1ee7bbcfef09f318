package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/events"
	"github.com/accountplane/accountplane/internal/kernel"
)

// TestMigrateRegionTransitionsBackfill upgrades a database from before
// 0005 with two Region requests: the one over in real time is marked
// completed, the one still running completes on the domain clock.
func TestMigrateRegionTransitionsBackfill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	w, err := sql.Open("sqlite", fileURI(path, nil))
	if err != nil {
		t.Fatal(err)
	}
	old := &DB{writer: w, now: time.Now}
	if _, err := w.ExecContext(t.Context(), `CREATE TABLE schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version >= 5 {
			break
		}
		if err := old.apply(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if _, err := w.ExecContext(t.Context(), `INSERT INTO region_opts (account_id, region, target, requested_at, due_at)
		VALUES ('123456789012', 'ap-east-1', 'ENABLED', ?, ?), ('123456789012', 'me-south-1', 'DISABLED', ?, ?)`,
		now.Add(-2*time.Hour).UnixNano(), now.Add(-time.Hour).UnixNano(),
		now.UnixNano(), now.Add(time.Hour).UnixNano()); err != nil {
		t.Fatal(err)
	}
	w.Close()

	db, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatalf("Open of a version 4 database: %v", err)
	}
	defer db.Close()
	err = db.Events().View(t.Context(), func(tx events.Tx) error {
		due, err := tx.DueRegionTransitions(t.Context(), now.Add(2*time.Hour), 10)
		if err != nil {
			return err
		}
		if len(due) != 1 || due[0].Region != "me-south-1" || due[0].Target != account.RegionDisabled ||
			due[0].Caller != "123456789012" || !due[0].DueAt.Equal(now.Add(time.Hour)) {
			t.Errorf("due transitions after the migration: %+v, want me-south-1 only", due)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBusStore(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := db.Events()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a := events.Target{ID: "a", URL: "http://a/"}
	b := events.Target{ID: "b", URL: "http://b/", Pattern: `{"source":["x"]}`}
	err = st.Update(ctx, func(tx events.Tx) error {
		if err := tx.BusSetTargets(ctx, []events.Target{a, b}, at); err != nil {
			return err
		}
		for i, id := range []string{"e1", "e2", "e3"} {
			r := &events.Record{ID: id, Time: at.Add(time.Duration(i) * time.Hour), Account: "1", Body: []byte(`{}`), Created: at}
			if err := tx.BusAppend(ctx, r); err != nil {
				return err
			}
			if r.Seq != int64(i+1) {
				t.Errorf("seq %d, want %d", r.Seq, i+1)
			}
			if err := tx.BusAddDelivery(ctx, "a", r.Seq, at.Add(time.Duration(i)*time.Second)); err != nil {
				return err
			}
			if i == 2 {
				if err := tx.BusAddDelivery(ctx, "b", r.Seq, at); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	view := func(fn func(tx events.Tx) error) {
		t.Helper()
		if err := st.View(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	update := func(fn func(tx events.Tx) error) {
		t.Helper()
		if err := st.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	view(func(tx events.Tx) error {
		if st, err := tx.BusOutboxStats(ctx); err != nil || st.Pending != 4 || !st.Oldest.Equal(at) || st.Dead != 0 {
			t.Errorf("BusOutboxStats = %+v, %v; want 4 pending, oldest %v", st, err, at)
		}
		if recs, err := tx.BusEvents(ctx, 1, at.Add(2*time.Hour), 10); err != nil || len(recs) != 1 || recs[0].ID != "e3" {
			t.Errorf("BusEvents after 1 from +2h: %+v, %v", recs, err)
		}
		if seq, err := tx.BusEventSeq(ctx, "e2"); err != nil || seq != 2 {
			t.Errorf("BusEventSeq(e2) = %d, %v", seq, err)
		}
		if _, err := tx.BusEventSeq(ctx, "nope"); !errors.Is(err, kernel.ErrNotFound) {
			t.Errorf("BusEventSeq(nope): %v, want ErrNotFound", err)
		}
		d, err := tx.BusNextDelivery(ctx, "a")
		if err != nil || d.Seq != 1 || d.Event.ID != "e1" || string(d.Event.Body) != `{}` || !d.NextAttempt.IsZero() {
			t.Errorf("BusNextDelivery(a) = %+v, %v", d, err)
		}
		return nil
	})
	update(func(tx events.Tx) error {
		if err := tx.BusDeliveryFailed(ctx, "a", 1, events.DeliveryFailure{At: at, Next: at.Add(time.Minute), Err: "boom"}); err != nil {
			return err
		}
		// A second failure keeps the first attempt's time.
		if err := tx.BusDeliveryFailed(ctx, "a", 1, events.DeliveryFailure{At: at.Add(time.Hour), Next: at.Add(2 * time.Minute), Err: "boom again"}); err != nil {
			return err
		}
		if d, err := tx.BusNextDelivery(ctx, "a"); err != nil || d.Attempts != 2 || d.LastError != "boom again" ||
			!d.NextAttempt.Equal(at.Add(2*time.Minute)) || !d.FirstAttempt.Equal(at) || !d.Dead.IsZero() {
			t.Errorf("after two failures: %+v, %v", d, err)
		}
		if err := tx.BusDelivered(ctx, "a", 1); err != nil {
			return err
		}
		if d, err := tx.BusNextDelivery(ctx, "a"); err != nil || d.Seq != 2 {
			t.Errorf("after a delivery: %+v, %v", d, err)
		}
		// b leaves the configuration: its delivery no longer counts.
		return tx.BusSetTargets(ctx, []events.Target{a}, at)
	})
	view(func(tx events.Tx) error {
		if ts, err := tx.BusTargets(ctx); err != nil || len(ts) != 1 || ts[0] != a {
			t.Errorf("BusTargets = %+v, %v", ts, err)
		}
		if st, err := tx.BusOutboxStats(ctx); err != nil || st.Pending != 2 {
			t.Errorf("BusOutboxStats = %+v, %v; want 2 pending", st, err)
		}
		return nil
	})

	// A dead delivery is kept, listed and skipped until retried.
	update(func(tx events.Tx) error {
		f := events.DeliveryFailure{At: at.Add(24 * time.Hour), Dead: at.Add(25 * time.Hour), Err: "webhook answered 302 Found"}
		if err := tx.BusDeliveryFailed(ctx, "a", 2, f); err != nil {
			return err
		}
		if d, err := tx.BusNextDelivery(ctx, "a"); err != nil || d.Seq != 3 {
			t.Errorf("next delivery with 2 dead: %+v, %v; want seq 3", d, err)
		}
		dead, err := tx.BusDeadDeliveries(ctx, 10)
		if err != nil || len(dead) != 1 {
			t.Fatalf("BusDeadDeliveries = %+v, %v; want one", dead, err)
		}
		d := dead[0]
		if d.TargetID != "a" || d.TargetURL != "http://a/" || d.Seq != 2 || d.Event.ID != "e2" || d.Attempts != 1 ||
			!d.FirstAttempt.Equal(f.At) || !d.Dead.Equal(f.Dead) || d.LastError != f.Err {
			t.Errorf("dead delivery %+v", d)
		}
		if st, err := tx.BusOutboxStats(ctx); err != nil || st.Pending != 1 || st.Dead != 1 {
			t.Errorf("BusOutboxStats = %+v, %v; want 1 pending, 1 dead", st, err)
		}
		for _, seq := range []int64{3, 99} { // pending, unknown
			if err := tx.BusRetryDelivery(ctx, "a", seq); !errors.Is(err, account.ErrNotFound) {
				t.Errorf("BusRetryDelivery(a, %d): %v, want ErrNotFound", seq, err)
			}
		}
		if err := tx.BusRetryDelivery(ctx, "a", 2); err != nil {
			return err
		}
		d2, err := tx.BusNextDelivery(ctx, "a")
		if err != nil || d2.Seq != 2 || d2.Attempts != 0 || !d2.NextAttempt.IsZero() || !d2.FirstAttempt.IsZero() || !d2.Dead.IsZero() {
			t.Errorf("after a retry: %+v, %v; want seq 2 due at once, nothing counted", d2, err)
		}
		if dead, err := tx.BusDeadDeliveries(ctx, 10); err != nil || len(dead) != 0 {
			t.Errorf("dead after a retry: %+v, %v", dead, err)
		}
		return nil
	})

	// A reset empties the log but never moves the sequence back.
	if err := db.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	view(func(tx events.Tx) error {
		if seq, err := tx.BusLastSeq(ctx); err != nil || seq != 3 {
			t.Errorf("BusLastSeq after a reset = %d, %v; want 3", seq, err)
		}
		return nil
	})
	update(func(tx events.Tx) error {
		r := &events.Record{ID: "e4", Time: at, Body: []byte(`{}`)}
		if err := tx.BusAppend(ctx, r); err != nil || r.Seq != 4 {
			t.Errorf("append after a reset: seq %d, %v; want 4", r.Seq, err)
		}
		return nil
	})

	// Transitions complete once.
	update(func(tx events.Tx) error {
		tr := &events.Transition{Caller: "1", Account: "2", Region: "ap-east-1", Target: account.RegionEnabled, RequestedAt: at, DueAt: at.Add(time.Hour)}
		if err := tx.AddRegionTransition(ctx, tr); err != nil {
			return err
		}
		if due, err := tx.DueRegionTransitions(ctx, at, 10); err != nil || len(due) != 0 {
			t.Errorf("due before DueAt: %+v, %v", due, err)
		}
		due, err := tx.DueRegionTransitions(ctx, at.Add(time.Hour), 10)
		if err != nil || len(due) != 1 || due[0] != *tr {
			t.Errorf("due at DueAt: %+v, %v; want %+v", due, err, *tr)
		}
		for i, want := range []bool{true, false} {
			if ok, err := tx.CompleteRegionTransition(ctx, tr.ID); err != nil || ok != want {
				t.Errorf("CompleteRegionTransition #%d = %v, %v; want %v", i+1, ok, err, want)
			}
		}
		return nil
	})
}
