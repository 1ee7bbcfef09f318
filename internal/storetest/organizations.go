package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// RunOrganizations runs the suite of [organizations.Store]. open must return
// a new, empty store for each call and close it with t.Cleanup. Subtests
// run in parallel.
//
// Beyond the interface's comments, the suite holds backends to: getters and
// the Delete methods of absent rows return an error wrapping
// organizations.ErrNotFound, except DeleteOrganization, which may also
// succeed; lists of nothing are empty, not an error; Put methods replace the
// whole record; PutAttachment of an existing attachment keeps one;
// HandshakesFor with an empty id or email matches nothing by that criterion.
func RunOrganizations(t *testing.T, open func(t *testing.T) organizations.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s organizations.Store)
	}{
		{"Account/SharedRecords", testOrgAccounts},

		{"Organization/PutGet", testOrgPutGet},
		{"Organization/NotFound", testOrgNotFound},
		{"Organization/Replace", testOrgReplace},
		{"Organization/PolicyTypesKeepOrder", testOrgPolicyTypesOrder},
		{"Organization/Delete", testOrgDelete},
		{"Organization/DeleteAbsent", testOrgDeleteAbsent},
		{"Organization/DeleteCascades", testOrgDeleteCascades},
		{"Organization/DeleteInTransaction", testOrgDeleteInTransaction},

		{"Member/PutGet", testMemberPutGet},
		{"Member/NotFound", testMemberNotFound},
		{"Member/Replace", testMemberReplace},
		{"Member/Delete", testMemberDelete},
		{"Member/ListSortedAndIsolated", testMemberList},

		{"OU/PutGet", testOUPutGet},
		{"OU/Replace", testOUReplace},
		{"OU/Delete", testOUDelete},
		{"OU/ListSortedAndIsolated", testOUList},

		{"CreateAccountStatus/PutGet", testCARPutGet},
		{"CreateAccountStatus/Replace", testCARReplace},
		{"CreateAccountStatus/ListOldestFirst", testCARList},

		{"Handshake/PutGet", testHandshakePutGet},
		{"Handshake/Replace", testHandshakeReplace},
		{"Handshake/ListOldestFirst", testHandshakeList},
		{"Handshake/ForAccountOrEmail", testHandshakesFor},
		{"Handshake/ForEmailIgnoresCase", testHandshakesForEmailCase},
		{"Handshake/ForAfterReplace", testHandshakesForReplace},
		{"Handshake/ForEmptyCriteria", testHandshakesForEmpty},

		{"EnabledService/PutListDelete", testServices},
		{"DelegatedAdmin/PutListDelete", testAdmins},

		{"Policy/PutGet", testPolicyPutGet},
		{"Policy/Replace", testPolicyReplace},
		{"Policy/Delete", testPolicyDelete},
		{"Policy/ListCustomerOnly", testPolicyList},

		{"Attachment/PutListDelete", testAttachments},

		{"Tags/PutGetSorted", testTagsPutGet},
		{"Tags/ReplaceAll", testTagsReplace},
		{"Tags/Isolation", testTagsIsolation},

		{"Time/RoundTrip", testOrgTimeRoundTrip},

		{"Tx/ReadOwnWrites", testOrgReadOwnWrites},
		{"Tx/RollbackOnError", testOrgRollbackOnError},
		{"Tx/RollbackRestoresOldValues", testOrgRollbackRestores},
		{"Tx/ViewCannotWrite", testOrgViewCannotWrite},
	}
	tests = append(tests, transferTests...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

func orgUpdate(t *testing.T, s organizations.Store, fn func(ctx context.Context, tx organizations.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), func(tx organizations.Tx) error { return fn(t.Context(), tx) }); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func orgView(t *testing.T, s organizations.Store, fn func(ctx context.Context, tx organizations.Tx) error) {
	t.Helper()
	if err := s.View(t.Context(), func(tx organizations.Tx) error { return fn(t.Context(), tx) }); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// orgRead runs read in a View and returns its result and error (the View
// itself must succeed).
func orgRead[T any](t *testing.T, s organizations.Store, read func(ctx context.Context, tx organizations.Tx) (T, error)) (v T, err error) {
	t.Helper()
	orgView(t, s, func(ctx context.Context, tx organizations.Tx) error {
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

// orgDelete runs del in an Update and returns its error.
func orgDelete(t *testing.T, s organizations.Store, del func(ctx context.Context, tx organizations.Tx) error) error {
	t.Helper()
	return s.Update(t.Context(), func(tx organizations.Tx) error { return del(t.Context(), tx) })
}

// Identifiers of test records, valid for the API patterns.
func orgID(n int) organizations.OrgID   { return organizations.OrgID(fmt.Sprintf("o-%010d", n)) }
func rootID(n int) organizations.RootID { return organizations.RootID(fmt.Sprintf("r-%04d", n)) }
func ouID(org, n int) organizations.OUID {
	return organizations.OUID(fmt.Sprintf("ou-%04d-%08d", org, n))
}
func handshakeID(org, n int) organizations.HandshakeID {
	return organizations.HandshakeID(fmt.Sprintf("h-%04d%04d", org, n))
}
func carID(org, n int) organizations.CreateAccountReqID {
	return organizations.CreateAccountReqID(fmt.Sprintf("car-%04d%04d", org, n))
}
func policyID(org, n int) organizations.PolicyID {
	return organizations.PolicyID(fmt.Sprintf("p-%04d%04d", org, n))
}

// memberID is the n-th member account of organization org.
func memberID(org, n int) identity.AccountID { return accountID(100*org + n) }

// newOrg returns organization n with every field set.
func newOrg(n int) *organizations.Organization {
	return &organizations.Organization{
		ID: orgID(n), FeatureSet: organizations.AllFeatures, ManagementAccount: memberID(n, 0),
		RootID: rootID(n), CreatedAt: t0.Add(time.Duration(n) * time.Minute),
		// Not in sorted order: the order must be kept.
		EnabledPolicyTypes:   []organizations.PolicyType{"TAG_POLICY", organizations.SCP, "BACKUP_POLICY"},
		AllFeaturesHandshake: handshakeID(n, 99),
	}
}

func newMember(org, n int) *organizations.Member {
	return &organizations.Member{
		Account: memberID(org, n), Org: orgID(org), Parent: string(rootID(org)),
		Method: organizations.Invited, JoinedAt: t0.Add(time.Duration(n) * time.Second),
	}
}

func newOU(org, n int) *organizations.OU {
	return &organizations.OU{ID: ouID(org, n), Org: orgID(org), Parent: string(rootID(org)), Name: fmt.Sprintf("OU %d", n)}
}

// after is at+d, or the zero time for the zero at (which cannot be moved
// into the storable range).
func after(at time.Time, d time.Duration) time.Time {
	if at.IsZero() {
		return at
	}
	return at.Add(d)
}

func newCAR(org, n int, at time.Time) *organizations.CreateAccountStatus {
	return &organizations.CreateAccountStatus{
		ID: carID(org, n), Org: orgID(org), AccountName: fmt.Sprintf("created %d", n),
		Email: fmt.Sprintf("Created%d@Example.com", n), Account: memberID(org, 50+n),
		FailureReason: "", RequestedAt: at, DueAt: after(at, 90*time.Second),
	}
}

func newHandshake(org, n int, at time.Time) *organizations.Handshake {
	return &organizations.Handshake{
		ID: handshakeID(org, n), Org: orgID(org), Action: organizations.ActionInvite,
		State: organizations.HandshakeOpen, TargetType: organizations.PartyAccount,
		Target: string(memberID(org, 70+n)), TargetAccount: memberID(org, 70+n),
		Notes: fmt.Sprintf("notes %d\nsecond line", n), Parent: "",
		RequestedAt: at, ExpiresAt: after(at, 15*24*time.Hour), UpdatedAt: after(at, time.Nanosecond),
		ManagementEmail: fmt.Sprintf("mgmt%d@example.com", org), ManagementName: fmt.Sprintf("management %d", org),
		FeatureSet: organizations.AllFeatures,
	}
}

func newPolicy(org, n int) *organizations.Policy {
	return &organizations.Policy{
		ID: policyID(org, n), Org: orgID(org), Type: organizations.SCP, Name: fmt.Sprintf("policy %d", n),
		Description: fmt.Sprintf("description %d", n),
		Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`,
	}
}

// orgData is everything stored for one organization, as the Tx lists it.
type orgData struct {
	Org         *organizations.Organization
	Members     []organizations.Member
	OUs         []organizations.OU
	Statuses    []organizations.CreateAccountStatus
	Handshakes  []organizations.Handshake
	Services    []organizations.EnabledService
	Admins      []organizations.DelegatedAdmin
	Policies    []organizations.Policy
	Attachments []organizations.Attachment
	Tags        []resourceTags
}

type resourceTags struct {
	Resource string
	Tags     []organizations.Tag
}

// fullOrg returns organization n with two records of every kind, in the
// order the Tx lists them.
func fullOrg(n int) *orgData {
	o := newOrg(n)
	mgmt := newMember(n, 0)
	mgmt.Method = organizations.Created
	d := &orgData{
		Org:     o,
		Members: []organizations.Member{*mgmt, *newMember(n, 1)},
		OUs:     []organizations.OU{*newOU(n, 1), *newOU(n, 2)},
		Statuses: []organizations.CreateAccountStatus{
			*newCAR(n, 2, t0), *newCAR(n, 1, t0.Add(time.Hour)),
		},
		Handshakes: []organizations.Handshake{
			*newHandshake(n, 2, t0), *newHandshake(n, 1, t0.Add(time.Hour)),
		},
		Services: []organizations.EnabledService{
			{Org: o.ID, Principal: "config.amazonaws.com", EnabledAt: t0},
			{Org: o.ID, Principal: "sso.amazonaws.com", EnabledAt: t0.Add(time.Second)},
		},
		Admins: []organizations.DelegatedAdmin{
			{Org: o.ID, Account: memberID(n, 1), Principal: "config.amazonaws.com", EnabledAt: t0},
			{Org: o.ID, Account: memberID(n, 1), Principal: "sso.amazonaws.com", EnabledAt: t0.Add(time.Second)},
		},
		Policies: []organizations.Policy{*newPolicy(n, 1), *newPolicy(n, 2)},
		Attachments: []organizations.Attachment{
			{Org: o.ID, Policy: policyID(n, 1), Target: string(ouID(n, 1))},
			{Org: o.ID, Policy: policyID(n, 1), Target: string(o.RootID)},
		},
	}
	d.Handshakes[1].TargetType = organizations.PartyEmail
	d.Handshakes[1].Target = fmt.Sprintf("Invitee%d@Example.com", n)
	d.Handshakes[1].TargetAccount = ""
	d.Statuses[1].Account, d.Statuses[1].FailureReason = "", "EMAIL_ALREADY_EXISTS"
	for _, r := range []string{string(o.RootID), string(ouID(n, 1)), string(memberID(n, 1)), string(policyID(n, 1))} {
		d.Tags = append(d.Tags, resourceTags{r, []organizations.Tag{
			{Key: "env", Value: "prod-" + r}, {Key: "team", Value: ""},
		}})
	}
	return d
}

// write stores d, lists in reverse order so that the backend must sort.
func (d *orgData) write(ctx context.Context, tx organizations.Tx) error {
	errs := []error{tx.PutOrganization(ctx, d.Org)}
	for i := len(d.Members) - 1; i >= 0; i-- {
		errs = append(errs, tx.PutMember(ctx, &d.Members[i]))
	}
	for i := len(d.OUs) - 1; i >= 0; i-- {
		errs = append(errs, tx.PutOU(ctx, &d.OUs[i]))
	}
	for i := len(d.Statuses) - 1; i >= 0; i-- {
		errs = append(errs, tx.PutCreateAccountStatus(ctx, &d.Statuses[i]))
	}
	for i := len(d.Handshakes) - 1; i >= 0; i-- {
		errs = append(errs, tx.PutHandshake(ctx, &d.Handshakes[i]))
	}
	for i := len(d.Services) - 1; i >= 0; i-- {
		errs = append(errs, tx.PutEnabledService(ctx, &d.Services[i]))
	}
	for i := len(d.Admins) - 1; i >= 0; i-- {
		errs = append(errs, tx.PutDelegatedAdmin(ctx, &d.Admins[i]))
	}
	for i := len(d.Policies) - 1; i >= 0; i-- {
		errs = append(errs, tx.PutPolicy(ctx, &d.Policies[i]))
	}
	for i := len(d.Attachments) - 1; i >= 0; i-- {
		errs = append(errs, tx.PutAttachment(ctx, &d.Attachments[i]))
	}
	for _, rt := range d.Tags {
		rev := make([]organizations.Tag, 0, len(rt.Tags))
		for i := len(rt.Tags) - 1; i >= 0; i-- {
			rev = append(rev, rt.Tags[i])
		}
		errs = append(errs, tx.PutTags(ctx, d.Org.ID, rt.Resource, rev))
	}
	return errors.Join(errs...)
}

// readOrg reads back what like describes for organization like.Org.ID:
// the lists, and the tags of like's resources. Org is nil if the
// organization is not found.
func readOrg(ctx context.Context, tx organizations.Tx, like *orgData) (*orgData, error) {
	id := like.Org.ID
	d := &orgData{}
	var err error
	if d.Org, err = tx.Organization(ctx, id); err != nil && !errors.Is(err, organizations.ErrNotFound) {
		return nil, err
	}
	var errs []error
	var e error
	d.Members, e = tx.Members(ctx, id)
	errs = append(errs, e)
	d.OUs, e = tx.OUs(ctx, id)
	errs = append(errs, e)
	d.Statuses, e = tx.CreateAccountStatuses(ctx, id)
	errs = append(errs, e)
	d.Handshakes, e = tx.Handshakes(ctx, id)
	errs = append(errs, e)
	d.Services, e = tx.EnabledServices(ctx, id)
	errs = append(errs, e)
	d.Admins, e = tx.DelegatedAdmins(ctx, id)
	errs = append(errs, e)
	d.Policies, e = tx.Policies(ctx, id)
	errs = append(errs, e)
	d.Attachments, e = tx.Attachments(ctx, id)
	errs = append(errs, e)
	for _, rt := range like.Tags {
		tags, e := tx.Tags(ctx, id, rt.Resource)
		errs = append(errs, e)
		if len(tags) > 0 {
			d.Tags = append(d.Tags, resourceTags{rt.Resource, tags})
		}
	}
	return d, errors.Join(errs...)
}

// wantOrgData fails t unless the store holds exactly want for its
// organization, through the lists and the getters.
func wantOrgData(t *testing.T, s organizations.Store, what string, want *orgData) {
	t.Helper()
	orgView(t, s, func(ctx context.Context, tx organizations.Tx) error {
		got, err := readOrg(ctx, tx, want)
		if err != nil {
			t.Errorf("%s: read: %v", what, err)
			return nil
		}
		wantEqual(t, what, got, want)
		for i := range want.Members {
			checkRead(t, what+": Member", &want.Members[i], func() (any, error) { return tx.Member(ctx, want.Members[i].Account) })
		}
		for i := range want.OUs {
			checkRead(t, what+": OU", &want.OUs[i], func() (any, error) { return tx.OU(ctx, want.OUs[i].ID) })
		}
		for i := range want.Statuses {
			checkRead(t, what+": CreateAccountStatus", &want.Statuses[i], func() (any, error) { return tx.CreateAccountStatus(ctx, want.Statuses[i].ID) })
		}
		for i := range want.Handshakes {
			checkRead(t, what+": Handshake", &want.Handshakes[i], func() (any, error) { return tx.Handshake(ctx, want.Handshakes[i].ID) })
		}
		for i := range want.Policies {
			checkRead(t, what+": Policy", &want.Policies[i], func() (any, error) { return tx.Policy(ctx, want.Policies[i].ID) })
		}
		return nil
	})
}

// wantOrgGone fails t unless nothing of d is left: lists empty, getters
// ErrNotFound, HandshakesFor without its handshakes.
func wantOrgGone(t *testing.T, s organizations.Store, what string, d *orgData) {
	t.Helper()
	orgView(t, s, func(ctx context.Context, tx organizations.Tx) error {
		got, err := readOrg(ctx, tx, d)
		if err != nil {
			t.Errorf("%s: read: %v", what, err)
			return nil
		}
		wantEqual(t, what, got, &orgData{})
		_, err = tx.Organization(ctx, d.Org.ID)
		wantNotFound(t, what+": Organization", err)
		for _, m := range d.Members {
			_, err := tx.Member(ctx, m.Account)
			wantNotFound(t, what+": Member "+string(m.Account), err)
		}
		for _, ou := range d.OUs {
			_, err := tx.OU(ctx, ou.ID)
			wantNotFound(t, what+": OU "+string(ou.ID), err)
		}
		for _, st := range d.Statuses {
			_, err := tx.CreateAccountStatus(ctx, st.ID)
			wantNotFound(t, what+": CreateAccountStatus "+string(st.ID), err)
		}
		for _, h := range d.Handshakes {
			_, err := tx.Handshake(ctx, h.ID)
			wantNotFound(t, what+": Handshake "+string(h.ID), err)
			hs, err := tx.HandshakesFor(ctx, h.TargetAccount, h.Target)
			if err != nil || len(hs) != 0 {
				t.Errorf("%s: HandshakesFor(%q, %q): got %d handshakes, error %v, want none", what, h.TargetAccount, h.Target, len(hs), err)
			}
		}
		for _, p := range d.Policies {
			_, err := tx.Policy(ctx, p.ID)
			wantNotFound(t, what+": Policy "+string(p.ID), err)
		}
		return nil
	})
}

func testOrgAccounts(t *testing.T, s organizations.Store) {
	a := newAccount(1)
	a.ClosedAt, a.Origin, a.Seller = t0.Add(time.Nanosecond), kernel.OriginCreated, "AISPL"
	b := newAccount(2)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutAccount(ctx, a), tx.PutAccount(ctx, b), tx.AddMessage(ctx, message(1, t0)))
	})
	orgView(t, s, func(ctx context.Context, tx organizations.Tx) error {
		checkRead(t, "Account", a, func() (any, error) { return tx.Account(ctx, a.ID) })
		checkRead(t, "Account", b, func() (any, error) { return tx.Account(ctx, b.ID) })
		checkRead(t, "AccountByEmail", a, func() (any, error) { return tx.AccountByEmail(ctx, "OWNER1@example.com") })
		_, err := tx.Account(ctx, accountID(3))
		wantNotFound(t, "Account never put", err)
		_, err = tx.AccountByEmail(ctx, "nobody@example.com")
		wantNotFound(t, "AccountByEmail of an unknown email", err)
		_, err = tx.ContactInformation(ctx, a.ID)
		wantNotFound(t, "ContactInformation never put", err)
		_, err = tx.PhoneVerification(ctx, a.ID)
		wantNotFound(t, "PhoneVerification never put", err)
		return nil
	})
	if o, ok := s.(kernel.Outbox); ok {
		if ms := mustMessages(t, o, 10); len(ms) != 1 {
			t.Errorf("Messages: got %d, want 1", len(ms))
		}
	}
}

func testOrgPutGet(t *testing.T, s organizations.Store) {
	full := newOrg(1)
	// Every optional member empty: no policy types, no handshake, zero time.
	bare := &organizations.Organization{
		ID: orgID(2), FeatureSet: organizations.ConsolidatedBilling, ManagementAccount: memberID(2, 0),
		RootID: rootID(2), EnabledPolicyTypes: []organizations.PolicyType{},
	}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutOrganization(ctx, full), tx.PutOrganization(ctx, bare))
	})
	for _, want := range []*organizations.Organization{full, bare} {
		got, err := orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.Organization, error) {
			return tx.Organization(ctx, want.ID)
		})
		if err != nil {
			t.Fatalf("Organization(%s): %v", want.ID, err)
		}
		wantEqual(t, "Organization "+string(want.ID), got, want)
		if want.CreatedAt.IsZero() && !got.CreatedAt.IsZero() {
			t.Errorf("CreatedAt: got %v, want the zero time", got.CreatedAt)
		}
	}
}

func testOrgNotFound(t *testing.T, s organizations.Store) {
	get := func(ctx context.Context, tx organizations.Tx) (*organizations.Organization, error) {
		return tx.Organization(ctx, orgID(1))
	}
	_, err := orgRead(t, s, get)
	wantNotFound(t, "Organization on an empty store", err)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutOrganization(ctx, newOrg(2)) })
	_, err = orgRead(t, s, get)
	wantNotFound(t, "Organization of another id", err)
}

func testOrgReplace(t *testing.T, s organizations.Store) {
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutOrganization(ctx, newOrg(1)) })
	want := &organizations.Organization{
		ID: orgID(1), FeatureSet: organizations.ConsolidatedBilling, ManagementAccount: memberID(1, 5),
		RootID: rootID(9), CreatedAt: t0.Add(-time.Nanosecond),
	}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutOrganization(ctx, want) })
	got, err := orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.Organization, error) {
		return tx.Organization(ctx, want.ID)
	})
	if err != nil {
		t.Fatalf("Organization: %v", err)
	}
	wantEqual(t, "Organization after replace", got, want)
	if len(got.EnabledPolicyTypes) != 0 {
		t.Errorf("EnabledPolicyTypes after replacing with none: got %v", got.EnabledPolicyTypes)
	}
}

func testOrgPolicyTypesOrder(t *testing.T, s organizations.Store) {
	for i, types := range [][]organizations.PolicyType{
		organizations.PolicyTypes,
		reversed(organizations.PolicyTypes),
		{organizations.SCP},
		{"RESOURCE_CONTROL_POLICY", organizations.SCP},
	} {
		o := newOrg(i)
		o.EnabledPolicyTypes = types
		orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutOrganization(ctx, o) })
		got, err := orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.Organization, error) {
			return tx.Organization(ctx, o.ID)
		})
		if err != nil {
			t.Fatalf("Organization: %v", err)
		}
		wantEqual(t, fmt.Sprintf("EnabledPolicyTypes #%d", i), got.EnabledPolicyTypes, types)
	}
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func testOrgDelete(t *testing.T, s organizations.Store) {
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutOrganization(ctx, newOrg(1)) })
	if err := orgDelete(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOrganization(ctx, orgID(1)) }); err != nil {
		t.Fatalf("DeleteOrganization: %v", err)
	}
	_, err := orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.Organization, error) {
		return tx.Organization(ctx, orgID(1))
	})
	wantNotFound(t, "Organization after delete", err)
	// The id can be used again.
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutOrganization(ctx, newOrg(1)) })
}

func testOrgDeleteAbsent(t *testing.T, s organizations.Store) {
	err := orgDelete(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOrganization(ctx, orgID(1)) })
	if err != nil && !errors.Is(err, organizations.ErrNotFound) {
		t.Errorf("DeleteOrganization of an absent organization: got %v, want nil or ErrNotFound", err)
	}
}

func testOrgDeleteCascades(t *testing.T, s organizations.Store) {
	one, two := fullOrg(1), fullOrg(2)
	managed := &organizations.Policy{
		ID: "p-FullAWSAccess", Type: organizations.SCP, Name: "FullAWSAccess",
		Description: "Allows access to every operation", Content: `{"Statement":[]}`, AWSManaged: true,
	}
	accounts := []*kernel.Account{newAccount(100), newAccount(101), newAccount(200), newAccount(201)}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		errs := []error{one.write(ctx, tx), two.write(ctx, tx), tx.PutPolicy(ctx, managed)}
		for _, a := range accounts {
			errs = append(errs, tx.PutAccount(ctx, a))
		}
		return errors.Join(errs...)
	})
	wantOrgData(t, s, "organization 1 before delete", one)
	wantOrgData(t, s, "organization 2 before delete", two)

	if err := orgDelete(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOrganization(ctx, one.Org.ID) }); err != nil {
		t.Fatalf("DeleteOrganization: %v", err)
	}
	wantOrgGone(t, s, "organization 1 after delete", one)
	wantOrgData(t, s, "organization 2 after deleting organization 1", two)
	orgView(t, s, func(ctx context.Context, tx organizations.Tx) error {
		// AWS-managed policies and accounts do not belong to an organization.
		checkRead(t, "AWS-managed Policy", managed, func() (any, error) { return tx.Policy(ctx, managed.ID) })
		for _, a := range accounts {
			checkRead(t, "Account "+string(a.ID), a, func() (any, error) { return tx.Account(ctx, a.ID) })
		}
		// HandshakesFor still finds organization 2's handshakes.
		h := two.Handshakes[1]
		checkRead(t, "HandshakesFor organization 2's invitee", []organizations.Handshake{h},
			func() (any, error) { return tx.HandshakesFor(ctx, "", h.Target) })
		return nil
	})

	// Deleting it again is harmless, and the second can go too.
	if err := orgDelete(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOrganization(ctx, one.Org.ID) }); err != nil && !errors.Is(err, organizations.ErrNotFound) {
		t.Errorf("second DeleteOrganization: got %v, want nil or ErrNotFound", err)
	}
	if err := orgDelete(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOrganization(ctx, two.Org.ID) }); err != nil {
		t.Fatalf("DeleteOrganization: %v", err)
	}
	wantOrgGone(t, s, "organization 2 after delete", two)
}

// testOrgDeleteInTransaction deletes an organization in the transaction
// that filled it: the rows written earlier in the transaction go too.
func testOrgDeleteInTransaction(t *testing.T, s organizations.Store) {
	one := fullOrg(1)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		if err := one.write(ctx, tx); err != nil {
			return err
		}
		if err := tx.DeleteOrganization(ctx, one.Org.ID); err != nil {
			return err
		}
		ms, err := tx.Members(ctx, one.Org.ID)
		if err != nil || len(ms) != 0 {
			t.Errorf("Members after DeleteOrganization in the same transaction: got %d, %v, want none", len(ms), err)
		}
		return nil
	})
	wantOrgGone(t, s, "organization deleted in the transaction that made it", one)
}

func testOrgTimeRoundTrip(t *testing.T, s organizations.Store) {
	for i, at := range []time.Time{
		t0, {}, time.Now(), time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.FixedZone("IST", 5*3600+1800)),
		time.Date(1969, 7, 20, 20, 17, 40, 1, time.UTC), time.Unix(0, 0).UTC(),
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			d := fullOrg(i + 1)
			d.Org.CreatedAt = at
			for j := range d.Members {
				d.Members[j].JoinedAt = at
			}
			for j := range d.Statuses {
				d.Statuses[j].RequestedAt, d.Statuses[j].DueAt = at, at
			}
			for j := range d.Handshakes {
				h := &d.Handshakes[j]
				h.RequestedAt, h.ExpiresAt, h.UpdatedAt = at, at, at
			}
			// Equal times: the lists fall back to id order.
			d.Statuses[0], d.Statuses[1] = d.Statuses[1], d.Statuses[0]
			d.Handshakes[0], d.Handshakes[1] = d.Handshakes[1], d.Handshakes[0]
			for j := range d.Services {
				d.Services[j].EnabledAt = at
			}
			for j := range d.Admins {
				d.Admins[j].EnabledAt = at
			}
			orgUpdate(t, s, d.write)
			wantOrgData(t, s, "organization", d)
		})
	}
}

func testOrgReadOwnWrites(t *testing.T, s organizations.Store) {
	d := fullOrg(1)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		if err := d.write(ctx, tx); err != nil {
			return err
		}
		got, err := readOrg(ctx, tx, d)
		if err != nil {
			return err
		}
		wantEqual(t, "organization in the writing transaction", got, d)
		if err := tx.DeleteOU(ctx, ouID(1, 1)); err != nil {
			return fmt.Errorf("delete an OU put in the same transaction: %w", err)
		}
		_, err = tx.OU(ctx, ouID(1, 1))
		wantNotFound(t, "OU deleted in the same transaction", err)
		return nil
	})
}

func testOrgRollbackOnError(t *testing.T, s organizations.Store) {
	d := fullOrg(1)
	err := s.Update(t.Context(), func(tx organizations.Tx) error {
		if err := errors.Join(d.write(t.Context(), tx), tx.PutAccount(t.Context(), newAccount(100))); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update: got error %v, want the callback's error", err)
	}
	wantOrgGone(t, s, "organization after a rolled-back Update", d)
	_, err = orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*kernel.Account, error) {
		return tx.Account(ctx, accountID(100))
	})
	wantNotFound(t, "Account after a rolled-back Update", err)
	// The store is still usable.
	orgUpdate(t, s, d.write)
	wantOrgData(t, s, "organization written after the rollback", d)
}

// testOrgRollbackRestores changes, deletes and adds rows of several tables
// and then fails: every old row must be back and no new one kept.
func testOrgRollbackRestores(t *testing.T, s organizations.Store) {
	one, two := fullOrg(1), fullOrg(2)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(one.write(ctx, tx), two.write(ctx, tx))
	})
	err := s.Update(t.Context(), func(tx organizations.Tx) error {
		ctx := t.Context()
		changed := *one.Org
		changed.FeatureSet, changed.EnabledPolicyTypes = organizations.ConsolidatedBilling, nil
		m := one.Members[1]
		m.Parent = string(ouID(1, 2))
		h := one.Handshakes[0]
		h.State = organizations.HandshakeAccepted
		if err := errors.Join(
			tx.PutOrganization(ctx, &changed),
			tx.PutMember(ctx, &m),
			tx.PutHandshake(ctx, &h),
			tx.DeleteMember(ctx, one.Members[0].Account),
			tx.DeleteOU(ctx, one.OUs[0].ID),
			tx.DeletePolicy(ctx, one.Policies[0].ID),
			tx.DeleteEnabledService(ctx, one.Org.ID, one.Services[0].Principal),
			tx.DeleteDelegatedAdmin(ctx, one.Org.ID, one.Admins[0].Account, one.Admins[0].Principal),
			tx.DeleteAttachment(ctx, one.Org.ID, one.Attachments[0].Policy, one.Attachments[0].Target),
			tx.PutTags(ctx, one.Org.ID, one.Tags[0].Resource, nil),
			tx.PutOU(ctx, newOU(1, 3)),
			tx.PutPolicy(ctx, newPolicy(1, 3)),
			tx.PutCreateAccountStatus(ctx, newCAR(1, 3, t0)),
			tx.DeleteOrganization(ctx, two.Org.ID),
		); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update: got error %v, want the callback's error", err)
	}
	wantOrgData(t, s, "organization 1 after a rolled-back Update", one)
	wantOrgData(t, s, "organization 2 after a rolled-back DeleteOrganization", two)
	orgView(t, s, func(ctx context.Context, tx organizations.Tx) error {
		_, err := tx.OU(ctx, ouID(1, 3))
		wantNotFound(t, "OU put in a rolled-back Update", err)
		_, err = tx.Policy(ctx, policyID(1, 3))
		wantNotFound(t, "Policy put in a rolled-back Update", err)
		_, err = tx.CreateAccountStatus(ctx, carID(1, 3))
		wantNotFound(t, "CreateAccountStatus put in a rolled-back Update", err)
		return nil
	})
}

func testOrgViewCannotWrite(t *testing.T, s organizations.Store) {
	d := fullOrg(1)
	orgUpdate(t, s, d.write)
	o := d.Org.ID
	changedOrg := *d.Org
	changedOrg.FeatureSet = organizations.ConsolidatedBilling
	writes := []struct {
		name  string
		write func(ctx context.Context, tx organizations.Tx) error
	}{
		{"PutAccount", func(ctx context.Context, tx organizations.Tx) error { return tx.PutAccount(ctx, newAccount(1)) }},
		{"AddMessage", func(ctx context.Context, tx organizations.Tx) error { return tx.AddMessage(ctx, message(1, t0)) }},
		{"PutOrganization", func(ctx context.Context, tx organizations.Tx) error { return tx.PutOrganization(ctx, &changedOrg) }},
		{"PutOrganization of a new one", func(ctx context.Context, tx organizations.Tx) error { return tx.PutOrganization(ctx, newOrg(2)) }},
		{"DeleteOrganization", func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOrganization(ctx, o) }},
		{"PutMember", func(ctx context.Context, tx organizations.Tx) error { return tx.PutMember(ctx, newMember(1, 5)) }},
		{"DeleteMember", func(ctx context.Context, tx organizations.Tx) error {
			return tx.DeleteMember(ctx, d.Members[1].Account)
		}},
		{"PutOU", func(ctx context.Context, tx organizations.Tx) error { return tx.PutOU(ctx, newOU(1, 5)) }},
		{"DeleteOU", func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOU(ctx, d.OUs[0].ID) }},
		{"PutCreateAccountStatus", func(ctx context.Context, tx organizations.Tx) error {
			return tx.PutCreateAccountStatus(ctx, newCAR(1, 5, t0))
		}},
		{"PutHandshake", func(ctx context.Context, tx organizations.Tx) error {
			return tx.PutHandshake(ctx, newHandshake(1, 5, t0))
		}},
		{"PutEnabledService", func(ctx context.Context, tx organizations.Tx) error {
			return tx.PutEnabledService(ctx, &organizations.EnabledService{Org: o, Principal: "x.amazonaws.com"})
		}},
		{"DeleteEnabledService", func(ctx context.Context, tx organizations.Tx) error {
			return tx.DeleteEnabledService(ctx, o, d.Services[0].Principal)
		}},
		{"PutDelegatedAdmin", func(ctx context.Context, tx organizations.Tx) error {
			return tx.PutDelegatedAdmin(ctx, &organizations.DelegatedAdmin{Org: o, Account: memberID(1, 1), Principal: "x.amazonaws.com"})
		}},
		{"DeleteDelegatedAdmin", func(ctx context.Context, tx organizations.Tx) error {
			return tx.DeleteDelegatedAdmin(ctx, o, d.Admins[0].Account, d.Admins[0].Principal)
		}},
		{"PutPolicy", func(ctx context.Context, tx organizations.Tx) error { return tx.PutPolicy(ctx, newPolicy(1, 5)) }},
		{"DeletePolicy", func(ctx context.Context, tx organizations.Tx) error { return tx.DeletePolicy(ctx, d.Policies[0].ID) }},
		{"PutAttachment", func(ctx context.Context, tx organizations.Tx) error {
			return tx.PutAttachment(ctx, &organizations.Attachment{Org: o, Policy: policyID(1, 2), Target: string(rootID(1))})
		}},
		{"DeleteAttachment", func(ctx context.Context, tx organizations.Tx) error {
			return tx.DeleteAttachment(ctx, o, d.Attachments[0].Policy, d.Attachments[0].Target)
		}},
		{"PutTags", func(ctx context.Context, tx organizations.Tx) error {
			return tx.PutTags(ctx, o, d.Tags[0].Resource, []organizations.Tag{{Key: "k", Value: "v"}})
		}},
		{"PutTags of none", func(ctx context.Context, tx organizations.Tx) error {
			return tx.PutTags(ctx, o, d.Tags[0].Resource, nil)
		}},
	}
	for _, w := range writes {
		// The View's own result is not checked: a backend may fail the
		// whole transaction once a statement in it failed.
		_ = s.View(t.Context(), func(tx organizations.Tx) error {
			if err := w.write(t.Context(), tx); err == nil {
				t.Errorf("%s in View: got nil error, want one", w.name)
			}
			return nil
		})
	}
	wantOrgData(t, s, "organization after writes in View", d)
	orgView(t, s, func(ctx context.Context, tx organizations.Tx) error {
		_, err := tx.Account(ctx, accountID(1))
		wantNotFound(t, "Account put in View", err)
		_, err = tx.Organization(ctx, orgID(2))
		wantNotFound(t, "Organization put in View", err)
		_, err = tx.Member(ctx, memberID(1, 5))
		wantNotFound(t, "Member put in View", err)
		_, err = tx.OU(ctx, ouID(1, 5))
		wantNotFound(t, "OU put in View", err)
		_, err = tx.CreateAccountStatus(ctx, carID(1, 5))
		wantNotFound(t, "CreateAccountStatus put in View", err)
		_, err = tx.Handshake(ctx, handshakeID(1, 5))
		wantNotFound(t, "Handshake put in View", err)
		_, err = tx.Policy(ctx, policyID(1, 5))
		wantNotFound(t, "Policy put in View", err)
		return nil
	})
	if ob, ok := s.(kernel.Outbox); ok {
		if ms := mustMessages(t, ob, 10); len(ms) != 0 {
			t.Errorf("Messages after AddMessage in View: got %d, want 0", len(ms))
		}
	}
}
