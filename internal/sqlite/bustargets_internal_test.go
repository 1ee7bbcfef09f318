package sqlite

import (
	"context"
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
	var err error
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
	err = db.update(ctx, func(tx *tx) error {
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
