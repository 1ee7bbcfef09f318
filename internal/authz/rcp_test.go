package authz_test

import (
	"context"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/authz"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/policy"
)

// RCPs bind the resource's account: sts:AssumeRole on a member's role is
// checked against that member's RCPs whoever calls, the management
// account's resources are exempt, and so are services RCPs do not cover
// and service-linked roles.
func TestResourceControlPolicies(t *testing.T) {
	const (
		member = identity.AccountID("222222222222")
		mgmt   = identity.AccountID("333333333333")
	)
	full := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
	outsiders := `{"Version":"2012-10-17","Statement":[{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*",` +
		`"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-aaaaaaaaaa"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}`
	rcps := [][]*policy.Policy{{parse(t, full, policy.RCP), parse(t, outsiders, policy.RCP)}, {parse(t, full, policy.RCP)}}
	for _, level := range rcps {
		for i, p := range level {
			p.Name = []string{"p-RCPFullAWSAccess", "p-orgonly"}[i]
		}
	}
	org := func(management bool) *authz.OrgFacts {
		return &authz.OrgFacts{OrgID: "o-aaaaaaaaaa", Management: management, Paths: []string{"o-aaaaaaaaaa/r-root/"}, RCPs: rcps}
	}
	assume := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","account:*"],"Resource":"*"}]}`
	stranger := user("eve") // in 111111111111, outside the organization
	insider := identity.AccessKey{Account: mgmt, User: "ops", ID: "AKIAOPS"}.UserPrincipal("AIDAOPS", "/")
	src := &fakeSource{
		pols:      map[string]authz.Policies{},
		byAccount: map[identity.AccountID]*authz.OrgFacts{member: org(false), mgmt: org(true)},
	}
	for _, p := range []identity.Principal{stranger, insider} {
		src.pols[p.ARN] = authz.Policies{Identity: []*policy.Policy{parse(t, assume, policy.Identity)}}
	}
	z := newAuthorizer(src)
	role := func(acct identity.AccountID, name string) string {
		return "arn:aws:iam::" + string(acct) + ":role/" + name
	}

	d, err := z.Decide(context.Background(), authz.Request{Principal: stranger, Action: "sts:AssumeRole", Resource: role(member, "Deploy")})
	if err != nil {
		t.Fatal(err)
	}
	if d.Allowed || d.DeniedBy != "resource control policy" || !d.Explicit {
		t.Errorf("outsider on a member's role: %+v, want an explicit deny by a resource control policy", d)
	}
	if msg := d.Denial.Message; !strings.HasSuffix(msg, "on resource: "+role(member, "Deploy")+" with an explicit deny in a resource control policy") {
		t.Errorf("denial message %q", msg)
	}
	found := false
	for _, r := range d.Reasons {
		found = found || (r.Kind == "resource control policy" && r.Policy == "p-orgonly" && r.Sid == "OrgOnly" && r.Effect == "Deny" && r.Level == 0)
	}
	if !found {
		t.Errorf("reasons %+v lack the RCP's Deny", d.Reasons)
	}

	wantAllowed(t, z, authz.Request{Principal: insider, Action: "sts:AssumeRole", Resource: role(member, "Deploy")}, true)
	// The management account's resources are exempt.
	wantAllowed(t, z, authz.Request{Principal: stranger, Action: "sts:AssumeRole", Resource: role(mgmt, "Deploy")}, true)
	// Service-linked roles are exempt.
	wantAllowed(t, z, authz.Request{Principal: stranger, Action: "sts:AssumeRole", Resource: role(member, "aws-service-role/x.amazonaws.com/AWSServiceRoleForX")}, true)
	// Services RCPs do not cover are not affected.
	wantAllowed(t, z, authz.Request{Principal: stranger, Action: "account:GetContactInformation", Resource: "arn:aws:account::" + string(member) + ":account"}, true)
}

// The resource's organization keys are in the context of covered requests.
func TestResourceOrgKeys(t *testing.T) {
	const member = identity.AccountID("222222222222")
	src := &fakeSource{
		pols: map[string]authz.Policies{},
		byAccount: map[identity.AccountID]*authz.OrgFacts{
			member: {OrgID: "o-bbbbbbbbbb", Paths: []string{"o-bbbbbbbbbb/r-root/ou-x/"}},
		},
	}
	caller := user("ops")
	src.pols[caller.ARN] = authz.Policies{Identity: []*policy.Policy{parse(t, allowIf("sts:AssumeRole",
		`{"StringEquals":{"aws:ResourceOrgID":"o-bbbbbbbbbb","aws:ResourceAccount":"222222222222"},"ForAnyValue:StringLike":{"aws:ResourceOrgPaths":"o-bbbbbbbbbb/*/ou-x/"}}`), policy.Identity)}}
	z := newAuthorizer(src)
	wantAllowed(t, z, authz.Request{Principal: caller, Action: "sts:AssumeRole", Resource: "arn:aws:iam::222222222222:role/R"}, true)
	wantAllowed(t, z, authz.Request{Principal: caller, Action: "sts:AssumeRole", Resource: "arn:aws:iam::444444444444:role/R"}, false)
}
