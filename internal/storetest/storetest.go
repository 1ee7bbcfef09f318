// Package storetest is the conformance suite of the store backends. Every
// backend's tests call [Run] with a function that opens a fresh, empty store
// and returns its views ([Stores]), so that sqlite, postgres and any later
// backend are held to one behaviour: the contract of [kernel.Store] with
// each domain's Tx (account, organizations, iam and the event bus's
// [kernel.BusTx]), the CloudTrail event history ([TrailStore]), the unit
// of work's [kernel.BeforeCommit] hook, and the optional capabilities
// declared here ([CredentialStore], [EmptyReporter]).
//
// The records of the domains' Tx are described once each (see kind.go)
// and run through one generic set of checks: put and get, not found,
// replace, delete, list order, rollback, read-only views and time
// round-trips. What a kind's description cannot say (secondary lookups,
// uniqueness, cascades) has tests of its own.
//
// Beyond the interfaces' comments, the suite holds backends to:
//   - Times round-trip exactly: same instant (time.Time.Equal) to the
//     nanosecond, read back in UTC, and the zero time stays zero.
//   - Getters, and the Delete and Remove methods, of absent rows return an
//     error wrapping kernel.ErrNotFound, except DeleteOrganization, which may
//     also succeed; lists of nothing are empty, not an error.
//   - Put methods replace the whole record (lists, tags and versions
//     included, in their order); PutAttachment and AddGroupMember of an
//     existing row keep one.
//   - Lists come in the order their Tx states (see each kind's order).
//   - IAM names (users, groups, roles, managed and inline policies, and the
//     owner, user and group arguments that refer to them) match in any case
//     and are read back as written; a Put whose name differs from a stored
//     one only in case replaces it. Other ids, ARNs and aliases match
//     exactly.
//   - Uniqueness: an account email (in any case) belongs to one account; a
//     managed policy name to one ARN of its account and an alias to one
//     account (iam.ErrExists); a CloudTrail event id to one event.
//   - Update is serializable: read-then-write transactions racing on one
//     row lose no update, and a check-then-insert inserts once.
//   - A store does not commit a transaction whose context ended before the
//     commit.
//
// It is imported only by the backends' _test files. It imports only the
// standard library, kernel, account, organizations, iam and identity.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// Stores is the store under test, as the views the domains use. Every view
// is of one database: what one writes, the others read, and each view's
// Update is a transaction of that database. Account is required; the tests
// of a nil view or capability are skipped.
type Stores struct {
	Account       account.Store
	Organizations organizations.Store
	IAM           iam.Store
	// Events is the event bus's store.
	Events kernel.Store[kernel.BusTx]
	// Trail is the CloudTrail event history.
	Trail TrailStore
	// Outbox lists the messages AddMessage writes.
	Outbox kernel.Outbox
	// Credentials is where the SigV4 verifier finds access keys: the keys
	// the IAM Tx writes.
	Credentials CredentialStore
	Empty       EmptyReporter
	// SetBeforeCommit installs the unit of work that runs in every write
	// transaction of every view (see [kernel.BeforeCommit]). The trail
	// store's own writes may or may not run it.
	SetBeforeCommit func(kernel.BeforeCommit)
}

// TrailStore is the CloudTrail event history. A change's record is written
// in the change's transaction (kernel.TrailTx, through the BeforeCommit
// hook); the others with AppendEvent.
type TrailStore interface {
	// AppendEvent writes ev in a transaction of its own.
	AppendEvent(ctx context.Context, ev kernel.TrailEvent) error
	// AppendEvents writes events in order, in one transaction.
	AppendEvents(ctx context.Context, evs []kernel.TrailEvent) error
	// ReplaceEvent replaces the stored event with ev's id, keeping its
	// sequence; the error wraps kernel.ErrNotFound if there is none.
	ReplaceEvent(ctx context.Context, ev kernel.TrailEvent) error
	// PurgeEvents deletes the events older than before (at least those of
	// the accounts that exist) and returns how many.
	PurgeEvents(ctx context.Context, before time.Time) (int64, error)
	// LookupEvents returns the events q selects (see [kernel.TrailQuery]),
	// newest first, events of the same time in the reverse of the order
	// they were written. The ReadOnly attribute's value is "true" or
	// "false".
	LookupEvents(ctx context.Context, q kernel.TrailQuery) ([]kernel.TrailEvent, error)
}

// CredentialStore is implemented by stores that keep access keys for the
// SigV4 verifier.
type CredentialStore interface {
	// PutAccessKey stores k, replacing the key with the same ID.
	PutAccessKey(ctx context.Context, k identity.AccessKey) error
	// AccessKey returns the key id; the error wraps kernel.ErrNotFound if
	// there is none.
	AccessKey(ctx context.Context, id string) (identity.AccessKey, error)
}

// EmptyReporter is implemented by stores that can tell whether they hold no
// account yet.
type EmptyReporter interface {
	Empty(ctx context.Context) (bool, error)
}

// test is one test of the suite, on a fresh store.
type test struct {
	name string
	fn   func(t *testing.T, s Stores)
}

// Run runs the suite. open must return a new, empty store for each call and
// close it with t.Cleanup. Subtests run in parallel.
func Run(t *testing.T, open func(t *testing.T) Stores) {
	for _, d := range domains() {
		for _, k := range d.kinds {
			t.Run(d.name+"/"+k.kindName(), func(t *testing.T) {
				t.Parallel()
				k.run(t, open(t))
			})
		}
	}
	var tests []test
	for _, ts := range [][]test{accountTests, orgTests, orgPolicyTests, transferTests, iamTests, busTests, trailTests, hookTests, txTests} {
		tests = append(tests, ts...)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

// domain is the record kinds of one domain's Tx.
type domain struct {
	name  string
	kinds []recordSuite
}

func domains() []domain {
	return []domain{
		{"Account", suites(accountKinds())},
		{"Organizations", suites(orgKinds())},
		{"IAM", suites(iamKinds())},
	}
}

func suites[Tx any](ks []sampler[Tx]) []recordSuite {
	out := make([]recordSuite, len(ks))
	for i, k := range ks {
		out[i] = k
	}
	return out
}

// errBoom is the error callbacks return to force a rollback.
var errBoom = errors.New("storetest: boom")

// boom is the value callbacks panic with to force a rollback.
type boom struct{ n int }

// t0 is a fixed instant with nanoseconds, so precision loss shows.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// specialTimes are the times every record's time fields must round-trip.
var specialTimes = []struct {
	name string
	at   time.Time
}{
	{"nanoseconds", t0},
	{"zero", time.Time{}},
	{"now with a monotonic reading", time.Now()},
	{"another zone", time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.FixedZone("IST", 5*3600+1800))},
	{"before 1970", time.Date(1969, 7, 20, 20, 17, 40, 1, time.UTC)},
	{"year 2200", time.Date(2200, 12, 31, 23, 59, 59, 999999999, time.UTC)},
	{"epoch", time.Unix(0, 0).UTC()},
}

// accountID returns the n-th test account id.
func accountID(n int) identity.AccountID {
	return identity.AccountID(fmt.Sprintf("%012d", 111111111111+n))
}

// newAccount returns the n-th test account.
func newAccount(n int) *kernel.Account {
	return &kernel.Account{
		ID:            accountID(n),
		Name:          fmt.Sprintf("account %d", n),
		Email:         fmt.Sprintf("owner%d@example.com", n),
		State:         kernel.StateActive,
		CreatedAt:     t0.Add(time.Duration(n) * time.Hour),
		PaymentMethod: true,
	}
}

// jumble(n) for n in 1..10 is a permutation of 1..10 that is neither n's
// order nor its reverse: records numbered by it list in another order than
// they are put in.
func jumble(n int) int { return 1 + (7*n)%11 }

// update runs fn in an Update of st, which must succeed.
func update[Tx any](t *testing.T, st kernel.Store[Tx], fn func(ctx context.Context, tx Tx) error) {
	t.Helper()
	if err := st.Update(t.Context(), func(tx Tx) error { return fn(t.Context(), tx) }); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in a View of st, which must succeed.
func view[Tx any](t *testing.T, st kernel.Store[Tx], fn func(ctx context.Context, tx Tx) error) {
	t.Helper()
	if err := st.View(t.Context(), func(tx Tx) error { return fn(t.Context(), tx) }); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// read runs read in a View of st and returns its result and error (the
// View itself must succeed).
func read[Tx, T any](t *testing.T, st kernel.Store[Tx], read func(ctx context.Context, tx Tx) (T, error)) (v T, err error) {
	t.Helper()
	view(t, st, func(ctx context.Context, tx Tx) error {
		v, err = read(ctx, tx)
		return nil
	})
	return v, err
}

// mustRead is read for a read that must succeed.
func mustRead[Tx, T any](t *testing.T, st kernel.Store[Tx], what string, rd func(ctx context.Context, tx Tx) (T, error)) T {
	t.Helper()
	v, err := read(t, st, rd)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// write runs fn in an Update of st and returns its error.
func write[Tx any](t *testing.T, st kernel.Store[Tx], fn func(ctx context.Context, tx Tx) error) error {
	t.Helper()
	return st.Update(t.Context(), func(tx Tx) error { return fn(t.Context(), tx) })
}

// updatePanics runs fn, which panics, in an Update of st and returns the
// value Update re-panicked with (nil: it did not).
func updatePanics[Tx any](t *testing.T, st kernel.Store[Tx], fn func(ctx context.Context, tx Tx)) (recovered any) {
	t.Helper()
	defer func() { recovered = recover() }()
	_ = st.Update(t.Context(), func(tx Tx) error {
		fn(t.Context(), tx)
		return nil
	})
	return nil
}

// wantNotFound fails t unless err wraps kernel.ErrNotFound.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, kernel.ErrNotFound) {
		t.Errorf("%s: got error %v, want kernel.ErrNotFound", what, err)
	}
}

// wantEqual fails t unless got equals want (see diff).
func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := diff(got, want); d != "" {
		t.Errorf("%s: %s\n got: %+v\nwant: %+v", what, d, deref(got), deref(want))
	}
}

// checkRead fails t unless read returns want.
func checkRead(t *testing.T, what string, want any, read func() (any, error)) {
	t.Helper()
	got, err := read()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	wantEqual(t, what, got, want)
}

// skipUnless skips t unless the store has what the test needs.
func skipUnless(t *testing.T, has bool, what string) {
	t.Helper()
	if !has {
		t.Skipf("the store has no %s", what)
	}
}
