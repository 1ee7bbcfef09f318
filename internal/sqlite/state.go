package sqlite

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// StateFormat versions the document Export writes; ImportFrom refuses others.
const StateFormat = "accountplane-state/1"

// State is the whole store as one JSON document: every table's rows, keyed
// by column name, at a schema version.
type State struct {
	Format        string                      `json:"format"`
	SchemaVersion int                         `json:"schemaVersion"`
	Tables        map[string][]map[string]any `json:"tables"`
}

// blob marks a BLOB value in a State (JSON has no bytes).
type blob struct {
	Base64 string `json:"$base64"`
}

// Export returns every row of every table (but the migration bookkeeping)
// read in one consistent transaction.
func (db *DB) Export(ctx context.Context) (*State, error) {
	if db.dialect == dialectSQLite {
		// The records not indexed yet are indexed first (trailindex.go),
		// so that a store exports the same document whenever it is read
		// (but for writes meanwhile, whose pending rows it carries).
		if err := db.IndexPendingEvents(ctx); err != nil {
			return nil, fmt.Errorf("sqlite: export: %w", err)
		}
	}
	return db.export(ctx)
}

// export is Export as the store is.
func (db *DB) export(ctx context.Context) (*State, error) {
	st := &State{Format: StateFormat, Tables: map[string][]map[string]any{}}
	err := db.view(ctx, func(t *tx) error {
		if err := t.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&st.SchemaVersion); err != nil {
			return fmt.Errorf("sqlite: export: %w", err)
		}
		tables, err := t.tableNames(ctx)
		if err != nil {
			return err
		}
		for _, name := range tables {
			rows, err := t.queryOnce(ctx, `SELECT * FROM "`+name+`"`)
			if err != nil {
				return fmt.Errorf("sqlite: export %s: %w", name, err)
			}
			cols, _ := rows.Columns()
			list := []map[string]any{}
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return fmt.Errorf("sqlite: export %s: %w", name, err)
				}
				row := make(map[string]any, len(cols))
				for i, c := range cols {
					if b, ok := vals[i].([]byte); ok {
						row[c] = blob{base64.StdEncoding.EncodeToString(b)}
					} else {
						row[c] = vals[i]
					}
				}
				list = append(list, row)
			}
			rows.Close()
			st.Tables[name] = list
		}
		return nil
	})
	return st, err
}

// insertRow inserts one row of a State document into table name.
func (t *tx) insertRow(ctx context.Context, name string, row map[string]any) error {
	cols := make([]string, 0, len(row))
	for c := range row {
		if strings.ContainsAny(c, "\"`;") {
			return fmt.Errorf("sqlite: import: bad column %q", c)
		}
		cols = append(cols, c)
	}
	sort.Strings(cols)
	args := make([]any, len(cols))
	for i, c := range cols {
		args[i] = importValue(row[c])
	}
	q := `INSERT INTO "` + name + `" ("` + strings.Join(cols, `", "`) + `") VALUES (` +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + `)`
	if err := t.execOnce(ctx, "import into "+name, q, args...); err != nil {
		return err
	}
	return nil
}

// ImportFrom replaces the whole store, in one transaction, with the JSON
// state document read from r, which must be of this format and this schema
// version. It decodes the document token by token and inserts each row as
// soon as it is decoded, so memory stays bounded by the largest row, not the
// document; a document found invalid part way leaves the store untouched. The price is that the write transaction stays open while r
// is read, so other writes wait for a slow reader.
//
// The document is an object with exactly the members "format",
// "schemaVersion" and "tables" (in any order, each once), as Export's JSON
// encoding writes it; "tables" maps table names to arrays of row objects.
// Nothing may follow it. Errors from r are returned wrapped.
func (db *DB) ImportFrom(ctx context.Context, r io.Reader) error {
	if err := db.importFrom(ctx, r); err != nil {
		return err
	}
	// The document brings its store's key of event ids (settings): the
	// ids of its records of reads were made with it. (Another replica of
	// a PostgreSQL store keeps the key it had until it restarts.)
	return db.initEventIDs(ctx)
}

func (db *DB) importFrom(ctx context.Context, r io.Reader) error {
	dec := json.NewDecoder(r)
	dec.UseNumber() // nanosecond timestamps do not fit a float64
	return db.update(ctx, func(t *tx) error {
		t.written.all = true // the statements below bypass the helpers
		var version int
		if err := t.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
			return fmt.Errorf("sqlite: import: %w", err)
		}
		tables, err := t.tableNames(ctx)
		if err != nil {
			return err
		}
		known := map[string]bool{}
		for _, name := range tables {
			known[name] = true
			if err := t.execOnce(ctx, "import: clear "+name, `DELETE FROM "`+name+`"`); err != nil {
				return err
			}
		}
		if err := expectDelim(dec, '{'); err != nil {
			return err
		}
		seen := map[string]bool{}
		for dec.More() {
			key, err := memberName(dec)
			if err != nil {
				return err
			}
			if seen[key] {
				return fmt.Errorf("sqlite: import: member %q appears twice", key)
			}
			seen[key] = true
			switch key {
			case "format":
				var f string
				if err := dec.Decode(&f); err != nil {
					return notADocument(err)
				}
				if f != StateFormat {
					return fmt.Errorf("sqlite: import: format %q, want %q", f, StateFormat)
				}
			case "schemaVersion":
				var v int
				if err := dec.Decode(&v); err != nil {
					return notADocument(err)
				}
				if v != version {
					return fmt.Errorf("sqlite: import: schema version %d, this server has %d", v, version)
				}
			case "tables":
				if err := t.importTables(ctx, dec, known); err != nil {
					return err
				}
			default:
				return fmt.Errorf("sqlite: import: unknown member %q", key)
			}
		}
		if err := expectDelim(dec, '}'); err != nil {
			return err
		}
		if _, err := dec.Token(); err != io.EOF {
			return notADocument(errors.New("data after the document"))
		}
		for _, m := range []string{"format", "schemaVersion", "tables"} {
			if !seen[m] {
				return fmt.Errorf("sqlite: import: the document has no %q", m)
			}
		}
		// The records the document's store had not indexed yet are indexed
		// here (a PostgreSQL store has no indexer: trailindex.go).
		for {
			n, err := t.indexPending(ctx, indexBatch)
			if err != nil || n < indexBatch {
				return err
			}
		}
	})
}

// importTables reads the "tables" object, inserting row by row.
func (t *tx) importTables(ctx context.Context, dec *json.Decoder, known map[string]bool) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	seen := map[string]bool{}
	for dec.More() {
		name, err := memberName(dec)
		if err != nil {
			return err
		}
		if !known[name] {
			return fmt.Errorf("sqlite: import: unknown table %q", name)
		}
		if seen[name] {
			return fmt.Errorf("sqlite: import: table %q appears twice", name)
		}
		seen[name] = true
		if err := expectDelim(dec, '['); err != nil {
			return err
		}
		for dec.More() {
			var row map[string]any
			if err := dec.Decode(&row); err != nil {
				return notADocument(err)
			}
			if row == nil {
				return notADocument(fmt.Errorf("a row of %s is null", name))
			}
			if err := t.insertRow(ctx, name, row); err != nil {
				return err
			}
		}
		if err := expectDelim(dec, ']'); err != nil {
			return err
		}
	}
	return expectDelim(dec, '}')
}

// expectDelim reads the next token, which must be the delimiter d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return notADocument(err)
	}
	if tok != d {
		return notADocument(fmt.Errorf("found %v where %v belongs", tok, d))
	}
	return nil
}

// memberName reads an object member's name.
func memberName(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", notADocument(err)
	}
	name, ok := tok.(string)
	if !ok {
		return "", notADocument(fmt.Errorf("found %v where a member name belongs", tok))
	}
	return name, nil
}

func notADocument(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("sqlite: import: not a state document: %w", err)
}

// importValue turns a decoded JSON value back into a column value.
func importValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["$base64"].(string); ok {
			b, _ := base64.StdEncoding.DecodeString(s)
			return b
		}
		b, _ := json.Marshal(x)
		return string(b)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
		return x
	}
	return v
}

func (t *tx) tableNames(ctx context.Context) ([]string, error) {
	rows, err := t.query(ctx, t.dialect().tableNames())
	if err != nil {
		return nil, fmt.Errorf("sqlite: list tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
