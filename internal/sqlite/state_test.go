package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/sqlite"
)

func TestImportFrom(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, ":memory:")
	empty, err := db.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := empty.SchemaVersion
	head := fmt.Sprintf(`"format":%q,"schemaVersion":%d`, sqlite.StateFormat, v)
	row := `{"seq":1,"id":"m-1","sent_at":1767323045000000000,"account_id":"000000000000","recipient":"a@example.com","subject":"s","body":"b","code":"123456"}`
	valid := `{` + head + `,"tables":{"outbox":[` + row + `]}}`

	if err := db.ImportFrom(ctx, strings.NewReader(valid)); err != nil {
		t.Fatalf("ImportFrom(valid): %v", err)
	}
	msgs, err := db.Messages(ctx, 10)
	if err != nil || len(msgs) != 1 || msgs[0].ID != "m-1" || msgs[0].Code != "123456" {
		t.Fatalf("outbox after import: %+v, %v", msgs, err)
	}
	want := mustExportJSON(t, db)

	tests := []struct {
		name, doc, wantErr string
	}{
		{"tables first", `{"tables":{"outbox":[]},` + head + `}`, ""},
		{"truncated", valid[:len(valid)-1], "unexpected EOF"},
		{"truncated in a row", valid[:len(valid)-20], "unexpected EOF"},
		{"empty", ``, "unexpected EOF"},
		{"not an object", `[]`, "not a state document"},
		{"wrong format", `{"format":"other","schemaVersion":1,"tables":{}}`, `format "other"`},
		{"wrong format after the tables", `{"schemaVersion":` + fmt.Sprint(v) + `,"tables":{"outbox":[` + row + `]},"format":"other"}`, `format "other"`},
		{"other schema version", fmt.Sprintf(`{"format":%q,"schemaVersion":%d,"tables":{}}`, sqlite.StateFormat, v+1), "schema version"},
		{"no format", fmt.Sprintf(`{"schemaVersion":%d,"tables":{}}`, v), `no "format"`},
		{"no tables", `{` + head + `}`, `no "tables"`},
		{"unknown member", `{` + head + `,"tables":{},"extra":[1,2,3]}`, `unknown member "extra"`},
		{"member twice", `{` + head + `,"tables":{"outbox":[` + row + `]},"tables":{"outbox":[` + row + `]}}`, `"tables" appears twice`},
		{"unknown table", `{` + head + `,"tables":{"nope":[]}}`, `unknown table "nope"`},
		{"table twice", `{` + head + `,"tables":{"outbox":[],"outbox":[]}}`, `table "outbox" appears twice`},
		{"tables null", `{` + head + `,"tables":null}`, "not a state document"},
		{"row null", `{` + head + `,"tables":{"outbox":[null]}}`, "null"},
		{"row not an object", `{` + head + `,"tables":{"outbox":[1]}}`, "not a state document"},
		{"bad column", `{` + head + `,"tables":{"outbox":[{"x\"":1}]}}`, "bad column"},
		{"data after the document", valid + `{}`, "data after the document"},
		{"garbage after the document", valid + `}`, "not a state document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.ImportFrom(ctx, strings.NewReader(tt.doc))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				// Put the reference state back for the next case.
				if err := db.ImportFrom(ctx, strings.NewReader(valid)); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			if got := mustExportJSON(t, db); got != want {
				t.Errorf("a refused import changed the store:\ngot  %.300s\nwant %.300s", got, want)
			}
		})
	}
}

func mustExportJSON(t *testing.T, db *sqlite.DB) string {
	t.Helper()
	st, err := db.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
