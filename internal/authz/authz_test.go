package authz_test

import (
	"context"
	"strings"
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
	// facts are the OrgFacts of every account (inOrg when non-nil), unless
	// byAccount names the account (absent there: in no organization).
	facts     *authz.OrgFacts
	byAccount map[identity.AccountID]*authz.OrgFacts
	// resTags are the tags of resources by ARN; resCalls records the
	// (action, resource) pairs ResourceTags was asked about.
	resTags  map[string]map[string]string
	resCalls [][2]string
}

func (f *fakeSource) PrincipalPolicies(_ context.Context, p identity.Principal) (authz.Policies, error) {
	return f.pols[p.ARN], nil
}

func (f *fakeSource) OrgFacts(_ context.Context, id identity.AccountID) (authz.OrgFacts, bool, error) {
	if f.byAccount != nil {
		if of := f.byAccount[id]; of != nil {
			return *of, true, nil
		}
		return authz.OrgFacts{}, false, nil
	}
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

// TestResourcePolicySameAccount: within one account, a role's trust policy
// that names the caller lets it call sts:AssumeRole without an identity
// policy; one that names the account alone does not; the boundary, session
// policies and SCPs still filter, and any explicit deny wins. A trust
// policy of a role in another account grants nothing here (the resource
// side of a cross-account request is the domain's).
func TestResourcePolicySameAccount(t *testing.T) {
	const (
		assume = "sts:AssumeRole"
		role   = "arn:aws:iam::111111111111:role/Target"
	)
	trust := func(principals ...string) *policy.Policy {
		doc := `{"Version":"2012-10-17","Statement":[`
		for i, p := range principals {
			if i > 0 {
				doc += ","
			}
			doc += `{"Effect":"Allow","Principal":{"AWS":"` + p + `"},"Action":"sts:AssumeRole"}`
		}
		return parse(t, doc+`]}`, policy.Trust)
	}
	denyMallory := parse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},`+
		`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:user/mallory"},"Action":"sts:AssumeRole"}]}`, policy.Trust)
	allowAssume := parse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`, policy.Identity)
	denyAssume := parse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}`, policy.Identity)
	accountOnly := parse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"account:*","Resource":"*"}]}`, policy.Identity)

	alice, bob, carol, dave, erin, mallory := user("alice"), user("bob"), user("carol"), user("dave"), user("erin"), user("mallory")
	deployer := identity.AssumedRolePrincipal(acct, "Deployer", "AROADEPLOYER", "build", "ASIABUILD")
	scoped := identity.AssumedRolePrincipal(acct, "Scoped", "AROASCOPED", "s", "ASIASCOPED")
	src := &fakeSource{pols: map[string]authz.Policies{
		bob.ARN:    {Identity: []*policy.Policy{allowAssume}},
		carol.ARN:  {Boundary: accountOnly},                                          // boundary without sts:AssumeRole
		dave.ARN:   {Identity: []*policy.Policy{denyAssume}},                         // explicit deny
		scoped.ARN: {Session: []*policy.Policy{accountOnly}},                         // session policy without sts:AssumeRole
		erin.ARN:   {Identity: []*policy.Policy{allowAssume}, Boundary: accountOnly}, // identity allows, boundary does not
	}}
	z := newAuthorizer(src)
	tests := []struct {
		name    string
		p       identity.Principal
		res     string
		rp      *policy.Policy
		allowed bool
		msg     string // substring of the denial
	}{
		{"user named, no identity policy", alice, role, trust("arn:aws:iam::111111111111:user/alice"), true, ""},
		{"no resource policy passed", alice, role, nil, false, "because no identity-based policy allows"},
		{"account root only", alice, role, trust("arn:aws:iam::111111111111:root"), false, "because no identity-based policy allows"},
		{"bare account id only", alice, role, trust("111111111111"), false, "because no identity-based policy allows"},
		{"account root plus identity allow", bob, role, trust("arn:aws:iam::111111111111:root"), true, ""},
		{"role named, session of it", deployer, role, trust("arn:aws:iam::111111111111:role/Deployer"), true, ""},
		{"session ARN named", deployer, role, trust("arn:aws:sts::111111111111:assumed-role/Deployer/build"), true, ""},
		{"other role named", deployer, role, trust("arn:aws:iam::111111111111:role/Other"), false, ""},
		{"wildcard principal", alice, role, trust("*"), true, ""},
		{"boundary still filters", carol, role, trust("arn:aws:iam::111111111111:user/carol"), false, "because no permissions boundary allows"},
		{"boundary filters the identity allow too", erin, role, trust("arn:aws:iam::111111111111:root"), false, "because no permissions boundary allows"},
		{"session policy still filters", scoped, role, trust("arn:aws:iam::111111111111:role/Scoped"), false, "because no session policy allows"},
		{"identity deny wins", dave, role, trust("arn:aws:iam::111111111111:user/dave"), false, "with an explicit deny in an identity-based policy"},
		{"resource deny wins", mallory, role, denyMallory, false, "with an explicit deny in a resource-based policy"},
		{"role of another account", alice, "arn:aws:iam::222222222222:role/Target", trust("arn:aws:iam::111111111111:user/alice"), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := z.Check(context.Background(), authz.Request{Principal: tt.p, Action: assume, Resource: tt.res, ResourcePolicy: tt.rp})
			if tt.allowed {
				if err != nil {
					t.Fatalf("got %v, want allowed", err)
				}
				return
			}
			e, ok := apierr.As(err)
			if !ok || e.Code != authz.CodeAccessDenied {
				t.Fatalf("got %v, want AccessDeniedException", err)
			}
			if tt.msg != "" && !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message %q, want it to contain %q", e.Message, tt.msg)
			}
		})
	}

	// SCPs still apply to a member account.
	scp := parse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"account:*","Resource":"*"}]}`, policy.SCP)
	src.facts = &authz.OrgFacts{OrgID: "o-aa111bb222", SCPs: [][]*policy.Policy{{scp}}}
	err := z.Check(context.Background(), authz.Request{Principal: alice, Action: assume, Resource: role, ResourcePolicy: trust("arn:aws:iam::111111111111:user/alice")})
	if e, ok := apierr.As(err); !ok || !strings.Contains(e.Message, "because no service control policy allows") {
		t.Errorf("with an SCP that does not allow sts:AssumeRole: got %v, want a denial by the SCP", err)
	}
}
