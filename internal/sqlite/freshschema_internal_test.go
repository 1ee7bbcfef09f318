package sqlite

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// freshschema.sql makes exactly the schema the migrations make (every
// table, index and trigger, as SQLite keeps its text), with every
// migration recorded. ACCOUNTPLANE_UPDATE_FRESH_SCHEMA=1 writes it anew
// from the migrations (after adding one).
func TestFreshSchemaIsTheMigrations(t *testing.T) {
	ctx := context.Background()
	open := func(fresh bool) *DB {
		t.Helper()
		useFreshSchema = fresh
		defer func() { useFreshSchema = true }()
		db, err := Open(ctx, filepath.Join(t.TempDir(), "db"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	schema := func(db *DB) (objects []string) {
		t.Helper()
		rows, err := db.writer.QueryContext(ctx, `SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master
			WHERE name NOT LIKE 'sqlite_%' ORDER BY rowid`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var typ, name, table, text string
			if err := rows.Scan(&typ, &name, &table, &text); err != nil {
				t.Fatal(err)
			}
			objects = append(objects, typ+" "+name+" on "+table+": "+text)
		}
		return objects
	}
	records := func(db *DB) (out []string) {
		t.Helper()
		rows, err := db.writer.QueryContext(ctx, `SELECT version || ' ' || name FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	migrated := open(false)
	if os.Getenv("ACCOUNTPLANE_UPDATE_FRESH_SCHEMA") == "1" {
		ms, err := migrations()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := migrated.writer.QueryContext(ctx, `SELECT sql FROM sqlite_master
			WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY rowid`)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString(freshSchemaHeader + ms[len(ms)-1].name[:4] + "\n")
		b.WriteString("-- (do not edit: TestFreshSchemaIsTheMigrations writes it; see freshschema.go)\n\n")
		for rows.Next() {
			var text string
			if err := rows.Scan(&text); err != nil {
				t.Fatal(err)
			}
			b.WriteString(text + ";\n\n")
		}
		rows.Close()
		if err := os.WriteFile("freshschema.sql", []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		writeImage(t, b.String(), ms)
		t.Log("wrote freshschema.sql and freshschema.db.gz: run the test again without ACCOUNTPLANE_UPDATE_FRESH_SCHEMA")
		return
	}
	useFreshImage = false
	fresh := open(true)
	useFreshImage = true
	imaged := open(true)
	if got, want := schema(imaged), schema(migrated); !reflect.DeepEqual(got, want) {
		t.Errorf("the schema of a store made from freshschema.db.gz differs from the migrations'.\nimage:\n%s\nmigrated:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got, want := records(imaged), records(migrated); !reflect.DeepEqual(got, want) {
		t.Errorf("migrations recorded: image %v, migrated %v", got, want)
	}
	var unstamped int
	if err := imaged.writer.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE applied_at = 0`).Scan(&unstamped); err != nil || unstamped != 0 {
		t.Errorf("migrations of the image left unstamped: %d, %v", unstamped, err)
	}
	if _, err := imaged.writer.ExecContext(ctx, `INSERT INTO cloudtrail_unindexed (block, acct_h, id_h) VALUES (1, 2, 3)`); err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if v := freshSchemaVersion(); v != ms[len(ms)-1].version {
		t.Fatalf("freshschema.sql holds the migrations through %d, the newest is %s: regenerate it with ACCOUNTPLANE_UPDATE_FRESH_SCHEMA=1 go test -run TestFreshSchemaIsTheMigrations ./internal/sqlite/", v, ms[len(ms)-1].name)
	}
	if got, want := schema(fresh), schema(migrated); !reflect.DeepEqual(got, want) {
		t.Errorf("the fresh schema differs from the migrations'.\nfresh:\n%s\nmigrated:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got, want := records(fresh), records(migrated); !reflect.DeepEqual(got, want) || len(got) != len(ms) {
		t.Errorf("migrations recorded: fresh %v, migrated %v", got, want)
	}
	// The store it makes works: a write and a read of the trail's blocks,
	// the last migrations' tables.
	if _, err := fresh.writer.ExecContext(ctx, `INSERT INTO cloudtrail_postings (attr_h, max_time, block, attrs) VALUES (1, 2, 3, x'00')`); err != nil {
		t.Fatal(err)
	}
}

// writeImage writes freshschema.db.gz: a database file made by the
// statements of schema in WAL mode, with the migrations ms recorded at
// time 0, gzipped with the newest migration's version as its comment.
func writeImage(t *testing.T, schema string, ms []migration) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "image.db")
	raw, err := sql.Open("sqlite", fileURI(path, url.Values{"_journal_mode": {"WAL"}}))
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	for _, stmt := range []string{createMigrationsTable, schema} { // in the order migrate makes them
		if _, err := raw.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range ms {
		if _, err := raw.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)`, m.version, m.name); err != nil {
			t.Fatal(err)
		}
	}
	if err := raw.Close(); err != nil { // the last connection checkpoints and removes the WAL
		t.Fatal(err)
	}
	image, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Fatal("the image's WAL is still there after closing it")
	}
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Comment = strconv.Itoa(ms[len(ms)-1].version)
	if _, err := zw.Write(image); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("freshschema.db.gz", b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The image is written only where nothing is (a WAL or journal left
// behind belongs to a database SQLite must see as it is) and only when it
// holds the newest migration.
func TestFreshImageOnlyWhereNothingIs(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, leftover := range []string{"", "-wal", "-journal"} {
		path := filepath.Join(dir, "db"+strings.ReplaceAll(leftover, "-", "_"))
		if leftover != "" {
			if err := os.WriteFile(path+leftover, []byte("not ours"), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(path, []byte("someone's"), 0o644); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(path)
		if writeFreshImage(path, ms) {
			t.Fatalf("with %q there: wrote the image", "db"+leftover)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Fatalf("with %q there: the database file changed", "db"+leftover)
		}
	}
	older := append([]migration(nil), ms...)
	older = append(older, migration{version: ms[len(ms)-1].version + 1, name: "9999_next.sql"})
	if writeFreshImage(filepath.Join(dir, "newer"), older) {
		t.Fatal("an image older than the newest migration was written")
	}
	path := filepath.Join(dir, "new")
	if !writeFreshImage(path, ms) {
		t.Fatal("a new store's file was not written from the image")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm()&^0o644 != 0 {
		t.Fatalf("the new file's mode: %v, %v; want at most 0644 (less the umask)", fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 { // db, db_wal-wal, db_journal-journal, new
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("files left: %v (no temporary file may remain)", names)
	}
}
