package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// The records of organizations.Tx. Every record but the organization
// itself belongs to the organization of its scope (orgID(s)), so that
// DeleteOrganization's cascade can be checked kind by kind.

func orgStore(s Stores) kernel.Store[organizations.Tx] { return s.Organizations }

func orgKinds() []sampler[organizations.Tx] {
	return append([]sampler[organizations.Tx]{organizationRecords}, orgOwnedKinds()...)
}

// orgOwnedKinds are the kinds whose records belong to an organization.
func orgOwnedKinds() []sampler[organizations.Tx] {
	return []sampler[organizations.Tx]{members, ous, createAccountStatuses, handshakes, enabledServices,
		delegatedAdmins, orgPolicies, orgAttachments, orgTags}
}

// Identifiers of test records, valid for the API patterns. Policy ids have
// a letter, so that their case can change.
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
	return organizations.PolicyID(fmt.Sprintf("p-%04dx%03d", org, n))
}

// memberID is the n-th member account of organization org.
func memberID(org, n int) identity.AccountID { return accountID(100*org + n) }

// newOrg returns organization n with every field set.
func newOrg(n int) *organizations.Organization {
	return &organizations.Organization{
		ID: orgID(n), FeatureSet: organizations.AllFeatures, ManagementAccount: memberID(n, 0),
		RootID: rootID(n % 10000), CreatedAt: t0.Add(time.Duration(n) * time.Minute),
		// Not in sorted order: the order must be kept.
		EnabledPolicyTypes:   []organizations.PolicyType{"TAG_POLICY", organizations.SCP, "BACKUP_POLICY"},
		AllFeaturesHandshake: handshakeID(n, 99),
	}
}

// listTimes[n-1] is when record n of a list ordered by time was made:
// ties, zero times (the cleared records) and an order that is not n's.
var listTimes = []time.Time{t0.Add(time.Nanosecond), t0.Add(time.Hour), {}, t0, t0, {},
	t0.Add(-time.Hour), t0.Add(2 * time.Hour), {}, t0}

// after is at+d, or the zero time for the zero at.
func after(at time.Time, d time.Duration) time.Time {
	if at.IsZero() {
		return at
	}
	return at.Add(d)
}

func reversed[T any](s []T) []T {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// byTimeThenID orders records oldest first (the zero time first), ties by
// id.
func byTimeThenID[ID ~string](at1 time.Time, id1 ID, at2 time.Time, id2 ID) int {
	return cmp.Or(at1.Compare(at2), strings.Compare(string(id1), string(id2)))
}

var policyTypeLists = [][]organizations.PolicyType{
	organizations.PolicyTypes,
	reversed(organizations.PolicyTypes),
	{organizations.SCP},
	{"RESOURCE_CONTROL_POLICY", organizations.SCP},
}

var organizationRecords = &kind[organizations.Tx, organizations.Organization]{
	name: "Organization", store: orgStore,
	sample: func(s, n int) organizations.Organization {
		o := *newOrg(100*s + n)
		o.EnabledPolicyTypes = policyTypeLists[(s+n)%len(policyTypeLists)] // the checks' records use every list
		return o
	},
	key: func(o organizations.Organization) any { return o.ID },
	put: func(ctx context.Context, tx organizations.Tx, o organizations.Organization) error {
		return tx.PutOrganization(ctx, &o)
	},
	get: func(ctx context.Context, tx organizations.Tx, o organizations.Organization) (organizations.Organization, error) {
		return value(tx.Organization(ctx, o.ID))
	},
	del: func(ctx context.Context, tx organizations.Tx, o organizations.Organization) error {
		return tx.DeleteOrganization(ctx, o.ID)
	},
	delAbsentOK: true,
	mutate: func(o organizations.Organization) organizations.Organization {
		return organizations.Organization{
			ID: o.ID, FeatureSet: organizations.ConsolidatedBilling, ManagementAccount: memberID(0, 5),
			RootID: rootID(9), CreatedAt: o.CreatedAt.Add(-time.Nanosecond),
		}
	},
	clear: func(o organizations.Organization) organizations.Organization {
		return organizations.Organization{ID: o.ID, EnabledPolicyTypes: []organizations.PolicyType{}}
	},
	times: func(o organizations.Organization, at time.Time) organizations.Organization {
		o.CreatedAt = at
		return o
	},
	recase: func(o organizations.Organization) organizations.Organization {
		o.ID = organizations.OrgID(strings.ToUpper(string(o.ID)))
		return o
	},
}

var members = &kind[organizations.Tx, organizations.Member]{
	name: "Member", store: orgStore,
	sample: func(s, n int) organizations.Member {
		m := organizations.Member{
			Account: memberID(s, jumble(n)), Org: orgID(s), Parent: string(rootID(s)),
			Method: organizations.Invited, JoinedAt: t0.Add(time.Duration(n) * time.Second),
		}
		if n%2 == 0 {
			m.Parent, m.Method = string(ouID(s, 1)), organizations.Created
		}
		return m
	},
	key: func(m organizations.Member) any { return m.Account },
	put: func(ctx context.Context, tx organizations.Tx, m organizations.Member) error {
		return tx.PutMember(ctx, &m)
	},
	get: func(ctx context.Context, tx organizations.Tx, m organizations.Member) (organizations.Member, error) {
		return value(tx.Member(ctx, m.Account))
	},
	del: func(ctx context.Context, tx organizations.Tx, m organizations.Member) error {
		return tx.DeleteMember(ctx, m.Account)
	},
	list: func(ctx context.Context, tx organizations.Tx, m organizations.Member) ([]organizations.Member, error) {
		return tx.Members(ctx, m.Org)
	},
	order: func(a, b organizations.Member) int { return strings.Compare(string(a.Account), string(b.Account)) },
	// An account has one membership: it moves to another organization.
	mutate: func(m organizations.Member) organizations.Member {
		return organizations.Member{
			Account: m.Account, Org: m.Org + "0", Parent: string(ouID(9999, 1)), Method: organizations.Created,
			JoinedAt: m.JoinedAt.Add(time.Hour),
		}
	},
	clear: func(m organizations.Member) organizations.Member {
		return organizations.Member{Account: m.Account, Org: m.Org}
	},
	times: func(m organizations.Member, at time.Time) organizations.Member { m.JoinedAt = at; return m },
}

var ous = &kind[organizations.Tx, organizations.OU]{
	name: "OU", store: orgStore,
	sample: func(s, n int) organizations.OU {
		ou := organizations.OU{ID: ouID(s, jumble(n)), Org: orgID(s), Parent: string(rootID(s)), Name: fmt.Sprintf("OU %d", n)}
		if n%2 == 0 {
			ou.Parent, ou.Name = string(ouID(s, 1)), fmt.Sprintf("Nested %d / ünïcode", n)
		}
		return ou
	},
	key: func(ou organizations.OU) any { return ou.ID },
	put: func(ctx context.Context, tx organizations.Tx, ou organizations.OU) error { return tx.PutOU(ctx, &ou) },
	get: func(ctx context.Context, tx organizations.Tx, ou organizations.OU) (organizations.OU, error) {
		return value(tx.OU(ctx, ou.ID))
	},
	del: func(ctx context.Context, tx organizations.Tx, ou organizations.OU) error {
		return tx.DeleteOU(ctx, ou.ID)
	},
	list: func(ctx context.Context, tx organizations.Tx, ou organizations.OU) ([]organizations.OU, error) {
		return tx.OUs(ctx, ou.Org)
	},
	order: func(a, b organizations.OU) int { return strings.Compare(string(a.ID), string(b.ID)) },
	mutate: func(ou organizations.OU) organizations.OU {
		ou.Parent, ou.Name = string(ouID(9999, 2)), "renamed"
		return ou
	},
	clear: func(ou organizations.OU) organizations.OU { return organizations.OU{ID: ou.ID, Org: ou.Org} },
	recase: func(ou organizations.OU) organizations.OU {
		ou.ID = organizations.OUID(strings.ToUpper(string(ou.ID)))
		return ou
	},
}

var createAccountStatuses = &kind[organizations.Tx, organizations.CreateAccountStatus]{
	name: "CreateAccountStatus", store: orgStore,
	sample: func(s, n int) organizations.CreateAccountStatus {
		at := listTimes[n-1]
		c := organizations.CreateAccountStatus{
			ID: carID(s, jumble(n)), Org: orgID(s), AccountName: fmt.Sprintf("created %d", n),
			Email: fmt.Sprintf("Created%d@Example.com", n), Account: memberID(s, 50+n),
			RequestedAt: at, DueAt: after(at, 90*time.Second),
		}
		if n%2 == 0 {
			c.Account, c.FailureReason = "", "EMAIL_ALREADY_EXISTS"
		}
		return c
	},
	key: func(c organizations.CreateAccountStatus) any { return c.ID },
	put: func(ctx context.Context, tx organizations.Tx, c organizations.CreateAccountStatus) error {
		return tx.PutCreateAccountStatus(ctx, &c)
	},
	get: func(ctx context.Context, tx organizations.Tx, c organizations.CreateAccountStatus) (organizations.CreateAccountStatus, error) {
		return value(tx.CreateAccountStatus(ctx, c.ID))
	},
	list: func(ctx context.Context, tx organizations.Tx, c organizations.CreateAccountStatus) ([]organizations.CreateAccountStatus, error) {
		return tx.CreateAccountStatuses(ctx, c.Org)
	},
	order: func(a, b organizations.CreateAccountStatus) int {
		return byTimeThenID(a.RequestedAt, a.ID, b.RequestedAt, b.ID)
	},
	mutate: func(c organizations.CreateAccountStatus) organizations.CreateAccountStatus {
		c.AccountName, c.Email, c.Account, c.FailureReason = "renamed", "other@example.com", "", "INTERNAL_FAILURE"
		c.RequestedAt, c.DueAt = t0.Add(-2*time.Hour), t0.Add(3*time.Hour)
		return c
	},
	clear: func(c organizations.CreateAccountStatus) organizations.CreateAccountStatus {
		return organizations.CreateAccountStatus{ID: c.ID, Org: c.Org}
	},
	times: func(c organizations.CreateAccountStatus, at time.Time) organizations.CreateAccountStatus {
		c.RequestedAt, c.DueAt = at, at
		return c
	},
	recase: func(c organizations.CreateAccountStatus) organizations.CreateAccountStatus {
		c.ID = organizations.CreateAccountReqID(strings.ToUpper(string(c.ID)))
		return c
	},
}

// newHandshake returns handshake n of organization org: an invitation of an
// account, of an email (n%4 == 2), an ENABLE_ALL_FEATURES request (n%4 ==
// 0) or, for n == 5, the approval it asks for.
func newHandshake(org, n int) organizations.Handshake {
	at := listTimes[(n-1)%len(listTimes)]
	h := organizations.Handshake{
		ID: handshakeID(org, jumble(n)), Org: orgID(org), Action: organizations.ActionInvite,
		State: organizations.HandshakeOpen, TargetType: organizations.PartyAccount,
		Target: string(memberID(org, 70+n)), TargetAccount: memberID(org, 70+n),
		Notes: fmt.Sprintf("notes %d\nsecond line", n), RequestedAt: at, ExpiresAt: after(at, 15*24*time.Hour),
		UpdatedAt: after(at, time.Nanosecond), ManagementEmail: fmt.Sprintf("mgmt%d@example.com", org),
		ManagementName: fmt.Sprintf("management %d", org), FeatureSet: organizations.AllFeatures,
	}
	switch {
	case n%4 == 2:
		h.TargetType, h.Target, h.TargetAccount = organizations.PartyEmail, fmt.Sprintf("Invitee%d-%d@Example.com", org, n), ""
	case n%4 == 0:
		h.Action, h.State, h.TargetType = organizations.ActionEnableAllFeatures, organizations.HandshakeRequested, organizations.PartyOrganization
		h.Target, h.TargetAccount, h.FeatureSet = string(orgID(org)), "", organizations.ConsolidatedBilling
	case n == 5:
		h.Action, h.Parent = organizations.ActionApproveAllFeatures, handshakeID(org, jumble(4))
	}
	return h
}

var handshakes = &kind[organizations.Tx, organizations.Handshake]{
	name: "Handshake", store: orgStore,
	sample: newHandshake,
	key:    func(h organizations.Handshake) any { return h.ID },
	put: func(ctx context.Context, tx organizations.Tx, h organizations.Handshake) error {
		return tx.PutHandshake(ctx, &h)
	},
	get: func(ctx context.Context, tx organizations.Tx, h organizations.Handshake) (organizations.Handshake, error) {
		return value(tx.Handshake(ctx, h.ID))
	},
	list: func(ctx context.Context, tx organizations.Tx, h organizations.Handshake) ([]organizations.Handshake, error) {
		return tx.Handshakes(ctx, h.Org)
	},
	order: func(a, b organizations.Handshake) int { return byTimeThenID(a.RequestedAt, a.ID, b.RequestedAt, b.ID) },
	mutate: func(h organizations.Handshake) organizations.Handshake {
		return organizations.Handshake{
			ID: h.ID, Org: h.Org, Action: organizations.ActionApproveAllFeatures, State: organizations.HandshakeCanceled,
			TargetType: organizations.PartyEmail, Target: "Changed@Example.com", Parent: handshakeID(9999, 1),
			RequestedAt: t0.Add(-time.Minute), ExpiresAt: t0.Add(time.Minute), UpdatedAt: t0.Add(time.Hour),
			FeatureSet: organizations.ConsolidatedBilling,
		}
	},
	clear: func(h organizations.Handshake) organizations.Handshake {
		return organizations.Handshake{ID: h.ID, Org: h.Org}
	},
	times: func(h organizations.Handshake, at time.Time) organizations.Handshake {
		h.RequestedAt, h.ExpiresAt, h.UpdatedAt = at, at, at
		return h
	},
	recase: func(h organizations.Handshake) organizations.Handshake {
		h.ID = organizations.HandshakeID(strings.ToUpper(string(h.ID)))
		return h
	},
}

// servicePrincipals are in neither byte nor n order.
var servicePrincipals = []string{"sso.amazonaws.com", "config.amazonaws.com", "member.org.stacksets.cloudformation.amazonaws.com",
	"account.amazonaws.com", "Upper.amazonaws.com", "access-analyzer.amazonaws.com", "tagpolicies.tag.amazonaws.com",
	"backup.amazonaws.com", "ram.amazonaws.com", "ipam.amazonaws.com"}

var enabledServices = &kind[organizations.Tx, organizations.EnabledService]{
	name: "EnabledService", store: orgStore,
	sample: func(s, n int) organizations.EnabledService {
		return organizations.EnabledService{Org: orgID(s), Principal: servicePrincipals[n-1], EnabledAt: t0.Add(-time.Duration(n) * time.Hour)}
	},
	key: func(e organizations.EnabledService) any { return [2]any{e.Org, e.Principal} },
	put: func(ctx context.Context, tx organizations.Tx, e organizations.EnabledService) error {
		return tx.PutEnabledService(ctx, &e)
	},
	del: func(ctx context.Context, tx organizations.Tx, e organizations.EnabledService) error {
		return tx.DeleteEnabledService(ctx, e.Org, e.Principal)
	},
	list: func(ctx context.Context, tx organizations.Tx, e organizations.EnabledService) ([]organizations.EnabledService, error) {
		return tx.EnabledServices(ctx, e.Org)
	},
	order: func(a, b organizations.EnabledService) int { return strings.Compare(a.Principal, b.Principal) },
	mutate: func(e organizations.EnabledService) organizations.EnabledService {
		e.EnabledAt = e.EnabledAt.Add(5 * time.Hour)
		return e
	},
	clear: func(e organizations.EnabledService) organizations.EnabledService {
		return organizations.EnabledService{Org: e.Org, Principal: e.Principal}
	},
	times: func(e organizations.EnabledService, at time.Time) organizations.EnabledService {
		e.EnabledAt = at
		return e
	},
}

var delegatedAdmins = &kind[organizations.Tx, organizations.DelegatedAdmin]{
	name: "DelegatedAdmin", store: orgStore,
	sample: func(s, n int) organizations.DelegatedAdmin {
		return organizations.DelegatedAdmin{
			Org: orgID(s), Account: memberID(s, 1+jumble(n)%3), Principal: servicePrincipals[n-1],
			EnabledAt: t0.Add(time.Duration(n) * time.Hour),
		}
	},
	key: func(d organizations.DelegatedAdmin) any { return [3]any{d.Org, d.Account, d.Principal} },
	put: func(ctx context.Context, tx organizations.Tx, d organizations.DelegatedAdmin) error {
		return tx.PutDelegatedAdmin(ctx, &d)
	},
	del: func(ctx context.Context, tx organizations.Tx, d organizations.DelegatedAdmin) error {
		return tx.DeleteDelegatedAdmin(ctx, d.Org, d.Account, d.Principal)
	},
	list: func(ctx context.Context, tx organizations.Tx, d organizations.DelegatedAdmin) ([]organizations.DelegatedAdmin, error) {
		return tx.DelegatedAdmins(ctx, d.Org)
	},
	order: func(a, b organizations.DelegatedAdmin) int {
		return cmp.Or(strings.Compare(string(a.Account), string(b.Account)), strings.Compare(a.Principal, b.Principal))
	},
	mutate: func(d organizations.DelegatedAdmin) organizations.DelegatedAdmin {
		d.EnabledAt = d.EnabledAt.Add(5 * time.Hour)
		return d
	},
	clear: func(d organizations.DelegatedAdmin) organizations.DelegatedAdmin {
		return organizations.DelegatedAdmin{Org: d.Org, Account: d.Account, Principal: d.Principal}
	},
	times: func(d organizations.DelegatedAdmin, at time.Time) organizations.DelegatedAdmin {
		d.EnabledAt = at
		return d
	},
}

var orgPolicies = &kind[organizations.Tx, organizations.Policy]{
	name: "Policy", store: orgStore,
	sample: func(s, n int) organizations.Policy {
		p := organizations.Policy{
			ID: policyID(s, jumble(n)), Org: orgID(s), Type: organizations.SCP, Name: fmt.Sprintf("policy %d", n),
			Description: fmt.Sprintf("description %d", n),
			Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`,
		}
		if n%2 == 0 {
			p.Type = "TAG_POLICY"
		}
		return p
	},
	key: func(p organizations.Policy) any { return p.ID },
	put: func(ctx context.Context, tx organizations.Tx, p organizations.Policy) error {
		return tx.PutPolicy(ctx, &p)
	},
	get: func(ctx context.Context, tx organizations.Tx, p organizations.Policy) (organizations.Policy, error) {
		return value(tx.Policy(ctx, p.ID))
	},
	del: func(ctx context.Context, tx organizations.Tx, p organizations.Policy) error {
		return tx.DeletePolicy(ctx, p.ID)
	},
	list: func(ctx context.Context, tx organizations.Tx, p organizations.Policy) ([]organizations.Policy, error) {
		return tx.Policies(ctx, p.Org)
	},
	order: func(a, b organizations.Policy) int { return strings.Compare(string(a.ID), string(b.ID)) },
	mutate: func(p organizations.Policy) organizations.Policy {
		return organizations.Policy{ID: p.ID, Org: p.Org, Type: "BACKUP_POLICY", Name: "renamed", Content: `{"Statement":[]}`}
	},
	clear: func(p organizations.Policy) organizations.Policy { return organizations.Policy{ID: p.ID, Org: p.Org} },
	recase: func(p organizations.Policy) organizations.Policy {
		p.ID = organizations.PolicyID(strings.ToUpper(string(p.ID)))
		return p
	},
}

// fullAWSAccess is an AWS-managed policy (Org ""): no organization's.
const fullAWSAccess organizations.PolicyID = "p-FullAWSAccess"

var orgAttachments = &kind[organizations.Tx, organizations.Attachment]{
	name: "Attachment", store: orgStore,
	// Byte-wise, "p-0..." sorts before "p-F...".
	sample: func(s, n int) organizations.Attachment {
		ps := []organizations.PolicyID{policyID(s, 1), fullAWSAccess, policyID(s, 2)}
		targets := []string{string(rootID(s)), string(ouID(s, 1)), string(memberID(s, 1)), string(ouID(s, 2))}
		j := jumble(n) - 1
		return organizations.Attachment{Org: orgID(s), Policy: ps[j%3], Target: targets[j/3]}
	},
	key: func(a organizations.Attachment) any { return a },
	put: func(ctx context.Context, tx organizations.Tx, a organizations.Attachment) error {
		return tx.PutAttachment(ctx, &a)
	},
	del: func(ctx context.Context, tx organizations.Tx, a organizations.Attachment) error {
		return tx.DeleteAttachment(ctx, a.Org, a.Policy, a.Target)
	},
	list: func(ctx context.Context, tx organizations.Tx, a organizations.Attachment) ([]organizations.Attachment, error) {
		return tx.Attachments(ctx, a.Org)
	},
	order: func(a, b organizations.Attachment) int {
		return cmp.Or(strings.Compare(string(a.Policy), string(b.Policy)), strings.Compare(a.Target, b.Target))
	},
}

// resourceTags are the tags of one resource. A resource without tags reads
// as none (not an error); the kind reports it as not found.
type resourceTags struct {
	Org      organizations.OrgID
	Resource string
	Tags     []organizations.Tag
}

var orgTags = &kind[organizations.Tx, resourceTags]{
	name: "Tags", store: orgStore,
	// Resources do not depend on the scope: the same resource id in
	// another organization has tags of its own. Tags are sorted by key,
	// byte-wise (upper case first, "a" before "a:b"); put reverses them.
	sample: func(s, n int) resourceTags {
		rs := []string{string(memberID(0, n)), string(rootID(n)), string(ouID(n, n)), string(policyID(n, n))}
		return resourceTags{orgID(s), rs[n%len(rs)], []organizations.Tag{
			{Key: "Name", Value: fmt.Sprintf("resource %d-%d", s, n)},
			{Key: "Z", Value: ""},
			{Key: "a", Value: "1"},
			{Key: "a:b", Value: "2"},
			{Key: "aws-like/key with spaces", Value: "value with = and ,"},
			{Key: "ünïcode", Value: "välue"},
		}}
	},
	key: func(r resourceTags) any { return [2]any{r.Org, r.Resource} },
	put: func(ctx context.Context, tx organizations.Tx, r resourceTags) error {
		return tx.PutTags(ctx, r.Org, r.Resource, reversed(r.Tags))
	},
	get: func(ctx context.Context, tx organizations.Tx, r resourceTags) (resourceTags, error) {
		tags, err := tx.Tags(ctx, r.Org, r.Resource)
		if err == nil && len(tags) == 0 {
			err = fmt.Errorf("no tags on %s: %w", r.Resource, kernel.ErrNotFound)
		}
		return resourceTags{r.Org, r.Resource, tags}, err
	},
	del: func(ctx context.Context, tx organizations.Tx, r resourceTags) error {
		return tx.PutTags(ctx, r.Org, r.Resource, nil)
	},
	delAbsentOK: true,
	mutate: func(r resourceTags) resourceTags {
		r.Tags = []organizations.Tag{{Key: "b", Value: "changed"}, {Key: "d", Value: "4"}}
		return r
	},
}

var orgTests = []test{
	{"Organizations/DeleteCascades", testOrgDeleteCascades},
	{"Organizations/RollbackEveryKind", func(t *testing.T, s Stores) { testRollbackEveryKind(t, s.Organizations, orgKinds()) }},
	{"Organizations/HandshakesFor", testHandshakesFor},
	{"Organizations/HandshakesForFollowsReplace", testHandshakesForReplace},
	{"Organizations/AWSManagedPolicy", testAWSManagedPolicy},
	{"Organizations/PutTagsEmptyList", testTagsPutEmpty},
}

// testOrgDeleteCascades: DeleteOrganization removes every record of the
// organization, in its transaction, and nothing else; rolled back, it
// removes nothing.
func testOrgDeleteCascades(t *testing.T, s Stores) {
	skipUnless(t, s.Organizations != nil, "Organizations view")
	st := s.Organizations
	kinds := orgOwnedKinds()
	managed := &organizations.Policy{ID: fullAWSAccess, Type: organizations.SCP, Name: "FullAWSAccess",
		Description: "Allows access to every operation", Content: `{"Statement":[]}`, AWSManaged: true}
	accounts := []*kernel.Account{newAccount(101), newAccount(201)}
	fill := func(ctx context.Context, tx organizations.Tx, org int) error {
		errs := []error{tx.PutOrganization(ctx, newOrg(org))}
		for _, k := range kinds {
			for n := 1; n <= 3; n++ {
				errs = append(errs, k.putSample(ctx, tx, org, n))
			}
		}
		return errors.Join(errs...)
	}
	// wantOrg fails t unless organization org holds everything or nothing.
	wantOrg := func(what string, ctx context.Context, tx organizations.Tx, org int, present bool) {
		t.Helper()
		organizationRecords.wantIn(t, ctx, tx, what, *newOrg(org), present)
		for _, k := range kinds {
			for n := 1; n <= 3; n++ {
				k.wantSample(t, ctx, tx, org, n, present)
			}
		}
		for n := 1; n <= 2; n++ { // 3 is cleared: it has no target
			h := handshakes.at(org, n)
			hs, err := tx.HandshakesFor(ctx, h.TargetAccount, h.Target)
			if err != nil || slices.IndexFunc(hs, func(x organizations.Handshake) bool { return x.ID == h.ID }) >= 0 != present {
				t.Errorf("%s: HandshakesFor(%q, %q): got %d handshakes, error %v, want %s among them: %v",
					what, h.TargetAccount, h.Target, len(hs), err, h.ID, present)
			}
		}
	}
	update(t, st, func(ctx context.Context, tx organizations.Tx) error {
		errs := []error{fill(ctx, tx, 1), fill(ctx, tx, 2), tx.PutPolicy(ctx, managed)}
		for _, a := range accounts {
			errs = append(errs, tx.PutAccount(ctx, a))
		}
		return errors.Join(errs...)
	})

	err := st.Update(t.Context(), func(tx organizations.Tx) error {
		return errors.Join(tx.DeleteOrganization(t.Context(), orgID(2)), errBoom)
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("failed Update: got %v, want the callback's error", err)
	}
	if err := write(t, st, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOrganization(ctx, orgID(1)) }); err != nil {
		t.Fatalf("DeleteOrganization: %v", err)
	}
	view(t, st, func(ctx context.Context, tx organizations.Tx) error {
		wantOrg("deleted organization", ctx, tx, 1, false)
		wantOrg("organization whose deletion rolled back", ctx, tx, 2, true)
		// AWS-managed policies and accounts belong to no organization.
		checkRead(t, "AWS-managed Policy", managed, func() (any, error) { return tx.Policy(ctx, managed.ID) })
		for _, a := range accounts {
			checkRead(t, "Account "+string(a.ID), a, func() (any, error) { return tx.Account(ctx, a.ID) })
		}
		return nil
	})
	err = write(t, st, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOrganization(ctx, orgID(1)) })
	if err != nil && !errors.Is(err, kernel.ErrNotFound) {
		t.Errorf("second DeleteOrganization: got %v, want nil or ErrNotFound", err)
	}

	// Deleted in the transaction that filled it, the rows written earlier
	// in the transaction go too.
	update(t, st, func(ctx context.Context, tx organizations.Tx) error {
		if err := fill(ctx, tx, 3); err != nil {
			return err
		}
		if err := tx.DeleteOrganization(ctx, orgID(3)); err != nil {
			return err
		}
		wantOrg("organization deleted in the transaction that filled it", ctx, tx, 3, false)
		return nil
	})
	view(t, st, func(ctx context.Context, tx organizations.Tx) error {
		wantOrg("organization deleted in the transaction that filled it, after", ctx, tx, 3, false)
		return nil
	})
}

// invitation is handshake n of org for an account id or an email.
func invitation(org, n int, at time.Time, id identity.AccountID, email string) organizations.Handshake {
	h := newHandshake(org, 1)
	h.ID, h.RequestedAt, h.TargetAccount = handshakeID(org, n), at, id
	if email != "" {
		h.TargetType, h.Target = organizations.PartyEmail, email
	} else {
		h.TargetType, h.Target = organizations.PartyAccount, string(id)
	}
	return h
}

func handshakesFor(t *testing.T, s Stores, id identity.AccountID, email string) []organizations.Handshake {
	t.Helper()
	return mustRead(t, s.Organizations, fmt.Sprintf("HandshakesFor(%q, %q)", id, email),
		func(ctx context.Context, tx organizations.Tx) ([]organizations.Handshake, error) {
			return tx.HandshakesFor(ctx, id, email)
		})
}

// testHandshakesFor: HandshakesFor lists, across organizations and oldest
// first, the handshakes for an account id or an email (in any case, read
// back as written); an empty id or email matches nothing.
func testHandshakesFor(t *testing.T, s Stores) {
	skipUnless(t, s.Organizations != nil, "Organizations view")
	me, other := accountID(1), accountID(2)
	const myEmail = "Me.Mixed@Example.COM"
	byID := invitation(1, 1, t0.Add(2*time.Hour), me, "")
	byEmail := invitation(2, 1, t0, "", myEmail) // another organization, older
	byBoth := invitation(1, 2, t0.Add(time.Hour), me, myEmail)
	byIDTie := invitation(3, 1, t0.Add(2*time.Hour), me, "") // same time as byID: id order
	notMine := invitation(1, 3, t0, other, "other@example.com")
	emailOfAnother := invitation(1, 4, t0, other, "me.mixed@example.com.evil")
	blank := invitation(1, 5, t0, "", "")
	blank.Target = ""
	update(t, s.Organizations, func(ctx context.Context, tx organizations.Tx) error {
		var errs []error
		for _, h := range []organizations.Handshake{notMine, byIDTie, byID, emailOfAnother, byBoth, byEmail, blank} {
			errs = append(errs, tx.PutHandshake(ctx, &h))
		}
		return errors.Join(errs...)
	})
	tests := []struct {
		name  string
		id    identity.AccountID
		email string
		want  []organizations.Handshake
	}{
		{"id and email", me, myEmail, []organizations.Handshake{byEmail, byBoth, byID, byIDTie}},
		{"email in lower case", "", "me.mixed@example.com", []organizations.Handshake{byEmail, byBoth}},
		{"email in upper case", accountID(9), "ME.MIXED@EXAMPLE.COM", []organizations.Handshake{byEmail, byBoth}},
		{"id and an unknown email", me, "nobody@example.com", []organizations.Handshake{byBoth, byID, byIDTie}},
		{"other", other, "other@example.com", []organizations.Handshake{notMine, emailOfAnother}},
		{"a prefix of an email", "", "me.mixed@example.co", nil},
		{"unknown", accountID(9), "nobody@example.com", nil},
		{"empty id and email", "", "", nil},
		{"an id and an empty email", accountID(9), "", nil},
	}
	for _, tt := range tests {
		wantEqual(t, "HandshakesFor: "+tt.name, handshakesFor(t, s, tt.id, tt.email), tt.want)
	}
}

// testHandshakesForReplace: the lookups follow a replaced handshake's
// target.
func testHandshakesForReplace(t *testing.T, s Stores) {
	skipUnless(t, s.Organizations != nil, "Organizations view")
	h := invitation(1, 1, t0, "", "old@example.com")
	update(t, s.Organizations, func(ctx context.Context, tx organizations.Tx) error { return tx.PutHandshake(ctx, &h) })
	h.Target, h.TargetAccount = "New@Example.com", accountID(5)
	update(t, s.Organizations, func(ctx context.Context, tx organizations.Tx) error { return tx.PutHandshake(ctx, &h) })
	wantEqual(t, "HandshakesFor the old email", handshakesFor(t, s, accountID(9), "old@example.com"), []organizations.Handshake(nil))
	wantEqual(t, "HandshakesFor the new email", handshakesFor(t, s, accountID(9), "new@example.com"), []organizations.Handshake{h})
	wantEqual(t, "HandshakesFor the new account", handshakesFor(t, s, accountID(5), ""), []organizations.Handshake{h})
}

// testAWSManagedPolicy: an AWS-managed policy (Org "") is found by id and
// listed by no organization, not even "".
func testAWSManagedPolicy(t *testing.T, s Stores) {
	skipUnless(t, s.Organizations != nil, "Organizations view")
	managed := &organizations.Policy{ID: fullAWSAccess, Type: organizations.SCP, Name: "FullAWSAccess",
		Description: "Allows access to every operation",
		Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, AWSManaged: true}
	custom := orgPolicies.at(1, 1)
	update(t, s.Organizations, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutPolicy(ctx, managed), tx.PutPolicy(ctx, &custom))
	})
	view(t, s.Organizations, func(ctx context.Context, tx organizations.Tx) error {
		checkRead(t, "AWS-managed Policy", managed, func() (any, error) { return tx.Policy(ctx, managed.ID) })
		_, err := tx.Policy(ctx, "p-fullawsaccess")
		wantNotFound(t, "Policy of the id in another case", err)
		checkRead(t, `Policies("")`, []organizations.Policy(nil), func() (any, error) { return tx.Policies(ctx, "") })
		checkRead(t, "Policies of an organization", []organizations.Policy{custom}, func() (any, error) { return tx.Policies(ctx, custom.Org) })
		return nil
	})
}

// testTagsPutEmptyList: an empty list, like nil, leaves a resource no
// tags.
func testTagsPutEmpty(t *testing.T, s Stores) {
	skipUnless(t, s.Organizations != nil, "Organizations view")
	r := orgTags.at(1, 1)
	update(t, s.Organizations, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(orgTags.put(ctx, tx, r), tx.PutTags(ctx, r.Org, r.Resource, []organizations.Tag{}))
	})
	got := mustRead(t, s.Organizations, "Tags", func(ctx context.Context, tx organizations.Tx) ([]organizations.Tag, error) {
		return tx.Tags(ctx, r.Org, r.Resource)
	})
	if len(got) != 0 {
		t.Errorf("Tags after putting an empty list: got %v, want none", got)
	}
}
