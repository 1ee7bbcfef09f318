package organizations_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

var errRoles = errors.New("roles: failed")

// txRoles is an organizations.Roles that records, for each role, whether
// the member it is made for is already visible in the transaction it gets
// (it must be the member's own), and fails if fail is set.
type txRoles struct {
	fail  bool
	calls []string
}

func (r *txRoles) record(ctx context.Context, tx organizations.Tx, acct identity.AccountID, role string) error {
	_, err := tx.Member(ctx, acct)
	r.calls = append(r.calls, fmt.Sprintf("%s in %s (member in tx: %v)", role, acct, err == nil))
	if r.fail {
		return errRoles
	}
	return nil
}

func (r *txRoles) AccessRole(ctx context.Context, tx organizations.Tx, acct, _ identity.AccountID, name string) error {
	return r.record(ctx, tx, acct, name)
}

func (r *txRoles) ServiceLinkedRole(ctx context.Context, tx organizations.Tx, acct identity.AccountID) error {
	return r.record(ctx, tx, acct, "AWSServiceRoleForOrganizations")
}

// TestMemberRolesCommitWithTheMember: the roles of a new member are made
// in the transaction that makes it a member, so a member never exists
// without them (a crash between two transactions used to leave one), and
// a failure to make them undoes the change.
func TestMemberRolesCommitWithTheMember(t *testing.T) {
	t.Parallel()
	roles := &txRoles{}
	w := newWorld(t, organizations.Options{Roles: roles})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)

	created := w.createMember(t, mgmt, "created")
	invited := w.signUp(t, "Invited")
	w.join(t, mgmt, invited)
	want := []string{
		fmt.Sprintf("OrganizationAccountAccessRole in %s (member in tx: true)", created.Account),
		fmt.Sprintf("AWSServiceRoleForOrganizations in %s (member in tx: true)", created.Account),
		fmt.Sprintf("AWSServiceRoleForOrganizations in %s (member in tx: true)", invited.Account),
	}
	if fmt.Sprint(roles.calls) != fmt.Sprint(want) {
		t.Errorf("roles made:\n%q\nwant\n%q", roles.calls, want)
	}

	roles.fail = true
	before := w.accountIDs(t, mgmt)
	if _, err := w.orgs.CreateAccount(w.ctx, mgmt, organizations.NewAccount{Name: "norole", Email: "norole@example.com"}); !errors.Is(err, errRoles) {
		t.Errorf("CreateAccount whose roles fail: %v, want %v", err, errRoles)
	}
	reqs, err := w.orgs.ListCreateAccountStatus(w.ctx, mgmt, nil)
	must(t, err, "ListCreateAccountStatus")
	for _, r := range reqs {
		if r.AccountName == "norole" {
			t.Errorf("the failed CreateAccount left request %s", r.ID)
		}
	}
	other := w.signUp(t, "Other")
	h := w.invite(t, mgmt, other)
	if _, err := w.orgs.AcceptHandshake(w.ctx, other, h.ID); !errors.Is(err, errRoles) {
		t.Errorf("AcceptHandshake whose roles fail: %v, want %v", err, errRoles)
	}
	got, err := w.orgs.DescribeHandshake(w.ctx, mgmt, h.ID)
	must(t, err, "DescribeHandshake")
	if st := got.StateAt(w.clk.Now()); st != organizations.HandshakeOpen {
		t.Errorf("the handshake whose acceptance failed is %s, want OPEN", st)
	}
	if after := w.accountIDs(t, mgmt); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("members after the failed changes: %v, want %v", after, before)
	}
}
