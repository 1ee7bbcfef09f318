package sqlite

import (
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// A store written before the compact trail (version 15) keeps its history:
// every row of cloudtrail_events is in a block, in the order written, with
// its facts and record; the lookups find them, and new records follow the
// old ones.
func TestMigrateTrailFromVersion15(t *testing.T) {
	path, w := atVersion(t, 15)
	const acct = "123456789012"
	when := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	const n = 1203 // more than one batch of the conversion
	for i := range n {
		id := fmt.Sprintf("1a2b3c4d-0000-4000-8000-%012d", i)
		if i == 7 {
			id = "old-style-id"
		}
		res := `[]`
		if i%2 == 0 {
			res = `[{"type":"AWS::IAM::User","name":"alice"}]`
		}
		body := fmt.Sprintf(`{"eventName":"Call%d","eventID":%q}`, i%3, id)
		if _, err := w.ExecContext(t.Context(), `INSERT INTO cloudtrail_events
			(event_id, account_id, event_time, event_name, event_source, username, access_key_id, read_only, resources, body)
			VALUES (?, ?, ?, ?, 'iam.amazonaws.com', 'alice', 'AKIAOLD', ?, ?, ?)`,
			id, acct, when.Add(time.Duration(i)*time.Second).UnixNano(), fmt.Sprintf("Call%d", i%3), i%2, res, body); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()

	db, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatalf("Open of a version 15 database: %v", err)
	}
	defer db.Close()
	all, err := db.LookupEvents(t.Context(), kernel.TrailQuery{Account: acct})
	if err != nil || len(all) != n {
		t.Fatalf("after the migration: %d events, %v; want %d", len(all), err, n)
	}
	newest := all[0]
	if newest.Name != "Call2" || newest.Source != "iam.amazonaws.com" || newest.Username != "alice" ||
		newest.AccessKeyID != "AKIAOLD" || newest.ReadOnly != ((n-1)%2 == 1) || !newest.Time.Equal(when.Add((n-1)*time.Second)) ||
		string(newest.Record) != fmt.Sprintf(`{"eventName":"Call2","eventID":"1a2b3c4d-0000-4000-8000-%012d"}`, n-1) {
		t.Errorf("newest event after the migration: %+v (record %s)", newest, newest.Record)
	}
	byName, err := db.LookupEvents(t.Context(), kernel.TrailQuery{Account: acct, Key: kernel.AttrEventName, Value: "Call1"})
	if err != nil || len(byName) != n/3 {
		t.Errorf("EventName Call1: %d events, %v; want %d", len(byName), err, n/3)
	}
	byRes, err := db.LookupEvents(t.Context(), kernel.TrailQuery{Account: acct, Key: kernel.AttrResourceName, Value: "alice"})
	if err != nil || len(byRes) != (n+1)/2 {
		t.Errorf("ResourceName alice: %d events, %v; want %d", len(byRes), err, (n+1)/2)
	}
	old, err := db.LookupEvents(t.Context(), kernel.TrailQuery{Account: acct, Key: kernel.AttrEventID, Value: "old-style-id"})
	if err != nil || len(old) != 1 || !old[0].Time.Equal(when.Add(7*time.Second)) || old[0].Seq >= newest.Seq {
		t.Errorf("EventId old-style-id: %+v, %v; want the eighth event", old, err)
	}
	var tables int
	if err := db.reader.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name IN ('cloudtrail_events', 'cloudtrail_records', 'cloudtrail_resources')`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("%d tables of the earlier layouts still there (%v)", tables, err)
	}
	// New records follow the old ones.
	if err := db.AppendEvent(t.Context(), kernel.TrailEvent{ID: "9f2b3c4d-0000-4000-8000-000000000001", Account: acct,
		Time: when.Add(time.Hour), Name: "After", Record: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	after, err := db.LookupEvents(t.Context(), kernel.TrailQuery{Account: acct, Limit: 1})
	if err != nil || len(after) != 1 || after[0].Seq <= newest.Seq || after[0].Name != "After" {
		t.Errorf("the first record after the migration: %+v, %v; want it after seq %d", after, err, newest.Seq)
	}
}

// A store of version 16 (the compact rows of cloudtrail_records) keeps its
// history too.
func TestMigrateTrailFromVersion16(t *testing.T) {
	path, w := atVersion(t, 16)
	const acct = "123456789012"
	when := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for i, id := range []string{"1a2b3c4d-0000-4000-8000-000000000001", "1a2b3c4d-0000-4000-8000-000000000002"} {
		raw, _ := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
		payload := append([]byte{payloadRaw}, fmt.Sprintf(`["Get%d","account.amazonaws.com","root","AKID",[["AWS::IAM::User","bob"]]]`+"\n"+`{"eventID":%q}`, i, id)...)
		if _, err := w.ExecContext(t.Context(), `INSERT INTO cloudtrail_records
			(event_id, account_id, event_time, read_only, name_h, user_h, source_h, key_h, payload) VALUES (?, ?, ?, 1, 0, 0, 0, 0, ?)`,
			raw, 123456789012, when.Add(time.Duration(i)*time.Second).Unix(), payload); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()

	db, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatalf("Open of a version 16 database: %v", err)
	}
	defer db.Close()
	got, err := db.LookupEvents(t.Context(), kernel.TrailQuery{Account: acct, Key: kernel.AttrResourceName, Value: "bob"})
	if err != nil || len(got) != 2 || got[0].Name != "Get1" || got[1].ID != "1a2b3c4d-0000-4000-8000-000000000001" ||
		string(got[1].Record) != `{"eventID":"1a2b3c4d-0000-4000-8000-000000000001"}` || !got[1].ReadOnly || got[1].AccessKeyID != "AKID" {
		t.Errorf("after the migration: %+v, %v", got, err)
	}
	// Migration 0022 counted the records already there.
	if kept, sum := trailCount(t, db); kept != 2 || sum != 2 {
		t.Errorf("after the migration: the count says %d, the blocks hold %d; want 2", kept, sum)
	}
}

// atVersion returns the path of a new database file with the migrations
// up to version applied, and a connection to it.
func atVersion(t *testing.T, version int) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	w, err := sql.Open("sqlite", fileURI(path, nil))
	if err != nil {
		t.Fatal(err)
	}
	old := &DB{writer: w, now: time.Now}
	if _, err := w.ExecContext(t.Context(), `CREATE TABLE schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	var upTo []migration
	for _, m := range ms {
		if m.version > version {
			break
		}
		upTo = append(upTo, m)
	}
	if err := old.applyAll(t.Context(), old.writer, upTo); err != nil {
		t.Fatal(err)
	}
	return path, w
}
