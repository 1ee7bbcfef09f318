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
	"sync/atomic"
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
// the migrations through the newest of ms. It reports false if it wrote
// nothing (the
// file is then opened, or created by SQLite, as it was before the image).
func writeFreshImage(abs string, ms []migration) bool {
	if !useFreshSchema || !useFreshImage || len(freshImage) == 0 || len(ms) == 0 {
		return false
	}
	for _, p := range []string{abs, abs + "-wal", abs + "-journal"} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			return false // there is something (or we cannot tell): SQLite decides
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(freshImage))
	if err != nil || zr.Comment != strconv.Itoa(ms[len(ms)-1].version) {
		return false
	}
	image, err := io.ReadAll(zr)
	if err != nil {
		return false
	}
	// The image goes to a name of its own, created as SQLite creates its
	// files (0644 less the umask), then is linked to abs: a link, not a
	// rename, so that a file another process created meanwhile stays as
	// it is. Anything that fails leaves the creation to SQLite, as before
	// the image (a file system without hard links, say).
	dir := filepath.Dir(abs)
	tmpName := filepath.Join(dir, fmt.Sprintf(".%s.new-%d-%d", filepath.Base(abs), os.Getpid(), imageTemps.Add(1)))
	tmp, err := os.OpenFile(tmpName, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return false
	}
	_, err = tmp.Write(image)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmpName, abs)
	}
	os.Remove(tmpName) // before the directory's sync: no second name survives a crash
	if err != nil {
		return false
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // the new name, durably
		d.Close()
	}
	return true
}

// imageTemps numbers the temporary names of images being written.
var imageTemps atomic.Int64

// useFreshImage lets a test make a store from freshSchema's statements.
var useFreshImage = true

// stampImageMigrations sets when the migrations of a store written from
// freshImage were applied (the image records 0). Every open runs it: an
// open that wrote the image may have stopped before it.
func (db *DB) stampImageMigrations(ctx context.Context) error {
	if _, err := db.writer.ExecContext(ctx, `UPDATE schema_migrations SET applied_at = ? WHERE applied_at = 0`, db.now().UnixNano()); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}
