package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// TestPragmas checks the connection settings the durability and concurrency
// claims rest on.
func TestPragmas(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tests := []struct {
		pool   string
		pragma string
		want   string
	}{
		{"writer", "journal_mode", "wal"},
		{"writer", "synchronous", "2"}, // FULL
		{"writer", "foreign_keys", "1"},
		{"writer", "busy_timeout", "5000"},
		{"writer", "query_only", "0"},
		{"writer", "temp_store", "2"}, // MEMORY
		{"writer", "cache_size", "-32768"},
		{"reader", "journal_mode", "wal"},
		{"reader", "busy_timeout", "5000"},
		{"reader", "query_only", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.pool+"/"+tt.pragma, func(t *testing.T) {
			pool := db.writer
			if tt.pool == "reader" {
				pool = db.reader
			}
			var got string
			if err := pool.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s: got %s, want %s", tt.pragma, got, tt.want)
			}
		})
	}
}

func TestMigrationsApplyOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		db, err := Open(t.Context(), path, Options{})
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		var n int
		if err := db.reader.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) {
			t.Errorf("Open #%d: got %d rows in schema_migrations, want %d", i+1, n, len(ms))
		}
		db.Close()
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.writer.ExecContext(t.Context(),
		"INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err := Open(t.Context(), path, Options{}); err == nil {
		db.Close()
		t.Fatal("Open of a database with a newer schema: got nil error, want one")
	}
}

// TestMigrateFromVersion1 upgrades a database made by 0001_init.sql alone:
// its accounts read back with the new columns empty.
func TestMigrateFromVersion1(t *testing.T) {
	path, w := atVersion(t, 1)
	if _, err := w.ExecContext(t.Context(), `INSERT INTO accounts
		(id, name, email, email_lower, state, created_at, payment_method)
		VALUES ('123456789012', 'old', 'Old@example.com', 'old@example.com', 'ACTIVE', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	w.Close()

	db, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatalf("Open of a version 1 database: %v", err)
	}
	defer db.Close()
	want := kernel.Account{
		ID: "123456789012", Name: "old", Email: "Old@example.com", State: kernel.StateActive,
		CreatedAt: time.Unix(0, 1).UTC(), PaymentMethod: true,
	}
	err = db.View(t.Context(), func(tx account.Tx) error {
		got, err := tx.Account(t.Context(), want.ID)
		if err != nil {
			return err
		}
		if *got != want {
			t.Errorf("Account after migration: got %+v, want %+v", *got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigrateAccessKeysFromVersion2 upgrades a database made by 0001 and
// 0002 that holds access keys: they read back with the zero CreatedAt, and
// AccessKeys finds them by user (root's and, should one exist, an IAM
// user's in any case).
func TestMigrateAccessKeysFromVersion2(t *testing.T) {
	path, w := atVersion(t, 2)
	if _, err := w.ExecContext(t.Context(), `INSERT INTO access_keys (id, secret, account_id, user_name, active)
		VALUES ('AKIAOLDROOT000000001', 's1', '123456789012', '', 1),
		       ('AKIAOLDUSER000000002', 's2', '123456789012', 'Alice', 0)`); err != nil {
		t.Fatal(err)
	}
	w.Close()

	db, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatalf("Open of a version 2 database: %v", err)
	}
	defer db.Close()
	root := identity.AccessKey{ID: "AKIAOLDROOT000000001", Secret: "s1", Account: "123456789012", Active: true}
	user := identity.AccessKey{ID: "AKIAOLDUSER000000002", Secret: "s2", Account: "123456789012", User: "Alice"}
	if got, err := db.AccessKey(t.Context(), root.ID); err != nil || got != root {
		t.Errorf("AccessKey after migration: got %+v, %v, want %+v", got, err, root)
	}
	err = db.IAM().View(t.Context(), func(tx iam.Tx) error {
		for _, c := range []struct {
			user string
			want identity.AccessKey
		}{{"", root}, {"alice", user}} {
			keys, err := tx.AccessKeys(t.Context(), "123456789012", c.user)
			if err != nil || len(keys) != 1 || keys[0] != c.want {
				t.Errorf("AccessKeys(%q) after migration: got %+v, %v, want %+v", c.user, keys, err, c.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
