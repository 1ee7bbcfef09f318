package sqlite

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// A new SQLite store file is written from freshImage: the database file
// freshSchema makes, with every migration recorded (applied_at 0, set on
// first open), gzipped. Executing the schema's statements was most of a
// new store's start-up (about 16 of 30 ms on a slow machine: SQLite
// parses each statement and writes a b-tree root page for every table and
// index); writing the file is about a millisecond. The gzip header's
// comment names the newest migration the image holds: an image older than
// the newest migration is not used (the store is then created from
// freshSchema, or by the migrations).
//
// freshschema.db.gz is written, like freshschema.sql, by
// TestFreshSchemaIsTheMigrations (ACCOUNTPLANE_UPDATE_FRESH_SCHEMA=1),
// which also checks that a store made from it has exactly the schema the
// migrations make.
//
//go:embed freshschema.db.gz
var freshImage []byte

// writeFreshImage creates the database file abs from freshImage if there
// is nothing at abs (no database, no WAL, no journal) and the image holds
// the migrations through the newest of ms. ok is false if it wrote nothing (the
// file is then opened, or created by SQLite, as before).
func writeFreshImage(abs string, ms []migration) (ok bool, err error) {
	if !useFreshSchema || !useFreshImage || len(freshImage) == 0 || len(ms) == 0 {
		return false, nil
	}
	for _, p := range []string{abs, abs + "-wal", abs + "-journal"} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			return false, nil // there is something (or we cannot tell): SQLite decides
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(freshImage))
	if err != nil || zr.Comment != strconv.Itoa(ms[len(ms)-1].version) {
		return false, nil
	}
	image, err := io.ReadAll(zr)
	if err != nil {
		return false, nil
	}
	dir := filepath.Dir(abs)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(abs)+".new-*")
	if err != nil {
		return false, fmt.Errorf("sqlite: create %s: %w", abs, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil { // as SQLite creates its files
		tmp.Close()
		return false, fmt.Errorf("sqlite: create %s: %w", abs, err)
	}
	if _, err := tmp.Write(image); err != nil {
		tmp.Close()
		return false, fmt.Errorf("sqlite: create %s: %w", abs, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, fmt.Errorf("sqlite: create %s: %w", abs, err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("sqlite: create %s: %w", abs, err)
	}
	// A link, not a rename: a file another process created meanwhile is
	// left as it is.
	if err := os.Link(tmp.Name(), abs); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("sqlite: create %s: %w", abs, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // the new name, durably
		d.Close()
	}
	return true, nil
}

// useFreshImage lets a test make a store from freshSchema's statements.
var useFreshImage = true

// stampImageMigrations sets when the migrations of a store just written
// from freshImage were applied (the image records 0).
func (db *DB) stampImageMigrations(ctx context.Context) error {
	if _, err := db.writer.ExecContext(ctx, `UPDATE schema_migrations SET applied_at = ? WHERE applied_at = 0`, db.now().UnixNano()); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}
