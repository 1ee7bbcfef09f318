package server

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/authz"
	"github.com/accountplane/accountplane/internal/trail"
)

// batchCounter keeps the batches the background writer appends.
type batchCounter struct {
	mu      sync.Mutex
	batches [][]trail.Event
	purges  []time.Time // the cuts of PurgeEvents
}

func (b *batchCounter) AppendEvent(ctx context.Context, ev trail.Event) error {
	return b.AppendEvents(ctx, []trail.Event{ev})
}

func (b *batchCounter) AppendEvents(_ context.Context, evs []trail.Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.batches = append(b.batches, append([]trail.Event(nil), evs...))
	return nil
}

func (b *batchCounter) ReplaceEvent(context.Context, trail.Event) error { return nil }
func (b *batchCounter) PurgeEvents(_ context.Context, before time.Time) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.purges = append(b.purges, before)
	return 0, nil
}
func (b *batchCounter) TrimEvents(context.Context, int64) (int64, error) { return 0, nil }

func (b *batchCounter) written() (batches, records int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, evs := range b.batches {
		records += len(evs)
	}
	return len(b.batches), records
}

type allowEverything struct{}

func (allowEverything) Authorize(context.Context, AuthzQuery) (authz.Decision, error) {
	return authz.Decision{Allowed: true}, nil
}

func newLingeringServer(t *testing.T, linger time.Duration) (*Server, *batchCounter) {
	t.Helper()
	store := &batchCounter{}
	s, err := New(Config{Authorizer: allowEverything{}, Trail: TrailConfig{Store: store}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.FlushTrail)
	// Set before the first record wakes the writer, which reads it after.
	s.trail.lingerFor = linger
	return s, store
}

// The background writer gathers the records of reads into one batch while
// it lingers, and whoever waits for the records (LookupEvents, shutdown)
// ends the linger: with a linger of an hour, the records are written when
// DrainTrail asks, in one batch, in the order they were made.
func TestTrailWriterGathersUntilSomebodyWaits(t *testing.T) {
	s, store := newLingeringServer(t, time.Hour)
	for i := range 10 {
		s.enqueueRecord(trail.Event{ID: fmt.Sprintf("ev-%d", i), Name: "GetAlternateContact"}, fmt.Sprintf("req-%d", i))
	}
	s.DrainTrail()
	batches, records := store.written()
	if batches != 1 || records != 10 {
		t.Fatalf("after DrainTrail: %d batches of %d records in all, want 1 batch of 10", batches, records)
	}
	for i, ev := range store.batches[0] {
		if want := fmt.Sprintf("ev-%d", i); ev.ID != want || !ev.StoreID {
			t.Errorf("record %d: id %q (store id %v), want %q with a store-made id", i, ev.ID, ev.StoreID, want)
		}
	}
}

// A full batch is written without waiting for the linger, or for anybody.
func TestTrailWriterWritesAFullBatchAtOnce(t *testing.T) {
	s, store := newLingeringServer(t, time.Hour)
	for i := range writeBatch {
		s.enqueueRecord(trail.Event{ID: fmt.Sprintf("ev-%d", i)}, "")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, records := store.written(); records == writeBatch {
			break
		}
		if time.Now().After(deadline) {
			_, records := store.written()
			t.Fatalf("%d of %d records written 10 s after the batch filled", records, writeBatch)
		}
		time.Sleep(time.Millisecond)
	}
	if batches, _ := store.written(); batches != 1 {
		t.Errorf("the full batch was written in %d batches, want 1", batches)
	}
}

// The decision log finds the last decisions it keeps by request id, the
// newest first, and has forgotten the older ones.
func TestDecisionLogKeepsTheLast(t *testing.T) {
	l := newDecisionLog(3)
	if _, ok := l.get("r0"); ok {
		t.Fatal("an empty log found a decision")
	}
	for i := range 5 {
		l.put(&DecisionRecord{RequestID: fmt.Sprintf("r%d", i), Action: fmt.Sprintf("a%d", i)})
	}
	for i := range 5 {
		r, ok := l.get(fmt.Sprintf("r%d", i))
		if kept := i >= 2; ok != kept || (ok && r.Action != fmt.Sprintf("a%d", i)) {
			t.Errorf("get(r%d) = %+v, %v; want kept %v", i, r, ok, kept)
		}
	}
	l.put(&DecisionRecord{RequestID: "r4", Action: "again"}) // a request id seen twice: the newest
	if r, _ := l.get("r4"); r.Action != "again" {
		t.Errorf("get of a repeated id = %+v, want the newest", r)
	}
}

// Retention holds on a server that records nothing: the background writer
// purges on its own, with the cut at now minus the retention.
func TestTrailPurgesWithoutCalls(t *testing.T) {
	store := &batchCounter{}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	s, err := New(Config{Authorizer: allowEverything{}, Now: func() time.Time { return now },
		Trail: TrailConfig{Store: store, Retention: 48 * time.Hour, PurgeCheck: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.FlushTrail)
	deadline := time.Now().Add(20 * time.Second)
	for {
		store.mu.Lock()
		purges := append([]time.Time(nil), store.purges...)
		store.mu.Unlock()
		if len(purges) > 0 {
			if want := now.Add(-48 * time.Hour); !purges[0].Equal(want) {
				t.Fatalf("purge cut at %v, want %v", purges[0], want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no purge in 20s with no call recorded")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
