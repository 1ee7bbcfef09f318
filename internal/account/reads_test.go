package account_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
)

// The reads of the account are answered from memory while nothing is
// committed, and every commit — through this service or any other store of
// the same database — is seen by the next read.

func TestCachedReadsServeFromMemoryUntilACommit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	first := alt(account.Billing, "First")
	must(t, w.svc.PutAlternateContact(w.ctx, self(p), first), "put")

	get := func() account.AlternateContact {
		t.Helper()
		got, err := w.svc.AlternateContact(w.ctx, self(p), account.Billing)
		must(t, err, "get")
		return *got
	}
	if got := get(); got != first {
		t.Fatalf("first read %+v, want %+v", got, first)
	}
	hits, misses := w.svc.ReadStats()
	for range 5 {
		if got := get(); got != first {
			t.Fatalf("read from memory %+v, want %+v", got, first)
		}
	}
	if h, m := w.svc.ReadStats(); h != hits+5 || m != misses {
		t.Errorf("five repeated reads: hits %d→%d, misses %d→%d; want five hits and no miss", hits, h, misses, m)
	}

	// A write through the service is seen by the next read.
	second := alt(account.Billing, "Second")
	must(t, w.svc.PutAlternateContact(w.ctx, self(p), second), "put again")
	if got := get(); got != second {
		t.Errorf("after a put: %+v, want %+v", got, second)
	}

	// So is a write by another store of the same database (another domain).
	third := alt(account.Billing, "Third")
	must(t, w.db.Update(w.ctx, func(tx account.Tx) error {
		return tx.PutAlternateContact(w.ctx, p.Account, &third)
	}), "write through the store")
	if got := get(); got != third {
		t.Errorf("after a write by another store: %+v, want %+v", got, third)
	}

	// A failed write changes nothing, and the cache still answers.
	boom := fmt.Errorf("boom")
	err := w.db.Update(w.ctx, func(tx account.Tx) error {
		fourth := alt(account.Billing, "Fourth")
		if err := tx.PutAlternateContact(w.ctx, p.Account, &fourth); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("failed update: %v, want boom", err)
	}
	if got := get(); got != third {
		t.Errorf("after a rolled-back write: %+v, want %+v", got, third)
	}

	// Deleting is a commit like any other: the cached contact is gone.
	must(t, w.svc.DeleteAlternateContact(w.ctx, self(p), account.Billing), "delete")
	_, err = w.svc.AlternateContact(w.ctx, self(p), account.Billing)
	wantCode(t, err, account.CodeResourceNotFound)
}

// What a cached read returns is the caller's own: changing it does not
// change what the next caller gets.
func TestCachedReadsReturnCopies(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	a, err := w.svc.Information(w.ctx, self(p))
	must(t, err, "Information")
	a.Name, a.Email = "changed by the caller", "caller@example.com"
	b, err := w.svc.Information(w.ctx, self(p))
	must(t, err, "Information again")
	if b.Name != "Alpha" || b.Email != emailOf("Alpha") {
		t.Errorf("second read %q <%s>: the first caller's changes leaked into the cache", b.Name, b.Email)
	}
	c := alt(account.Security, "Sec")
	must(t, w.svc.PutAlternateContact(w.ctx, self(p), c), "put")
	got, err := w.svc.AlternateContact(w.ctx, self(p), account.Security)
	must(t, err, "get")
	got.Name = "changed"
	again, err := w.svc.AlternateContact(w.ctx, self(p), account.Security)
	must(t, err, "get again")
	if *again != c {
		t.Errorf("second read %+v, want %+v", *again, c)
	}
}

// A Region's status moves with the clock even when its stored request is
// answered from memory: the status is derived after the lookup.
func TestCachedRegionStatusFollowsTheClock(t *testing.T) {
	t.Parallel()
	const delay = time.Minute
	w := newWorld(t, account.Options{RegionTransitionDelay: delay})
	p := w.signUp(t, "Alpha")
	r := optIn(t, 1)[0]
	must(t, w.svc.EnableRegion(w.ctx, self(p), r), "EnableRegion")
	if st := w.status(t, self(p), r); st != account.RegionEnabling {
		t.Fatalf("right after EnableRegion: %s, want ENABLING", st)
	}
	hits, _ := w.svc.ReadStats()
	w.clk.Advance(delay + time.Second)
	if st := w.status(t, self(p), r); st != account.RegionEnabled {
		t.Errorf("after the delay: %s, want ENABLED", st)
	}
	rs, err := w.svc.Regions(w.ctx, self(p), []account.RegionStatus{account.RegionEnabled})
	must(t, err, "Regions")
	found := false
	for _, x := range rs {
		found = found || x.Name == r
	}
	if !found {
		t.Errorf("ListRegions(ENABLED) after the delay does not list %s", r)
	}
	if h, _ := w.svc.ReadStats(); h == hits {
		t.Errorf("the status after the delay was not answered from memory (hits stayed %d): the test shows nothing", h)
	}
}

// Concurrent writers each read their own write back at once, while readers
// hammer the same keys (run with -race).
func TestCachedReadsReadYourWritesUnderConcurrency(t *testing.T) {
	t.Parallel()
	w := newFileWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	must(t, w.svc.PutAlternateContact(w.ctx, self(p), alt(account.Operations, "start")), "put")
	ctx, cancel := context.WithCancel(w.ctx)
	var readers sync.WaitGroup
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for ctx.Err() == nil {
				if _, err := w.svc.AlternateContact(w.ctx, self(p), account.Operations); err != nil {
					t.Errorf("reader: %v", err)
					return
				}
			}
		}()
	}
	var writers sync.WaitGroup
	for i := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			typ := []account.AlternateContactType{account.Billing, account.Security}[i%2]
			for n := range 25 {
				want := alt(typ, fmt.Sprintf("w%d-%d", i, n))
				if err := w.svc.PutAlternateContact(w.ctx, self(p), want); err != nil {
					t.Errorf("writer %d: %v", i, err)
					return
				}
				got, err := w.svc.AlternateContact(w.ctx, self(p), typ)
				if err != nil {
					t.Errorf("writer %d: read back: %v", i, err)
					return
				}
				// Another writer of the same type may have written since;
				// never an older value of this writer's own.
				if got.Name != want.Name && !otherWriter(got.Name, i) {
					t.Errorf("writer %d wrote %q and read back %q", i, want.Name, got.Name)
				}
			}
		}()
	}
	writers.Wait()
	cancel()
	readers.Wait()
}

func otherWriter(name string, self int) bool {
	var i, n int
	_, err := fmt.Sscanf(name, "w%d-%d", &i, &n)
	return err == nil && i != self
}
