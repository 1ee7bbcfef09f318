package sqlite_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/generation"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"

	"github.com/accountplane/accountplane/internal/pgtest"
	"github.com/accountplane/accountplane/internal/sqlite"
	"github.com/accountplane/accountplane/internal/storetest"
)

// The conformance suite on PostgreSQL: the same store code over pgx, each
// test on a fresh schema.
func TestStorePostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores { return stores(mustOpen(t, pgtest.DSN(t))) })
}

// On a fresh PostgreSQL store the first counted commit already moves the
// shared generation (a sequence's last_value reads 1 both before and after
// its first nextval), and so does every later one.
func TestSharedGenerationMovesWithEveryCommit(t *testing.T) {
	db := mustOpen(t, pgtest.DSN(t))
	ctx := t.Context()
	seq := func() uint64 {
		t.Helper()
		g, ok := db.SharedGeneration()
		if !ok {
			t.Fatal("SharedGeneration: not ok")
		}
		return g >> 32 // the sequence part, without the clock's
	}
	for i := range 3 {
		before := seq()
		err := db.Update(ctx, func(tx account.Tx) error {
			id := identity.AccountID(fmt.Sprintf("11112222333%d", i))
			return tx.PutAccount(ctx, &kernel.Account{ID: id, Name: "n", Email: fmt.Sprintf("s%d@example.com", i), State: kernel.StateActive})
		})
		if err != nil {
			t.Fatal(err)
		}
		if after := seq(); after == before {
			t.Errorf("commit %d: the shared generation stayed at %d", i+1, after)
		}
	}
}

// On PostgreSQL a stamp follows the tables its read read, across
// replicas: another replica's commit to alternate contacts leaves a read
// of accounts fresh, its commit to accounts makes it stale, and a reset
// (every table) too. A table's first stamped read gets no stamp (its
// sequence is not read yet); the next one does.
func TestPostgresStampsFollowTheTablesRead(t *testing.T) {
	dsn := pgtest.DSN(t)
	one, other := mustOpen(t, dsn), mustOpen(t, dsn)
	sqlite.FreezeSharedEpoch(one) // a minute's step between reads would make a stamp stale
	sqlite.FreezeSharedEpoch(other)
	ctx := t.Context()
	const id = identity.AccountID("111122223333")
	put := func(db *sqlite.DB, fn func(account.Tx) error) {
		t.Helper()
		if err := db.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	put(other, func(tx account.Tx) error {
		return tx.PutAccount(ctx, &kernel.Account{ID: id, Name: "a", Email: "a@example.com", State: kernel.StateActive})
	})
	read := func() generation.Stamp {
		t.Helper()
		stamp, err := one.ViewStamped(ctx, func(tx account.Tx) error {
			_, err := tx.Account(ctx, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return stamp
	}
	if first := read(); first != nil {
		t.Errorf("the first stamped read of accounts got a stamp before its sequence was watched")
	}
	stamp := read()
	if stamp == nil || !stamp.Fresh() {
		t.Fatalf("a read of accounts: stamp %v; want a fresh one", stamp)
	}
	put(other, func(tx account.Tx) error {
		return tx.PutAlternateContact(ctx, id, &account.AlternateContact{Type: account.Billing, Name: "b"})
	})
	if !stamp.Fresh() {
		t.Error("another replica's commit to alternate contacts made a read of accounts stale")
	}
	put(other, func(tx account.Tx) error {
		return tx.PutAccount(ctx, &kernel.Account{ID: id, Name: "renamed", Email: "a@example.com", State: kernel.StateActive})
	})
	if stamp.Fresh() {
		t.Error("another replica's commit to accounts left a read of accounts fresh")
	}
	again := read()
	if again == nil || !again.Fresh() {
		t.Fatal("no fresh stamp after the change")
	}
	if err := other.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if again.Fresh() {
		t.Error("another replica's reset left a read fresh")
	}
}

// Replicas started together on an empty PostgreSQL store: one migrates it
// (on the connection that holds the migration lock), the others wait and
// find it migrated; every one opens, and each migration is recorded once.
func TestPostgresReplicasStartTogether(t *testing.T) {
	dsn := pgtest.DSN(t)
	const replicas = 4
	errs := make(chan error, replicas)
	for range replicas {
		go func() {
			db, err := sqlite.Open(t.Context(), dsn, sqlite.Options{})
			if err == nil {
				err = db.Close()
			}
			errs <- err
		}()
	}
	for range replicas {
		if err := <-errs; err != nil {
			t.Fatalf("a replica's start: %v", err)
		}
	}
	db := mustOpen(t, dsn)
	st, err := db.Export(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.SchemaVersion < 21 {
		t.Fatalf("schema version %d after the starts, want every migration (21 or later)", st.SchemaVersion)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var versions, distinct int
	if err := conn.QueryRow(t.Context(), `SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&versions, &distinct); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("the migration files: %v, %v", files, err)
	}
	if versions != len(files) || distinct != len(files) {
		t.Fatalf("schema_migrations: %d rows, %d versions; want each of the %d migrations once", versions, distinct, len(files))
	}
}
