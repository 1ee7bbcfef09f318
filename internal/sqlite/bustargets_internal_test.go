package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// The active event targets are read once per commit of their table: a
// committed change of the targets is seen by the next transaction, and by
// the rest of the transaction that made it.
func TestBusTargetsFollowTheirCommits(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	targets := func() []kernel.BusTarget {
		var got []kernel.BusTarget
		if err := db.update(ctx, func(tx *tx) (err error) { got, err = tx.BusTargets(ctx); return err }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	set := func(urls ...string) {
		var ts []kernel.BusTarget
		for _, u := range urls {
			ts = append(ts, kernel.BusTarget{ID: u, URL: u, Pattern: `{}`})
		}
		if err := db.update(ctx, func(tx *tx) error { return tx.BusSetTargets(ctx, ts, time.Now()) }); err != nil {
			t.Fatal(err)
		}
	}
	set("https://a.example")
	if got := targets(); len(got) != 1 || got[0].URL != "https://a.example" {
		t.Fatalf("targets: %+v", got)
	}
	// Served from memory: a change that bypasses the store's commits (as
	// no code does) goes unseen, which shows the list was not read again.
	if _, err := db.writer.ExecContext(ctx, `UPDATE event_targets SET url = 'https://bypass.example'`); err != nil {
		t.Fatal(err)
	}
	if got := targets(); len(got) != 1 || got[0].URL != "https://a.example" {
		t.Fatalf("targets read again without a commit of theirs: %+v", got)
	}
	set("https://b.example", "https://c.example")
	if got := targets(); len(got) != 2 || got[0].URL != "https://b.example" {
		t.Fatalf("targets after a committed change: %+v", got)
	}
	targetsInTheirTransaction(t, db)
}

// targetsInTheirTransaction checks that a transaction that changes the
// targets reads its change.
func targetsInTheirTransaction(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	err := db.update(ctx, func(tx *tx) error {
		if err := tx.BusSetTargets(ctx, []kernel.BusTarget{{ID: "d", URL: "https://d.example", Pattern: `{}`}}, time.Now()); err != nil {
			return err
		}
		got, err := tx.BusTargets(ctx)
		if err == nil && (len(got) != 1 || got[0].URL != "https://d.example") {
			t.Errorf("targets in the transaction that changed them: %+v", got)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// On PostgreSQL a write reads the active targets from memory while the
// request's values show their table unchanged: another replica's change is
// seen after a Refresh, this replica's own at once, and the transaction
// that changes them sees its change.
func TestPostgresBusTargetsFollowTheirCommits(t *testing.T) {
	ctx := context.Background()
	one, other := replicasPG(t)
	one.latest.maxAge = time.Hour // the checks below are not timed
	targets := func() []kernel.BusTarget {
		t.Helper()
		var got []kernel.BusTarget
		if err := one.update(ctx, func(tx *tx) (err error) { got, err = tx.BusTargets(ctx); return err }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	set := func(db *DB, urls ...string) {
		t.Helper()
		var ts []kernel.BusTarget
		for _, u := range urls {
			ts = append(ts, kernel.BusTarget{ID: u, URL: u, Pattern: `{}`})
		}
		if err := db.update(ctx, func(tx *tx) error { return tx.BusSetTargets(ctx, ts, time.Now()) }); err != nil {
			t.Fatal(err)
		}
	}
	set(one, "https://a.example")
	targets() // watches event_targets
	one.Refresh()
	targets() // kept
	if _, err := one.pgPool.Exec(ctx, `UPDATE event_targets SET url = 'https://bypass.example'`); err != nil {
		t.Fatal(err)
	}
	one.Refresh()
	if got := targets(); len(got) != 1 || got[0].URL != "https://a.example" {
		t.Fatalf("targets read again without a commit of theirs: %+v", got)
	}
	set(other, "https://b.example", "https://c.example")
	one.Refresh() // a request arriving after the other replica's commit
	if got := targets(); len(got) != 2 || got[0].URL != "https://b.example" {
		t.Fatalf("targets after another replica's commit: %+v", got)
	}
	set(one, "https://e.example")
	if got := targets(); len(got) != 1 || got[0].URL != "https://e.example" {
		t.Fatalf("targets after this replica's own commit: %+v", got)
	}
	targetsInTheirTransaction(t, one)
}

// A write whose snapshot was taken before a change of the targets reads
// the older list, and keeps it under no newer stamp: the next write, after
// a Refresh, reads the change.
func TestPostgresBusTargetsKeptAtTheWritesStart(t *testing.T) {
	ctx := context.Background()
	one, _ := replicasPG(t)
	one.latest.maxAge = time.Hour
	set := func(url string) {
		t.Helper()
		ts := []kernel.BusTarget{{ID: url, URL: url, Pattern: `{}`}}
		if err := one.update(ctx, func(tx *tx) error { return tx.BusSetTargets(ctx, ts, time.Now()) }); err != nil {
			t.Fatal(err)
		}
	}
	targets := func(between func()) []kernel.BusTarget {
		t.Helper()
		var got []kernel.BusTarget
		err := one.update(ctx, func(tx *tx) error {
			if between != nil {
				if _, err := tx.Account(ctx, "111122223333"); err != nil && !errors.Is(err, kernel.ErrNotFound) {
					return err // the snapshot is taken
				}
				between()
			}
			var err error
			got, err = tx.BusTargets(ctx)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	set("https://a.example")
	one.Refresh()
	targets(nil) // watches event_targets
	one.Refresh()
	if got := targets(func() { set("https://b.example") }); len(got) != 1 || got[0].URL != "https://a.example" {
		t.Fatalf("targets of a write whose snapshot came before the change: %+v, want a", got)
	}
	one.Refresh()
	if got := targets(nil); len(got) != 1 || got[0].URL != "https://b.example" {
		t.Errorf("targets of the next write: %+v, want b (an older list kept under a newer stamp)", got)
	}
}
