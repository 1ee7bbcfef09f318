package policy_test

import (
	"testing"

	"github.com/accountplane/accountplane/internal/policy"
)

// The request context is made only when a statement asks for a key, at
// most once per evaluation.
func TestContextFuncIsLazy(t *testing.T) {
	plain, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"account:*","Resource":"*"}]}`), policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	conditional, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"account:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}},
		{"Effect":"Deny","Action":"account:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}}]}`), policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	req := policy.Request{Action: "account:GetAlternateContact", Resource: "*", PrincipalARN: "arn:aws:iam::111122223333:user/u",
		ContextFunc: func() map[string][]string {
			calls++
			return map[string][]string{"aws:RequestedRegion": {"us-east-1"}}
		}}
	if d := policy.Evaluate(req, policy.PolicySet{Identity: []*policy.Policy{plain}}); d.Effect != policy.Allow || calls != 0 {
		t.Errorf("without conditions: %v, context made %d times; want Allow, never", d.Effect, calls)
	}
	if d := policy.Evaluate(req, policy.PolicySet{Identity: []*policy.Policy{conditional}}); d.Effect != policy.Allow || calls != 1 {
		t.Errorf("with conditions: %v, context made %d times; want Allow, once", d.Effect, calls)
	}
	req.Context = map[string][]string{"aws:RequestedRegion": {"eu-west-1"}}
	if d := policy.Evaluate(req, policy.PolicySet{Identity: []*policy.Policy{conditional}}); d.Effect == policy.Allow || calls != 1 {
		t.Errorf("with a Context: %v, ContextFunc called %d times; want the Context used", d.Effect, calls)
	}
}
