package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// The CloudTrail event history (TrailStore).

var trailTests = []test{
	{"Trail/Lookup", testTrailLookup},
	{"Trail/AppendEventsInOrder", testTrailAppendEvents},
	{"Trail/Replace", testTrailReplace},
	{"Trail/Purge", testTrailPurge},
	{"Trail/EventIDUnique", testTrailEventIDUnique},
	{"Trail/LookupReadsAndChanges", testTrailLookupReadsAndChanges},
}

// trailT0 is an event time: events have whole seconds.
var trailT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// trailAcct and otherAcct are the accounts whose event histories the tests
// read.
var trailAcct, otherAcct = accountID(1), accountID(2)

// trailEvent returns an event of acct with only its id, account and time
// set (and a record).
func trailEvent(id string, acct identity.AccountID, at time.Time) kernel.TrailEvent {
	return kernel.TrailEvent{ID: id, Account: acct, Time: at, Record: []byte(`{"eventID":"` + id + `"}`)}
}

// lookup returns the events q selects (of trailAcct if q has no account).
func lookup(t *testing.T, s Stores, q kernel.TrailQuery) []kernel.TrailEvent {
	t.Helper()
	if q.Account == "" {
		q.Account = trailAcct
	}
	evs, err := s.Trail.LookupEvents(t.Context(), q)
	if err != nil {
		t.Fatalf("LookupEvents(%+v): %v", q, err)
	}
	return evs
}

// ids returns the events' ids, comma-separated.
func ids(evs []kernel.TrailEvent) string {
	s := make([]string, len(evs))
	for i, e := range evs {
		s[i] = e.ID
	}
	return strings.Join(s, ",")
}

func appendEvents(t *testing.T, s Stores, evs ...kernel.TrailEvent) {
	t.Helper()
	for _, ev := range evs {
		if err := s.Trail.AppendEvent(t.Context(), ev); err != nil {
			t.Fatalf("AppendEvent(%s): %v", ev.ID, err)
		}
	}
}

// testTrailLookup: LookupEvents filters one account's events by each
// attribute and by time (bounds included), newest first (ties in the
// reverse of write order), at most Limit, from after the event After.
func testTrailLookup(t *testing.T, s Stores) {
	skipUnless(t, s.Trail != nil, "trail store")
	e1 := kernel.TrailEvent{ID: "e1", Account: trailAcct, Time: trailT0, Name: "CreateUser", Source: "iam.amazonaws.com",
		Username: "root", AccessKeyID: "AKID1", Resources: []kernel.TrailResource{{Type: "AWS::IAM::User", Name: "bob"},
			{Type: "AWS::IAM::Policy", Name: "arn:aws:iam::111111111112:policy/p"}}, Record: []byte(`{"eventID":"e1","n":1}`)}
	e2 := kernel.TrailEvent{ID: "e2", Account: trailAcct, Time: trailT0.Add(time.Second), Name: "ListUsers", Source: "iam.amazonaws.com",
		Username: "alice", AccessKeyID: "AKID2", ReadOnly: true, Record: []byte(`{}`)}
	e3 := kernel.TrailEvent{ID: "e3", Account: trailAcct, Time: trailT0.Add(time.Second), Name: "GetAlternateContact",
		Source: "account.amazonaws.com", Username: "root", AccessKeyID: "AKID1", ReadOnly: true, Record: []byte(`{}`)}
	e4 := kernel.TrailEvent{ID: "e4", Account: trailAcct, Time: trailT0.Add(time.Hour), Name: "PutAlternateContact",
		Source: "account.amazonaws.com", Username: "s1", AccessKeyID: "ASIA1", Record: []byte(`{}`)}
	o1 := kernel.TrailEvent{ID: "o1", Account: otherAcct, Time: trailT0, Name: "CreateUser", Source: "iam.amazonaws.com",
		Username: "root", AccessKeyID: "AKIDO", Resources: []kernel.TrailResource{{Type: "AWS::IAM::User", Name: "bob"}}, Record: []byte(`{}`)}
	appendEvents(t, s, e1, e2, e3, e4, o1)

	// e1 reads back whole, with a sequence.
	got := lookup(t, s, kernel.TrailQuery{Key: kernel.AttrEventID, Value: "e1"})
	if len(got) != 1 || got[0].Seq <= 0 {
		t.Fatalf("LookupEvents of e1: got %+v, want it with a sequence", got)
	}
	e1.Seq = got[0].Seq
	wantEqual(t, "e1", &got[0], &e1)

	tests := []struct {
		name string
		q    kernel.TrailQuery
		want string
	}{
		{"all, newest first, ties in reverse write order", kernel.TrailQuery{}, "e4,e3,e2,e1"},
		{"another account", kernel.TrailQuery{Account: otherAcct}, "o1"},
		{"an account without events", kernel.TrailQuery{Account: accountID(3)}, ""},
		{"event id", kernel.TrailQuery{Key: kernel.AttrEventID, Value: "e2"}, "e2"},
		{"another account's event id", kernel.TrailQuery{Key: kernel.AttrEventID, Value: "o1"}, ""},
		{"event name", kernel.TrailQuery{Key: kernel.AttrEventName, Value: "CreateUser"}, "e1"},
		{"read only", kernel.TrailQuery{Key: kernel.AttrReadOnly, Value: "true"}, "e3,e2"},
		{"writes", kernel.TrailQuery{Key: kernel.AttrReadOnly, Value: "false"}, "e4,e1"},
		{"username", kernel.TrailQuery{Key: kernel.AttrUsername, Value: "root"}, "e3,e1"},
		{"username is exact", kernel.TrailQuery{Key: kernel.AttrUsername, Value: "ROOT"}, ""},
		{"event source", kernel.TrailQuery{Key: kernel.AttrEventSource, Value: "account.amazonaws.com"}, "e4,e3"},
		{"access key", kernel.TrailQuery{Key: kernel.AttrAccessKeyID, Value: "AKID1"}, "e3,e1"},
		{"resource type", kernel.TrailQuery{Key: kernel.AttrResourceType, Value: "AWS::IAM::Policy"}, "e1"},
		{"resource name", kernel.TrailQuery{Key: kernel.AttrResourceName, Value: "bob"}, "e1"},
		{"resource name of another resource's type", kernel.TrailQuery{Key: kernel.AttrResourceName, Value: "AWS::IAM::User"}, ""},
		{"start", kernel.TrailQuery{Start: trailT0.Add(time.Second)}, "e4,e3,e2"},
		{"end", kernel.TrailQuery{End: trailT0.Add(time.Second)}, "e3,e2,e1"},
		{"start and end", kernel.TrailQuery{Start: trailT0.Add(time.Second), End: trailT0.Add(time.Second)}, "e3,e2"},
		{"a time range and an attribute", kernel.TrailQuery{Start: trailT0, End: trailT0.Add(time.Minute), Key: kernel.AttrUsername, Value: "root"}, "e3,e1"},
		{"limit", kernel.TrailQuery{Limit: 2}, "e4,e3"},
		{"after", kernel.TrailQuery{After: seqOf(t, s, "e3")}, "e2,e1"},
		{"after, with a tie", kernel.TrailQuery{After: seqOf(t, s, "e2")}, "e1"},
		{"after and limit", kernel.TrailQuery{After: seqOf(t, s, "e4"), Limit: 2}, "e3,e2"},
		{"after and an attribute", kernel.TrailQuery{After: seqOf(t, s, "e4"), Key: kernel.AttrUsername, Value: "root"}, "e3,e1"},
	}
	for _, tt := range tests {
		if got := ids(lookup(t, s, tt.q)); got != tt.want {
			t.Errorf("LookupEvents, %s: got %q, want %q", tt.name, got, tt.want)
		}
	}

	// Paging one at a time walks the whole history once.
	var pages []string
	for after := int64(0); ; {
		page := lookup(t, s, kernel.TrailQuery{After: after, Limit: 1})
		if len(page) == 0 || len(pages) > 10 {
			break
		}
		pages, after = append(pages, page[0].ID), page[0].Seq
	}
	if got := strings.Join(pages, ","); got != "e4,e3,e2,e1" {
		t.Errorf("paging with Limit 1: got %s, want e4,e3,e2,e1", got)
	}
}

func seqOf(t *testing.T, s Stores, id string) int64 {
	t.Helper()
	evs := lookup(t, s, kernel.TrailQuery{Key: kernel.AttrEventID, Value: id})
	if len(evs) != 1 {
		t.Fatalf("LookupEvents of %s: got %d events, want 1", id, len(evs))
	}
	return evs[0].Seq
}

// testTrailAppendEvents: a batch is written in its order, after what was
// written before it.
func testTrailAppendEvents(t *testing.T, s Stores) {
	skipUnless(t, s.Trail != nil, "trail store")
	appendEvents(t, s, trailEvent("a0", trailAcct, trailT0))
	batch := []kernel.TrailEvent{trailEvent("b1", trailAcct, trailT0), trailEvent("b2", trailAcct, trailT0), trailEvent("b3", trailAcct, trailT0)}
	if err := s.Trail.AppendEvents(t.Context(), batch); err != nil {
		t.Fatalf("AppendEvents: %v", err)
	}
	if err := s.Trail.AppendEvents(t.Context(), nil); err != nil {
		t.Errorf("AppendEvents of none: %v", err)
	}
	if got := ids(lookup(t, s, kernel.TrailQuery{})); got != "b3,b2,b1,a0" {
		t.Errorf("LookupEvents: got %s, want b3,b2,b1,a0", got)
	}
}

// testTrailReplace: a replaced event keeps its sequence and position; its
// columns and record change.
func testTrailReplace(t *testing.T, s Stores) {
	skipUnless(t, s.Trail != nil, "trail store")
	e2 := trailEvent("e2", trailAcct, trailT0)
	e2.Username, e2.Resources = "alice", []kernel.TrailResource{{Type: "AWS::IAM::User", Name: "old"}}
	appendEvents(t, s, trailEvent("e1", trailAcct, trailT0), e2, trailEvent("e3", trailAcct, trailT0))
	seq := seqOf(t, s, "e2")
	replaced := kernel.TrailEvent{ID: "e2", Account: trailAcct, Time: trailT0, Name: "ListUsers", Source: "iam.amazonaws.com",
		Username: "bob", AccessKeyID: "AKID9", ReadOnly: true, Resources: []kernel.TrailResource{{Type: "AWS::IAM::Role", Name: "new"}},
		Record: []byte(`{"errorCode":"AccessDenied"}`)}
	if err := s.Trail.ReplaceEvent(t.Context(), replaced); err != nil {
		t.Fatalf("ReplaceEvent: %v", err)
	}
	if got := ids(lookup(t, s, kernel.TrailQuery{})); got != "e3,e2,e1" {
		t.Errorf("LookupEvents after a replace: got %s, want e3,e2,e1", got)
	}
	replaced.Seq = seq
	got := lookup(t, s, kernel.TrailQuery{Key: kernel.AttrResourceName, Value: "new"})
	if len(got) != 1 {
		t.Fatalf("LookupEvents of the new resource: got %d events, want 1", len(got))
	}
	wantEqual(t, "replaced event", &got[0], &replaced)
	if got := ids(lookup(t, s, kernel.TrailQuery{Key: kernel.AttrUsername, Value: "alice"})); got != "" {
		t.Errorf("LookupEvents of the replaced username: got %s, want none", got)
	}
	// A replacement with the same lookup values and a new record (the
	// response elements STS adds after its answer): every lookup finds
	// it, with the new record.
	again := replaced
	again.Record = []byte(`{"responseElements":{"credentials":{}}}`)
	if err := s.Trail.ReplaceEvent(t.Context(), again); err != nil {
		t.Fatalf("ReplaceEvent with the same values: %v", err)
	}
	for _, q := range []kernel.TrailQuery{{}, {Key: kernel.AttrUsername, Value: "bob"}, {Key: kernel.AttrEventName, Value: "ListUsers"},
		{Key: kernel.AttrResourceName, Value: "new"}, {Key: kernel.AttrAccessKeyID, Value: "AKID9"}, {Key: kernel.AttrEventID, Value: "e2"}} {
		var found *kernel.TrailEvent
		for _, ev := range lookup(t, s, q) {
			if ev.ID == "e2" {
				found = &ev
			}
		}
		if found == nil {
			t.Errorf("LookupEvents %v after a replace with the same values: e2 not found", q)
			continue
		}
		wantEqual(t, "event replaced with the same values", found, &again)
	}
	err := s.Trail.ReplaceEvent(t.Context(), trailEvent("nope", trailAcct, trailT0))
	wantNotFound(t, "ReplaceEvent of a missing event", err)
}

// testTrailPurge: PurgeEvents deletes the events older than its time (not
// those at it) and counts them.
func testTrailPurge(t *testing.T, s Stores) {
	skipUnless(t, s.Trail != nil, "trail store")
	putAccounts(t, s.Account, newAccount(1), newAccount(2)) // records belong to accounts that exist
	before := trailT0
	appendEvents(t, s,
		trailEvent("old1", trailAcct, before.Add(-48*time.Hour)),
		trailEvent("old2", trailAcct, before.Add(-time.Second)),
		trailEvent("at", trailAcct, before),
		trailEvent("new", trailAcct, before.Add(time.Hour)),
		trailEvent("other-old", otherAcct, before.Add(-72*time.Hour)),
		trailEvent("other-new", otherAcct, before.Add(72*time.Hour)),
	)
	if n, err := s.Trail.PurgeEvents(t.Context(), before); err != nil || n != 3 {
		t.Errorf("PurgeEvents: got %d, %v, want 3", n, err)
	}
	if got := ids(lookup(t, s, kernel.TrailQuery{})); got != "new,at" {
		t.Errorf("LookupEvents after a purge: got %s, want new,at", got)
	}
	if got := ids(lookup(t, s, kernel.TrailQuery{Account: otherAcct})); got != "other-new" {
		t.Errorf("LookupEvents of the other account after a purge: got %s, want other-new", got)
	}
	if n, err := s.Trail.PurgeEvents(t.Context(), before); err != nil || n != 0 {
		t.Errorf("second PurgeEvents: got %d, %v, want 0", n, err)
	}
}

// testTrailEventIDUnique: an event id is written once; a batch that
// repeats one fails, and the event keeps its record.
func testTrailEventIDUnique(t *testing.T, s Stores) {
	skipUnless(t, s.Trail != nil, "trail store")
	first := trailEvent("e1", trailAcct, trailT0)
	appendEvents(t, s, first)
	dup := trailEvent("e1", otherAcct, trailT0.Add(time.Hour))
	dup.Record = []byte(`{"duplicate":true}`)
	if err := s.Trail.AppendEvent(t.Context(), dup); err == nil {
		t.Error("AppendEvent of a duplicate id: got nil error, want one")
	}
	if err := s.Trail.AppendEvents(t.Context(), []kernel.TrailEvent{trailEvent("e2", trailAcct, trailT0), dup}); err == nil {
		t.Error("AppendEvents with a duplicate id: got nil error, want one")
	}
	got := lookup(t, s, kernel.TrailQuery{Key: kernel.AttrEventID, Value: "e1"})
	if len(got) != 1 || string(got[0].Record) != string(first.Record) {
		t.Errorf("e1 after duplicates: got %+v, want the first one", got)
	}
	if got := ids(lookup(t, s, kernel.TrailQuery{Account: otherAcct})); got != "" {
		t.Errorf("the other account's history after duplicates: got %s, want none", got)
	}
}

// tags returns the tags of the events' records (`{"tag":"r1"}`: r1),
// comma-separated: the store replaces the ids of reads' records.
func tags(evs []kernel.TrailEvent) string {
	s := make([]string, len(evs))
	for i, e := range evs {
		rec := string(e.Record)
		if at := strings.Index(rec, `"tag":"`); at >= 0 {
			rec = rec[at+len(`"tag":"`):]
			rec = rec[:strings.IndexByte(rec, '"')]
		}
		s[i] = rec
	}
	return strings.Join(s, ",")
}

// testTrailLookupReadsAndChanges: the records of reads, which the server
// appends in batches that let the store make their ids (StoreID), and
// the records of changes, each written on its own, are found together by
// every attribute, newest first, and page together.
func testTrailLookupReadsAndChanges(t *testing.T, s Stores) {
	skipUnless(t, s.Trail != nil, "trail store")
	ev := func(tag string, acct identity.AccountID, sec int, name, source, user, key string, read bool, res ...kernel.TrailResource) kernel.TrailEvent {
		return kernel.TrailEvent{ID: "id-" + tag, Account: acct, Time: trailT0.Add(time.Duration(sec) * time.Second), Name: name, Source: source,
			Username: user, AccessKeyID: key, ReadOnly: read, Resources: res, StoreID: read,
			Record: []byte(`{"eventID":"id-` + tag + `","tag":"` + tag + `"}`)}
	}
	bob := kernel.TrailResource{Type: "AWS::IAM::User", Name: "bob"}
	const acctSrc, iamSrc = "account.amazonaws.com", "iam.amazonaws.com"
	reads1 := []kernel.TrailEvent{
		ev("r1", trailAcct, 0, "GetAlternateContact", acctSrc, "root", "AKID1", true),
		ev("r2", otherAcct, 0, "GetAlternateContact", acctSrc, "root", "AKID1", true),
		ev("r3", trailAcct, 1, "GetUser", iamSrc, "alice", "AKID2", true, bob),
	}
	w1 := ev("w1", trailAcct, 1, "PutAlternateContact", acctSrc, "root", "AKID1", false)
	reads2 := []kernel.TrailEvent{
		ev("r4", trailAcct, 2, "GetAlternateContact", acctSrc, "alice", "AKID2", true),
		ev("r5", otherAcct, 2, "ListRegions", acctSrc, "carol", "AKID3", true),
	}
	w2 := ev("w2", trailAcct, 3, "CreateUser", iamSrc, "root", "AKID1", false, bob)
	for _, step := range [][]kernel.TrailEvent{reads1, {w1}, reads2, {w2}} {
		if err := s.Trail.AppendEvents(t.Context(), step); err != nil {
			t.Fatalf("AppendEvents: %v", err)
		}
	}
	at := func(sec int) time.Time { return trailT0.Add(time.Duration(sec) * time.Second) }
	tests := []struct {
		name string
		q    kernel.TrailQuery
		want string
	}{
		{"all", kernel.TrailQuery{}, "w2,r4,w1,r3,r1"},
		{"another account", kernel.TrailQuery{Account: otherAcct}, "r5,r2"},
		{"event name", kernel.TrailQuery{Key: kernel.AttrEventName, Value: "GetAlternateContact"}, "r4,r1"},
		{"event name of another account", kernel.TrailQuery{Account: otherAcct, Key: kernel.AttrEventName, Value: "ListRegions"}, "r5"},
		{"event name of a change", kernel.TrailQuery{Key: kernel.AttrEventName, Value: "CreateUser"}, "w2"},
		{"an event name nobody called", kernel.TrailQuery{Key: kernel.AttrEventName, Value: "CloseAccount"}, ""},
		{"an event name only another account's history has", kernel.TrailQuery{Key: kernel.AttrEventName, Value: "ListRegions"}, ""},
		{"username", kernel.TrailQuery{Key: kernel.AttrUsername, Value: "root"}, "w2,w1,r1"},
		{"access key", kernel.TrailQuery{Key: kernel.AttrAccessKeyID, Value: "AKID2"}, "r4,r3"},
		{"event source", kernel.TrailQuery{Key: kernel.AttrEventSource, Value: acctSrc}, "r4,w1,r1"},
		{"another event source", kernel.TrailQuery{Key: kernel.AttrEventSource, Value: iamSrc}, "w2,r3"},
		{"read only", kernel.TrailQuery{Key: kernel.AttrReadOnly, Value: "true"}, "r4,r3,r1"},
		{"writes", kernel.TrailQuery{Key: kernel.AttrReadOnly, Value: "false"}, "w2,w1"},
		{"resource name", kernel.TrailQuery{Key: kernel.AttrResourceName, Value: "bob"}, "w2,r3"},
		{"resource type", kernel.TrailQuery{Key: kernel.AttrResourceType, Value: "AWS::IAM::User"}, "w2,r3"},
		{"a time range and an attribute", kernel.TrailQuery{Start: at(1), End: at(2), Key: kernel.AttrEventSource, Value: acctSrc}, "r4,w1"},
		{"a time range and an attribute of reads", kernel.TrailQuery{Start: at(1), End: at(2), Key: kernel.AttrReadOnly, Value: "true"}, "r4,r3"},
		{"limit and an attribute", kernel.TrailQuery{Limit: 2, Key: kernel.AttrEventSource, Value: acctSrc}, "r4,w1"},
	}
	for _, tt := range tests {
		if got := tags(lookup(t, s, tt.q)); got != tt.want {
			t.Errorf("LookupEvents, %s: got %q, want %q", tt.name, got, tt.want)
		}
	}

	// Pages of one, by an attribute, walk reads and changes once each.
	for _, q := range []kernel.TrailQuery{
		{Key: kernel.AttrUsername, Value: "root"},
		{Key: kernel.AttrEventSource, Value: acctSrc},
		{},
	} {
		want := tags(lookup(t, s, q))
		var pages []string
		for after := int64(0); len(pages) < 10; {
			page := q
			page.After, page.Limit = after, 1
			got := lookup(t, s, page)
			if len(got) == 0 {
				break
			}
			pages, after = append(pages, tags(got)), got[0].Seq
		}
		if got := strings.Join(pages, ","); got != want {
			t.Errorf("paging %+v one at a time: got %s, want %s", q, got, want)
		}
	}

	// A read's record is found by the id the store gave it; a change's
	// keeps its own.
	all := lookup(t, s, kernel.TrailQuery{})
	for _, e := range all {
		got := lookup(t, s, kernel.TrailQuery{Key: kernel.AttrEventID, Value: e.ID})
		if tags(got) != tags([]kernel.TrailEvent{e}) {
			t.Errorf("LookupEvents by the id %s of %s: got %q", e.ID, tags([]kernel.TrailEvent{e}), tags(got))
		}
	}
	if got := tags(lookup(t, s, kernel.TrailQuery{Key: kernel.AttrEventID, Value: "id-w1"})); got != "w1" {
		t.Errorf("LookupEvents by a change's own id: got %q, want w1", got)
	}

	// Purging what is older than 1 s rewrites the first block of reads
	// without r1 and r2; lookups by attribute find what is left.
	if n, err := s.Trail.PurgeEvents(t.Context(), at(1)); err != nil || n != 2 {
		t.Fatalf("PurgeEvents: got %d, %v, want 2", n, err)
	}
	for _, tt := range []struct {
		q    kernel.TrailQuery
		want string
	}{
		{kernel.TrailQuery{}, "w2,r4,w1,r3"},
		{kernel.TrailQuery{Account: otherAcct}, "r5"},
		{kernel.TrailQuery{Key: kernel.AttrUsername, Value: "alice"}, "r4,r3"},
		{kernel.TrailQuery{Key: kernel.AttrEventName, Value: "GetAlternateContact"}, "r4"},
		{kernel.TrailQuery{Account: otherAcct, Key: kernel.AttrEventName, Value: "GetAlternateContact"}, ""},
		{kernel.TrailQuery{Key: kernel.AttrResourceName, Value: "bob"}, "w2,r3"},
	} {
		if got := tags(lookup(t, s, tt.q)); got != tt.want {
			t.Errorf("LookupEvents %+v after a purge: got %q, want %q", tt.q, got, tt.want)
		}
	}
}
