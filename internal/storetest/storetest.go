// Package storetest is the conformance suite of the store backends. Every
// backend's tests call [Run] with a function that opens a fresh, empty store,
// so that sqlite, postgres and any later backend are held to one behaviour:
// the contract of [account.Store], [account.Tx] and [kernel.Outbox], plus
// the optional capabilities declared here ([CredentialStore], [EmptyReporter]),
// which the suite discovers by type assertion. Backends that persist the
// Organizations domain also call [RunOrganizations], and those that persist
// the IAM domain [RunIAM].
//
// Times must round-trip exactly: same instant (time.Time.Equal) to the
// nanosecond, read back in UTC, and the zero time stays zero.
//
// It is imported only by the backends' _test files. It imports only the
// standard library, account, organizations, iam and identity.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

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

// Run runs the suite. open must return a new, empty store for each call and
// close it with t.Cleanup. Subtests run in parallel.
func Run(t *testing.T, open func(t *testing.T) account.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s account.Store)
	}{
		{"Account/PutGet", testAccountPutGet},
		{"Account/NotFound", testAccountNotFound},
		{"Account/Replace", testAccountReplace},
		{"Account/ByEmailIgnoresCase", testAccountByEmail},
		{"Account/ClosedAtOriginSeller", testAccountClosedOriginSeller},

		{"AlternateContact/PutGet", testAlternatePutGet},
		{"AlternateContact/Replace", testAlternateReplace},
		{"AlternateContact/Delete", testAlternateDelete},
		{"AlternateContact/DeleteAbsent", testAlternateDeleteAbsent},
		{"AlternateContact/TypeIsolation", testAlternateTypeIsolation},
		{"AlternateContact/AccountIsolation", testAlternateAccountIsolation},

		{"ContactInformation/PutGet", testContactPutGet},
		{"ContactInformation/ReplaceWholeRecord", testContactReplace},
		{"ContactInformation/NotFound", testContactNotFound},
		{"ContactInformation/AccountIsolation", testContactAccountIsolation},

		{"PhoneVerification/PutGet", testPhonePutGet},
		{"PhoneVerification/Replace", testPhoneReplace},
		{"PhoneVerification/NotFound", testPhoneNotFound},

		{"RegionOpt/PutGet", testRegionPutGet},
		{"RegionOpt/NotFound", testRegionNotFound},
		{"RegionOpt/ListSorted", testRegionListSorted},
		{"RegionOpt/ListEmpty", testRegionListEmpty},
		{"RegionOpt/Replace", testRegionReplace},
		{"RegionOpt/AccountIsolation", testRegionAccountIsolation},

		{"EmailUpdate/PutGet", testEmailUpdatePutGet},
		{"EmailUpdate/Replace", testEmailUpdateReplace},
		{"EmailUpdate/NotFound", testEmailUpdateNotFound},

		{"Outbox/NewestFirst", testOutboxNewestFirst},
		{"Outbox/NewestFirstInOneTransaction", testOutboxOneTransaction},
		{"Outbox/Limit", testOutboxLimit},
		{"Outbox/Empty", testOutboxEmpty},

		{"Time/RoundTrip", testTimeRoundTrip},

		{"Tx/ReadOwnWrites", testReadOwnWrites},
		{"Tx/RollbackOnError", testRollbackOnError},
		{"Tx/RollbackRestoresOldValues", testRollbackRestores},
		{"Tx/RollbackOnPanic", testRollbackOnPanic},
		{"Tx/UpdateCanceledContext", testUpdateCanceled},
		{"Tx/ViewReturnsError", testViewReturnsError},
		{"Tx/ViewCannotWrite", testViewCannotWrite},

		{"Concurrency/Updates", testConcurrentUpdates},
		{"Concurrency/ViewDuringUpdates", testViewDuringUpdates},

		{"Credentials/PutGet", testCredentialsPutGet},
		{"Credentials/Replace", testCredentialsReplace},
		{"Credentials/NotFound", testCredentialsNotFound},

		{"Empty", testEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

// errBoom is the error callbacks return to force a rollback.
var errBoom = errors.New("storetest: boom")

// t0 is a fixed instant with nanoseconds, so precision loss shows.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

func mustUpdate(t *testing.T, s account.Store, fn func(tx account.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func mustView(t *testing.T, s account.Store, fn func(tx account.Tx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
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

// mustSeed stores the accounts numbered ns, each in a transaction of its own.
func mustSeed(t *testing.T, s account.Store, ns ...int) {
	t.Helper()
	for _, n := range ns {
		mustUpdate(t, s, func(tx account.Tx) error { return tx.PutAccount(t.Context(), newAccount(n)) })
	}
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
