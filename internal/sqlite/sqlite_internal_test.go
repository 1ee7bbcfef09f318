package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
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
	path := filepath.Join(t.TempDir(), "db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	w, err := sql.Open("sqlite", fileURI(path, nil))
	if err != nil {
		t.Fatal(err)
	}
	v1 := &DB{writer: w, now: time.Now}
	if _, err := w.ExecContext(t.Context(), `CREATE TABLE schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if err := v1.apply(t.Context(), ms[0]); err != nil {
		t.Fatal(err)
	}
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
	want := account.Account{
		ID: "123456789012", Name: "old", Email: "Old@example.com", State: account.StateActive,
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
