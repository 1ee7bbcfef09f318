package sqlite

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// The caller that commits a group returns once its group is committed,
// even while further writes are queued: the next group is committed by its
// own first write. (A leader that committed every queued group kept its
// caller waiting for as long as writes kept coming.)
func TestGroupLeaderReturnsAfterItsOwnGroup(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	holdFirst, holdSecond := make(chan struct{}), make(chan struct{})
	firstRunning, secondRunning := make(chan struct{}), make(chan struct{})
	write := func(running, hold chan struct{}) chan error {
		done := make(chan error, 1)
		go func() {
			done <- db.update(ctx, func(t *tx) error {
				if running != nil {
					close(running)
					<-hold
				}
				return nil
			})
		}()
		return done
	}
	first := write(firstRunning, holdFirst)
	<-firstRunning // the first group, the first write alone, is under way
	second := write(secondRunning, holdSecond)
	var rest []chan error
	for range 3 {
		rest = append(rest, write(nil, nil))
	}
	waitFor(t, "the four writes to queue", func() bool {
		db.group.mu.Lock()
		defer db.group.mu.Unlock()
		return len(db.group.queue) == 4
	})
	close(holdFirst)
	<-secondRunning // the second group, led by the second write, is under way
	select {
	case err := <-first:
		if err != nil {
			t.Fatalf("first write: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first write's caller still waits while the next group commits")
	}
	close(holdSecond)
	for i, done := range append([]chan error{second}, rest...) {
		if err := <-done; err != nil {
			t.Errorf("write %d: %v", i+2, err)
		}
	}
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// The writes of one group commit share a transaction, in which BusReserve
// reads the counter once and counts on: each committed event keeps the seq
// and id it reserved, in the order the writes ran; a seq reserved by a
// write that rolled back to its savepoint is given to no other event; an
// event appended without a reserved seq takes the next one and moves the
// count past it.
func TestGroupReservesEventSeqs(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	type event struct {
		seq int64
		id  string
	}
	var committed, refused []event
	write := func(reserve, fail bool) *groupWrite {
		fn := func(t *tx) error {
			r := &kernel.BusRecord{ID: "plain-" + strconv.Itoa(len(committed)), Time: now, Account: "111122223333",
				Source: "aws.test", DetailType: "test", Body: []byte(`{}`), Created: now}
			if reserve {
				seq, id, err := t.BusReserve(ctx)
				if err != nil {
					return err
				}
				r.Seq, r.ID = seq, id
			}
			if err := t.BusAppend(ctx, r); err != nil {
				return err
			}
			if fail {
				refused = append(refused, event{r.Seq, r.ID})
				return errors.New("refused after appending")
			}
			committed = append(committed, event{r.Seq, r.ID})
			return nil
		}
		return &groupWrite{ctx: ctx, fn: fn, counted: true, done: make(chan groupResult, 1), lead: make(chan struct{}, 1)}
	}
	batch := []*groupWrite{write(true, false), write(true, true), write(true, false), write(false, false), write(true, false)}
	db.commitGroup(batch)
	for i, w := range batch {
		if err := (<-w.done).err; (err != nil) != (i == 1) {
			t.Errorf("write %d: %v", i, err)
		}
	}
	var stored []event
	err := db.view(ctx, func(t *tx) error {
		evs, err := t.BusEvents(ctx, 0, time.Time{}, 100)
		for _, e := range evs {
			stored = append(stored, event{e.Seq, e.ID})
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored, committed) {
		t.Fatalf("stored events %v, want those the committed writes appended, in order: %v", stored, committed)
	}
	for _, e := range stored {
		if e.seq == refused[0].seq || e.id == refused[0].id {
			t.Errorf("stored event %v has the seq or id reserved by the write that rolled back (%v)", e, refused[0])
		}
	}
	if committed[1].seq != committed[0].seq+2 {
		t.Errorf("the write after the one rolled back got seq %d, want %d (the rolled-back seq is not given again)", committed[1].seq, committed[0].seq+2)
	}
}

// A write of the bus log other than a reserved append (an import's rows)
// makes the next reservation of the group's transaction read the counter
// again, past the seqs it took.
func TestGroupReservesPastImportedEvents(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	var first int64
	reserve := func(t *tx) error {
		seq, id, err := t.BusReserve(ctx)
		if err != nil {
			return err
		}
		if first == 0 {
			first = seq
		}
		return t.BusAppend(ctx, &kernel.BusRecord{Seq: seq, ID: id, Time: now, Account: "111122223333",
			Source: "aws.test", DetailType: "test", Body: []byte(`{}`), Created: now})
	}
	imported := func(t *tx) error { // the row an import of a state document writes
		return t.insertRow(ctx, "bus_events", map[string]any{"seq": first + 1, "id": "imported", "event_time": nanos(now),
			"account_id": "111122223333", "source": "aws.test", "detail_type": "test", "body": "{}", "created_at": nanos(now)})
	}
	var batch []*groupWrite
	for _, fn := range []func(*tx) error{reserve, imported, reserve} {
		batch = append(batch, &groupWrite{ctx: ctx, fn: fn, counted: true, done: make(chan groupResult, 1), lead: make(chan struct{}, 1)})
	}
	db.commitGroup(batch)
	for i, w := range batch {
		if err := (<-w.done).err; err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
}
