package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// The event bus's store: its log, webhook targets, delivery outbox and
// Region transitions (kernel.BusTx).

var busTests = []test{
	{"Bus/Log", testBusLog},
	{"Bus/Reserve", testBusReserve},
	{"Bus/Targets", testBusTargets},
	{"Bus/Deliveries", testBusDeliveries},
	{"Bus/DeadDeliveries", testBusDead},
	{"Bus/DeliveryClaims", testBusClaims},
	{"Bus/RegionTransitions", testBusTransitions},
	{"Bus/RollbackAndViews", testBusRollbackAndViews},
	{"Bus/Trim", testBusTrim},
}

// testBusReserve: BusReserve gives each event of a transaction the next
// sequence and an id of its own that BusEventSeq finds; a reserved event
// whose transaction rolled back is not found; events with ids of their
// own are found too.
func testBusReserve(t *testing.T, s Stores) {
	st := s.Events
	skipUnless(t, st != nil, "event bus store")
	own := appendRecords(t, st, 1)[0]
	var reserved []kernel.BusRecord
	update(t, st, func(ctx context.Context, tx kernel.BusTx) error {
		for n := 2; n <= 3; n++ {
			seq, id, err := tx.BusReserve(ctx)
			if err != nil {
				return err
			}
			r := busRecord(n)
			r.Seq, r.ID = seq, id
			if err := tx.BusAppend(ctx, &r); err != nil {
				return err
			}
			reserved = append(reserved, r)
		}
		return nil
	})
	a, b := reserved[0], reserved[1]
	if a.Seq <= own.Seq || b.Seq != a.Seq+1 || a.ID == b.ID || len(a.ID) != 36 {
		t.Fatalf("reserved %d %q then %d %q after %d: want the next sequences and two distinct ids", a.Seq, a.ID, b.Seq, b.ID, own.Seq)
	}
	wantEqual(t, "BusEvents of reserved events", busEvents(t, st, own.Seq, time.Time{}, 10), reserved)
	if seq := lastSeq(t, st); seq != b.Seq {
		t.Errorf("BusLastSeq: %d, want %d", seq, b.Seq)
	}
	var rolledBack string
	err := st.Update(t.Context(), func(tx kernel.BusTx) error {
		seq, id, err := tx.BusReserve(t.Context())
		if err != nil {
			return err
		}
		rolledBack = id
		r := busRecord(4)
		r.Seq, r.ID = seq, id
		return errors.Join(tx.BusAppend(t.Context(), &r), errBoom)
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("failed Update: %v", err)
	}
	view(t, st, func(ctx context.Context, tx kernel.BusTx) error {
		checkRead(t, "BusEventSeq of a reserved event", a.Seq, func() (any, error) { return tx.BusEventSeq(ctx, a.ID) })
		checkRead(t, "BusEventSeq of another", b.Seq, func() (any, error) { return tx.BusEventSeq(ctx, b.ID) })
		checkRead(t, "BusEventSeq of an event with its own id", own.Seq, func() (any, error) { return tx.BusEventSeq(ctx, own.ID) })
		_, err := tx.BusEventSeq(ctx, rolledBack)
		wantNotFound(t, "BusEventSeq of a reserved event rolled back", err)
		return nil
	})
	next := appendRecords(t, st, 5)[0]
	if next.Seq <= b.Seq {
		t.Errorf("sequence after the reserved ones: %d, want more than %d", next.Seq, b.Seq)
	}
}

// busT0 is a domain time: bus events have whole seconds.
var busT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// busRecord returns event n of the log (Seq unset).
func busRecord(n int) kernel.BusRecord {
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
	return kernel.BusRecord{
		ID: id, Time: busT0.Add(time.Duration(n) * time.Hour), Account: string(accountID(n % 3)),
		Source: "aws.account", DetailType: "Region Opt-In Status Change",
		Body:    []byte(fmt.Sprintf(`{"version":"0","id":%q,"detail":{"n":%d}}`, id, n)),
		Created: t0.Add(time.Duration(n) * time.Millisecond),
	}
}

// appendRecords appends records ns in one Update and returns them with
// their sequences.
func appendRecords(t *testing.T, st kernel.Store[kernel.BusTx], ns ...int) []kernel.BusRecord {
	t.Helper()
	var out []kernel.BusRecord
	update(t, st, func(ctx context.Context, tx kernel.BusTx) error {
		for _, n := range ns {
			r := busRecord(n)
			if err := tx.BusAppend(ctx, &r); err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out
}

func busEvents(t *testing.T, st kernel.Store[kernel.BusTx], after int64, notBefore time.Time, limit int) []kernel.BusRecord {
	t.Helper()
	return mustRead(t, st, "BusEvents", func(ctx context.Context, tx kernel.BusTx) ([]kernel.BusRecord, error) {
		return tx.BusEvents(ctx, after, notBefore, limit)
	})
}

func lastSeq(t *testing.T, st kernel.Store[kernel.BusTx]) int64 {
	t.Helper()
	return mustRead(t, st, "BusLastSeq", func(ctx context.Context, tx kernel.BusTx) (int64, error) { return tx.BusLastSeq(ctx) })
}

// testBusLog: appends get increasing sequences; BusEvents pages through
// the log by sequence, from a time, at most limit; a rolled-back append
// leaves nothing and its sequence is not a committed one's.
func testBusLog(t *testing.T, s Stores) {
	st := s.Events
	skipUnless(t, st != nil, "event bus store")
	if seq := lastSeq(t, st); seq != 0 {
		t.Errorf("BusLastSeq of an empty log: got %d, want 0", seq)
	}
	wantEqual(t, "BusEvents of an empty log", busEvents(t, st, 0, time.Time{}, 10), []kernel.BusRecord(nil))
	var log []kernel.BusRecord
	update(t, st, func(ctx context.Context, tx kernel.BusTx) error {
		for n := 1; n <= 2; n++ {
			r := busRecord(n)
			if err := tx.BusAppend(ctx, &r); err != nil {
				return err
			}
			if seq, err := tx.BusLastSeq(ctx); err != nil || seq != r.Seq {
				t.Errorf("BusLastSeq in the appending transaction: got %d, %v, want %d", seq, err, r.Seq)
			}
			log = append(log, r)
		}
		return nil
	})
	for n := 3; n <= 5; n++ {
		log = append(log, appendRecords(t, st, n)...)
	}
	for i := 1; i < len(log); i++ {
		if log[i].Seq <= log[i-1].Seq || log[0].Seq <= 0 {
			t.Fatalf("sequences %d then %d: want positive and increasing", log[i-1].Seq, log[i].Seq)
		}
	}
	wantEqual(t, "BusEvents of the whole log", busEvents(t, st, 0, time.Time{}, 100), log)
	wantEqual(t, "BusEvents after the second", busEvents(t, st, log[1].Seq, time.Time{}, 100), log[2:])
	wantEqual(t, "BusEvents at most 2", busEvents(t, st, 0, time.Time{}, 2), log[:2])
	wantEqual(t, "BusEvents from the third's time", busEvents(t, st, 0, log[2].Time, 100), log[2:])
	wantEqual(t, "BusEvents after the third from the second's time, at most 1", busEvents(t, st, log[2].Seq, log[1].Time, 1), log[3:4])
	view(t, st, func(ctx context.Context, tx kernel.BusTx) error {
		checkRead(t, "BusEventSeq", log[3].Seq, func() (any, error) { return tx.BusEventSeq(ctx, log[3].ID) })
		_, err := tx.BusEventSeq(ctx, "no-such-event")
		wantNotFound(t, "BusEventSeq of an unknown event", err)
		return nil
	})

	rolledBack := busRecord(6)
	err := st.Update(t.Context(), func(tx kernel.BusTx) error {
		return errors.Join(tx.BusAppend(t.Context(), &rolledBack), errBoom)
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("failed Update: %v", err)
	}
	_, err = read(t, st, func(ctx context.Context, tx kernel.BusTx) (int64, error) { return tx.BusEventSeq(ctx, rolledBack.ID) })
	wantNotFound(t, "BusEventSeq of a rolled-back event", err)
	next := appendRecords(t, st, 7)[0]
	if next.Seq <= log[4].Seq {
		t.Errorf("sequence after a rollback: got %d, want more than %d", next.Seq, log[4].Seq)
	}
	if seq := lastSeq(t, st); seq != next.Seq {
		t.Errorf("BusLastSeq: got %d, want %d", seq, next.Seq)
	}
	wantEqual(t, "BusEvents after a rollback", busEvents(t, st, log[4].Seq, time.Time{}, 100), []kernel.BusRecord{next})
}

func setTargets(t *testing.T, st kernel.Store[kernel.BusTx], ts ...kernel.BusTarget) {
	t.Helper()
	update(t, st, func(ctx context.Context, tx kernel.BusTx) error { return tx.BusSetTargets(ctx, ts, t0) })
}

func busTargets(t *testing.T, st kernel.Store[kernel.BusTx]) []kernel.BusTarget {
	t.Helper()
	return mustRead(t, st, "BusTargets", func(ctx context.Context, tx kernel.BusTx) ([]kernel.BusTarget, error) { return tx.BusTargets(ctx) })
}

func target(id string) kernel.BusTarget {
	return kernel.BusTarget{ID: id, URL: "http://" + id + ".example/hook?x=1", Pattern: `{"source":["aws.account"]}`}
}

// testBusTargets: BusSetTargets makes exactly the given targets active;
// BusTargets lists them by id.
func testBusTargets(t *testing.T, s Stores) {
	st := s.Events
	skipUnless(t, st != nil, "event bus store")
	wantEqual(t, "BusTargets of a new store", busTargets(t, st), []kernel.BusTarget(nil))
	a, b, c := target("a"), target("b"), target("c")
	a.Pattern = ""
	setTargets(t, st, c, a)
	wantEqual(t, "BusTargets", busTargets(t, st), []kernel.BusTarget{a, c})
	setTargets(t, st, b)
	wantEqual(t, "BusTargets after a change", busTargets(t, st), []kernel.BusTarget{b})
	setTargets(t, st, c, b, a)
	wantEqual(t, "BusTargets after the first come back", busTargets(t, st), []kernel.BusTarget{a, b, c})
	setTargets(t, st)
	wantEqual(t, "BusTargets after setting none", busTargets(t, st), []kernel.BusTarget(nil))
}

func nextDelivery(t *testing.T, st kernel.Store[kernel.BusTx], target string) (*kernel.BusDelivery, error) {
	t.Helper()
	return read(t, st, func(ctx context.Context, tx kernel.BusTx) (*kernel.BusDelivery, error) {
		return tx.BusNextDelivery(ctx, target)
	})
}

func outboxStats(t *testing.T, st kernel.Store[kernel.BusTx]) kernel.OutboxStats {
	t.Helper()
	return mustRead(t, st, "BusOutboxStats", func(ctx context.Context, tx kernel.BusTx) (kernel.OutboxStats, error) { return tx.BusOutboxStats(ctx) })
}

// queue appends events ns and queues each for targets, at created.
func queue(t *testing.T, st kernel.Store[kernel.BusTx], created func(n int) time.Time, targets []string, ns ...int) []kernel.BusRecord {
	t.Helper()
	log := appendRecords(t, st, ns...)
	update(t, st, func(ctx context.Context, tx kernel.BusTx) error {
		for _, i := range []int{2, 0, 1} { // out of order
			if i >= len(log) {
				continue
			}
			for _, tg := range targets {
				if err := tx.BusAddDelivery(ctx, tg, log[i].Seq, created(ns[i])); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return log
}

func updateBus(t *testing.T, st kernel.Store[kernel.BusTx], fn func(ctx context.Context, tx kernel.BusTx) error) {
	t.Helper()
	update(t, st, fn)
}

// testBusDeliveries: a target's next delivery is its oldest pending one,
// with its event; a failure counts, records its error and keeps the first
// attempt's time; a delivered one goes; the outbox counts the pending
// deliveries of the active targets, which keep theirs while inactive.
func testBusDeliveries(t *testing.T, s Stores) {
	st := s.Events
	skipUnless(t, st != nil, "event bus store")
	wantEqual(t, "BusOutboxStats of a new store", outboxStats(t, st), kernel.OutboxStats{})
	a, b := target("a"), target("b")
	setTargets(t, st, a, b)
	created := func(n int) time.Time { return t0.Add(time.Duration(10-n) * time.Second) } // later events older
	log := queue(t, st, created, []string{a.ID}, 1, 2, 3)
	updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) error { return tx.BusAddDelivery(ctx, b.ID, log[2].Seq, t0) })

	want := &kernel.BusDelivery{TargetID: a.ID, Seq: log[0].Seq, Created: created(1), Event: log[0]}
	checkRead(t, "BusNextDelivery", want, func() (any, error) { return nextDelivery(t, st, a.ID) })
	_, err := nextDelivery(t, st, "unknown")
	wantNotFound(t, "BusNextDelivery of a target without deliveries", err)
	wantEqual(t, "BusOutboxStats", outboxStats(t, st), kernel.OutboxStats{Pending: 4, Oldest: t0})

	first := kernel.DeliveryFailure{At: busT0, Next: t0.Add(time.Minute), Err: "boom"}
	second := kernel.DeliveryFailure{At: busT0.Add(time.Hour), Next: t0.Add(2 * time.Minute), Err: "boom again"}
	updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) error {
		return tx.BusDeliveryFailed(ctx, a.ID, log[0].Seq, first)
	})
	want.Attempts, want.NextAttempt, want.FirstAttempt, want.LastError = 1, first.Next, first.At, first.Err
	checkRead(t, "BusNextDelivery after a failure", want, func() (any, error) { return nextDelivery(t, st, a.ID) })
	updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) error {
		return tx.BusDeliveryFailed(ctx, a.ID, log[0].Seq, second)
	})
	want.Attempts, want.NextAttempt, want.LastError = 2, second.Next, second.Err // the first attempt's time stays
	checkRead(t, "BusNextDelivery after a second failure", want, func() (any, error) { return nextDelivery(t, st, a.ID) })

	updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) error { return tx.BusDelivered(ctx, a.ID, log[0].Seq) })
	checkRead(t, "BusNextDelivery after a delivery", &kernel.BusDelivery{TargetID: a.ID, Seq: log[1].Seq, Created: created(2), Event: log[1]},
		func() (any, error) { return nextDelivery(t, st, a.ID) })
	wantEqual(t, "BusOutboxStats after a delivery", outboxStats(t, st), kernel.OutboxStats{Pending: 3, Oldest: t0})

	// b leaves the configuration: its delivery stays, uncounted, until it
	// comes back.
	setTargets(t, st, a)
	wantEqual(t, "BusOutboxStats with b inactive", outboxStats(t, st), kernel.OutboxStats{Pending: 2, Oldest: created(3)})
	setTargets(t, st, a, b)
	wantEqual(t, "BusOutboxStats with b back", outboxStats(t, st), kernel.OutboxStats{Pending: 3, Oldest: t0})
	checkRead(t, "BusNextDelivery of b back", &kernel.BusDelivery{TargetID: b.ID, Seq: log[2].Seq, Created: t0, Event: log[2]},
		func() (any, error) { return nextDelivery(t, st, b.ID) })
}

// testBusDead: a delivery given up is skipped by BusNextDelivery, listed
// (with its target's URL) by event then target and counted, whatever its
// target; a retry makes it pending again, due at once, and only a dead
// delivery can be retried.
func testBusDead(t *testing.T, s Stores) {
	st := s.Events
	skipUnless(t, st != nil, "event bus store")
	a, b := target("a"), target("b")
	setTargets(t, st, a, b)
	created := func(int) time.Time { return t0 }
	log := queue(t, st, created, []string{a.ID, b.ID}, 1, 2, 3)
	deadA := kernel.DeliveryFailure{At: busT0.Add(24 * time.Hour), Dead: busT0.Add(25 * time.Hour), Err: "webhook answered 302 Found"}
	deadB := kernel.DeliveryFailure{At: busT0, Dead: busT0.Add(26 * time.Hour), Err: "connection refused"}
	updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) error {
		return errors.Join(
			tx.BusDeliveryFailed(ctx, a.ID, log[1].Seq, deadA),
			tx.BusDeliveryFailed(ctx, b.ID, log[0].Seq, deadB),
			tx.BusDeliveryFailed(ctx, b.ID, log[1].Seq, kernel.DeliveryFailure{At: busT0, Next: t0, Err: "pending"}),
			tx.BusDelivered(ctx, a.ID, log[0].Seq),
		)
	})
	checkRead(t, "BusNextDelivery skips a dead delivery", log[2].Seq, func() (any, error) {
		d, err := nextDelivery(t, st, a.ID)
		if err != nil {
			return nil, err
		}
		return d.Seq, nil
	})
	dead := []kernel.BusDelivery{
		{TargetID: b.ID, TargetURL: b.URL, Seq: log[0].Seq, Attempts: 1, Created: t0, FirstAttempt: deadB.At, Dead: deadB.Dead, LastError: deadB.Err, Event: log[0]},
		{TargetID: a.ID, TargetURL: a.URL, Seq: log[1].Seq, Attempts: 1, Created: t0, FirstAttempt: deadA.At, Dead: deadA.Dead, LastError: deadA.Err, Event: log[1]},
	}
	deadList := func(limit int) []kernel.BusDelivery {
		return mustRead(t, st, "BusDeadDeliveries", func(ctx context.Context, tx kernel.BusTx) ([]kernel.BusDelivery, error) {
			return tx.BusDeadDeliveries(ctx, limit)
		})
	}
	wantEqual(t, "BusDeadDeliveries", deadList(10), dead)
	wantEqual(t, "BusDeadDeliveries, at most 1", deadList(1), dead[:1])
	wantEqual(t, "BusOutboxStats", outboxStats(t, st), kernel.OutboxStats{Pending: 3, Oldest: t0, Dead: 2})
	setTargets(t, st, a)
	wantEqual(t, "BusOutboxStats with b inactive", outboxStats(t, st), kernel.OutboxStats{Pending: 1, Oldest: t0, Dead: 2})

	for _, d := range []kernel.DeliveryID{{Target: a.ID, Seq: log[2].Seq}, {Target: a.ID, Seq: 9999}, {Target: "unknown", Seq: log[1].Seq}} {
		err := write(t, st, func(ctx context.Context, tx kernel.BusTx) error { return tx.BusRetryDelivery(ctx, d.Target, d.Seq) })
		wantNotFound(t, "BusRetryDelivery of "+d.String()+", not dead", err)
	}
	updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) error { return tx.BusRetryDelivery(ctx, a.ID, log[1].Seq) })
	d, err := nextDelivery(t, st, a.ID)
	if err != nil {
		t.Fatalf("BusNextDelivery after a retry: %v", err)
	}
	if d.Seq != log[1].Seq || d.Attempts != 0 || !d.NextAttempt.IsZero() || !d.FirstAttempt.IsZero() || !d.Dead.IsZero() {
		t.Errorf("BusNextDelivery after a retry: got %+v, want seq %d due at once, no attempt counted", d, log[1].Seq)
	}
	wantEqual(t, "BusDeadDeliveries after a retry", deadList(10), dead[:1])
	err = write(t, st, func(ctx context.Context, tx kernel.BusTx) error { return tx.BusRetryDelivery(ctx, a.ID, log[1].Seq) })
	wantNotFound(t, "second BusRetryDelivery", err)
}

// testBusTransitions: a transition is due once its DueAt has passed, in
// DueAt then id order, until it is completed, which happens once.
func testBusTransitions(t *testing.T, s Stores) {
	st := s.Events
	skipUnless(t, st != nil, "event bus store")
	var trs []kernel.RegionTransition
	for i, due := range []time.Duration{2 * time.Hour, time.Hour, time.Hour, 3 * time.Hour} {
		tr := kernel.RegionTransition{
			Caller: string(accountID(1)), Account: string(accountID(2 + i%2)), Region: regionNames[i],
			Target: kernel.RegionEnabled, RequestedAt: t0, DueAt: t0.Add(due),
		}
		if i%2 == 1 {
			tr.Target = kernel.RegionDisabled
		}
		updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) error { return tx.AddRegionTransition(ctx, &tr) })
		trs = append(trs, tr)
	}
	for i, tr := range trs {
		if tr.ID == 0 || slices.IndexFunc(trs, func(x kernel.RegionTransition) bool { return x.ID == tr.ID }) != i {
			t.Fatalf("transition ids %v: want distinct and set", trs)
		}
	}
	byDue := slices.SortedStableFunc(slices.Values(trs), func(a, b kernel.RegionTransition) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.ID, b.ID))
	})
	due := func(now time.Time, limit int) []kernel.RegionTransition {
		return mustRead(t, st, "DueRegionTransitions", func(ctx context.Context, tx kernel.BusTx) ([]kernel.RegionTransition, error) {
			return tx.DueRegionTransitions(ctx, now, limit)
		})
	}
	pending := func() int {
		return mustRead(t, st, "PendingRegionTransitions", func(ctx context.Context, tx kernel.BusTx) (int, error) {
			return tx.PendingRegionTransitions(ctx)
		})
	}
	wantEqual(t, "due before the first DueAt", due(t0.Add(time.Hour-time.Nanosecond), 10), []kernel.RegionTransition(nil))
	wantEqual(t, "due at the first DueAt", due(t0.Add(time.Hour), 10), byDue[:2])
	wantEqual(t, "due, at most 1", due(t0.Add(5*time.Hour), 1), byDue[:1])
	wantEqual(t, "due later", due(t0.Add(5*time.Hour), 10), byDue)
	if n := pending(); n != 4 {
		t.Errorf("PendingRegionTransitions: got %d, want 4", n)
	}

	complete := func(id int64) (bool, error) {
		var ok bool
		err := write(t, st, func(ctx context.Context, tx kernel.BusTx) (err error) {
			ok, err = tx.CompleteRegionTransition(ctx, id)
			return err
		})
		return ok, err
	}
	_ = st.Update(t.Context(), func(tx kernel.BusTx) error {
		_, err := tx.CompleteRegionTransition(t.Context(), byDue[0].ID)
		return errors.Join(err, errBoom)
	})
	for i, want := range []bool{true, false} {
		if ok, err := complete(byDue[0].ID); err != nil || ok != want {
			t.Errorf("CompleteRegionTransition #%d: got %v, %v, want %v (the first after a rolled-back one)", i+1, ok, err, want)
		}
	}
	wantEqual(t, "due after a completion", due(t0.Add(5*time.Hour), 10), byDue[1:])
	if n := pending(); n != 3 {
		t.Errorf("PendingRegionTransitions after a completion: got %d, want 3", n)
	}
}

// testBusRollbackAndViews: a failed Update keeps none of its bus writes,
// and the writers of a View fail.
func testBusRollbackAndViews(t *testing.T, s Stores) {
	st := s.Events
	skipUnless(t, st != nil, "event bus store")
	a := target("a")
	setTargets(t, st, a)
	log := queue(t, st, func(int) time.Time { return t0 }, []string{a.ID}, 1, 2)
	tr := kernel.RegionTransition{Caller: "1", Account: "2", Region: "ap-east-1", Target: kernel.RegionEnabled, DueAt: t0}
	updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) error { return tx.AddRegionTransition(ctx, &tr) })
	dead := kernel.DeliveryFailure{At: busT0, Dead: busT0, Err: "dead"}
	updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) error {
		return tx.BusDeliveryFailed(ctx, a.ID, log[1].Seq, dead)
	})

	r := busRecord(3)
	writes := []struct {
		name  string
		write func(ctx context.Context, tx kernel.BusTx) error
	}{
		{"BusAppend", func(ctx context.Context, tx kernel.BusTx) error { return tx.BusAppend(ctx, &r) }},
		{"BusSetTargets", func(ctx context.Context, tx kernel.BusTx) error { return tx.BusSetTargets(ctx, nil, t0) }},
		{"BusAddDelivery", func(ctx context.Context, tx kernel.BusTx) error { return tx.BusAddDelivery(ctx, "b", log[0].Seq, t0) }},
		{"BusDelivered", func(ctx context.Context, tx kernel.BusTx) error { return tx.BusDelivered(ctx, a.ID, log[0].Seq) }},
		{"BusDeliveryFailed", func(ctx context.Context, tx kernel.BusTx) error {
			return tx.BusDeliveryFailed(ctx, a.ID, log[0].Seq, kernel.DeliveryFailure{At: busT0, Next: t0, Err: "x"})
		}},
		{"BusRetryDelivery", func(ctx context.Context, tx kernel.BusTx) error { return tx.BusRetryDelivery(ctx, a.ID, log[1].Seq) }},
		{"AddRegionTransition", func(ctx context.Context, tx kernel.BusTx) error {
			return tx.AddRegionTransition(ctx, &kernel.RegionTransition{Caller: "1", Account: "3", Region: "me-south-1", DueAt: t0})
		}},
		{"CompleteRegionTransition", func(ctx context.Context, tx kernel.BusTx) error {
			_, err := tx.CompleteRegionTransition(ctx, tr.ID)
			return err
		}},
	}
	err := st.Update(t.Context(), func(tx kernel.BusTx) error {
		for _, w := range writes {
			if err := w.write(t.Context(), tx); err != nil {
				t.Errorf("%s: %v", w.name, err)
			}
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Errorf("failed Update: %v", err)
	}
	for _, w := range writes {
		_ = st.View(t.Context(), func(tx kernel.BusTx) error {
			if err := w.write(t.Context(), tx); err == nil {
				t.Errorf("%s in a View: got nil error, want one", w.name)
			}
			return nil
		})
	}

	wantEqual(t, "BusEvents", busEvents(t, st, 0, time.Time{}, 10), log)
	wantEqual(t, "BusTargets", busTargets(t, st), []kernel.BusTarget{a})
	checkRead(t, "BusNextDelivery", &kernel.BusDelivery{TargetID: a.ID, Seq: log[0].Seq, Created: t0, Event: log[0]},
		func() (any, error) { return nextDelivery(t, st, a.ID) })
	wantEqual(t, "BusOutboxStats", outboxStats(t, st), kernel.OutboxStats{Pending: 1, Oldest: t0, Dead: 1})
	wantEqual(t, "DueRegionTransitions", mustRead(t, st, "DueRegionTransitions", func(ctx context.Context, tx kernel.BusTx) ([]kernel.RegionTransition, error) {
		return tx.DueRegionTransitions(ctx, t0.Add(time.Hour), 10)
	}), []kernel.RegionTransition{tr})
}

// testBusClaims: one replica at a time holds a delivery, until its lease
// ends or the attempt fails.
func testBusClaims(t *testing.T, s Stores) {
	st := s.Events
	skipUnless(t, st != nil, "event bus store")
	a := target("a")
	setTargets(t, st, a)
	log := queue(t, st, func(int) time.Time { return t0 }, []string{a.ID}, 1)
	seq := log[0].Seq
	claim := func(owner string, now time.Time) bool {
		t.Helper()
		var ok bool
		updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) (err error) {
			ok, err = tx.BusClaimDelivery(ctx, a.ID, seq, owner, now, now.Add(8*time.Second))
			return err
		})
		return ok
	}
	if !claim("r1", t0) {
		t.Fatal("r1 could not claim a free delivery")
	}
	if claim("r2", t0.Add(time.Second)) {
		t.Error("r2 claimed a delivery r1 holds")
	}
	if !claim("r1", t0.Add(2*time.Second)) {
		t.Error("r1 could not renew its own claim")
	}
	d, err := nextDelivery(t, st, a.ID)
	if err != nil || d.ClaimedBy != "r1" || !d.ClaimedUntil.Equal(t0.Add(10*time.Second)) {
		t.Errorf("claimed delivery %+v, %v", d, err)
	}
	if !claim("r2", t0.Add(10*time.Second)) {
		t.Error("r2 could not take over a claim whose lease ended")
	}
	updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) error {
		return tx.BusDeliveryFailed(ctx, a.ID, seq, kernel.DeliveryFailure{At: busT0, Next: t0, Err: "boom"})
	})
	if !claim("r3", t0.Add(11*time.Second)) {
		t.Error("a failed attempt kept its claim")
	}
}

// testBusTrim: BusTrim deletes the events older than the newest keep,
// oldest first and at most limit, but keeps those a pending or dead
// delivery names; the sequences go on from the last given.
func testBusTrim(t *testing.T, s Stores) {
	st := s.Events
	skipUnless(t, st != nil, "event bus store")
	a := target("a")
	setTargets(t, st, a)
	var log []kernel.BusRecord
	for n := 1; n <= 10; n++ {
		log = append(log, appendRecords(t, st, n)...)
	}
	updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) error {
		return errors.Join(
			tx.BusAddDelivery(ctx, a.ID, log[1].Seq, t0), // pending
			tx.BusAddDelivery(ctx, a.ID, log[2].Seq, t0),
			tx.BusDeliveryFailed(ctx, a.ID, log[2].Seq, kernel.DeliveryFailure{At: busT0, Dead: busT0, Err: "gone"}), // dead
		)
	})
	trim := func(keep int64, limit int) int64 {
		t.Helper()
		var deleted int64
		updateBus(t, st, func(ctx context.Context, tx kernel.BusTx) (err error) {
			deleted, err = tx.BusTrim(ctx, keep, limit)
			return err
		})
		return deleted
	}
	keep := log[9].Seq - log[5].Seq // the newest four
	if n := trim(keep, 1); n != 1 {
		t.Fatalf("BusTrim at most 1: deleted %d", n)
	}
	wantEqual(t, "the log after trimming its oldest event", busEvents(t, st, 0, time.Time{}, 100), log[1:])
	if n := trim(keep, 100); n != 3 {
		t.Fatalf("BusTrim to the newest four: deleted %d, want 3 (events 4 to 6; 2 and 3 have deliveries)", n)
	}
	want := append([]kernel.BusRecord{log[1], log[2]}, log[6:]...)
	wantEqual(t, "the log after the trim", busEvents(t, st, 0, time.Time{}, 100), want)
	if n := trim(keep, 100); n != 0 {
		t.Errorf("BusTrim again: deleted %d, want 0", n)
	}
	if seq := lastSeq(t, st); seq != log[9].Seq {
		t.Errorf("BusLastSeq after a trim: got %d, want %d", seq, log[9].Seq)
	}
	if next := appendRecords(t, st, 11)[0]; next.Seq <= log[9].Seq {
		t.Errorf("sequence after a trim: got %d, want more than %d", next.Seq, log[9].Seq)
	}
}
