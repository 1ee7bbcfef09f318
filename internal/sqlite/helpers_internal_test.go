package sqlite

import (
	"context"
	"testing"
)

// openTemp opens a new SQLite store in a file of its own, closed when the
// test ends.
func openTemp(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), t.TempDir()+"/db", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
