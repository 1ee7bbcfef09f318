package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/events"
)

// TestMigrateRegionTransitionsBackfill upgrades a database from before
// 0005 with two Region requests: the one over in real time is marked
// completed, the one still running completes on the domain clock.
func TestMigrateRegionTransitionsBackfill(t *testing.T) {
	path, w := atVersion(t, 4)
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

// TestResetKeepsBusSequence: a reset empties the event log but never moves
// its sequence back (the rest of the bus store is the conformance suite's).
func TestResetKeepsBusSequence(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := db.Events()
	appendOne := func(id string) int64 {
		t.Helper()
		r := &events.Record{ID: id, Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Body: []byte(`{}`)}
		if err := st.Update(ctx, func(tx events.Tx) error { return tx.BusAppend(ctx, r) }); err != nil {
			t.Fatal(err)
		}
		return r.Seq
	}
	var last int64
	for _, id := range []string{"e1", "e2", "e3"} {
		last = appendOne(id)
	}
	if err := db.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, func(tx events.Tx) error {
		if seq, err := tx.BusLastSeq(ctx); err != nil || seq != last {
			t.Errorf("BusLastSeq after a reset = %d, %v; want %d", seq, err, last)
		}
		if recs, err := tx.BusEvents(ctx, 0, time.Time{}, 10); err != nil || len(recs) != 0 {
			t.Errorf("BusEvents after a reset = %d events, %v; want none", len(recs), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seq := appendOne("e4"); seq != last+1 {
		t.Errorf("append after a reset: seq %d, want %d", seq, last+1)
	}
}
