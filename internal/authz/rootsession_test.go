package authz_test

import (
	"context"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/authz"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/policy"
)

// An AssumeRoot session is its account's root user limited by its task
// policy, a session policy that only denies; its requests carry
// aws:AssumedRoot "true", which an SCP can exempt it by; a root user's own
// credentials carry no such key.
func TestAssumedRootSession(t *testing.T) {
	task := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Deny","NotAction":["iam:ListAccessKeys","iam:GetAccountSummary"],"Resource":"*"},
		{"Effect":"Deny","Action":"iam:ListAccessKeys","NotResource":"arn:aws:iam::*:root"}]}`
	sess := identity.RootPrincipal(acct, "ASIASESSION")
	sess.Temporary, sess.AssumedRoot = true, true
	own := identity.RootPrincipal(acct, "AKIAROOT")
	scp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::*:root"]},"Null":{"aws:AssumedRoot":"true"}}}]}`
	src := &fakeSource{
		pols:  map[string]authz.Policies{sess.ARN: {Session: []*policy.Policy{parse(t, task, policy.Session)}}},
		facts: &authz.OrgFacts{OrgID: "o-abcdefghij", Paths: []string{"o-abcdefghij/r-ab12/"}, SCPs: [][]*policy.Policy{{parse(t, scp, policy.SCP)}}},
	}
	z := newAuthorizer(src)
	rootARN := "arn:aws:iam::" + string(acct) + ":root"
	wantAllowed(t, z, authz.Request{Principal: sess, Action: "iam:ListAccessKeys", Resource: rootARN}, true)
	wantAllowed(t, z, authz.Request{Principal: sess, Action: "iam:GetAccountSummary", Resource: "*"}, true)
	wantAllowed(t, z, authz.Request{Principal: sess, Action: "iam:ListAccessKeys", Resource: "arn:aws:iam::" + string(acct) + ":user/u"}, false)
	d, err := z.Decide(context.Background(), authz.Request{Principal: sess, Action: "iam:DeleteAccessKey", Resource: rootARN})
	if err != nil || d.Allowed || d.DeniedBy != "session policy" || !d.Explicit || !strings.Contains(d.Denial.Message, "explicit deny in a session policy") {
		t.Errorf("DeleteAccessKey in an audit session: %+v, %v", d, err)
	}
	// The member's own root credentials are denied by the SCP; the session
	// is exempt through aws:AssumedRoot.
	d, err = z.Decide(context.Background(), authz.Request{Principal: own, Action: "iam:ListAccessKeys", Resource: rootARN})
	if err != nil || d.Allowed || d.DeniedBy != "service control policy" {
		t.Errorf("the root user's own key under the SCP: %+v, %v", d, err)
	}
	// A session whose task policy is gone allows nothing.
	lost := sess
	lost.AccessKeyID, lost.ARN = "ASIALOST", "arn:aws:iam::"+string(acct)+":root"
	src.pols = map[string]authz.Policies{}
	wantAllowed(t, z, authz.Request{Principal: lost, Action: "iam:GetAccountSummary", Resource: "*"}, false)
}
