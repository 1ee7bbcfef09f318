package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/iam"
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

func TestStoreFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) account.Store { return mustOpen(t, tempPath(t)) })
}

func TestStoreMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) account.Store { return mustOpen(t, ":memory:") })
}

func TestOrganizationsFile(t *testing.T) {
	storetest.RunOrganizations(t, func(t *testing.T) organizations.Store { return mustOpen(t, tempPath(t)).Organizations() })
}

func TestOrganizationsMemory(t *testing.T) {
	storetest.RunOrganizations(t, func(t *testing.T) organizations.Store { return mustOpen(t, ":memory:").Organizations() })
}

func TestIAMFile(t *testing.T) {
	storetest.RunIAM(t, func(t *testing.T) iam.Store { return mustOpen(t, tempPath(t)).IAM() })
}

func TestIAMMemory(t *testing.T) {
	storetest.RunIAM(t, func(t *testing.T) iam.Store { return mustOpen(t, ":memory:").IAM() })
}

// TestIAMAccessKeysShared checks that DB.AccessKey sees keys written
// through the IAM Tx and the IAM Tx those written by DB.PutAccessKey, all
// fields included, and that IAM lists and deletes them.
func TestIAMAccessKeysShared(t *testing.T) {
	for _, path := range []string{"file", ":memory:"} {
		t.Run(path, func(t *testing.T) {
			if path == "file" {
				path = tempPath(t)
			}
			db := mustOpen(t, path)
			store := db.IAM()
			acct := identity.MustParseAccountID("123456789012")
			created := time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)
			viaIAM := identity.AccessKey{ID: "AKIAVIAIAM0000000001", Secret: "iam/secret", Account: acct, User: "Alice", Active: true, CreatedAt: created}
			viaDB := identity.AccessKey{ID: "AKIAVIADB00000000002", Secret: "db/secret", Account: acct, User: "alice", CreatedAt: created.Add(time.Second)}
			root := identity.AccessKey{ID: "AKIAROOT000000000003", Secret: "root", Account: acct, Active: true}

			if err := store.Update(t.Context(), func(tx iam.Tx) error { return tx.PutAccessKey(t.Context(), &viaIAM) }); err != nil {
				t.Fatalf("PutAccessKey through IAM: %v", err)
			}
			if got, err := db.AccessKey(t.Context(), viaIAM.ID); err != nil || got != viaIAM {
				t.Errorf("DB.AccessKey of a key put through IAM: got %+v, %v, want %+v", got, err, viaIAM)
			}
			for _, k := range []identity.AccessKey{viaDB, root} {
				if err := db.PutAccessKey(t.Context(), k); err != nil {
					t.Fatalf("DB.PutAccessKey: %v", err)
				}
			}
			err := store.View(t.Context(), func(tx iam.Tx) error {
				got, err := tx.AccessKey(t.Context(), viaDB.ID)
				if err != nil || *got != viaDB {
					t.Errorf("IAM AccessKey of a key put through DB: got %+v, %v, want %+v", got, err, viaDB)
				}
				keys, err := tx.AccessKeys(t.Context(), acct, "ALICE")
				if err != nil || len(keys) != 2 || keys[0] != viaDB || keys[1] != viaIAM {
					t.Errorf("IAM AccessKeys of Alice: got %+v, %v, want %+v and %+v", keys, err, viaDB, viaIAM)
				}
				keys, err = tx.AccessKeys(t.Context(), acct, "")
				if err != nil || len(keys) != 1 || keys[0] != root {
					t.Errorf("IAM AccessKeys of root: got %+v, %v, want %+v", keys, err, root)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := store.Update(t.Context(), func(tx iam.Tx) error { return tx.DeleteAccessKey(t.Context(), viaDB.ID) }); err != nil {
				t.Fatalf("DeleteAccessKey through IAM: %v", err)
			}
			if _, err := db.AccessKey(t.Context(), viaDB.ID); !errors.Is(err, kernel.ErrNotFound) {
				t.Errorf("DB.AccessKey of a key deleted through IAM: got %v, want ErrNotFound", err)
			}
		})
	}
}

// TestIAMSharesTransactions checks that the IAM view of a DB reads the
// accounts the DB writes, and that one Update of it is rolled back whole.
func TestIAMSharesTransactions(t *testing.T) {
	db := mustOpen(t, tempPath(t))
	store := db.IAM()
	a := testAccount()
	mustPutAccount(t, db, a)
	var got *kernel.Account
	err := store.View(t.Context(), func(tx iam.Tx) (err error) {
		got, err = tx.Account(t.Context(), a.ID)
		return err
	})
	if err != nil || *got != *a {
		t.Fatalf("Account through IAM: got %+v, %v, want %+v", got, err, a)
	}

	boom := errors.New("boom")
	err = store.Update(t.Context(), func(tx iam.Tx) error {
		u := &iam.User{Account: a.ID, Name: "Alice"}
		k := &identity.AccessKey{ID: "AKIAROLLEDBACK000001", Secret: "s", Account: a.ID, User: "Alice"}
		return errors.Join(tx.PutUser(t.Context(), u), tx.PutAccessKey(t.Context(), k), tx.PutAlias(t.Context(), a.ID, "rolled"), boom)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failing Update: got %v, want boom", err)
	}
	if _, err := db.AccessKey(t.Context(), "AKIAROLLEDBACK000001"); !errors.Is(err, kernel.ErrNotFound) {
		t.Errorf("DB.AccessKey after a rolled-back IAM Update: got %v, want ErrNotFound", err)
	}
	err = store.View(t.Context(), func(tx iam.Tx) error {
		if _, err := tx.User(t.Context(), a.ID, "Alice"); !errors.Is(err, iam.ErrNotFound) {
			t.Errorf("User after a rolled-back Update: got %v, want ErrNotFound", err)
		}
		if _, err := tx.Alias(t.Context(), a.ID); !errors.Is(err, iam.ErrNotFound) {
			t.Errorf("Alias after a rolled-back Update: got %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOrganizationsShareTransactions checks that the account and
// organizations views of one DB are one database: each sees the other's
// writes, and an Update of either is rolled back whole.
func TestOrganizationsShareTransactions(t *testing.T) {
	db := mustOpen(t, tempPath(t))
	orgs := db.Organizations()
	a := testAccount()
	a.ClosedAt, a.Origin, a.Seller = time.Now().UTC(), kernel.OriginCreated, "AISPL"
	mustPutAccount(t, db, a)
	var got *kernel.Account
	err := orgs.View(t.Context(), func(tx organizations.Tx) (err error) {
		got, err = tx.Account(t.Context(), a.ID)
		return err
	})
	if err != nil || *got != *a {
		t.Fatalf("Account through Organizations: got %+v, %v, want %+v", got, err, a)
	}

	o := &organizations.Organization{ID: "o-0000000001", FeatureSet: organizations.AllFeatures, ManagementAccount: a.ID, RootID: "r-0001"}
	err = orgs.Update(t.Context(), func(tx organizations.Tx) error {
		changed := *a
		changed.Name = "changed"
		return errors.Join(tx.PutOrganization(t.Context(), o), tx.PutAccount(t.Context(), &changed))
	})
	if err != nil {
		t.Fatalf("Update through Organizations: %v", err)
	}
	if got := mustGetAccount(t, db, a.ID); got.Name != "changed" {
		t.Errorf("Account written through Organizations: got name %q, want %q", got.Name, "changed")
	}

	boom := errors.New("boom")
	err = orgs.Update(t.Context(), func(tx organizations.Tx) error {
		if err := tx.DeleteOrganization(t.Context(), o.ID); err != nil {
			return err
		}
		return errors.Join(tx.PutAccount(t.Context(), a), boom)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failing Update: got %v, want boom", err)
	}
	if got := mustGetAccount(t, db, a.ID); got.Name != "changed" {
		t.Errorf("Account after a rolled-back Update: got name %q, want %q", got.Name, "changed")
	}
	err = orgs.View(t.Context(), func(tx organizations.Tx) error {
		_, err := tx.Organization(t.Context(), o.ID)
		return err
	})
	if err != nil {
		t.Errorf("Organization after a rolled-back DeleteOrganization: %v", err)
	}
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
	if err := db.Update(t.Context(), func(account.Tx) error { return nil }); err == nil {
		t.Error("Update after Close: got nil error, want one")
	}
	if err := db.View(t.Context(), func(account.Tx) error { return nil }); err == nil {
		t.Error("View after Close: got nil error, want one")
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
