package authz_test

import (
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/authz"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/policy"
)

// The MFA condition keys follow the credentials: absent for long-term
// keys, "false" for sessions without MFA, "true" with the age in seconds
// for sessions with MFA.
func TestMFAConditionKeys(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	longTerm := user("mfa")
	session := longTerm
	session.Temporary, session.AccessKeyID = true, "ASIAMFA"
	withMFA := session
	withMFA.MFAAt = now.Add(-90 * time.Second)
	role := identity.AssumedRolePrincipal(acct, "r", "AROAR", "s", "ASIAROLE")
	tests := []struct {
		name      string
		p         identity.Principal
		condition string
		allowed   bool
	}{
		{"long-term key: keys absent", longTerm, `{"Null":{"aws:MultiFactorAuthPresent":"true","aws:MultiFactorAuthAge":"true"}}`, true},
		{"long-term key: BoolIfExists false matches", longTerm, `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, true},
		{"session without MFA: false", session, `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, true},
		{"session without MFA: no age", session, `{"Null":{"aws:MultiFactorAuthAge":"true"}}`, true},
		{"session with MFA: true", withMFA, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`, true},
		{"session with MFA: age 90", withMFA, `{"NumericEquals":{"aws:MultiFactorAuthAge":"90"}}`, true},
		{"session with MFA: age under an hour", withMFA, `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`, true},
		{"role session without MFA: false", role, `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{pols: map[string]authz.Policies{tt.p.ARN: {Identity: []*policy.Policy{parse(t, allowIf("s3:ListBucket", tt.condition), policy.Identity)}}}}
			wantAllowed(t, newAuthorizer(src), authz.Request{Principal: tt.p, Action: "s3:ListBucket", Resource: "*"}, tt.allowed)
		})
	}
}

// GetSessionToken credentials call IAM only with MFA, and no STS
// operation but AssumeRole; role sessions are not limited so.
func TestSessionTokenLimits(t *testing.T) {
	base := user("limits")
	session := base
	session.Temporary, session.AccessKeyID = true, "ASIALIMITS"
	withMFA := session
	withMFA.MFAAt = time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	role := identity.AssumedRolePrincipal(acct, "r", "AROAR", "s", "ASIAROLE")
	all := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	src := &fakeSource{pols: map[string]authz.Policies{}}
	for _, p := range []identity.Principal{base, role} {
		src.pols[p.ARN] = authz.Policies{Identity: []*policy.Policy{parse(t, all, policy.Identity)}}
	}
	z := newAuthorizer(src)
	tests := []struct {
		name    string
		p       identity.Principal
		action  string
		allowed bool
	}{
		{"long-term key calls IAM", base, "iam:ListUsers", true},
		{"session without MFA calls IAM", session, "iam:ListUsers", false},
		{"session with MFA calls IAM", withMFA, "iam:ListUsers", true},
		{"session calls other services", session, "account:GetContactInformation", true},
		{"session assumes a role", session, "sts:AssumeRole", true},
		{"session gets key info", withMFA, "sts:GetAccessKeyInfo", false},
		{"role session calls IAM", role, "iam:ListUsers", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantAllowed(t, z, authz.Request{Principal: tt.p, Action: tt.action, Resource: "*"}, tt.allowed)
		})
	}
}
