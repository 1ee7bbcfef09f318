package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/kernel"
)

func testReadOwnWrites(t *testing.T, s account.Store) {
	want := newAccount(1)
	mustUpdate(t, s, func(tx account.Tx) error {
		if err := tx.PutAccount(t.Context(), want); err != nil {
			return err
		}
		checkRead(t, "Account in the writing transaction", want, func() (any, error) { return tx.Account(t.Context(), want.ID) })
		checkRead(t, "AccountByEmail in the writing transaction", want, func() (any, error) { return tx.AccountByEmail(t.Context(), want.Email) })
		c := alternate(account.Billing, "b")
		if err := tx.PutAlternateContact(t.Context(), want.ID, c); err != nil {
			return err
		}
		if err := tx.DeleteAlternateContact(t.Context(), want.ID, account.Billing); err != nil {
			return fmt.Errorf("delete a contact put in the same transaction: %w", err)
		}
		_, err := tx.AlternateContact(t.Context(), want.ID, account.Billing)
		wantNotFound(t, "AlternateContact deleted in the same transaction", err)
		return nil
	})
}

// writeEverything writes one record of every kind for account n.
func writeEverything(ctx context.Context, tx account.Tx, n int) error {
	id := accountID(n)
	return errors.Join(
		tx.PutAccount(ctx, newAccount(n)),
		tx.PutAlternateContact(ctx, id, alternate(account.Security, "sec")),
		tx.PutContactInformation(ctx, id, fullContact()),
		tx.PutPhoneVerification(ctx, id, &kernel.PhoneVerification{Status: kernel.PhoneVerified}),
		tx.PutRegionOpt(ctx, id, regionOpt("af-south-1", account.RegionEnabled, t0)),
		tx.PutEmailUpdate(ctx, id, &account.EmailUpdate{NewEmail: "n@example.com", Status: account.EmailUpdatePending, UpdatedAt: t0}),
		tx.AddMessage(ctx, message(n, t0)),
	)
}

// wantNothing fails t unless account n has no records at all and the
// outbox is empty.
func wantNothing(t *testing.T, s account.Store, n int) {
	t.Helper()
	id := accountID(n)
	mustView(t, s, func(tx account.Tx) error {
		ctx := t.Context()
		_, err := tx.Account(ctx, id)
		wantNotFound(t, "Account", err)
		_, err = tx.AccountByEmail(ctx, newAccount(n).Email)
		wantNotFound(t, "AccountByEmail", err)
		_, err = tx.AlternateContact(ctx, id, account.Security)
		wantNotFound(t, "AlternateContact", err)
		_, err = tx.ContactInformation(ctx, id)
		wantNotFound(t, "ContactInformation", err)
		_, err = tx.PhoneVerification(ctx, id)
		wantNotFound(t, "PhoneVerification", err)
		_, err = tx.RegionOpt(ctx, id, "af-south-1")
		wantNotFound(t, "RegionOpt", err)
		opts, err := tx.RegionOpts(ctx, id)
		if err != nil || len(opts) != 0 {
			t.Errorf("RegionOpts: got %d opts and error %v, want none", len(opts), err)
		}
		_, err = tx.EmailUpdate(ctx, id)
		wantNotFound(t, "EmailUpdate", err)
		return nil
	})
	if o, ok := s.(kernel.Outbox); ok {
		if ms := mustMessages(t, o, 10); len(ms) != 0 {
			t.Errorf("Messages: got %d, want 0", len(ms))
		}
	}
}

func testRollbackOnError(t *testing.T, s account.Store) {
	err := s.Update(t.Context(), func(tx account.Tx) error {
		if err := writeEverything(t.Context(), tx, 1); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update: got error %v, want the callback's error", err)
	}
	wantNothing(t, s, 1)
	// The store is still usable.
	mustSeed(t, s, 2)
}

func testRollbackRestores(t *testing.T, s account.Store) {
	old := newAccount(1)
	oldContact := alternate(account.Billing, "old")
	mustUpdate(t, s, func(tx account.Tx) error {
		return errors.Join(tx.PutAccount(t.Context(), old), tx.PutAlternateContact(t.Context(), old.ID, oldContact))
	})
	err := s.Update(t.Context(), func(tx account.Tx) error {
		changed := *old
		changed.Name, changed.Email = "changed", "changed@example.com"
		if err := errors.Join(
			tx.PutAccount(t.Context(), &changed),
			tx.DeleteAlternateContact(t.Context(), old.ID, account.Billing),
		); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update: got error %v, want the callback's error", err)
	}
	got, err := getAccount(t, s, old.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	wantEqual(t, "Account after a rolled-back change", got, old)
	_, err = getAccountByEmail(t, s, "changed@example.com")
	wantNotFound(t, "AccountByEmail of a rolled-back email", err)
	c, err := getAlternate(t, s, old.ID, account.Billing)
	if err != nil {
		t.Fatalf("AlternateContact after a rolled-back delete: %v", err)
	}
	wantEqual(t, "AlternateContact after a rolled-back delete", c, oldContact)
}

func testRollbackOnPanic(t *testing.T, s account.Store) {
	type boom struct{ n int }
	func() {
		defer func() {
			r := recover()
			if r != (boom{42}) {
				t.Errorf("recovered %v, want the callback's panic value", r)
			}
		}()
		_ = s.Update(t.Context(), func(tx account.Tx) error {
			if err := writeEverything(t.Context(), tx, 1); err != nil {
				t.Errorf("write: %v", err)
			}
			panic(boom{42})
		})
		t.Error("Update returned after the callback panicked, want the panic to propagate")
	}()
	wantNothing(t, s, 1)
	// The store is still usable: the panic did not leave a transaction open.
	mustSeed(t, s, 2)
	if _, err := getAccount(t, s, accountID(2)); err != nil {
		t.Errorf("Account after a panicked Update: %v", err)
	}
}

func testUpdateCanceled(t *testing.T, s account.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.Update(ctx, func(tx account.Tx) error { return tx.PutAccount(ctx, newAccount(1)) })
	if err == nil {
		t.Errorf("Update with a canceled context: got nil error, want one")
	}
	_, err = getAccount(t, s, accountID(1))
	wantNotFound(t, "Account after an Update with a canceled context", err)
}

func testViewReturnsError(t *testing.T, s account.Store) {
	err := s.View(t.Context(), func(tx account.Tx) error { return errBoom })
	if !errors.Is(err, errBoom) {
		t.Errorf("View: got error %v, want the callback's error", err)
	}
}

func testViewCannotWrite(t *testing.T, s account.Store) {
	a := newAccount(1)
	c := alternate(account.Billing, "bill")
	mustUpdate(t, s, func(tx account.Tx) error {
		return errors.Join(tx.PutAccount(t.Context(), a), tx.PutAlternateContact(t.Context(), a.ID, c))
	})
	changed := *a
	changed.Name = "changed"
	writes := []struct {
		name  string
		write func(ctx context.Context, tx account.Tx) error
	}{
		{"PutAccount", func(ctx context.Context, tx account.Tx) error { return tx.PutAccount(ctx, &changed) }},
		{"PutAccount of a new account", func(ctx context.Context, tx account.Tx) error { return tx.PutAccount(ctx, newAccount(2)) }},
		{"PutAlternateContact", func(ctx context.Context, tx account.Tx) error {
			return tx.PutAlternateContact(ctx, a.ID, alternate(account.Security, "s"))
		}},
		{"DeleteAlternateContact", func(ctx context.Context, tx account.Tx) error {
			return tx.DeleteAlternateContact(ctx, a.ID, account.Billing)
		}},
		{"PutContactInformation", func(ctx context.Context, tx account.Tx) error {
			return tx.PutContactInformation(ctx, a.ID, fullContact())
		}},
		{"PutPhoneVerification", func(ctx context.Context, tx account.Tx) error {
			return tx.PutPhoneVerification(ctx, a.ID, &kernel.PhoneVerification{Status: kernel.PhoneVerified})
		}},
		{"PutRegionOpt", func(ctx context.Context, tx account.Tx) error {
			return tx.PutRegionOpt(ctx, a.ID, regionOpt("af-south-1", account.RegionEnabled, t0))
		}},
		{"PutEmailUpdate", func(ctx context.Context, tx account.Tx) error {
			return tx.PutEmailUpdate(ctx, a.ID, &account.EmailUpdate{NewEmail: "n@example.com", Status: account.EmailUpdatePending})
		}},
		{"AddMessage", func(ctx context.Context, tx account.Tx) error { return tx.AddMessage(ctx, message(1, t0)) }},
	}
	for _, w := range writes {
		// The View's own result is not checked: a backend may fail the
		// whole transaction once a statement in it failed.
		_ = s.View(t.Context(), func(tx account.Tx) error {
			if err := w.write(t.Context(), tx); err == nil {
				t.Errorf("%s in View: got nil error, want one", w.name)
			}
			return nil
		})
	}

	got, err := getAccount(t, s, a.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	wantEqual(t, "Account after writes in View", got, a)
	_, err = getAccount(t, s, accountID(2))
	wantNotFound(t, "Account put in View", err)
	gotC, err := getAlternate(t, s, a.ID, account.Billing)
	if err != nil {
		t.Fatalf("AlternateContact deleted in View: %v", err)
	}
	wantEqual(t, "AlternateContact after a delete in View", gotC, c)
	mustView(t, s, func(tx account.Tx) error {
		ctx := t.Context()
		_, err := tx.AlternateContact(ctx, a.ID, account.Security)
		wantNotFound(t, "AlternateContact put in View", err)
		_, err = tx.ContactInformation(ctx, a.ID)
		wantNotFound(t, "ContactInformation put in View", err)
		_, err = tx.PhoneVerification(ctx, a.ID)
		wantNotFound(t, "PhoneVerification put in View", err)
		_, err = tx.RegionOpt(ctx, a.ID, "af-south-1")
		wantNotFound(t, "RegionOpt put in View", err)
		_, err = tx.EmailUpdate(ctx, a.ID)
		wantNotFound(t, "EmailUpdate put in View", err)
		return nil
	})
	if o, ok := s.(kernel.Outbox); ok {
		if ms := mustMessages(t, o, 10); len(ms) != 0 {
			t.Errorf("Messages after AddMessage in View: got %d, want 0", len(ms))
		}
	}
}

// testConcurrentUpdates runs read-modify-write transactions from many
// goroutines: every one must land, none may be lost.
func testConcurrentUpdates(t *testing.T, s account.Store) {
	const goroutines, perGoroutine = 20, 20
	counter := newAccount(0)
	counter.Name = "0"
	mustUpdate(t, s, func(tx account.Tx) error { return tx.PutAccount(t.Context(), counter) })

	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				err := s.Update(t.Context(), func(tx account.Tx) error {
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
					if err := tx.PutAccount(ctx, a); err != nil {
						return err
					}
					region := fmt.Sprintf("r-%02d-%02d", g, i)
					if err := tx.PutRegionOpt(ctx, counter.ID, regionOpt(region, account.RegionEnabled, t0)); err != nil {
						return err
					}
					return tx.AddMessage(ctx, message(g*perGoroutine+i+1, t0))
				})
				if err != nil {
					t.Errorf("goroutine %d, update %d: %v", g, i, err)
					return
				}
			}
		})
	}
	wg.Wait()

	got, err := getAccount(t, s, counter.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if want := strconv.Itoa(goroutines * perGoroutine); got.Name != want {
		t.Errorf("counter: got %s, want %s", got.Name, want)
	}
	if got, want := len(getRegionOpts(t, s, counter.ID)), goroutines*perGoroutine; got != want {
		t.Errorf("RegionOpts: got %d, want %d", got, want)
	}
	if o, ok := s.(kernel.Outbox); ok {
		limit := goroutines*perGoroutine + 10
		if got, want := len(mustMessages(t, o, limit)), goroutines*perGoroutine; got != want {
			t.Errorf("Messages: got %d, want %d", got, want)
		}
	}
}

// testViewDuringUpdates checks that readers running alongside a writer see
// each transaction whole or not at all.
func testViewDuringUpdates(t *testing.T, s account.Store) {
	const updates, readers = 100, 4
	id := accountID(1)
	write := func(ctx context.Context, tx account.Tx, gen int) error {
		a := newAccount(1)
		a.Name = strconv.Itoa(gen)
		c := fullContact()
		c.FullName = strconv.Itoa(gen)
		errs := []error{
			tx.PutAccount(ctx, a),
			tx.PutContactInformation(ctx, id, c),
			tx.PutRegionOpt(ctx, id, regionOpt(fmt.Sprintf("r-%03d", gen), account.RegionEnabled, t0)),
		}
		for _, typ := range []account.AlternateContactType{account.Billing, account.Operations, account.Security} {
			errs = append(errs, tx.PutAlternateContact(ctx, id, alternate(typ, strconv.Itoa(gen))))
		}
		return errors.Join(errs...)
	}
	mustUpdate(t, s, func(tx account.Tx) error { return write(t.Context(), tx, 0) })

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
		for _, typ := range []account.AlternateContactType{account.Billing, account.Operations, account.Security} {
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
				err := s.View(t.Context(), func(tx account.Tx) error {
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
		err := s.Update(t.Context(), func(tx account.Tx) error { return write(t.Context(), tx, gen) })
		if err != nil {
			t.Errorf("update %d: %v", gen, err)
			break
		}
		runtime.Gosched() // let the readers in between writes
	}
	close(done)
	wg.Wait()
	mustView(t, s, func(tx account.Tx) error {
		gen, err := read(t.Context(), tx)
		if err != nil {
			return err
		}
		if gen != updates {
			t.Errorf("final generation: got %d, want %d", gen, updates)
		}
		return nil
	})
}
