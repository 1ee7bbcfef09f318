package sqlite

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"

	"github.com/accountplane/accountplane/internal/uuid"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Store-made event ids are version 4 UUIDs that give their sequence back;
// random UUIDs and other keys' ids do not.
func TestEventIDsRoundTrip(t *testing.T) {
	e, err := newEventIDs([]byte("0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newEventIDs([]byte("fedcba9876543210"))
	seen := map[string]bool{}
	for _, seq := range []int64{0, 1, 2, 1023, 1024, 1 << 30, 1<<50 - 1} {
		id := e.id(seq)
		if !uuidV4.MatchString(id) || seen[id] {
			t.Errorf("id(%d) = %s: want a new version 4 UUID", seq, id)
		}
		seen[id] = true
		if got, ok := e.seqOf(id); !ok || got != seq {
			t.Errorf("seqOf(id(%d)) = %d, %v", seq, got, ok)
		}
		if _, ok := other.seqOf(id); ok {
			t.Errorf("another key reads id(%d) as its own", seq)
		}
	}
	for range 1000 {
		if id := uuid.New(); e.derived(id) {
			t.Fatalf("random UUID %s read as store-made", id)
		}
	}
	for _, bad := range []string{"", "e1", "not-a-uuid-at-all-but-36-characters!", "1a2b3c4d-0000-1000-8000-000000000001"} {
		if e.derived(bad) {
			t.Errorf("%q read as store-made", bad)
		}
	}
}

// A record that lets the store choose its id (the record of a read) gets a
// store-made id, in its record too; it is found by that id without an
// index entry, and a record that brings its own id keeps it.
func TestStoreMadeEventIDs(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	var err error
	const acct = "111122223333"
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	made := uuid.New()
	err = db.AppendEvents(ctx, []kernel.TrailEvent{
		{ID: made, Account: acct, Time: at, Name: "GetX", ReadOnly: true, StoreID: true, Record: []byte(`{"eventID":"` + made + `"}`)},
		{ID: "kept", Account: acct, Time: at, Name: "GetY", ReadOnly: true, Record: []byte(`{"eventID":"kept"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: acct})
	if err != nil || len(all) != 2 {
		t.Fatalf("%d events, %v", len(all), err)
	}
	var storeMade, kept kernel.TrailEvent
	for _, ev := range all {
		if ev.Name == "GetX" {
			storeMade = ev
		} else {
			kept = ev
		}
	}
	if storeMade.ID == made || !uuidV4.MatchString(storeMade.ID) || !db.idsOrNil().derived(storeMade.ID) ||
		string(storeMade.Record) != `{"eventID":"`+storeMade.ID+`"}` {
		t.Errorf("the read's record: id %s, record %s; want a store-made id in both", storeMade.ID, storeMade.Record)
	}
	if kept.ID != "kept" {
		t.Errorf("a record with its own id got %s", kept.ID)
	}
	for _, q := range []struct {
		id   string
		want int
	}{{storeMade.ID, 1}, {made, 0}, {"kept", 1}} {
		got, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: acct, Key: kernel.AttrEventID, Value: q.id})
		if err != nil || len(got) != q.want {
			t.Errorf("EventId %s: %d events, %v; want %d", q.id, len(got), err, q.want)
		}
	}
	var postings int
	if err := db.reader.QueryRow(`SELECT COUNT(*) FROM cloudtrail_postings WHERE attr_h = ?`, eventIDHash(storeMade.ID)).Scan(&postings); err != nil || postings != 0 {
		t.Errorf("%d index entries for a store-made id (%v), want none", postings, err)
	}
	// A store-made id cannot be written again by a record that brings it.
	dup := kernel.TrailEvent{ID: storeMade.ID, Account: acct, Time: at, Record: []byte(`{}`)}
	if err := db.AppendEvent(ctx, dup); err == nil {
		t.Error("a record bringing a stored store-made id was written")
	}
}

// EventBridge ids are a domain of their own: one never decodes as a
// CloudTrail id, nor the other way round, and each decodes to its seq.
func TestBusIDsAreTheirOwn(t *testing.T) {
	ids, err := newEventIDs(make([]byte, 16))
	if err != nil {
		t.Fatal(err)
	}
	for _, seq := range []int64{1, 2, 1000, 1 << 40} {
		bus, trail := ids.bus.id(seq), ids.id(seq)
		if bus == trail {
			t.Fatalf("seq %d: the same id %s in both domains", seq, bus)
		}
		if got, ok := ids.busSeqOf(bus); !ok || got != seq {
			t.Errorf("busSeqOf(%s) = %d, %v; want %d", bus, got, ok, seq)
		}
		if _, ok := ids.busSeqOf(trail); ok {
			t.Errorf("the CloudTrail id %s decodes as an EventBridge id", trail)
		}
		if _, ok := ids.seqOf(bus); ok {
			t.Errorf("the EventBridge id %s decodes as a CloudTrail id", bus)
		}
	}
}
