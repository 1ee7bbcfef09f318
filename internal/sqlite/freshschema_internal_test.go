package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
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
		t.Log("wrote freshschema.sql: run the test again without ACCOUNTPLANE_UPDATE_FRESH_SCHEMA")
		return
	}
	fresh := open(true)
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
