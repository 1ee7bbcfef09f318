package iam_test

import (
	"context"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
)

const (
	mgmt       = acct // the management account
	member     = identity.AccountID("444444444444")
	standalone = identity.AccountID("333333333333")
)

// orgs is an OrgDirectory of one organization of mgmt and member, and
// standalone outside it.
type orgs struct{ f iam.OrgFacts }

func (o *orgs) RootAccessFacts(_ context.Context, a identity.AccountID) (iam.OrgFacts, bool, error) {
	if a == mgmt || a == member {
		return o.f, true, nil
	}
	return iam.OrgFacts{}, false, nil
}

func newOrg() *orgs {
	return &orgs{f: iam.OrgFacts{Org: "o-abcdefghij", Management: mgmt, AllFeatures: true, TrustedAccess: true}}
}

// addAccounts puts member and standalone in the store besides acct.
func addAccounts(t *testing.T, svc interface {
	Now() time.Time
}, db interface {
	Update(context.Context, func(account.Tx) error) error
}) {
	t.Helper()
	must(t, db.Update(context.Background(), func(tx account.Tx) error {
		for _, a := range []*account.Account{
			{ID: member, Name: "Member", Email: "member@acme.example", CreatedAt: svc.Now()},
			{ID: standalone, Name: "Other", Email: "other@acme.example", CreatedAt: svc.Now()},
		} {
			if err := tx.PutAccount(context.Background(), a); err != nil {
				return err
			}
		}
		return nil
	}))
}

// The preconditions of the feature operations, in their order.
func TestFeaturePreconditions(t *testing.T) {
	o := newOrg()
	svc, _, _ := newCredService(t, iam.Options{Orgs: o})
	mgmtUser := identity.AccessKey{Account: mgmt, User: "ops"}.UserPrincipal("AIDA", "/")
	memberRoot := identity.RootPrincipal(member, "")
	tests := []struct {
		name   string
		setup  func()
		caller identity.Principal
		enable bool
		code   string
	}{
		{"standalone", func() {}, identity.RootPrincipal(standalone, ""), false, iam.CodeOrganizationNotFound},
		{"not all features, no trusted access", func() { o.f.AllFeatures, o.f.TrustedAccess = false, false }, mgmtUser, true, iam.CodeOrganizationNotInAllFeaturesMode},
		{"no trusted access, a member", func() { o.f.AllFeatures = true }, memberRoot, true, iam.CodeServiceAccessNotEnabled},
		{"a member", func() { o.f.TrustedAccess = true }, memberRoot, false, iam.CodeAccountNotManagementOrDelegatedAdmin},
		{"the delegated administrator enables", func() { o.f.DelegatedAdmins = []identity.AccountID{member} }, memberRoot, true, iam.CodeCallerIsNotManagementAccount},
		{"the delegated administrator disables", func() {}, memberRoot, false, ""},
		{"the management account enables", func() {}, mgmtUser, true, ""},
	}
	for _, tt := range tests {
		tt.setup()
		_, err := svc.SetOrganizationFeature(context.Background(), tt.caller, iam.RootSessions, tt.enable)
		if tt.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		wantCode(t, err, tt.code)
	}
	f, err := svc.OrganizationFeaturesOf(context.Background(), memberRoot)
	must(t, err)
	if f.Org != "o-abcdefghij" || len(f.Enabled) != 1 || f.Enabled[0] != iam.RootSessions {
		t.Errorf("features = %+v", f)
	}
}

// AssumeRoot's refusals and its session: the member's root user, bound
// by the task policy, for at most 15 minutes.
func TestAssumeRoot(t *testing.T) {
	o := newOrg()
	svc, clk, db := newCredService(t, iam.Options{Orgs: o})
	addAccounts(t, svc, db)
	ctx := context.Background()
	ops := identity.AccessKey{Account: mgmt, User: "ops"}.UserPrincipal("AIDA", "/")
	in := iam.AssumeRootInput{TargetPrincipal: string(member), TaskPolicyARN: iam.IAMAuditRootUserCredentialsARN}
	_, err := svc.AssumeRoot(ctx, ops, in)
	wantCode(t, err, iam.CodeAccessDenied) // RootSessions off
	_, err = svc.SetOrganizationFeature(ctx, identity.RootPrincipal(mgmt, ""), iam.RootSessions, true)
	must(t, err)
	for name, bad := range map[string]iam.AssumeRootInput{
		"901 seconds":      {TargetPrincipal: string(member), TaskPolicyARN: iam.IAMAuditRootUserCredentialsARN, Duration: 901 * time.Second},
		"another policy":   {TargetPrincipal: string(member), TaskPolicyARN: iam.AdministratorAccessARN},
		"a user as target": {TargetPrincipal: "arn:aws:iam::444444444444:user/x", TaskPolicyARN: iam.IAMAuditRootUserCredentialsARN},
	} {
		_, err := svc.AssumeRoot(ctx, ops, bad)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		wantCode(t, err, iam.CodeValidation)
	}
	for name, c := range map[string]struct {
		caller identity.Principal
		target identity.AccountID
	}{
		"a root user":                {identity.RootPrincipal(mgmt, ""), member},
		"a member's user":            {identity.AccessKey{Account: member, User: "x"}.UserPrincipal("AIDX", "/"), member},
		"the management account":     {ops, mgmt},
		"an account outside the org": {ops, standalone},
	} {
		_, err := svc.AssumeRoot(ctx, c.caller, iam.AssumeRootInput{TargetPrincipal: string(c.target), TaskPolicyARN: iam.IAMAuditRootUserCredentialsARN})
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		wantCode(t, err, iam.CodeAccessDenied)
	}
	// The IAM delegated administrator's principals may too.
	o.f.DelegatedAdmins = []identity.AccountID{member}
	_, err = svc.AssumeRoot(ctx, identity.AccessKey{Account: member, User: "x"}.UserPrincipal("AIDX", "/"), in)
	must(t, err)
	o.f.DelegatedAdmins = nil
	sess, err := svc.AssumeRoot(ctx, ops, in)
	must(t, err)
	if sess.Kind != iam.RootSession || sess.Account != member || !sess.Expiration.Equal(clk.Now().Add(15*time.Minute)) || sess.Source != ops.ARN {
		t.Errorf("session %+v", sess)
	}
	cred, err := svc.Credential(ctx, sess.AccessKeyID)
	must(t, err)
	if p := cred.Principal; !p.IsRoot() || !p.AssumedRoot || !p.Temporary || p.Account != member || p.ARN != "arn:aws:iam::444444444444:root" {
		t.Errorf("principal %+v", p)
	}
	pols, err := svc.PrincipalPolicies(ctx, cred.Principal)
	must(t, err)
	if len(pols.Session) != 1 || pols.Session[0].Name != iam.IAMAuditRootUserCredentialsARN || len(pols.Identity) != 0 {
		t.Errorf("policies %+v", pols)
	}
	clk.Add(15 * time.Minute)
	if _, err := svc.Credential(ctx, sess.AccessKeyID); err != iam.ErrSessionExpired {
		t.Errorf("after 15 minutes: %v", err)
	}
}

// CheckSignIn's verdicts, the 35-day rule, and NoteSignIn's state.
func TestSignIn(t *testing.T) {
	o := newOrg()
	svc, clk, db := newCredService(t, iam.Options{Orgs: o})
	addAccounts(t, svc, db)
	ctx := context.Background()
	must(t, svc.SetRootPassword(ctx, standalone, "Other-pass-1"))
	must(t, svc.SetRootPassword(ctx, member, "Member-pass-1"))
	attempt := func(in iam.SignInInput) *iam.SignIn {
		t.Helper()
		si, err := svc.CheckSignIn(ctx, in)
		must(t, err)
		must(t, svc.NoteSignIn(ctx, si))
		return si
	}
	if si := attempt(iam.SignInInput{Root: true, Email: "nobody@acme.example", Password: "x"}); si.Account != "" || si.Outcome != iam.SignInFailed {
		t.Errorf("unknown email: %+v", si)
	}
	if si := attempt(iam.SignInInput{Root: true, Email: "OTHER@acme.example", Password: "wrong"}); si.Account != standalone || si.Outcome != iam.SignInFailed {
		t.Errorf("wrong password: %+v", si)
	}
	clk.Add(30 * 24 * time.Hour)
	if si := attempt(iam.SignInInput{Root: true, Email: "other@acme.example", Password: "Other-pass-1"}); si.Outcome != iam.SignedIn {
		t.Errorf("day 30: %+v", si)
	}
	clk.Add(6 * 24 * time.Hour) // 36 days after the first attempt (the failed one)
	if si := attempt(iam.SignInInput{Root: true, Email: "other@acme.example", Password: "Other-pass-1"}); si.Outcome != iam.SignInNeedsMFAEnrollment {
		t.Errorf("day 36, standalone: %+v", si)
	}
	if si := attempt(iam.SignInInput{Root: true, Email: "member@acme.example", Password: "Member-pass-1"}); si.Outcome != iam.SignedIn || !si.EnrollBy.IsZero() {
		t.Errorf("member: %+v", si)
	}
	d, err := svc.AddRootMFADevice(ctx, standalone, "phone")
	must(t, err)
	if si := attempt(iam.SignInInput{Root: true, Email: "other@acme.example", Password: "Other-pass-1"}); si.Outcome != iam.SignInNeedsMFA {
		t.Errorf("with a device, no code: %+v", si)
	}
	code, _ := iam.TOTP(d.Base32Seed(), clk.Now())
	si := attempt(iam.SignInInput{Root: true, Email: "other@acme.example", Password: "Other-pass-1", MFACode: code})
	if si.Outcome != iam.SignedIn || !si.MFAUsed || si.MFASerial != d.Serial() {
		t.Errorf("with the code: %+v", si)
	}
	p, err := svc.RootPostureOf(ctx, standalone)
	must(t, err)
	if !p.LastSignIn.Equal(clk.Now()) || p.RootAccountMFAEnabled != iam.Compliant || p.RootAccessKeyCheck != iam.Compliant {
		t.Errorf("posture %+v", p)
	}
	// IAM users: by id or alias; an unknown one is named.
	_, err = svc.CreateUser(ctx, acct, iam.CreateUserInput{Name: "ana"})
	must(t, err)
	_, err = svc.CreateLoginProfile(ctx, acct, "ana", "Ana-pass-123", true)
	must(t, err)
	must(t, svc.CreateAccountAlias(ctx, acct, "acme-prod"))
	if si := attempt(iam.SignInInput{Account: "acme-prod", UserName: "ana", Password: "Ana-pass-123"}); si.Outcome != iam.SignedIn || !si.PasswordResetRequired || si.Principal.ARN != "arn:aws:iam::111111111111:user/ana" {
		t.Errorf("IAM user by alias: %+v", si)
	}
	if si := attempt(iam.SignInInput{Account: string(acct), UserName: "bob", Password: "x"}); si.Outcome != iam.SignInFailed || !si.UnknownUser || si.Account != acct {
		t.Errorf("unknown IAM user: %+v", si)
	}
}

// Root credentials removed centrally: recovery disabled until a root
// session allows it; the posture's NOT_APPLICABLE.
func TestRootCredentialsRemoved(t *testing.T) {
	o := newOrg()
	svc, _, db := newCredService(t, iam.Options{Orgs: o})
	addAccounts(t, svc, db)
	ctx := context.Background()
	_, err := svc.SetOrganizationFeature(ctx, identity.RootPrincipal(mgmt, ""), iam.RootCredentialsManagement, true)
	must(t, err)
	created := func(f iam.OrgFacts, a identity.AccountID) error {
		return db.IAM().Update(ctx, func(tx iam.Tx) error { return svc.AccountCreatedIn(ctx, tx, f, a) })
	}
	must(t, created(o.f, member))
	removed, err := svc.RootCredentialsRemoved(ctx, member)
	must(t, err)
	if !removed {
		t.Fatal("a member created with RootCredentialsManagement on has root credentials")
	}
	_, err = svc.CreateAccessKey(ctx, member, "")
	wantCode(t, err, iam.CodeRootCredentialsRemoved)
	wantCode(t, svc.SetRootPassword(ctx, member, "Member-pass-1"), iam.CodeRootCredentialsRemoved)
	_, err = svc.AddRootMFADevice(ctx, member, "x")
	wantCode(t, err, iam.CodeRootCredentialsRemoved)
	p, err := svc.RootPostureOf(ctx, member)
	must(t, err)
	if !p.CredentialsRemoved || p.RootAccountMFAEnabled != iam.NotApplicable || p.RootAccessKeyCheck != iam.NotApplicable {
		t.Errorf("posture %+v", p)
	}
	_, err = svc.AllowRootPasswordRecovery(ctx, member)
	must(t, err)
	must(t, svc.SetRootPassword(ctx, member, "Member-pass-1"))
	p, err = svc.RootPostureOf(ctx, member)
	must(t, err)
	if p.CredentialsRemoved || !p.PasswordPresent || p.RootAccountMFAEnabled != iam.NonCompliant {
		t.Errorf("posture after recovery %+v", p)
	}
	must(t, svc.DeleteRootLoginProfile(ctx, member))
	wantCode(t, svc.DeleteRootLoginProfile(ctx, member), iam.CodeNoSuchEntity)
	wantCode(t, svc.SetRootPassword(ctx, member, "Member-pass-1"), iam.CodeRootCredentialsRemoved)
	// An account created where the feature is not in force (no trusted
	// access for IAM) keeps its root credentials.
	off := o.f
	off.TrustedAccess = false
	must(t, created(off, standalone))
	if removed, _ := svc.RootCredentialsRemoved(ctx, standalone); removed {
		t.Error("a standalone account lost its root credentials")
	}
}
