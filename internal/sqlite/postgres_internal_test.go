package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/generation"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/pgtest"
)

// One freshness read per request (pgrefresh.go): after Refresh, a
// request's stamps are checked without another query; a Refresh after
// another replica's commit sees it; this replica's own commit makes its
// next checks ask again, so it reads its own writes without a Refresh.
func TestPostgresRefreshOncePerRequest(t *testing.T) {
	one, other := replicasPG(t)
	one.latest.maxAge = time.Hour // the checks below are not timed
	rename, read := accountStamps(t, one)
	rename(other, "a")
	read() // the first read of accounts has the table watched
	one.Refresh()
	stamp := read()
	if stamp == nil {
		t.Fatal("no stamp for a read of a watched table")
	}
	queries := one.latest.reads.Load()
	for range 3 {
		if !stamp.Fresh() {
			t.Fatal("a stamp taken after the Refresh is not fresh")
		}
	}
	if got := one.latest.reads.Load(); got != queries {
		t.Errorf("%d sequence queries for three checks after a Refresh, want none", got-queries)
	}

	rename(other, "b") // another replica's commit, acknowledged
	one.Refresh()      // a request arriving after it
	if stamp.Fresh() {
		t.Error("after a Refresh that followed another replica's commit to accounts, a read of accounts is still fresh")
	}

	one.Refresh()
	stamp = read()
	rename(one, "c") // this replica's own commit: no Refresh before the next read
	if stamp.Fresh() {
		t.Error("after this replica's own commit to accounts, its earlier read of accounts is still fresh")
	}
}

// This replica's own commit raises its latest values to what its advance
// returned: a read of the table it wrote, made after it, is stamped and
// checked without another sequence query (the request reads its own write
// at once), while a stamp from before it is no longer fresh.
func TestPostgresOwnCommitRaisesLatest(t *testing.T) {
	one, other := replicasPG(t)
	one.latest.maxAge = time.Hour // the checks below are not timed
	rename, read := accountStamps(t, one)
	rename(other, "a")
	read() // watch accounts
	one.Refresh()
	before := read()
	rename(one, "b")
	queries := one.latest.reads.Load()
	if before.Fresh() {
		t.Error("a stamp from before this replica's own commit to accounts is still fresh")
	}
	after := read()
	if after == nil || !after.Fresh() {
		t.Fatal("a read after this replica's own commit has no fresh stamp")
	}
	if got := one.latest.reads.Load(); got != queries {
		t.Errorf("%d sequence queries to check reads after an own commit, want none (the commit's advance raised the latest values)", got-queries)
	}
	rename(other, "c")
	one.Refresh()
	if after.Fresh() {
		t.Error("after another replica's commit and a Refresh, the read after the own commit is still fresh")
	}
}

// A Refresh whose query ran before this replica's own commit finished, and
// which stores its values after it, stores them raised by that commit
// (a stamp from before the commit is not fresh with them), and still
// stores them: another replica's write acknowledged before the Refresh
// began is seen (a stamp from before that write is not fresh either).
func TestPostgresRefreshOvertakenByOwnCommit(t *testing.T) {
	ctx := context.Background()
	one, other := replicasPG(t)
	one.latest.maxAge = time.Hour
	rename, read := accountStamps(t, one)
	putContact := func() { // a commit that leaves accounts alone
		err := one.update(ctx, func(tx *tx) error {
			return tx.PutAlternateContact(ctx, "111122223333", &account.AlternateContact{Type: account.Billing, Name: "n", Title: "t", EmailAddress: "b@example.com", PhoneNumber: "1"})
		})
		if err != nil {
			t.Error(err)
		}
	}
	rename(other, "a")
	read() // watch accounts
	for _, c := range []struct {
		name          string
		otherFirst    bool   // another replica renames before the Refresh begins
		own           func() // this replica's commit, after the Refresh's query
		stampFreshMsg string
	}{
		{"own rename, after another replica's", true, func() { rename(one, "c") },
			"left a stamp from before both commits fresh"},
		{"own rename", false, func() { rename(one, "d") },
			"stored values without the own commit to accounts: a read from before it is fresh"},
		{"own contact, after another replica's rename", true, putContact,
			"lost another replica's earlier commit to accounts"},
	} {
		one.Refresh()
		stamp := read()
		if c.otherFirst {
			rename(other, "b-"+c.name) // acknowledged before the Refresh below begins
		}
		one.latest.beforeStore = func() {
			one.latest.beforeStore = nil
			c.own()
		}
		one.Refresh()
		if stamp.Fresh() {
			t.Errorf("%s: a Refresh overtaken by an own commit %s", c.name, c.stampFreshMsg)
		}
	}
}

// A commit that marks nothing (a contact's) advances its sequences in its
// own pipeline, right after COMMIT: once, without the sequences' pool, and
// the values it returns raise the latest ones.
func TestPostgresCommitAdvancesInItsPipeline(t *testing.T) {
	ctx := context.Background()
	one, _ := replicasPG(t)
	one.latest.maxAge = time.Hour
	rename, _ := accountStamps(t, one)
	rename(one, "a") // the account the contact belongs to
	put := func(name string) {
		t.Helper()
		err := one.update(ctx, func(tx *tx) error {
			return tx.PutAlternateContact(ctx, "111122223333", &account.AlternateContact{Type: account.Billing, Name: name, Title: "t", EmailAddress: "b@example.com", PhoneNumber: "1"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	read := func() generation.Stamp {
		t.Helper()
		stamp, err := one.viewStamped(ctx, func(tx *tx) error {
			_, err := tx.AlternateContact(ctx, "111122223333", account.Billing)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return stamp
	}
	sequence := func() int64 {
		t.Helper()
		var v int64
		if err := one.pgPool.QueryRow(ctx, `SELECT last_value FROM "`+tableSequence("alternate_contacts")+`"`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	put("a")
	read() // watch alternate_contacts
	one.Refresh()
	before := read()
	was, acquires := sequence(), one.seqPool.Stat().AcquireCount()
	put("b")
	if got := one.seqPool.Stat().AcquireCount(); got != acquires {
		t.Errorf("the commit took %d connections of the sequences' pool, want none (the advance rides the commit's pipeline)", got-acquires)
	}
	if got := sequence(); got != was+1 {
		t.Errorf("the table's sequence moved %d → %d, want one step", was, got)
	}
	if before.Fresh() {
		t.Error("a read from before the commit is still fresh")
	}
	queries := one.latest.reads.Load()
	if after := read(); after == nil || !after.Fresh() {
		t.Error("a read after the commit has no fresh stamp")
	}
	if got := one.latest.reads.Load(); got != queries {
		t.Errorf("%d sequence queries after the commit, want none", got-queries)
	}
}

// A Refresh that fails (the database unreachable) leaves no older values
// to serve the request: its checks ask the database, and fail, so no
// cached read is served from before the request arrived.
func TestPostgresFailedRefreshServesNothingOlder(t *testing.T) {
	dsn := pgtest.DSN(t)
	db, err := Open(context.Background(), dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.latest.maxAge = time.Hour
	rename, read := accountStamps(t, db)
	rename(db, "a")
	read() // watch accounts
	db.Refresh()
	stamp := read()
	if stamp == nil || !stamp.Fresh() {
		t.Fatal("no fresh stamp after a Refresh")
	}
	db.seqPool.Close() // the next Refresh cannot read the sequences
	db.Refresh()
	if stamp.Fresh() {
		t.Error("after a failed Refresh, a stamp was checked against the values of an earlier one")
	}
}

// accountStamps gives a test the writes and stamped reads of one account
// in db.
func accountStamps(t *testing.T, db *DB) (rename func(db *DB, name string), read func() generation.Stamp) {
	ctx := context.Background()
	const id = identity.AccountID("111122223333")
	rename = func(w *DB, name string) {
		t.Helper()
		err := w.update(ctx, func(tx *tx) error {
			return tx.PutAccount(ctx, &kernel.Account{ID: id, Name: name, Email: "a@example.com", State: kernel.StateActive})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	read = func() generation.Stamp {
		t.Helper()
		stamp, err := db.viewStamped(ctx, func(tx *tx) error {
			_, err := tx.Account(ctx, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return stamp
	}
	return rename, read
}

// SharedGeneration, which the app's caches of credentials and organization
// facts follow, moves with another replica's commit of a table those
// caches read (accounts), and not with one that wrote only tables they do
// not read (alternate contacts: most of a write-heavy load).
func TestPostgresSharedGenerationSkipsContactWrites(t *testing.T) {
	ctx := context.Background()
	one, other := replicasPG(t)
	rename, _ := accountStamps(t, one)
	rename(other, "a")
	gen := func() uint64 {
		t.Helper()
		one.Refresh()
		g, ok := one.SharedGeneration()
		if !ok {
			t.Fatal("no shared generation")
		}
		return g
	}
	before := gen()
	err := other.update(ctx, func(tx *tx) error {
		return tx.PutAlternateContact(ctx, "111122223333", &account.AlternateContact{Type: account.Billing, Name: "n", Title: "t", EmailAddress: "b@example.com", PhoneNumber: "1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := gen(); after != before {
		t.Errorf("another replica's commit of an alternate contact moved the shared generation (%x → %x)", before, after)
	}
	err = other.update(ctx, func(tx *tx) error {
		return iamTx{tx}.PutSession(ctx, &iam.Session{AccessKeyID: "ASIANEWSESSION000001", Secret: "s", Token: "t", Account: "111122223333",
			RoleName: "r", Expiration: time.Now().Add(time.Hour), IssuedAt: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := gen(); after != before {
		t.Errorf("another replica's new session moved the shared generation (%x → %x)", before, after)
	}
	rename(other, "b")
	if after := gen(); after == before {
		t.Error("another replica's commit of an account left the shared generation as it was")
	}
}

// replicasPG opens two replicas of one new PostgreSQL store, closed when
// the test ends.
func replicasPG(t *testing.T) (one, other *DB) {
	dsn := pgtest.DSN(t)
	open := func() *DB {
		db, err := Open(context.Background(), dsn, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		// The tests compare generations read apart in time: a minute's
		// step between two reads would move them without a commit.
		db.frozenEpoch.Store(1)
		return db
	}
	return open(), open()
}

// A sequence dropped under the store (a schema made anew) fails no commit
// whose advance rides the commit's pipeline: the advance, resolved after
// COMMIT, fails alone, and the sequences are made again.
func TestPostgresCommitStandsWhenItsAdvanceFails(t *testing.T) {
	ctx := context.Background()
	one, _ := replicasPG(t)
	rename, _ := accountStamps(t, one)
	rename(one, "a")
	put := func(name string) error {
		return one.update(ctx, func(tx *tx) error {
			return tx.PutAlternateContact(ctx, "111122223333", &account.AlternateContact{Type: account.Billing, Name: name, Title: "t", EmailAddress: "b@example.com", PhoneNumber: "1"})
		})
	}
	// The sequence made, and dropped before any commit's advance named it
	// (a statement pgx has not prepared yet is prepared before the batch).
	if err := one.ensureSequences(ctx, []int{one.tables.index["alternate_contacts"]}); err != nil {
		t.Fatal(err)
	}
	if _, err := one.pgPool.Exec(ctx, `DROP SEQUENCE "`+tableSequence("alternate_contacts")+`"`); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"b", "c"} {
		if err := put(name); err != nil {
			t.Fatalf("a commit whose advance failed: %v", err)
		}
	}
	var name string
	if err := one.pgPool.QueryRow(ctx, `SELECT name FROM alternate_contacts WHERE account_id = '111122223333'`).Scan(&name); err != nil || name != "c" {
		t.Errorf("stored contact %q, %v; want c", name, err)
	}
}

// ReplaceEvent runs in REPEATABLE READ on PostgreSQL (no predicate locks):
// replacements of two records of one block, made at once, both land (the
// second to update the row fails and is retried), round after round.
func TestPostgresReplaceEventsOfOneBlockAtOnce(t *testing.T) {
	ctx := context.Background()
	db, _ := replicasPG(t)
	evs := sampleRecords(2)
	evs[0].ReadOnly, evs[1].ReadOnly = false, false
	if err := db.write(ctx, func(tx *tx) error { return tx.putBlock(ctx, evs) }); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		errs := make(chan error, len(evs))
		for _, ev := range evs {
			ev.Name = fmt.Sprintf("Replaced%d", round)
			go func() { errs <- db.ReplaceEvent(ctx, ev) }()
		}
		for range evs {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		got, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: evs[0].Account, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range got {
			if e.Name != fmt.Sprintf("Replaced%d", round) {
				t.Errorf("round %d: record %s is %s: a replacement was lost", round, e.ID, e.Name)
			}
		}
		if len(got) != len(evs) {
			t.Errorf("round %d: %d records, want %d", round, len(got), len(evs))
		}
	}
}
