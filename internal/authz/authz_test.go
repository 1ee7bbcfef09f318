package authz_test

import (
	"context"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/authz"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/policy"
)

const acct = identity.AccountID("111111111111")

// fakeSource is a PolicySource of fixed answers.
type fakeSource struct {
	pols map[string]authz.Policies // by principal ARN
	// facts are the OrgFacts of every account (inOrg when non-nil).
	facts *authz.OrgFacts
	// resTags are the tags of resources by ARN; resCalls records the
	// (action, resource) pairs ResourceTags was asked about.
	resTags  map[string]map[string]string
	resCalls [][2]string
}

func (f *fakeSource) PrincipalPolicies(_ context.Context, p identity.Principal) (authz.Policies, error) {
	return f.pols[p.ARN], nil
}

func (f *fakeSource) OrgFacts(context.Context, identity.AccountID) (authz.OrgFacts, bool, error) {
	if f.facts == nil {
		return authz.OrgFacts{}, false, nil
	}
	return *f.facts, true, nil
}

func (f *fakeSource) ResourceTags(_ context.Context, action, resource string) (map[string]string, error) {
	f.resCalls = append(f.resCalls, [2]string{action, resource})
	return f.resTags[resource], nil
}

func parse(t *testing.T, doc string, kind policy.Kind) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc), kind)
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	return p
}

// allowIf allows action on "*" under condition (JSON object text).
func allowIf(action, condition string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*","Condition":` + condition + `}]}`
}

func user(name string) identity.Principal {
	return identity.AccessKey{Account: acct, User: name, ID: "AKIA" + name}.UserPrincipal("AIDA"+name, "/")
}

func newAuthorizer(src *fakeSource) *authz.Authorizer {
	return &authz.Authorizer{Source: src, Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
}

func wantAllowed(t *testing.T, z *authz.Authorizer, r authz.Request, allowed bool) {
	t.Helper()
	err := z.Check(context.Background(), r)
	switch {
	case allowed && err != nil:
		t.Errorf("%s %s by %s: %v, want allowed", r.Action, r.Resource, r.Principal.ARN, err)
	case !allowed && !apierr.HasCode(err, authz.CodeAccessDenied):
		t.Errorf("%s %s by %s: %v, want AccessDeniedException", r.Action, r.Resource, r.Principal.ARN, err)
	}
}

func TestPrincipalTag(t *testing.T) {
	const put = "account:PutAlternateContact"
	blueOnly := allowIf(put, `{"StringEquals":{"aws:PrincipalTag/team":"blue"}}`)
	blue, red, none := user("blue"), user("red"), user("none")
	session := identity.AssumedRolePrincipal(acct, "ops", "AROAOPS", "s1", "ASIAS1")
	src := &fakeSource{pols: map[string]authz.Policies{}}
	for _, u := range []struct {
		p    identity.Principal
		tags map[string]string
	}{
		{blue, map[string]string{"team": "blue"}},
		{red, map[string]string{"team": "red"}},
		{none, nil},
		// Key names match case-insensitively, values do not.
		{session, map[string]string{"Team": "blue"}},
	} {
		src.pols[u.p.ARN] = authz.Policies{Identity: []*policy.Policy{parse(t, blueOnly, policy.Identity)}, Tags: u.tags}
	}
	z := newAuthorizer(src)
	wantAllowed(t, z, authz.Request{Principal: blue, Action: put, Resource: "*"}, true)
	wantAllowed(t, z, authz.Request{Principal: red, Action: put, Resource: "*"}, false)
	wantAllowed(t, z, authz.Request{Principal: none, Action: put, Resource: "*"}, false)
	wantAllowed(t, z, authz.Request{Principal: session, Action: put, Resource: "*"}, true)
	// A request cannot claim the principal's tags.
	spoof := map[string][]string{"aws:PrincipalTag/team": {"blue"}, "aws:principaltag/TEAM": {"blue"}}
	wantAllowed(t, z, authz.Request{Principal: none, Action: put, Resource: "*", Context: spoof}, false)
	wantAllowed(t, z, authz.Request{Principal: red, Action: put, Resource: "*", Context: spoof}, false)

	// Policy variables see the tags too.
	own := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::111111111111:user/${aws:PrincipalTag/team}-*"}]}`
	src.pols[blue.ARN] = authz.Policies{Identity: []*policy.Policy{parse(t, own, policy.Identity)}, Tags: map[string]string{"team": "blue"}}
	wantAllowed(t, z, authz.Request{Principal: blue, Action: "iam:GetUser", Resource: "arn:aws:iam::111111111111:user/blue-1"}, true)
	wantAllowed(t, z, authz.Request{Principal: blue, Action: "iam:GetUser", Resource: "arn:aws:iam::111111111111:user/red-1"}, false)
}

// Root users carry no aws:PrincipalTag keys: an SCP denying tagged
// principals binds the tagged user, not the member account's root.
func TestPrincipalTagRootHasNone(t *testing.T) {
	scp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` +
		`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Null":{"aws:PrincipalTag/team":"false"}}}]}`
	tagged := user("tagged")
	src := &fakeSource{
		pols: map[string]authz.Policies{tagged.ARN: {
			Identity: []*policy.Policy{parse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.Identity)},
			Tags:     map[string]string{"team": "blue"},
		}},
		facts: &authz.OrgFacts{OrgID: "o-abcdefghij", Paths: []string{"o-abcdefghij/r-ab12/"}, SCPs: [][]*policy.Policy{{parse(t, scp, policy.SCP)}}},
	}
	z := newAuthorizer(src)
	wantAllowed(t, z, authz.Request{Principal: identity.RootPrincipal(acct, "AKIAROOT"), Action: "account:PutAlternateContact", Resource: "*"}, true)
	wantAllowed(t, z, authz.Request{Principal: tagged, Action: "account:PutAlternateContact", Resource: "*"}, false)
}

func TestResourceTag(t *testing.T) {
	const (
		bobARN   = "arn:aws:iam::111111111111:user/bob"
		carolARN = "arn:aws:iam::111111111111:user/carol"
	)
	u := user("admin")
	doc := allowIf("iam:*", `{"StringEquals":{"aws:ResourceTag/team":"blue"}}`)
	src := &fakeSource{
		pols:    map[string]authz.Policies{u.ARN: {Identity: []*policy.Policy{parse(t, doc, policy.Identity)}}},
		resTags: map[string]map[string]string{bobARN: {"team": "blue"}, carolARN: {"team": "red"}},
	}
	z := newAuthorizer(src)
	wantAllowed(t, z, authz.Request{Principal: u, Action: "iam:PutUserPolicy", Resource: bobARN}, true)
	wantAllowed(t, z, authz.Request{Principal: u, Action: "iam:PutUserPolicy", Resource: carolARN}, false)
	wantAllowed(t, z, authz.Request{Principal: u, Action: "iam:ListUsers", Resource: "*"}, false)
	want := [][2]string{{"iam:PutUserPolicy", bobARN}, {"iam:PutUserPolicy", carolARN}}
	if len(src.resCalls) != len(want) || src.resCalls[0] != want[0] || src.resCalls[1] != want[1] {
		t.Errorf("ResourceTags calls = %v, want %v (none for \"*\")", src.resCalls, want)
	}
	// Resource tags the request already carries (the Account API's
	// account tags) win, and the source is not asked.
	src.resCalls = nil
	c := map[string][]string{"aws:ResourceTag/team": {"blue"}}
	wantAllowed(t, z, authz.Request{Principal: u, Action: "iam:PutUserPolicy", Resource: carolARN, Context: c}, true)
	if len(src.resCalls) != 0 {
		t.Errorf("ResourceTags called %v with tags in the request", src.resCalls)
	}
}

// aws:ViaAWSService is "false" and aws:CalledVia empty (absent) on every
// request.
func TestViaAWSService(t *testing.T) {
	u := user("via")
	for _, tc := range []struct {
		condition string
		allowed   bool
	}{
		{`{"Bool":{"aws:ViaAWSService":"false"}}`, true},
		{`{"Bool":{"aws:ViaAWSService":"true"}}`, false},
		{`{"Null":{"aws:CalledVia":"true"}}`, true},
		{`{"ForAnyValue:StringEquals":{"aws:CalledVia":["cloudformation.amazonaws.com"]}}`, false},
		{`{"ForAllValues:StringEquals":{"aws:CalledVia":["cloudformation.amazonaws.com"]}}`, true},
		{`{"StringEqualsIfExists":{"aws:CalledVia":"athena.amazonaws.com"}}`, true},
		// Long-term access keys carry no MFA keys at all (AWS leaves them out).
		{`{"Null":{"aws:MultiFactorAuthPresent":"true"}}`, true},
		{`{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, false},
		{`{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, true},
	} {
		src := &fakeSource{pols: map[string]authz.Policies{u.ARN: {Identity: []*policy.Policy{parse(t, allowIf("iam:GetUser", tc.condition), policy.Identity)}}}}
		err := newAuthorizer(src).Check(context.Background(), authz.Request{Principal: u, Action: "iam:GetUser", Resource: "*"})
		if (err == nil) != tc.allowed {
			t.Errorf("%s: err = %v, want allowed %v", tc.condition, err, tc.allowed)
		}
	}
}
