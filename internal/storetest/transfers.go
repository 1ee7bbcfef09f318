package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// transferTests are RunOrganizations' cases for accounts' partitions and
// GovCloud pairs, responsibility transfers and policy type changes.
var transferTests = []test{
	{"Organizations/PartitionAndGovCloudPair", onOrgs(testAccountPartition)},
	{"Organizations/CreateAccountStatusGovCloud", onOrgs(testCARGovCloud)},
	{"Organizations/TransferPutGet", onOrgs(testTransferPutGet)},
	{"Organizations/TransferByHandshake", onOrgs(testTransferByHandshake)},
	{"Organizations/TransferListByAccountOrEmail", onOrgs(testTransfersList)},
	{"Organizations/TransferDeletedWithOrganization", onOrgs(testTransferDeleteOrg)},
	{"Organizations/PolicyTypeChangePutListReplace", onOrgs(testPolicyTypeChanges)},
}

// onOrgs runs a test of the Organizations view.
func onOrgs(fn func(t *testing.T, s organizations.Store)) func(t *testing.T, s Stores) {
	return func(t *testing.T, s Stores) {
		skipUnless(t, s.Organizations != nil, "Organizations view")
		fn(t, s.Organizations)
	}
}

func orgUpdate(t *testing.T, s organizations.Store, fn func(ctx context.Context, tx organizations.Tx) error) {
	t.Helper()
	update(t, s, fn)
}

// orgRead runs read in a View and returns its result and error.
func orgRead[T any](t *testing.T, s organizations.Store, read func(ctx context.Context, tx organizations.Tx) (T, error)) (v T, err error) {
	t.Helper()
	view(t, s, func(ctx context.Context, tx organizations.Tx) error {
		v, err = read(ctx, tx)
		return nil
	})
	return v, err
}

// orgList is orgRead for a read that must succeed.
func orgList[T any](t *testing.T, s organizations.Store, what string, read func(ctx context.Context, tx organizations.Tx) (T, error)) T {
	t.Helper()
	v, err := orgRead(t, s, read)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func transferID(org, n int) organizations.TransferID {
	return organizations.TransferID(fmt.Sprintf("rt-%04d%04d", org, n))
}

func newTransfer(org, n int, at time.Time) *organizations.Transfer {
	return &organizations.Transfer{
		ID: transferID(org, n), Type: organizations.TransferBilling, Name: fmt.Sprintf("transfer %d", n),
		Status: organizations.TransferRequested, Handshake: handshakeID(org, n),
		TargetOrg: orgID(org), TargetAccount: accountID(org), TargetEmail: fmt.Sprintf("mgmt%d@example.com", org),
		SourceAccount: accountID(500 + n), SourceEmail: fmt.Sprintf("Source%d@Example.com", n), SourceOrg: "",
		StartAt: time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC), EndAt: time.Time{},
		ExpiresAt: after(at, 15*24*time.Hour), RequestedAt: at, UpdatedAt: after(at, time.Nanosecond),
	}
}

func testAccountPartition(t *testing.T, s organizations.Store) {
	com, gov := newAccount(1), newAccount(2)
	gov.Partition = kernel.PartitionGovCloud
	com.GovCloudAccount = gov.ID
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		for _, a := range []*kernel.Account{com, gov} {
			if err := tx.PutAccount(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	for _, want := range []*kernel.Account{com, gov} {
		got, err := orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*kernel.Account, error) {
			return tx.Account(ctx, want.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "Account "+string(want.ID), got, want)
	}
}

func testCARGovCloud(t *testing.T, s organizations.Store) {
	car := createAccountStatuses.at(1, 1)
	st := &car
	st.GovCloudAccount = accountID(900)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutCreateAccountStatus(ctx, st) })
	got := orgList(t, s, "CreateAccountStatus", func(ctx context.Context, tx organizations.Tx) (*organizations.CreateAccountStatus, error) {
		return tx.CreateAccountStatus(ctx, st.ID)
	})
	wantEqual(t, "CreateAccountStatus", got, st)
}

func testTransferPutGet(t *testing.T, s organizations.Store) {
	_, err := orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.Transfer, error) {
		return tx.Transfer(ctx, transferID(1, 1))
	})
	wantNotFound(t, "Transfer of an empty store", err)
	want := newTransfer(1, 1, t0)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutTransfer(ctx, want) })
	got := orgList(t, s, "Transfer", func(ctx context.Context, tx organizations.Tx) (*organizations.Transfer, error) {
		return tx.Transfer(ctx, want.ID)
	})
	wantEqual(t, "Transfer", got, want)

	// Replace every mutable member.
	want.Name, want.Status, want.SourceOrg = "renamed", organizations.TransferWithdrawn, orgID(7)
	want.SourceAccount, want.SourceEmail = accountID(600), "other@example.com"
	want.EndAt, want.UpdatedAt = time.Date(2030, 3, 31, 23, 59, 59, 999e6, time.UTC), t0.Add(time.Hour)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutTransfer(ctx, want) })
	got = orgList(t, s, "Transfer", func(ctx context.Context, tx organizations.Tx) (*organizations.Transfer, error) {
		return tx.Transfer(ctx, want.ID)
	})
	wantEqual(t, "Transfer after replace", got, want)
}

func testTransferByHandshake(t *testing.T, s organizations.Store) {
	a, b := newTransfer(1, 1, t0), newTransfer(1, 2, t0)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		if err := tx.PutTransfer(ctx, a); err != nil {
			return err
		}
		return tx.PutTransfer(ctx, b)
	})
	got := orgList(t, s, "TransferByHandshake", func(ctx context.Context, tx organizations.Tx) (*organizations.Transfer, error) {
		return tx.TransferByHandshake(ctx, b.Handshake)
	})
	wantEqual(t, "TransferByHandshake", got, b)
	_, err := orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.Transfer, error) {
		return tx.TransferByHandshake(ctx, handshakeID(9, 9))
	})
	wantNotFound(t, "TransferByHandshake of another handshake", err)
}

func testTransfersList(t *testing.T, s organizations.Store) {
	// Target accountID(1) sends three; the second is by email only; the
	// first is received by accountID(501).
	first, second, third := newTransfer(1, 1, t0.Add(2*time.Hour)), newTransfer(1, 2, t0), newTransfer(1, 3, t0)
	second.SourceAccount = ""
	other := newTransfer(2, 4, t0)
	other.SourceAccount = accountID(1) // accountID(1) is this one's source
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		for _, r := range []*organizations.Transfer{first, second, third, other} {
			if err := tx.PutTransfer(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	list := func(id identity.AccountID, email string) []organizations.Transfer {
		return orgList(t, s, "Transfers", func(ctx context.Context, tx organizations.Tx) ([]organizations.Transfer, error) {
			return tx.Transfers(ctx, id, email)
		})
	}
	ids := func(ts []organizations.Transfer) []organizations.TransferID {
		out := []organizations.TransferID{}
		for _, r := range ts {
			out = append(out, r.ID)
		}
		return out
	}
	// Oldest first, then by id: second and third share a time.
	wantEqual(t, "Transfers of the target and source accountID(1)", ids(list(accountID(1), "")),
		[]organizations.TransferID{second.ID, third.ID, other.ID, first.ID})
	wantEqual(t, "Transfers of accountID(501)", ids(list(accountID(501), "")), []organizations.TransferID{first.ID})
	wantEqual(t, "Transfers by email, any case", ids(list("", "source2@EXAMPLE.com")), []organizations.TransferID{second.ID})
	wantEqual(t, "Transfers by account or email", ids(list(accountID(503), "source2@example.com")),
		[]organizations.TransferID{second.ID, third.ID})
	wantEqual(t, "Transfers of nothing", len(list("", "")), 0)
}

func testTransferDeleteOrg(t *testing.T, s organizations.Store) {
	kept, gone := newTransfer(2, 1, t0), newTransfer(1, 1, t0)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		for _, o := range []int{1, 2} {
			if err := tx.PutOrganization(ctx, newOrg(o)); err != nil {
				return err
			}
		}
		if err := tx.PutTransfer(ctx, kept); err != nil {
			return err
		}
		if err := tx.PutTransfer(ctx, gone); err != nil {
			return err
		}
		return tx.PutPolicyTypeChange(ctx, &organizations.PolicyTypeChange{Org: orgID(1), Type: organizations.SCP, Enable: true, DueAt: t0})
	})
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOrganization(ctx, orgID(1)) })
	_, err := orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.Transfer, error) {
		return tx.Transfer(ctx, gone.ID)
	})
	wantNotFound(t, "Transfer of a deleted organization", err)
	if _, err := orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.Transfer, error) {
		return tx.Transfer(ctx, kept.ID)
	}); err != nil {
		t.Errorf("Transfer of another organization: %v", err)
	}
	changes := orgList(t, s, "PolicyTypeChanges", func(ctx context.Context, tx organizations.Tx) ([]organizations.PolicyTypeChange, error) {
		return tx.PolicyTypeChanges(ctx, orgID(1))
	})
	wantEqual(t, "PolicyTypeChanges of a deleted organization", len(changes), 0)
}

func testPolicyTypeChanges(t *testing.T, s organizations.Store) {
	tag := organizations.PolicyTypeChange{Org: orgID(1), Type: "TAG_POLICY", Enable: true, DueAt: t0}
	scp := organizations.PolicyTypeChange{Org: orgID(1), Type: organizations.SCP, Enable: true, DueAt: t0.Add(time.Second)}
	elsewhere := organizations.PolicyTypeChange{Org: orgID(2), Type: organizations.SCP, Enable: false, DueAt: t0}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		for _, c := range []*organizations.PolicyTypeChange{&tag, &scp, &elsewhere} {
			if err := tx.PutPolicyTypeChange(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	list := func() []organizations.PolicyTypeChange {
		return orgList(t, s, "PolicyTypeChanges", func(ctx context.Context, tx organizations.Tx) ([]organizations.PolicyTypeChange, error) {
			return tx.PolicyTypeChanges(ctx, orgID(1))
		})
	}
	wantEqual(t, "PolicyTypeChanges sorted by type", list(), []organizations.PolicyTypeChange{scp, tag})
	scp.Enable, scp.DueAt = false, t0.Add(time.Minute)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutPolicyTypeChange(ctx, &scp) })
	wantEqual(t, "PolicyTypeChanges after a replace", list(), []organizations.PolicyTypeChange{scp, tag})
}
