package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/sqlite"
	"github.com/accountplane/accountplane/internal/storetest"
)

// mustOpen opens path and closes it when the test ends.
func mustOpen(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		tb.Fatalf("Open(%q): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

// tempPath returns a database path in a fresh temporary directory whose name
// needs escaping in a URI.
func tempPath(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "a dir?with#odd%chars")
	if err := os.Mkdir(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	return filepath.Join(dir, "accountplane.db")
}

// stores returns db as every store the conformance suite checks.
func stores(db *sqlite.DB) storetest.Stores {
	return storetest.Stores{
		Account: db, Organizations: db.Organizations(), IAM: db.IAM(), Events: db.Events(), Trail: db,
		Outbox: db, Credentials: db, Empty: db, SetBeforeCommit: db.SetBeforeCommit,
	}
}

func TestStoreFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores { return stores(mustOpen(t, tempPath(t))) })
}

func TestStoreMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores { return stores(mustOpen(t, ":memory:")) })
}

func TestMemoryDatabasesAreSeparate(t *testing.T) {
	a, b := mustOpen(t, ":memory:"), mustOpen(t, ":memory:")
	mustPutAccount(t, a, testAccount())
	if empty, err := b.Empty(t.Context()); err != nil || !empty {
		t.Errorf("Empty of a second :memory: database: got %v, %v, want true, nil", empty, err)
	}
}

func testAccount() *kernel.Account {
	return &kernel.Account{
		ID: identity.MustParseAccountID("123456789012"), Name: "persisted", Email: "p@example.com",
		State: kernel.StateActive, CreatedAt: time.Now().UTC(), PaymentMethod: true,
	}
}

func mustPutAccount(t *testing.T, db *sqlite.DB, a *kernel.Account) {
	t.Helper()
	if err := db.Update(t.Context(), func(tx account.Tx) error { return tx.PutAccount(t.Context(), a) }); err != nil {
		t.Fatalf("PutAccount: %v", err)
	}
}

func mustGetAccount(t *testing.T, db *sqlite.DB, id identity.AccountID) *kernel.Account {
	t.Helper()
	var a *kernel.Account
	err := db.View(t.Context(), func(tx account.Tx) (err error) {
		a, err = tx.Account(t.Context(), id)
		return err
	})
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	return a
}

// TestReopen checks that acknowledged writes survive Close and Open, and
// that opening an up-to-date database again (migrations already applied)
// works and changes nothing.
func TestReopen(t *testing.T) {
	path := tempPath(t)
	want := testAccount()
	key := identity.AccessKey{ID: "AKIAPERSISTED0000001", Secret: "secret", Account: want.ID, Active: true,
		CreatedAt: time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)}

	db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	mustPutAccount(t, db, want)
	if err := db.PutAccessKey(t.Context(), key); err != nil {
		t.Fatalf("PutAccessKey: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	for i := range 2 {
		db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
		if err != nil {
			t.Fatalf("Open #%d of an existing database: %v", i+2, err)
		}
		got := mustGetAccount(t, db, want.ID)
		if *got != *want {
			t.Errorf("Account after reopen: got %+v, want %+v", got, want)
		}
		gotKey, err := db.AccessKey(t.Context(), key.ID)
		if err != nil || gotKey != key {
			t.Errorf("AccessKey after reopen: got %+v, %v, want %+v, nil", gotKey, err, key)
		}
		if empty, err := db.Empty(t.Context()); err != nil || empty {
			t.Errorf("Empty after reopen: got %v, %v, want false, nil", empty, err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		path string
	}{
		{"empty path", ""},
		{"missing directory", filepath.Join(t.TempDir(), "no", "such", "dir", "db")},
		{"directory", t.TempDir()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := sqlite.Open(t.Context(), tt.path, sqlite.Options{})
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q): got nil error, want one", tt.path)
			}
		})
	}
}

func TestOpenNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(path, []byte("this is not an SQLite database, just some bytes........................................................"), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err == nil {
		db.Close()
		t.Fatal("Open of a file that is not a database: got nil error, want one")
	}
}

// TestViewDoesNotWaitForUpdate holds a write transaction open and checks
// that a View completes meanwhile, on the state before the write.
func TestViewDoesNotWaitForUpdate(t *testing.T) {
	db := mustOpen(t, tempPath(t))
	old := testAccount()
	mustPutAccount(t, db, old)

	inside, release := make(chan struct{}), make(chan struct{})
	updated := make(chan error, 1)
	go func() {
		updated <- db.Update(context.Background(), func(tx account.Tx) error {
			changed := *old
			changed.Name = "changed"
			if err := tx.PutAccount(context.Background(), &changed); err != nil {
				return err
			}
			close(inside)
			<-release
			return nil
		})
	}()
	select {
	case <-inside:
	case err := <-updated:
		t.Fatalf("Update ended early: %v", err)
	}

	viewed := make(chan error, 1)
	go func() {
		viewed <- db.View(context.Background(), func(tx account.Tx) error {
			a, err := tx.Account(context.Background(), old.ID)
			if err != nil {
				return err
			}
			if a.Name != old.Name {
				return errors.New("View saw the uncommitted name " + a.Name)
			}
			return nil
		})
	}()
	select {
	case err := <-viewed:
		if err != nil {
			t.Errorf("View during Update: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("View during Update: still waiting after 10s, want it not to wait for the writer")
	}
	close(release)
	if err := <-updated; err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got := mustGetAccount(t, db, old.ID); got.Name != "changed" {
		t.Errorf("Account after Update: got name %q, want %q", got.Name, "changed")
	}
}

func TestTimeOutOfRange(t *testing.T) {
	db := mustOpen(t, ":memory:")
	a := testAccount()
	a.CreatedAt = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	err := db.Update(t.Context(), func(tx account.Tx) error { return tx.PutAccount(t.Context(), a) })
	if err == nil {
		t.Error("PutAccount with CreatedAt in 2300: got nil error, want one")
	}
}

func TestUseAfterClose(t *testing.T) {
	db, err := sqlite.Open(t.Context(), tempPath(t), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_ = db.Close() // a second Close must not panic
	if err := db.Update(t.Context(), func(account.Tx) error { return nil }); err == nil {
		t.Error("Update after Close: got nil error, want one")
	}
	if err := db.View(t.Context(), func(account.Tx) error { return nil }); err == nil {
		t.Error("View after Close: got nil error, want one")
	}
	rv, ok := db.Organizations().(kernel.RepeatableViewer[organizations.Tx])
	if !ok {
		t.Fatal("the Organizations store has no ViewRepeatable")
	}
	if err := rv.ViewRepeatable(t.Context(), func(organizations.Tx) error { return nil }); err == nil {
		t.Error("ViewRepeatable after Close: got nil error, want one")
	}
}

func BenchmarkViewAccount(b *testing.B) {
	db := mustOpen(b, tempPath(b))
	a := testAccount()
	ctx := context.Background()
	if err := db.Update(ctx, func(tx account.Tx) error { return tx.PutAccount(ctx, a) }); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			err := db.View(ctx, func(tx account.Tx) error {
				_, err := tx.Account(ctx, a.ID)
				return err
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	db := mustOpen(b, tempPath(b))
	a := testAccount()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		err := db.Update(ctx, func(tx account.Tx) error {
			if _, err := tx.Account(ctx, a.ID); err != nil && !errors.Is(err, kernel.ErrNotFound) {
				return err
			}
			return tx.PutAccount(ctx, a)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func TestAllAccounts(t *testing.T) {
	db := mustOpen(t, ":memory:")
	ctx := context.Background()
	for _, id := range []string{"222222222222", "111111111111"} {
		a := &kernel.Account{ID: identity.AccountID(id), Name: "n" + id, Email: id + "@example.com", State: kernel.StateActive, Origin: kernel.OriginCreated}
		if err := db.Update(ctx, func(tx account.Tx) error { return tx.PutAccount(ctx, a) }); err != nil {
			t.Fatal(err)
		}
	}
	all, err := db.AllAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ID != "111111111111" || all[1].ID != "222222222222" || all[0].Origin != kernel.OriginCreated {
		t.Errorf("AllAccounts: got %+v, want the two accounts sorted by id with their origin", all)
	}
}
