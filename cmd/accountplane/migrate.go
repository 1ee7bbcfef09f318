package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/accountplane/accountplane/internal/sqlite"
)

// migrateCmd applies the store's migrations and exits: for a PostgreSQL
// store that replicas share, run it once before rolling out a new version
// (serve also migrates at start, under an advisory lock). A schema newer
// than this binary is refused.
func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	store := fs.String("store", env("ACCOUNTPLANE_STORE", ""), "PostgreSQL store, postgres://user@host/db (env ACCOUNTPLANE_STORE)")
	data := fs.String("data", env("ACCOUNTPLANE_DATA", ".accountplane"), "data directory of the SQLite store, when --store is not given (env ACCOUNTPLANE_DATA)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: accountplane migrate [--store DSN | --data DIR]\n\nApplies the store's schema migrations and exits.\n\n")
		fs.PrintDefaults()
	}
	if code, done := parse(fs, args); done {
		return code
	}
	target := *store
	if target == "" {
		if err := os.MkdirAll(*data, 0o700); err != nil {
			fmt.Fprintln(stderr, "accountplane migrate:", err)
			return 1
		}
		target = filepath.Join(*data, "accountplane.db")
	}
	db, err := sqlite.Open(ctx, target, sqlite.Options{})
	if err != nil {
		fmt.Fprintln(stderr, "accountplane migrate:", err)
		return 1
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "accountplane migrate:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s store at schema version %d\n", db.Kind(), v)
	return 0
}
