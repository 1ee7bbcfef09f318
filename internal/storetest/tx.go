package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// Transactions as a whole: errors, contexts, and concurrent use.

var txTests = []test{
	{"Tx/ViewReturnsError", testViewReturnsError},
	{"Tx/UpdateCanceledContext", testUpdateCanceled},
	{"Concurrency/NoLostUpdate", testConcurrentUpdates},
	{"Concurrency/ViewDuringUpdates", testViewDuringUpdates},
	{"Concurrency/CheckThenInsert", testCheckThenInsert},
	{"Concurrency/BusAppend", testConcurrentBusAppends},
	{"Concurrency/TrailAppend", testConcurrentTrailAppends},
}

func testViewReturnsError(t *testing.T, s Stores) {
	if err := s.Account.View(t.Context(), func(account.Tx) error { return errBoom }); err != errBoom {
		t.Errorf("View: got error %v, want the callback's error as is", err)
	}
}

func testUpdateCanceled(t *testing.T, s Stores) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.Account.Update(ctx, func(tx account.Tx) error { return tx.PutAccount(ctx, newAccount(1)) })
	if err == nil {
		t.Errorf("Update with a canceled context: got nil error, want one")
	}
	_, err = getAccount(t, s.Account, accountID(1))
	wantNotFound(t, "Account after an Update with a canceled context", err)
}

// testConcurrentUpdates runs read-modify-write transactions from many
// goroutines on one row, each also adding a row: every one must land, none
// may be lost.
func testConcurrentUpdates(t *testing.T, s Stores) {
	const goroutines, perGoroutine = 10, 20
	counter := newAccount(0)
	counter.Name = "0"
	putAccounts(t, s.Account, counter)

	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				err := s.Account.Update(t.Context(), func(tx account.Tx) error {
					ctx := t.Context()
					a, err := tx.Account(ctx, counter.ID)
					if err != nil {
						return err
					}
					n, err := strconv.Atoi(a.Name)
					if err != nil {
						return err
					}
					a.Name = strconv.Itoa(n + 1)
					o := regionOpts.sample(0, 1)
					o.V.Region = fmt.Sprintf("r-%02d-%02d", g, i)
					return errors.Join(tx.PutAccount(ctx, a), tx.PutRegionOpt(ctx, counter.ID, &o.V),
						tx.AddMessage(ctx, message(g*perGoroutine+i+1, t0)))
				})
				if err != nil {
					t.Errorf("goroutine %d, update %d: %v", g, i, err)
					return
				}
			}
		})
	}
	wg.Wait()

	got, err := getAccount(t, s.Account, counter.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if want := strconv.Itoa(goroutines * perGoroutine); got.Name != want {
		t.Errorf("counter: got %s, want %s", got.Name, want)
	}
	opts := mustRead(t, s.Account, "RegionOpts", func(ctx context.Context, tx account.Tx) ([]account.RegionOpt, error) {
		return tx.RegionOpts(ctx, counter.ID)
	})
	if got, want := len(opts), goroutines*perGoroutine; got != want {
		t.Errorf("RegionOpts: got %d, want %d", got, want)
	}
	if s.Outbox != nil {
		if got, want := len(mustMessages(t, s.Outbox, goroutines*perGoroutine+10)), goroutines*perGoroutine; got != want {
			t.Errorf("Messages: got %d, want %d", got, want)
		}
	}
}

// testViewDuringUpdates checks that readers running alongside a writer see
// each transaction whole or not at all, and never go back in time.
func testViewDuringUpdates(t *testing.T, s Stores) {
	const updates, readers = 100, 4
	id := accountID(1)
	write := func(ctx context.Context, tx account.Tx, gen int) error {
		a := newAccount(1)
		a.Name = strconv.Itoa(gen)
		c := contactInfos.sample(0, 1).V
		c.FullName = strconv.Itoa(gen)
		o := regionOpts.sample(0, 1).V
		o.Region = fmt.Sprintf("r-%03d", gen)
		errs := []error{tx.PutAccount(ctx, a), tx.PutContactInformation(ctx, id, &c), tx.PutRegionOpt(ctx, id, &o)}
		for _, typ := range alternateTypes {
			errs = append(errs, tx.PutAlternateContact(ctx, id, &account.AlternateContact{Type: typ, Name: strconv.Itoa(gen)}))
		}
		return errors.Join(errs...)
	}
	update(t, s.Account, func(ctx context.Context, tx account.Tx) error { return write(ctx, tx, 0) })

	// read returns the generation the snapshot shows, or an error if its
	// records disagree.
	read := func(ctx context.Context, tx account.Tx) (int, error) {
		a, err := tx.Account(ctx, id)
		if err != nil {
			return 0, err
		}
		gen, err := strconv.Atoi(a.Name)
		if err != nil {
			return 0, err
		}
		c, err := tx.ContactInformation(ctx, id)
		if err != nil {
			return 0, err
		}
		if c.FullName != a.Name {
			return 0, fmt.Errorf("contact information: got generation %s, want %s", c.FullName, a.Name)
		}
		for _, typ := range alternateTypes {
			ac, err := tx.AlternateContact(ctx, id, typ)
			if err != nil {
				return 0, err
			}
			if ac.Name != a.Name {
				return 0, fmt.Errorf("alternate contact %s: got generation %s, want %s", typ, ac.Name, a.Name)
			}
		}
		opts, err := tx.RegionOpts(ctx, id)
		if err != nil {
			return 0, err
		}
		if len(opts) != gen+1 {
			return 0, fmt.Errorf("region opts: got %d, want %d at generation %d", len(opts), gen+1, gen)
		}
		return gen, nil
	}

	done := make(chan struct{})
	var wg sync.WaitGroup
	for r := range readers {
		wg.Go(func() {
			views, last := 0, 0
			for {
				select {
				case <-done:
					if views == 0 {
						t.Errorf("reader %d ran no View", r)
					}
					return
				default:
				}
				err := s.Account.View(t.Context(), func(tx account.Tx) error {
					gen, err := read(t.Context(), tx)
					if err != nil {
						return err
					}
					if gen < last {
						return fmt.Errorf("generation went back from %d to %d", last, gen)
					}
					last = gen
					return nil
				})
				if err != nil {
					t.Errorf("reader %d: %v", r, err)
					return
				}
				views++
			}
		})
	}
	for gen := 1; gen <= updates; gen++ {
		if err := s.Account.Update(t.Context(), func(tx account.Tx) error { return write(t.Context(), tx, gen) }); err != nil {
			t.Errorf("update %d: %v", gen, err)
			break
		}
		runtime.Gosched() // let the readers in between writes
	}
	close(done)
	wg.Wait()
	view(t, s.Account, func(ctx context.Context, tx account.Tx) error {
		gen, err := read(ctx, tx)
		if err != nil {
			return err
		}
		if gen != updates {
			t.Errorf("final generation: got %d, want %d", gen, updates)
		}
		return nil
	})
}

// testCheckThenInsert races transactions that invite an account unless an
// open invitation for it exists (the domain's rule against duplicate
// handshakes, which no index backs): Update being serializable, one
// invitation is made.
func testCheckThenInsert(t *testing.T, s Stores) {
	skipUnless(t, s.Organizations != nil, "Organizations view")
	const goroutines = 8
	invitee := accountID(9)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			err := s.Organizations.Update(t.Context(), func(tx organizations.Tx) error {
				hs, err := tx.HandshakesFor(t.Context(), invitee, "")
				if err != nil {
					return err
				}
				for _, h := range hs {
					if h.State == organizations.HandshakeOpen {
						return nil
					}
				}
				h := invitation(1, g+1, t0, invitee, "")
				return tx.PutHandshake(t.Context(), &h)
			})
			if err != nil {
				t.Errorf("goroutine %d: %v", g, err)
			}
		})
	}
	wg.Wait()
	if hs := handshakesFor(t, s, invitee, ""); len(hs) != 1 {
		t.Errorf("invitations: got %d, want 1", len(hs))
	}
}

// testConcurrentBusAppends appends to the bus from many goroutines: every
// event gets a sequence of its own, in each goroutine's order, and the log
// lists them all in sequence order.
func testConcurrentBusAppends(t *testing.T, s Stores) {
	skipUnless(t, s.Events != nil, "event bus store")
	const goroutines, perGoroutine = 8, 10
	seqs := make([][]int64, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				r := busRecord(1 + g*perGoroutine + i)
				if err := s.Events.Update(t.Context(), func(tx kernel.BusTx) error { return tx.BusAppend(t.Context(), &r) }); err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
				seqs[g] = append(seqs[g], r.Seq)
			}
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	var last int64
	for g, ss := range seqs {
		for i, seq := range ss {
			if seen[seq] || (i > 0 && seq <= ss[i-1]) {
				t.Errorf("goroutine %d: sequence %d after %v: want new and increasing", g, seq, ss[:i])
			}
			seen[seq], last = true, max(last, seq)
		}
	}
	log := busEvents(t, s.Events, 0, time.Time{}, 2*goroutines*perGoroutine)
	if len(log) != goroutines*perGoroutine {
		t.Fatalf("BusEvents: got %d events, want %d", len(log), goroutines*perGoroutine)
	}
	for i, r := range log {
		if !seen[r.Seq] || (i > 0 && r.Seq <= log[i-1].Seq) {
			t.Errorf("BusEvents[%d]: sequence %d, want one given, in order", i, r.Seq)
		}
	}
	if seq := lastSeq(t, s.Events); seq != last {
		t.Errorf("BusLastSeq: got %d, want %d", seq, last)
	}
}

// testConcurrentTrailAppends appends CloudTrail records from many
// goroutines: all land.
func testConcurrentTrailAppends(t *testing.T, s Stores) {
	skipUnless(t, s.Trail != nil, "trail store")
	const goroutines, perGoroutine = 16, 5
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				ev := trailEvent(fmt.Sprintf("e%02d-%d", g, i), trailAcct, trailT0.Add(time.Duration(i)*time.Second))
				if err := s.Trail.AppendEvent(t.Context(), ev); err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := len(lookup(t, s, kernel.TrailQuery{Limit: 1000})); n != goroutines*perGoroutine {
		t.Errorf("LookupEvents: got %d events, want %d", n, goroutines*perGoroutine)
	}
}
