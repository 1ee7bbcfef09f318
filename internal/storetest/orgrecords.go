package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

// The per-record tests of RunOrganizations.

func getMember(t *testing.T, s organizations.Store, id identity.AccountID) (*organizations.Member, error) {
	t.Helper()
	return orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.Member, error) {
		return tx.Member(ctx, id)
	})
}

func listMembers(t *testing.T, s organizations.Store, org organizations.OrgID) []organizations.Member {
	t.Helper()
	return orgList(t, s, "Members", func(ctx context.Context, tx organizations.Tx) ([]organizations.Member, error) {
		return tx.Members(ctx, org)
	})
}

func testMemberPutGet(t *testing.T, s organizations.Store) {
	invited := newMember(1, 1)
	created := &organizations.Member{
		Account: memberID(1, 2), Org: orgID(1), Parent: string(ouID(1, 1)), Method: organizations.Created,
		JoinedAt: t0.Add(90 * time.Second),
	}
	bare := &organizations.Member{Account: memberID(1, 3), Org: orgID(1)} // zero JoinedAt, empty strings
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutMember(ctx, invited), tx.PutMember(ctx, created), tx.PutMember(ctx, bare))
	})
	for _, want := range []*organizations.Member{invited, created, bare} {
		got, err := getMember(t, s, want.Account)
		if err != nil {
			t.Fatalf("Member(%s): %v", want.Account, err)
		}
		wantEqual(t, "Member "+string(want.Account), got, want)
	}
}

func testMemberNotFound(t *testing.T, s organizations.Store) {
	_, err := getMember(t, s, memberID(1, 1))
	wantNotFound(t, "Member on an empty store", err)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutMember(ctx, newMember(1, 1)) })
	_, err = getMember(t, s, memberID(1, 2))
	wantNotFound(t, "Member of another account", err)
	if got := listMembers(t, s, orgID(2)); len(got) != 0 {
		t.Errorf("Members of an organization without any: got %d, want 0", len(got))
	}
}

// testMemberReplace moves an account to another organization: an account
// has one membership.
func testMemberReplace(t *testing.T, s organizations.Store) {
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutMember(ctx, newMember(1, 1)) })
	want := &organizations.Member{
		Account: memberID(1, 1), Org: orgID(2), Parent: string(ouID(2, 1)), Method: organizations.Created,
		JoinedAt: t0.Add(time.Hour),
	}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutMember(ctx, want) })
	got, err := getMember(t, s, want.Account)
	if err != nil {
		t.Fatalf("Member: %v", err)
	}
	wantEqual(t, "Member after replace", got, want)
	if got := listMembers(t, s, orgID(1)); len(got) != 0 {
		t.Errorf("Members of the old organization: got %d, want 0", len(got))
	}
	wantEqual(t, "Members of the new organization", listMembers(t, s, orgID(2)), []organizations.Member{*want})
}

func testMemberDelete(t *testing.T, s organizations.Store) {
	keep := newMember(1, 2)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutMember(ctx, newMember(1, 1)), tx.PutMember(ctx, keep))
	})
	del := func(id identity.AccountID) error {
		return orgDelete(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteMember(ctx, id) })
	}
	if err := del(memberID(1, 1)); err != nil {
		t.Fatalf("DeleteMember: %v", err)
	}
	_, err := getMember(t, s, memberID(1, 1))
	wantNotFound(t, "Member after delete", err)
	wantNotFound(t, "second DeleteMember", del(memberID(1, 1)))
	wantNotFound(t, "DeleteMember of an account never a member", del(memberID(1, 9)))
	wantEqual(t, "Members after delete", listMembers(t, s, orgID(1)), []organizations.Member{*keep})
}

func testMemberList(t *testing.T, s organizations.Store) {
	var want1, want2 []organizations.Member
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		// Put in descending account order, the two organizations interleaved.
		for n := 9; n >= 1; n-- {
			m1, m2 := newMember(1, n), newMember(2, n)
			if err := errors.Join(tx.PutMember(ctx, m1), tx.PutMember(ctx, m2)); err != nil {
				return err
			}
			want1 = append([]organizations.Member{*m1}, want1...)
			want2 = append([]organizations.Member{*m2}, want2...)
		}
		return nil
	})
	wantEqual(t, "Members of organization 1", listMembers(t, s, orgID(1)), want1)
	wantEqual(t, "Members of organization 2", listMembers(t, s, orgID(2)), want2)
}

func getOU(t *testing.T, s organizations.Store, id organizations.OUID) (*organizations.OU, error) {
	t.Helper()
	return orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.OU, error) { return tx.OU(ctx, id) })
}

func listOUs(t *testing.T, s organizations.Store, org organizations.OrgID) []organizations.OU {
	t.Helper()
	return orgList(t, s, "OUs", func(ctx context.Context, tx organizations.Tx) ([]organizations.OU, error) { return tx.OUs(ctx, org) })
}

func testOUPutGet(t *testing.T, s organizations.Store) {
	_, err := getOU(t, s, ouID(1, 1))
	wantNotFound(t, "OU on an empty store", err)
	top := newOU(1, 1)
	nested := &organizations.OU{ID: ouID(1, 2), Org: orgID(1), Parent: string(top.ID), Name: "Nested / ünïcode"}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutOU(ctx, top), tx.PutOU(ctx, nested))
	})
	for _, want := range []*organizations.OU{top, nested} {
		got, err := getOU(t, s, want.ID)
		if err != nil {
			t.Fatalf("OU(%s): %v", want.ID, err)
		}
		wantEqual(t, "OU "+string(want.ID), got, want)
	}
	_, err = getOU(t, s, ouID(1, 3))
	wantNotFound(t, "OU of another id", err)
}

func testOUReplace(t *testing.T, s organizations.Store) {
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutOU(ctx, newOU(1, 1)), tx.PutOU(ctx, newOU(1, 2)))
	})
	want := &organizations.OU{ID: ouID(1, 2), Org: orgID(1), Parent: string(ouID(1, 1)), Name: "renamed"}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutOU(ctx, want) })
	got, err := getOU(t, s, want.ID)
	if err != nil {
		t.Fatalf("OU: %v", err)
	}
	wantEqual(t, "OU after replace", got, want)
	wantEqual(t, "OUs after replace", listOUs(t, s, orgID(1)), []organizations.OU{*newOU(1, 1), *want})
}

func testOUDelete(t *testing.T, s organizations.Store) {
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutOU(ctx, newOU(1, 1)), tx.PutOU(ctx, newOU(1, 2)))
	})
	del := func(id organizations.OUID) error {
		return orgDelete(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOU(ctx, id) })
	}
	if err := del(ouID(1, 1)); err != nil {
		t.Fatalf("DeleteOU: %v", err)
	}
	_, err := getOU(t, s, ouID(1, 1))
	wantNotFound(t, "OU after delete", err)
	wantNotFound(t, "second DeleteOU", del(ouID(1, 1)))
	wantNotFound(t, "DeleteOU of an OU never put", del(ouID(1, 9)))
	wantEqual(t, "OUs after delete", listOUs(t, s, orgID(1)), []organizations.OU{*newOU(1, 2)})
}

func testOUList(t *testing.T, s organizations.Store) {
	if got := listOUs(t, s, orgID(1)); len(got) != 0 {
		t.Errorf("OUs on an empty store: got %d, want 0", len(got))
	}
	var want1, want2 []organizations.OU
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		for n := 9; n >= 1; n-- {
			a, b := newOU(1, n), newOU(2, n)
			if err := errors.Join(tx.PutOU(ctx, a), tx.PutOU(ctx, b)); err != nil {
				return err
			}
			want1 = append([]organizations.OU{*a}, want1...)
			want2 = append([]organizations.OU{*b}, want2...)
		}
		return nil
	})
	wantEqual(t, "OUs of organization 1", listOUs(t, s, orgID(1)), want1)
	wantEqual(t, "OUs of organization 2", listOUs(t, s, orgID(2)), want2)
}

func getCAR(t *testing.T, s organizations.Store, id organizations.CreateAccountReqID) (*organizations.CreateAccountStatus, error) {
	t.Helper()
	return orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.CreateAccountStatus, error) {
		return tx.CreateAccountStatus(ctx, id)
	})
}

func listCARs(t *testing.T, s organizations.Store, org organizations.OrgID) []organizations.CreateAccountStatus {
	t.Helper()
	return orgList(t, s, "CreateAccountStatuses", func(ctx context.Context, tx organizations.Tx) ([]organizations.CreateAccountStatus, error) {
		return tx.CreateAccountStatuses(ctx, org)
	})
}

func testCARPutGet(t *testing.T, s organizations.Store) {
	_, err := getCAR(t, s, carID(1, 1))
	wantNotFound(t, "CreateAccountStatus on an empty store", err)
	ok := newCAR(1, 1, t0)
	failed := newCAR(1, 2, t0)
	failed.Account, failed.FailureReason = "", "EMAIL_ALREADY_EXISTS"
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutCreateAccountStatus(ctx, ok), tx.PutCreateAccountStatus(ctx, failed))
	})
	for _, want := range []*organizations.CreateAccountStatus{ok, failed} {
		got, err := getCAR(t, s, want.ID)
		if err != nil {
			t.Fatalf("CreateAccountStatus(%s): %v", want.ID, err)
		}
		wantEqual(t, "CreateAccountStatus "+string(want.ID), got, want)
	}
	_, err = getCAR(t, s, carID(1, 3))
	wantNotFound(t, "CreateAccountStatus of another id", err)
	if got := listCARs(t, s, orgID(2)); len(got) != 0 {
		t.Errorf("CreateAccountStatuses of another organization: got %d, want 0", len(got))
	}
}

func testCARReplace(t *testing.T, s organizations.Store) {
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return tx.PutCreateAccountStatus(ctx, newCAR(1, 1, t0))
	})
	want := newCAR(1, 1, t0.Add(-time.Hour))
	want.Account, want.FailureReason, want.Email = "", "INTERNAL_FAILURE", "other@example.com"
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutCreateAccountStatus(ctx, want) })
	got, err := getCAR(t, s, want.ID)
	if err != nil {
		t.Fatalf("CreateAccountStatus: %v", err)
	}
	wantEqual(t, "CreateAccountStatus after replace", got, want)
	wantEqual(t, "CreateAccountStatuses after replace", listCARs(t, s, orgID(1)), []organizations.CreateAccountStatus{*want})
}

// testCARList checks oldest first, ties by id, the zero time first, and
// that the order is not the ids'.
func testCARList(t *testing.T, s organizations.Store) {
	want := []organizations.CreateAccountStatus{
		*newCAR(1, 8, time.Time{}),
		*newCAR(1, 9, t0.Add(-time.Hour)),
		*newCAR(1, 3, t0),
		*newCAR(1, 4, t0),
		*newCAR(1, 1, t0.Add(time.Nanosecond)),
		*newCAR(1, 2, t0.Add(time.Hour)),
	}
	other := newCAR(2, 5, t0)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		errs := []error{tx.PutCreateAccountStatus(ctx, other)}
		for i := len(want) - 1; i >= 0; i-- {
			errs = append(errs, tx.PutCreateAccountStatus(ctx, &want[i]))
		}
		return errors.Join(errs...)
	})
	wantEqual(t, "CreateAccountStatuses of organization 1", listCARs(t, s, orgID(1)), want)
	wantEqual(t, "CreateAccountStatuses of organization 2", listCARs(t, s, orgID(2)), []organizations.CreateAccountStatus{*other})
}

func getHandshake(t *testing.T, s organizations.Store, id organizations.HandshakeID) (*organizations.Handshake, error) {
	t.Helper()
	return orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.Handshake, error) {
		return tx.Handshake(ctx, id)
	})
}

func listHandshakes(t *testing.T, s organizations.Store, org organizations.OrgID) []organizations.Handshake {
	t.Helper()
	return orgList(t, s, "Handshakes", func(ctx context.Context, tx organizations.Tx) ([]organizations.Handshake, error) {
		return tx.Handshakes(ctx, org)
	})
}

func handshakesFor(t *testing.T, s organizations.Store, id identity.AccountID, email string) []organizations.Handshake {
	t.Helper()
	return orgList(t, s, fmt.Sprintf("HandshakesFor(%q, %q)", id, email), func(ctx context.Context, tx organizations.Tx) ([]organizations.Handshake, error) {
		return tx.HandshakesFor(ctx, id, email)
	})
}

func testHandshakePutGet(t *testing.T, s organizations.Store) {
	_, err := getHandshake(t, s, handshakeID(1, 1))
	wantNotFound(t, "Handshake on an empty store", err)
	invite := newHandshake(1, 1, t0)
	enable := &organizations.Handshake{
		ID: handshakeID(1, 2), Org: orgID(1), Action: organizations.ActionEnableAllFeatures,
		State: organizations.HandshakeRequested, TargetType: organizations.PartyOrganization, Target: string(orgID(1)),
		RequestedAt: t0, ExpiresAt: t0.Add(90 * 24 * time.Hour),
		ManagementEmail: "m@example.com", ManagementName: "m", FeatureSet: organizations.ConsolidatedBilling,
	}
	approve := &organizations.Handshake{
		ID: handshakeID(1, 3), Org: orgID(1), Action: organizations.ActionApproveAllFeatures,
		State: organizations.HandshakeOpen, TargetType: organizations.PartyAccount, Target: string(memberID(1, 1)),
		TargetAccount: memberID(1, 1), Parent: enable.ID, RequestedAt: t0, ExpiresAt: t0.Add(90 * 24 * time.Hour),
	}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutHandshake(ctx, invite), tx.PutHandshake(ctx, enable), tx.PutHandshake(ctx, approve))
	})
	for _, want := range []*organizations.Handshake{invite, enable, approve} {
		got, err := getHandshake(t, s, want.ID)
		if err != nil {
			t.Fatalf("Handshake(%s): %v", want.ID, err)
		}
		wantEqual(t, "Handshake "+string(want.ID), got, want)
	}
	_, err = getHandshake(t, s, handshakeID(1, 4))
	wantNotFound(t, "Handshake of another id", err)
}

func testHandshakeReplace(t *testing.T, s organizations.Store) {
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return tx.PutHandshake(ctx, newHandshake(1, 1, t0))
	})
	want := newHandshake(1, 1, t0)
	want.State, want.UpdatedAt, want.Notes = organizations.HandshakeCanceled, t0.Add(time.Hour), ""
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutHandshake(ctx, want) })
	got, err := getHandshake(t, s, want.ID)
	if err != nil {
		t.Fatalf("Handshake: %v", err)
	}
	wantEqual(t, "Handshake after replace", got, want)
	wantEqual(t, "Handshakes after replace", listHandshakes(t, s, orgID(1)), []organizations.Handshake{*want})
}

func testHandshakeList(t *testing.T, s organizations.Store) {
	if got := listHandshakes(t, s, orgID(1)); len(got) != 0 {
		t.Errorf("Handshakes on an empty store: got %d, want 0", len(got))
	}
	want := []organizations.Handshake{
		*newHandshake(1, 8, time.Time{}),
		*newHandshake(1, 9, t0.Add(-time.Hour)),
		*newHandshake(1, 3, t0),
		*newHandshake(1, 4, t0),
		*newHandshake(1, 1, t0.Add(time.Nanosecond)),
		*newHandshake(1, 2, t0.Add(time.Hour)),
	}
	other := newHandshake(2, 5, t0)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		errs := []error{tx.PutHandshake(ctx, other)}
		for i := len(want) - 1; i >= 0; i-- {
			errs = append(errs, tx.PutHandshake(ctx, &want[i]))
		}
		return errors.Join(errs...)
	})
	wantEqual(t, "Handshakes of organization 1", listHandshakes(t, s, orgID(1)), want)
	wantEqual(t, "Handshakes of organization 2", listHandshakes(t, s, orgID(2)), []organizations.Handshake{*other})
}

// invitation returns handshake n of org for an account id or an email.
func invitation(org, n int, at time.Time, id identity.AccountID, email string) organizations.Handshake {
	h := newHandshake(org, n, at)
	h.TargetAccount = id
	if email != "" {
		h.TargetType, h.Target = organizations.PartyEmail, email
	} else {
		h.TargetType, h.Target = organizations.PartyAccount, string(id)
	}
	return *h
}

func putHandshakes(t *testing.T, s organizations.Store, hs ...organizations.Handshake) {
	t.Helper()
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		var errs []error
		for i := range hs {
			errs = append(errs, tx.PutHandshake(ctx, &hs[i]))
		}
		return errors.Join(errs...)
	})
}

func testHandshakesFor(t *testing.T, s organizations.Store) {
	me, other := accountID(1), accountID(2)
	const myEmail = "me@example.com"
	byID := invitation(1, 1, t0.Add(2*time.Hour), me, "")
	byEmail := invitation(2, 1, t0, "", myEmail) // another organization, older
	byBoth := invitation(1, 2, t0.Add(time.Hour), me, myEmail)
	byIDTie := invitation(3, 1, t0.Add(2*time.Hour), me, "") // same time as byID: id order
	notMine := invitation(1, 3, t0, other, "other@example.com")
	emailOfAnother := invitation(1, 4, t0, other, "")
	emailOfAnother.TargetType, emailOfAnother.Target = organizations.PartyEmail, "me@example.com.evil"
	putHandshakes(t, s, notMine, byIDTie, byID, emailOfAnother, byBoth, byEmail)

	wantEqual(t, "HandshakesFor(id, email)", handshakesFor(t, s, me, myEmail),
		[]organizations.Handshake{byEmail, byBoth, byID, byIDTie})
	wantEqual(t, "HandshakesFor(id, unknown email)", handshakesFor(t, s, me, "nobody@example.com"),
		[]organizations.Handshake{byBoth, byID, byIDTie})
	wantEqual(t, "HandshakesFor(unknown id, email)", handshakesFor(t, s, accountID(9), myEmail),
		[]organizations.Handshake{byEmail, byBoth})
	wantEqual(t, "HandshakesFor(other)", handshakesFor(t, s, other, "other@example.com"),
		[]organizations.Handshake{notMine, emailOfAnother})
	if got := handshakesFor(t, s, accountID(9), "nobody@example.com"); len(got) != 0 {
		t.Errorf("HandshakesFor(unknown, unknown): got %d, want 0", len(got))
	}
}

func testHandshakesForEmailCase(t *testing.T, s organizations.Store) {
	h := invitation(1, 1, t0, "", "Invitee.Mixed@Example.COM")
	putHandshakes(t, s, h)
	for _, email := range []string{"Invitee.Mixed@Example.COM", "invitee.mixed@example.com", "INVITEE.MIXED@EXAMPLE.COM"} {
		// The stored spelling comes back, whatever the query's case.
		wantEqual(t, "HandshakesFor("+email+")", handshakesFor(t, s, accountID(9), email), []organizations.Handshake{h})
	}
	if got := handshakesFor(t, s, accountID(9), "invitee.mixed@example.co"); len(got) != 0 {
		t.Errorf("HandshakesFor of a prefix: got %d, want 0", len(got))
	}
}

// testHandshakesForReplace checks that the lookups follow a replaced
// handshake's target.
func testHandshakesForReplace(t *testing.T, s organizations.Store) {
	h := invitation(1, 1, t0, "", "old@example.com")
	putHandshakes(t, s, h)
	h.Target, h.TargetAccount = "New@Example.com", accountID(5)
	putHandshakes(t, s, h)
	if got := handshakesFor(t, s, accountID(9), "old@example.com"); len(got) != 0 {
		t.Errorf("HandshakesFor the old email: got %d, want 0", len(got))
	}
	wantEqual(t, "HandshakesFor the new email", handshakesFor(t, s, accountID(9), "new@example.com"), []organizations.Handshake{h})
	wantEqual(t, "HandshakesFor the new account", handshakesFor(t, s, accountID(5), ""), []organizations.Handshake{h})
}

// testHandshakesForEmptyCriteria: an empty id does not match the
// handshakes without a TargetAccount, nor an empty email those without a
// Target.
func testHandshakesForEmpty(t *testing.T, s organizations.Store) {
	byEmail := invitation(1, 1, t0, "", "someone@example.com")
	blank := newHandshake(1, 2, t0)
	blank.Target, blank.TargetAccount = "", ""
	putHandshakes(t, s, byEmail, *blank)
	if got := handshakesFor(t, s, "", ""); len(got) != 0 {
		t.Errorf(`HandshakesFor("", ""): got %d, want 0`, len(got))
	}
	wantEqual(t, `HandshakesFor("", email)`, handshakesFor(t, s, "", "someone@example.com"), []organizations.Handshake{byEmail})
	if got := handshakesFor(t, s, accountID(9), ""); len(got) != 0 {
		t.Errorf(`HandshakesFor(id, ""): got %d, want 0`, len(got))
	}
}

func testServices(t *testing.T, s organizations.Store) {
	list := func(org organizations.OrgID) []organizations.EnabledService {
		t.Helper()
		return orgList(t, s, "EnabledServices", func(ctx context.Context, tx organizations.Tx) ([]organizations.EnabledService, error) {
			return tx.EnabledServices(ctx, org)
		})
	}
	del := func(org organizations.OrgID, principal string) error {
		return orgDelete(t, s, func(ctx context.Context, tx organizations.Tx) error {
			return tx.DeleteEnabledService(ctx, org, principal)
		})
	}
	if got := list(orgID(1)); len(got) != 0 {
		t.Errorf("EnabledServices on an empty store: got %d, want 0", len(got))
	}
	principals := []string{"account.amazonaws.com", "config.amazonaws.com", "member.org.stacksets.cloudformation.amazonaws.com", "sso.amazonaws.com"}
	var want []organizations.EnabledService
	for i, p := range principals {
		want = append(want, organizations.EnabledService{Org: orgID(1), Principal: p, EnabledAt: t0.Add(-time.Duration(i) * time.Hour)})
	}
	other := organizations.EnabledService{Org: orgID(2), Principal: "config.amazonaws.com", EnabledAt: t0}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		errs := []error{tx.PutEnabledService(ctx, &other)}
		for i := len(want) - 1; i >= 0; i-- {
			errs = append(errs, tx.PutEnabledService(ctx, &want[i]))
		}
		return errors.Join(errs...)
	})
	wantEqual(t, "EnabledServices", list(orgID(1)), want)

	// Replace: one row, the new time; zero time round-trips.
	want[1].EnabledAt = time.Time{}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutEnabledService(ctx, &want[1]) })
	wantEqual(t, "EnabledServices after replace", list(orgID(1)), want)

	if err := del(orgID(1), want[0].Principal); err != nil {
		t.Fatalf("DeleteEnabledService: %v", err)
	}
	want = want[1:]
	wantEqual(t, "EnabledServices after delete", list(orgID(1)), want)
	wantNotFound(t, "second DeleteEnabledService", del(orgID(1), principals[0]))
	wantNotFound(t, "DeleteEnabledService of another organization's service", del(orgID(3), "config.amazonaws.com"))
	if err := del(orgID(1), "config.amazonaws.com"); err != nil {
		t.Fatalf("DeleteEnabledService: %v", err)
	}
	wantEqual(t, "other organization's EnabledServices", list(orgID(2)), []organizations.EnabledService{other})
}

func testAdmins(t *testing.T, s organizations.Store) {
	list := func(org organizations.OrgID) []organizations.DelegatedAdmin {
		t.Helper()
		return orgList(t, s, "DelegatedAdmins", func(ctx context.Context, tx organizations.Tx) ([]organizations.DelegatedAdmin, error) {
			return tx.DelegatedAdmins(ctx, org)
		})
	}
	del := func(org organizations.OrgID, id identity.AccountID, principal string) error {
		return orgDelete(t, s, func(ctx context.Context, tx organizations.Tx) error {
			return tx.DeleteDelegatedAdmin(ctx, org, id, principal)
		})
	}
	if got := list(orgID(1)); len(got) != 0 {
		t.Errorf("DelegatedAdmins on an empty store: got %d, want 0", len(got))
	}
	want := []organizations.DelegatedAdmin{
		{Org: orgID(1), Account: memberID(1, 1), Principal: "config.amazonaws.com", EnabledAt: t0},
		{Org: orgID(1), Account: memberID(1, 1), Principal: "sso.amazonaws.com", EnabledAt: t0.Add(-time.Hour)},
		{Org: orgID(1), Account: memberID(1, 2), Principal: "access-analyzer.amazonaws.com", EnabledAt: t0.Add(time.Hour)},
	}
	other := organizations.DelegatedAdmin{Org: orgID(2), Account: memberID(1, 1), Principal: "config.amazonaws.com", EnabledAt: t0}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		errs := []error{tx.PutDelegatedAdmin(ctx, &other)}
		for i := len(want) - 1; i >= 0; i-- {
			errs = append(errs, tx.PutDelegatedAdmin(ctx, &want[i]))
		}
		return errors.Join(errs...)
	})
	wantEqual(t, "DelegatedAdmins", list(orgID(1)), want)

	want[2].EnabledAt = t0.Add(2 * time.Hour)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutDelegatedAdmin(ctx, &want[2]) })
	wantEqual(t, "DelegatedAdmins after replace", list(orgID(1)), want)

	if err := del(orgID(1), memberID(1, 1), "sso.amazonaws.com"); err != nil {
		t.Fatalf("DeleteDelegatedAdmin: %v", err)
	}
	want = append(want[:1], want[2])
	wantEqual(t, "DelegatedAdmins after delete", list(orgID(1)), want)
	wantNotFound(t, "second DeleteDelegatedAdmin", del(orgID(1), memberID(1, 1), "sso.amazonaws.com"))
	wantNotFound(t, "DeleteDelegatedAdmin of another principal", del(orgID(1), memberID(1, 2), "config.amazonaws.com"))
	wantNotFound(t, "DeleteDelegatedAdmin in another organization", del(orgID(3), memberID(1, 1), "config.amazonaws.com"))
	if err := del(orgID(1), memberID(1, 1), "config.amazonaws.com"); err != nil {
		t.Fatalf("DeleteDelegatedAdmin: %v", err)
	}
	wantEqual(t, "other organization's DelegatedAdmins", list(orgID(2)), []organizations.DelegatedAdmin{other})
}

func getPolicy(t *testing.T, s organizations.Store, id organizations.PolicyID) (*organizations.Policy, error) {
	t.Helper()
	return orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.Policy, error) {
		return tx.Policy(ctx, id)
	})
}

func listPolicies(t *testing.T, s organizations.Store, org organizations.OrgID) []organizations.Policy {
	t.Helper()
	return orgList(t, s, "Policies", func(ctx context.Context, tx organizations.Tx) ([]organizations.Policy, error) {
		return tx.Policies(ctx, org)
	})
}

func awsManaged() *organizations.Policy {
	return &organizations.Policy{
		ID: "p-FullAWSAccess", Type: organizations.SCP, Name: "FullAWSAccess",
		Description: "Allows access to every operation",
		Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		AWSManaged:  true,
	}
}

func testPolicyPutGet(t *testing.T, s organizations.Store) {
	_, err := getPolicy(t, s, policyID(1, 1))
	wantNotFound(t, "Policy on an empty store", err)
	custom := newPolicy(1, 1)
	bare := &organizations.Policy{ID: policyID(1, 2), Org: orgID(1), Type: "TAG_POLICY", Name: "bare", Content: "{}"}
	managed := awsManaged()
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutPolicy(ctx, custom), tx.PutPolicy(ctx, bare), tx.PutPolicy(ctx, managed))
	})
	for _, want := range []*organizations.Policy{custom, bare, managed} {
		got, err := getPolicy(t, s, want.ID)
		if err != nil {
			t.Fatalf("Policy(%s): %v", want.ID, err)
		}
		wantEqual(t, "Policy "+string(want.ID), got, want)
	}
	// Ids are case-sensitive.
	_, err = getPolicy(t, s, "p-fullawsaccess")
	wantNotFound(t, "Policy of an id in another case", err)
}

func testPolicyReplace(t *testing.T, s organizations.Store) {
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutPolicy(ctx, newPolicy(1, 1)) })
	want := &organizations.Policy{ID: policyID(1, 1), Org: orgID(1), Type: organizations.SCP, Name: "renamed", Content: `{"Statement":[]}`}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutPolicy(ctx, want) })
	got, err := getPolicy(t, s, want.ID)
	if err != nil {
		t.Fatalf("Policy: %v", err)
	}
	wantEqual(t, "Policy after replace", got, want)
	wantEqual(t, "Policies after replace", listPolicies(t, s, orgID(1)), []organizations.Policy{*want})
}

func testPolicyDelete(t *testing.T, s organizations.Store) {
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutPolicy(ctx, newPolicy(1, 1)), tx.PutPolicy(ctx, newPolicy(1, 2)))
	})
	del := func(id organizations.PolicyID) error {
		return orgDelete(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.DeletePolicy(ctx, id) })
	}
	if err := del(policyID(1, 1)); err != nil {
		t.Fatalf("DeletePolicy: %v", err)
	}
	_, err := getPolicy(t, s, policyID(1, 1))
	wantNotFound(t, "Policy after delete", err)
	wantNotFound(t, "second DeletePolicy", del(policyID(1, 1)))
	wantNotFound(t, "DeletePolicy of a policy never put", del(policyID(1, 9)))
	wantEqual(t, "Policies after delete", listPolicies(t, s, orgID(1)), []organizations.Policy{*newPolicy(1, 2)})
}

func testPolicyList(t *testing.T, s organizations.Store) {
	var want1, want2 []organizations.Policy
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		errs := []error{tx.PutPolicy(ctx, awsManaged())}
		for n := 9; n >= 1; n-- {
			a, b := newPolicy(1, n), newPolicy(2, n)
			errs = append(errs, tx.PutPolicy(ctx, a), tx.PutPolicy(ctx, b))
			want1 = append([]organizations.Policy{*a}, want1...)
			want2 = append([]organizations.Policy{*b}, want2...)
		}
		return errors.Join(errs...)
	})
	wantEqual(t, "Policies of organization 1", listPolicies(t, s, orgID(1)), want1)
	wantEqual(t, "Policies of organization 2", listPolicies(t, s, orgID(2)), want2)
	if got := listPolicies(t, s, orgID(3)); len(got) != 0 {
		t.Errorf("Policies of an organization without any: got %d, want 0", len(got))
	}
	// AWS-managed policies (stored with Org "") are not customer policies.
	if got := listPolicies(t, s, ""); len(got) != 0 {
		t.Errorf(`Policies(""): got %d, want 0 (AWS-managed policies are not listed)`, len(got))
	}
}

func testAttachments(t *testing.T, s organizations.Store) {
	list := func(org organizations.OrgID) []organizations.Attachment {
		t.Helper()
		return orgList(t, s, "Attachments", func(ctx context.Context, tx organizations.Tx) ([]organizations.Attachment, error) {
			return tx.Attachments(ctx, org)
		})
	}
	del := func(org organizations.OrgID, p organizations.PolicyID, target string) error {
		return orgDelete(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteAttachment(ctx, org, p, target) })
	}
	if got := list(orgID(1)); len(got) != 0 {
		t.Errorf("Attachments on an empty store: got %d, want 0", len(got))
	}
	o := orgID(1)
	// Sorted byte-wise: "p-0..." before "p-F...".
	want := []organizations.Attachment{
		{Org: o, Policy: policyID(1, 1), Target: string(rootID(1))},
		{Org: o, Policy: policyID(1, 2), Target: string(ouID(1, 1))},
		{Org: o, Policy: "p-FullAWSAccess", Target: string(memberID(1, 1))},
		{Org: o, Policy: "p-FullAWSAccess", Target: string(ouID(1, 1))},
		{Org: o, Policy: "p-FullAWSAccess", Target: string(rootID(1))},
	}
	other := organizations.Attachment{Org: orgID(2), Policy: "p-FullAWSAccess", Target: string(rootID(2))}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		errs := []error{tx.PutAttachment(ctx, &other)}
		for i := len(want) - 1; i >= 0; i-- {
			errs = append(errs, tx.PutAttachment(ctx, &want[i]))
		}
		return errors.Join(errs...)
	})
	wantEqual(t, "Attachments", list(o), want)

	// Putting an attachment again keeps one.
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutAttachment(ctx, &want[0]) })
	wantEqual(t, "Attachments after putting one again", list(o), want)

	if err := del(o, "p-FullAWSAccess", string(ouID(1, 1))); err != nil {
		t.Fatalf("DeleteAttachment: %v", err)
	}
	want = append(want[:3], want[4])
	wantEqual(t, "Attachments after delete", list(o), want)
	wantNotFound(t, "second DeleteAttachment", del(o, "p-FullAWSAccess", string(ouID(1, 1))))
	wantNotFound(t, "DeleteAttachment of another target", del(o, policyID(1, 1), string(ouID(1, 1))))
	wantNotFound(t, "DeleteAttachment in another organization", del(orgID(3), "p-FullAWSAccess", string(rootID(2))))
	wantEqual(t, "other organization's Attachments", list(orgID(2)), []organizations.Attachment{other})
}

func getTags(t *testing.T, s organizations.Store, org organizations.OrgID, resource string) []organizations.Tag {
	t.Helper()
	return orgList(t, s, "Tags", func(ctx context.Context, tx organizations.Tx) ([]organizations.Tag, error) {
		return tx.Tags(ctx, org, resource)
	})
}

func putTags(t *testing.T, s organizations.Store, org organizations.OrgID, resource string, tags []organizations.Tag) {
	t.Helper()
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutTags(ctx, org, resource, tags) })
}

func testTagsPutGet(t *testing.T, s organizations.Store) {
	if got := getTags(t, s, orgID(1), string(rootID(1))); len(got) != 0 {
		t.Errorf("Tags on an empty store: got %d, want 0", len(got))
	}
	// Sorted byte-wise: upper case before lower case, "a" before "a:b".
	want := []organizations.Tag{
		{Key: "Name", Value: "root"},
		{Key: "Z", Value: ""},
		{Key: "a", Value: "1"},
		{Key: "a:b", Value: "2"},
		{Key: "aws-like/key with spaces", Value: "value with = and ,"},
		{Key: "ünïcode", Value: "välue"},
	}
	putTags(t, s, orgID(1), string(rootID(1)), reversed(want))
	wantEqual(t, "Tags", getTags(t, s, orgID(1), string(rootID(1))), want)
	if got := getTags(t, s, orgID(1), string(ouID(1, 1))); len(got) != 0 {
		t.Errorf("Tags of another resource: got %d, want 0", len(got))
	}
}

func testTagsReplace(t *testing.T, s organizations.Store) {
	r := string(policyID(1, 1))
	putTags(t, s, orgID(1), r, []organizations.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}, {Key: "c", Value: "3"}})
	want := []organizations.Tag{{Key: "b", Value: "changed"}, {Key: "d", Value: "4"}}
	putTags(t, s, orgID(1), r, want)
	wantEqual(t, "Tags after replace", getTags(t, s, orgID(1), r), want)
	putTags(t, s, orgID(1), r, []organizations.Tag{})
	if got := getTags(t, s, orgID(1), r); len(got) != 0 {
		t.Errorf("Tags after replacing with an empty list: got %d, want 0", len(got))
	}
	putTags(t, s, orgID(1), r, want)
	putTags(t, s, orgID(1), r, nil)
	if got := getTags(t, s, orgID(1), r); len(got) != 0 {
		t.Errorf("Tags after replacing with nil: got %d, want 0", len(got))
	}
}

func testTagsIsolation(t *testing.T, s organizations.Store) {
	acct := string(memberID(1, 1))
	root1 := []organizations.Tag{{Key: "k", Value: "root 1"}}
	acct1 := []organizations.Tag{{Key: "k", Value: "account in 1"}}
	acct2 := []organizations.Tag{{Key: "k", Value: "account in 2"}, {Key: "only", Value: "2"}}
	putTags(t, s, orgID(1), string(rootID(1)), root1)
	putTags(t, s, orgID(1), acct, acct1)
	putTags(t, s, orgID(2), acct, acct2) // the same resource id in another organization
	wantEqual(t, "Tags of root 1", getTags(t, s, orgID(1), string(rootID(1))), root1)
	wantEqual(t, "Tags of the account in 1", getTags(t, s, orgID(1), acct), acct1)
	wantEqual(t, "Tags of the account in 2", getTags(t, s, orgID(2), acct), acct2)

	putTags(t, s, orgID(1), acct, nil)
	if got := getTags(t, s, orgID(1), acct); len(got) != 0 {
		t.Errorf("Tags of the account in 1 after clearing: got %d, want 0", len(got))
	}
	wantEqual(t, "Tags of root 1 after clearing another resource", getTags(t, s, orgID(1), string(rootID(1))), root1)
	wantEqual(t, "Tags of the account in 2 after clearing it in 1", getTags(t, s, orgID(2), acct), acct2)
}
