package iam_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/policy"
	"github.com/accountplane/accountplane/internal/sqlite"
)

const (
	acct  = identity.AccountID("111111111111")
	other = identity.AccountID("222222222222")
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newService(t *testing.T) (*iam.Service, *clock) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{})
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	svc := iam.NewService(db.IAM(), iam.Options{Now: clk.Now, Rand: rand.NewChaCha8([32]byte{1})})
	return svc, clk
}

// wantCode fails unless err is an *apierr.Error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("err = %s: %s, want code %s", e.Code, e.Message, code)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func allow(action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`
}

func trustAccount(a identity.AccountID) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + string(a) + `:root"},"Action":"sts:AssumeRole"}]}`
}

var reID = regexp.MustCompile(`^[A-Z0-9]{21}$`)

func TestUsers(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	u, err := s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "Alice", Path: "/eng/"})
	must(t, err)
	if !strings.HasPrefix(u.ID, "AIDA") || !reID.MatchString(u.ID) {
		t.Errorf("user id %q", u.ID)
	}
	if got, want := u.ARN(), "arn:aws:iam::111111111111:user/eng/Alice"; got != want {
		t.Errorf("ARN = %s, want %s", got, want)
	}
	_, err = s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "alice"})
	wantCode(t, err, iam.CodeEntityAlreadyExists)
	_, err = s.User(ctx, acct, "bob")
	wantCode(t, err, iam.CodeNoSuchEntity)
	_, err = s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "b", Boundary: "arn:aws:iam::111111111111:policy/none"})
	wantCode(t, err, iam.CodeNoSuchEntity)
	_, err = s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "c", Tags: []iam.Tag{{Key: "a"}, {Key: "A"}}})
	wantCode(t, err, iam.CodeInvalidInput)

	// Rename: keys, groups and policies follow.
	k, err := s.CreateAccessKey(ctx, acct, "Alice")
	must(t, err)
	_, err = s.CreateGroup(ctx, acct, "devs", "")
	must(t, err)
	must(t, s.AddUserToGroup(ctx, acct, "devs", "alice"))
	must(t, s.PutInlinePolicy(ctx, acct, iam.KindUser, "Alice", "p", allowAll))
	must(t, s.AttachPolicy(ctx, acct, iam.KindUser, "Alice", iam.ReadOnlyAccessARN))
	must(t, s.UpdateUser(ctx, acct, "Alice", "Carol", "/ops/"))
	if _, err := s.User(ctx, acct, "Alice"); !apierr.HasCode(err, iam.CodeNoSuchEntity) {
		t.Errorf("old name still found: %v", err)
	}
	c, err := s.User(ctx, acct, "carol")
	must(t, err)
	if c.ID != u.ID || c.Path != "/ops/" || c.Name != "Carol" {
		t.Errorf("renamed user = %+v", c)
	}
	keys, err := s.AccessKeys(ctx, acct, "Carol")
	must(t, err)
	if len(keys) != 1 || keys[0].ID != k.ID || keys[0].User != "Carol" {
		t.Errorf("keys after rename = %+v", keys)
	}
	groups, err := s.GroupsForUser(ctx, acct, "Carol")
	must(t, err)
	if len(groups) != 1 || groups[0].Name != "devs" {
		t.Errorf("groups after rename = %+v", groups)
	}
	names, err := s.InlinePolicyNames(ctx, acct, iam.KindUser, "Carol")
	must(t, err)
	if len(names) != 1 {
		t.Errorf("inline after rename = %v", names)
	}

	// DeleteUser refuses while anything is attached, in IAM's order.
	_, err = s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "Dave"})
	must(t, err)
	wantCode(t, s.UpdateUser(ctx, acct, "Carol", "dave", ""), iam.CodeEntityAlreadyExists)
	steps := []func() error{
		func() error { return s.DeleteAccessKey(ctx, acct, "Carol", k.ID) },
		func() error { return s.DeleteInlinePolicy(ctx, acct, iam.KindUser, "Carol", "p") },
		func() error { return s.DetachPolicy(ctx, acct, iam.KindUser, "Carol", iam.ReadOnlyAccessARN) },
		func() error { return s.RemoveUserFromGroup(ctx, acct, "devs", "Carol") },
	}
	for _, step := range steps {
		wantCode(t, s.DeleteUser(ctx, acct, "Carol"), iam.CodeDeleteConflict)
		must(t, step())
	}
	must(t, s.DeleteUser(ctx, acct, "Carol"))
	wantCode(t, s.DeleteUser(ctx, acct, "Carol"), iam.CodeNoSuchEntity)

	users, err := s.Users(ctx, acct, "/")
	must(t, err)
	if len(users) != 1 || users[0].Name != "Dave" {
		t.Errorf("Users = %+v", users)
	}
	if users, _ := s.Users(ctx, acct, "/eng/"); len(users) != 0 {
		t.Errorf("Users(/eng/) = %+v", users)
	}
	if users, _ := s.Users(ctx, other, ""); len(users) != 0 {
		t.Errorf("other account sees %+v", users)
	}
}

var (
	reAKID   = regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`)
	reSecret = regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
)

func TestAccessKeys(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	_, err := s.CreateAccessKey(ctx, acct, "nobody")
	wantCode(t, err, iam.CodeNoSuchEntity)
	_, err = s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "u"})
	must(t, err)
	k1, err := s.CreateAccessKey(ctx, acct, "u")
	must(t, err)
	if !reAKID.MatchString(k1.ID) || !reSecret.MatchString(k1.Secret) || !k1.Active {
		t.Errorf("key = %+v", k1)
	}
	_, err = s.CreateAccessKey(ctx, acct, "u")
	must(t, err)
	_, err = s.CreateAccessKey(ctx, acct, "u")
	wantCode(t, err, iam.CodeLimitExceeded)

	c, err := s.Credential(ctx, k1.ID)
	must(t, err)
	if c.Principal.Type != identity.IAMUser || c.Principal.ARN != "arn:aws:iam::111111111111:user/u" || !strings.HasPrefix(c.Principal.UserID, "AIDA") {
		t.Errorf("principal = %+v", c.Principal)
	}
	must(t, s.UpdateAccessKey(ctx, acct, "u", k1.ID, false))
	if _, err := s.Credential(ctx, k1.ID); !errors.Is(err, iam.ErrNotFound) {
		t.Errorf("inactive key: err = %v, want ErrNotFound", err)
	}
	keys, err := s.AccessKeys(ctx, acct, "u")
	must(t, err)
	if len(keys) != 2 {
		t.Errorf("keys = %+v", keys)
	}
	for _, k := range keys {
		if k.Active != (k.ID != k1.ID) {
			t.Errorf("key %s Active = %v", k.ID, k.Active)
		}
	}
	// Another user's key is not found through this user.
	_, err = s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "v"})
	must(t, err)
	wantCode(t, s.DeleteAccessKey(ctx, acct, "v", k1.ID), iam.CodeNoSuchEntity)
	wantCode(t, s.DeleteAccessKey(ctx, acct, "u", "AKIAXXXXXXXXXXXXXXXX"), iam.CodeNoSuchEntity)
	must(t, s.DeleteAccessKey(ctx, acct, "u", k1.ID))
	if _, err := s.Credential(ctx, k1.ID); !errors.Is(err, iam.ErrNotFound) {
		t.Errorf("deleted key: err = %v", err)
	}
	// Root keys (user "").
	rk, err := s.CreateAccessKey(ctx, acct, "")
	must(t, err)
	c, err = s.Credential(ctx, rk.ID)
	must(t, err)
	if !c.Principal.IsRoot() {
		t.Errorf("root key principal = %+v", c.Principal)
	}
}

func TestGroups(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	g, err := s.CreateGroup(ctx, acct, "admins", "/x/")
	must(t, err)
	if !strings.HasPrefix(g.ID, "AGPA") || g.ARN() != "arn:aws:iam::111111111111:group/x/admins" {
		t.Errorf("group = %+v", g)
	}
	_, err = s.CreateGroup(ctx, acct, "Admins", "")
	wantCode(t, err, iam.CodeEntityAlreadyExists)
	wantCode(t, s.AddUserToGroup(ctx, acct, "admins", "nobody"), iam.CodeNoSuchEntity)
	_, err = s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "u"})
	must(t, err)
	must(t, s.AddUserToGroup(ctx, acct, "admins", "u"))
	must(t, s.AddUserToGroup(ctx, acct, "admins", "u")) // idempotent
	_, members, err := s.Group(ctx, acct, "admins")
	must(t, err)
	if len(members) != 1 || members[0].Name != "u" {
		t.Errorf("members = %+v", members)
	}
	wantCode(t, s.DeleteGroup(ctx, acct, "admins"), iam.CodeDeleteConflict)
	must(t, s.RemoveUserFromGroup(ctx, acct, "admins", "u"))
	wantCode(t, s.RemoveUserFromGroup(ctx, acct, "admins", "u"), iam.CodeNoSuchEntity)
	must(t, s.PutInlinePolicy(ctx, acct, iam.KindGroup, "admins", "p", allowAll))
	wantCode(t, s.DeleteGroup(ctx, acct, "admins"), iam.CodeDeleteConflict)
	must(t, s.DeleteInlinePolicy(ctx, acct, iam.KindGroup, "admins", "p"))
	must(t, s.DeleteGroup(ctx, acct, "admins"))
	for i := range iam.QuotaGroupsPerUser + 1 {
		name := "g" + string(rune('a'+i))
		_, err := s.CreateGroup(ctx, acct, name, "")
		must(t, err)
		err = s.AddUserToGroup(ctx, acct, name, "u")
		if i < iam.QuotaGroupsPerUser {
			must(t, err)
		} else {
			wantCode(t, err, iam.CodeLimitExceeded)
		}
	}
}

func TestRoles(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	r, err := s.CreateRole(ctx, acct, iam.CreateRoleInput{Name: "R", TrustPolicy: trustAccount(other)})
	must(t, err)
	if !strings.HasPrefix(r.ID, "AROA") || r.MaxSessionDuration != time.Hour {
		t.Errorf("role = %+v", r)
	}
	_, err = s.CreateRole(ctx, acct, iam.CreateRoleInput{Name: "r", TrustPolicy: trustAccount(other)})
	wantCode(t, err, iam.CodeEntityAlreadyExists)
	_, err = s.CreateRole(ctx, acct, iam.CreateRoleInput{Name: "x", TrustPolicy: allowAll})
	wantCode(t, err, iam.CodeMalformedPolicyDocument)
	_, err = s.CreateRole(ctx, acct, iam.CreateRoleInput{Name: "x", TrustPolicy: "{"})
	wantCode(t, err, iam.CodeMalformedPolicyDocument)
	_, err = s.CreateRole(ctx, acct, iam.CreateRoleInput{Name: "x", TrustPolicy: trustAccount(other), MaxSessionDuration: 13 * time.Hour})
	wantCode(t, err, iam.CodeValidation)
	big := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("A", 2100) + `","Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`
	_, err = s.CreateRole(ctx, acct, iam.CreateRoleInput{Name: "x", TrustPolicy: big})
	wantCode(t, err, iam.CodeLimitExceeded)

	wantCode(t, s.UpdateAssumeRolePolicy(ctx, acct, "R", `{"Version":"2012-10-17"}`), iam.CodeMalformedPolicyDocument)
	must(t, s.UpdateAssumeRolePolicy(ctx, acct, "R", trustAccount(acct)))
	must(t, s.AttachPolicy(ctx, acct, iam.KindRole, "R", iam.AdministratorAccessARN))
	wantCode(t, s.DeleteRole(ctx, acct, "R"), iam.CodeDeleteConflict)
	must(t, s.DetachPolicy(ctx, acct, iam.KindRole, "R", iam.AdministratorAccessARN))
	wantCode(t, s.DetachPolicy(ctx, acct, iam.KindRole, "R", iam.AdministratorAccessARN), iam.CodeNoSuchEntity)
	must(t, s.DeleteRole(ctx, acct, "R"))

	// Service-linked and organization roles.
	sl, err := s.ServiceLinkedRole(ctx, acct, iam.OrganizationsServiceRoleName, iam.OrganizationsService)
	must(t, err)
	if sl.ARN() != "arn:aws:iam::111111111111:role/aws-service-role/organizations.amazonaws.com/AWSServiceRoleForOrganizations" || !sl.ServiceLinked {
		t.Errorf("service-linked role = %+v", sl)
	}
	again, err := s.ServiceLinkedRole(ctx, acct, iam.OrganizationsServiceRoleName, iam.OrganizationsService)
	must(t, err)
	if again.ID != sl.ID {
		t.Errorf("ServiceLinkedRole is not idempotent")
	}
	wantCode(t, s.DeleteRole(ctx, acct, iam.OrganizationsServiceRoleName), iam.CodeUnmodifiableEntity)
	wantCode(t, s.PutInlinePolicy(ctx, acct, iam.KindRole, iam.OrganizationsServiceRoleName, "p", allowAll), iam.CodeUnmodifiableEntity)
	atts, err := s.AttachedPolicies(ctx, acct, iam.KindRole, iam.OrganizationsServiceRoleName, "")
	must(t, err)
	if len(atts) != 1 || atts[0].ARN != iam.AWSOrganizationsServiceTrustPolicyARN {
		t.Errorf("service-linked role policies = %+v", atts)
	}
	oa, err := s.EnsureRole(ctx, other, iam.OrganizationAccessRoleName, iam.OrganizationAccessTrustPolicy(acct), iam.AdministratorAccessARN)
	must(t, err)
	if oa.ARN() != "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole" {
		t.Errorf("org access role = %s", oa.ARN())
	}
	if _, err := s.EnsureRole(ctx, other, iam.OrganizationAccessRoleName, iam.OrganizationAccessTrustPolicy(acct), iam.AdministratorAccessARN); err != nil {
		t.Errorf("EnsureRole again: %v", err)
	}
}

func TestInlineSizeLimits(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	_, err := s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "u"})
	must(t, err)
	_, err = s.CreateGroup(ctx, acct, "g", "")
	must(t, err)
	_, err = s.CreateRole(ctx, acct, iam.CreateRoleInput{Name: "r", TrustPolicy: trustAccount(acct)})
	must(t, err)
	// doc returns a policy of exactly n non-space characters.
	doc := func(n int) string {
		base := `{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
		return strings.Replace(base, `"Sid":""`, `"Sid":"`+strings.Repeat("A", n-len(base))+`"`, 1)
	}
	for _, tc := range []struct {
		kind  iam.PrincipalKind
		owner string
		limit int
	}{{iam.KindUser, "u", 2048}, {iam.KindGroup, "g", 5120}, {iam.KindRole, "r", 10240}} {
		must(t, s.PutInlinePolicy(ctx, acct, tc.kind, tc.owner, "a", doc(tc.limit)))
		// Replacing the same policy does not count it twice.
		must(t, s.PutInlinePolicy(ctx, acct, tc.kind, tc.owner, "a", doc(tc.limit)))
		wantCode(t, s.PutInlinePolicy(ctx, acct, tc.kind, tc.owner, "b", doc(200)), iam.CodeLimitExceeded)
		must(t, s.DeleteInlinePolicy(ctx, acct, tc.kind, tc.owner, "a"))
		wantCode(t, s.PutInlinePolicy(ctx, acct, tc.kind, tc.owner, "a", doc(tc.limit+1)), iam.CodeLimitExceeded)
		// Whitespace is not counted.
		must(t, s.PutInlinePolicy(ctx, acct, tc.kind, tc.owner, "a", strings.ReplaceAll(doc(tc.limit), ",", ",\n   ")))
		p, err := s.InlinePolicy(ctx, acct, tc.kind, tc.owner, "A")
		must(t, err)
		if p.Name != "a" {
			t.Errorf("inline policy = %+v", p)
		}
		_, err = s.InlinePolicy(ctx, acct, tc.kind, tc.owner, "zzz")
		wantCode(t, err, iam.CodeNoSuchEntity)
	}
	wantCode(t, s.PutInlinePolicy(ctx, acct, iam.KindUser, "u", "bad", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`), iam.CodeMalformedPolicyDocument)
	wantCode(t, s.PutInlinePolicy(ctx, acct, iam.KindUser, "nobody", "p", allowAll), iam.CodeNoSuchEntity)
}

func TestManagedPolicies(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t)
	p, err := s.CreatePolicy(ctx, acct, iam.CreatePolicyInput{Name: "P", Path: "/team/", Document: allow("s3:*")})
	must(t, err)
	if p.ARN != "arn:aws:iam::111111111111:policy/team/P" || !strings.HasPrefix(p.ID, "ANPA") || p.DefaultVersion != "v1" {
		t.Errorf("policy = %+v", p)
	}
	_, err = s.CreatePolicy(ctx, acct, iam.CreatePolicyInput{Name: "p", Document: allowAll})
	wantCode(t, err, iam.CodeEntityAlreadyExists)
	_, err = s.CreatePolicy(ctx, acct, iam.CreatePolicyInput{Name: "big", Document: `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("A", 6200) + `","Effect":"Allow","Action":"*","Resource":"*"}]}`})
	wantCode(t, err, iam.CodeLimitExceeded)
	_, err = s.Policy(ctx, acct, "not-an-arn")
	wantCode(t, err, iam.CodeInvalidInput)
	_, err = s.Policy(ctx, acct, "arn:aws:iam::111111111111:policy/none")
	wantCode(t, err, iam.CodeNoSuchEntity)
	_, err = s.Policy(ctx, other, p.ARN)
	wantCode(t, err, iam.CodeNoSuchEntity)

	// Versions: v2..v5, then the limit.
	for i := 2; i <= 5; i++ {
		clk.Add(time.Minute)
		v, err := s.CreatePolicyVersion(ctx, acct, p.ARN, allow("s3:Get*"), i == 3)
		must(t, err)
		if want := "v" + string(rune('0'+i)); v.ID != want {
			t.Errorf("version id = %s, want %s", v.ID, want)
		}
	}
	_, err = s.CreatePolicyVersion(ctx, acct, p.ARN, allowAll, false)
	wantCode(t, err, iam.CodeLimitExceeded)
	vs, def, err := s.PolicyVersions(ctx, acct, p.ARN)
	must(t, err)
	if len(vs) != 5 || def != "v3" || vs[0].ID != "v5" {
		t.Errorf("versions = %d, default %s, first %s", len(vs), def, vs[0].ID)
	}
	wantCode(t, s.DeletePolicyVersion(ctx, acct, p.ARN, "v3"), iam.CodeDeleteConflict)
	wantCode(t, s.DeletePolicyVersion(ctx, acct, p.ARN, "v9"), iam.CodeNoSuchEntity)
	wantCode(t, s.SetDefaultPolicyVersion(ctx, acct, p.ARN, "v9"), iam.CodeNoSuchEntity)
	must(t, s.SetDefaultPolicyVersion(ctx, acct, p.ARN, "v1"))
	v, isDef, err := s.PolicyVersion(ctx, acct, p.ARN, "v1")
	must(t, err)
	if !isDef || v.Document != allow("s3:*") {
		t.Errorf("v1 = %+v default=%v", v, isDef)
	}

	// Attached: DeleteConflict; non-default versions: DeleteConflict.
	_, err = s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "u"})
	must(t, err)
	must(t, s.AttachPolicy(ctx, acct, iam.KindUser, "u", p.ARN))
	got, err := s.Policy(ctx, acct, p.ARN)
	must(t, err)
	if got.AttachmentCount != 1 {
		t.Errorf("AttachmentCount = %d", got.AttachmentCount)
	}
	wantCode(t, s.DeletePolicy(ctx, acct, p.ARN), iam.CodeDeleteConflict)
	must(t, s.DetachPolicy(ctx, acct, iam.KindUser, "u", p.ARN))
	must(t, s.PutPermissionsBoundary(ctx, acct, iam.KindUser, "u", p.ARN))
	wantCode(t, s.DeletePolicy(ctx, acct, p.ARN), iam.CodeDeleteConflict)
	must(t, s.DeletePermissionsBoundary(ctx, acct, iam.KindUser, "u"))
	wantCode(t, s.DeletePolicy(ctx, acct, p.ARN), iam.CodeDeleteConflict)
	for _, id := range []string{"v2", "v3", "v4", "v5"} {
		must(t, s.DeletePolicyVersion(ctx, acct, p.ARN, id))
	}
	must(t, s.DeletePolicy(ctx, acct, p.ARN))
	_, err = s.Policy(ctx, acct, p.ARN)
	wantCode(t, err, iam.CodeNoSuchEntity)

	// AWS managed policies: readable, listable, attachable, not changeable.
	admin, err := s.Policy(ctx, acct, iam.AdministratorAccessARN)
	must(t, err)
	if !admin.AWSManaged || admin.DefaultVersion != "v1" || admin.Name != "AdministratorAccess" {
		t.Errorf("AdministratorAccess = %+v", admin)
	}
	_, err = s.CreatePolicyVersion(ctx, acct, iam.AdministratorAccessARN, allowAll, true)
	wantCode(t, err, iam.CodeAccessDenied)
	wantCode(t, s.DeletePolicy(ctx, acct, iam.AdministratorAccessARN), iam.CodeAccessDenied)
	wantCode(t, s.AttachPolicy(ctx, acct, iam.KindUser, "u", iam.AWSPolicyARNPrefix+"NoSuchPolicy"), iam.CodeNoSuchEntity)
	must(t, s.AttachPolicy(ctx, acct, iam.KindUser, "u", iam.AWSAccountManagementReadOnlyAccessARN))
	awsList, err := s.Policies(ctx, acct, iam.ListPoliciesInput{Scope: iam.ScopeAWS})
	must(t, err)
	if len(awsList) < 6 {
		t.Errorf("Scope=AWS lists %d policies", len(awsList))
	}
	attached, err := s.Policies(ctx, acct, iam.ListPoliciesInput{OnlyAttached: true})
	must(t, err)
	if len(attached) != 1 || attached[0].ARN != iam.AWSAccountManagementReadOnlyAccessARN || attached[0].AttachmentCount != 1 {
		t.Errorf("OnlyAttached = %+v", attached)
	}
	local, err := s.Policies(ctx, acct, iam.ListPoliciesInput{Scope: iam.ScopeLocal})
	must(t, err)
	if len(local) != 0 {
		t.Errorf("Scope=Local = %+v", local)
	}
	for i := range iam.QuotaAttachedPoliciesPerUser {
		q, err := s.CreatePolicy(ctx, acct, iam.CreatePolicyInput{Name: "q" + string(rune('a'+i)), Document: allowAll})
		must(t, err)
		err = s.AttachPolicy(ctx, acct, iam.KindUser, "u", q.ARN)
		if i < iam.QuotaAttachedPoliciesPerUser-1 {
			must(t, err)
		} else {
			wantCode(t, err, iam.CodeLimitExceeded)
		}
	}
}

func TestAWSManagedCatalogue(t *testing.T) {
	for _, p := range iam.AWSManagedPolicies() {
		if len(p.Versions) != 1 || p.Versions[0].ID != p.DefaultVersion {
			t.Errorf("%s: versions %+v", p.Name, p.Versions)
		}
		if _, err := policy.Parse([]byte(p.Versions[0].Document), policy.Identity); err != nil {
			t.Errorf("%s does not parse: %v", p.Name, err)
		}
		if !reID.MatchString(p.ID) || !strings.HasPrefix(p.ID, "ANPA") {
			t.Errorf("%s: id %q", p.Name, p.ID)
		}
	}
	ro, ok := iam.AWSManagedPolicy(iam.AWSAccountManagementReadOnlyAccessARN)
	if !ok || !strings.Contains(ro.Versions[0].Document, `"account:Get*",`) {
		t.Errorf("AWSAccountManagementReadOnlyAccess = %+v", ro)
	}
}

func TestAccountAliases(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	for _, bad := range []string{"ab", "-abc", "abc-", "a--b", "ABC", "a_b", strings.Repeat("a", 64)} {
		if iam.ValidAlias(bad) {
			t.Errorf("ValidAlias(%q) = true", bad)
		}
		wantCode(t, s.CreateAccountAlias(ctx, acct, bad), iam.CodeValidation)
	}
	for _, good := range []string{"abc", "a-b-c", "123", strings.Repeat("a", 63)} {
		if !iam.ValidAlias(good) {
			t.Errorf("ValidAlias(%q) = false", good)
		}
	}
	must(t, s.CreateAccountAlias(ctx, acct, "corp"))
	must(t, s.CreateAccountAlias(ctx, acct, "corp")) // idempotent
	wantCode(t, s.CreateAccountAlias(ctx, other, "corp"), iam.CodeEntityAlreadyExists)
	must(t, s.CreateAccountAlias(ctx, acct, "corp-2")) // replaces
	aliases, err := s.AccountAliases(ctx, acct)
	must(t, err)
	if len(aliases) != 1 || aliases[0] != "corp-2" {
		t.Errorf("aliases = %v", aliases)
	}
	must(t, s.CreateAccountAlias(ctx, other, "corp")) // freed
	wantCode(t, s.DeleteAccountAlias(ctx, acct, "corp"), iam.CodeNoSuchEntity)
	must(t, s.DeleteAccountAlias(ctx, acct, "corp-2"))
	aliases, err = s.AccountAliases(ctx, acct)
	must(t, err)
	if len(aliases) != 0 {
		t.Errorf("aliases after delete = %v", aliases)
	}
}

func TestAccountSummary(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	_, err := s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "u"})
	must(t, err)
	_, err = s.CreateRole(ctx, acct, iam.CreateRoleInput{Name: "r", TrustPolicy: trustAccount(acct)})
	must(t, err)
	must(t, s.AttachPolicy(ctx, acct, iam.KindUser, "u", iam.AdministratorAccessARN))
	must(t, s.AttachPolicy(ctx, acct, iam.KindRole, "r", iam.AdministratorAccessARN))
	_, err = s.CreatePolicy(ctx, acct, iam.CreatePolicyInput{Name: "p", Document: allowAll})
	must(t, err)
	m, err := s.AccountSummary(ctx, acct)
	must(t, err)
	for k, want := range map[string]int{"Users": 1, "Roles": 1, "Groups": 0, "Policies": 1, "PolicyVersionsInUse": 2, "UsersQuota": 5000, "AccessKeysPerUserQuota": 2, "AccountAccessKeysPresent": 0} {
		if m[k] != want {
			t.Errorf("%s = %d, want %d", k, m[k], want)
		}
	}
}

func TestPrincipalPolicies(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	_, err := s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "u", Boundary: iam.AWSAccountManagementFullAccessARN})
	must(t, err)
	_, err = s.CreateGroup(ctx, acct, "g", "")
	must(t, err)
	must(t, s.AddUserToGroup(ctx, acct, "g", "u"))
	must(t, s.PutInlinePolicy(ctx, acct, iam.KindUser, "u", "own", allow("account:GetAlternateContact")))
	must(t, s.PutInlinePolicy(ctx, acct, iam.KindGroup, "g", "grp", allow("account:PutAlternateContact")))
	must(t, s.AttachPolicy(ctx, acct, iam.KindGroup, "g", iam.AWSOrganizationsReadOnlyAccessARN))
	k, err := s.CreateAccessKey(ctx, acct, "u")
	must(t, err)
	c, err := s.Credential(ctx, k.ID)
	must(t, err)
	pols, err := s.PrincipalPolicies(ctx, c.Principal)
	must(t, err)
	if len(pols.Identity) != 3 || pols.Boundary == nil || pols.Session != nil {
		t.Fatalf("policies = %+v", pols)
	}
	decide := func(action string) policy.Effect {
		return policy.Evaluate(policy.Request{Action: action, Resource: "*", PrincipalARN: c.Principal.ARN},
			policy.PolicySet{Identity: pols.Identity, Boundary: pols.Boundary, Session: pols.Session}).Effect
	}
	if decide("account:PutAlternateContact") != policy.Allow {
		t.Error("group inline policy does not allow")
	}
	// The boundary (account:*) filters out organizations:List*.
	if decide("organizations:ListAccounts") == policy.Allow {
		t.Error("boundary does not filter")
	}
	root, err := s.PrincipalPolicies(ctx, identity.RootPrincipal(acct, ""))
	must(t, err)
	if len(root.Identity) != 0 {
		t.Errorf("root has policies %+v", root)
	}
}

func TestAssumeRole(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t)
	// Management account acct, member account other with the org role.
	_, err := s.EnsureRole(ctx, other, iam.OrganizationAccessRoleName, iam.OrganizationAccessTrustPolicy(acct), iam.AdministratorAccessARN)
	must(t, err)
	roleARN := "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"
	_, err = s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "admin"})
	must(t, err)
	k, err := s.CreateAccessKey(ctx, acct, "admin")
	must(t, err)
	c, err := s.Credential(ctx, k.ID)
	must(t, err)
	user := c.Principal

	out, err := s.AssumeRole(ctx, user, iam.AssumeRoleInput{RoleARN: roleARN, SessionName: "ops"})
	must(t, err)
	sess := out.Session
	if !regexp.MustCompile(`^ASIA[A-Z0-9]{16}$`).MatchString(sess.AccessKeyID) || len(sess.Secret) != 40 || len(sess.Token) < 300 {
		t.Errorf("credentials = %s %q %d", sess.AccessKeyID, sess.Secret, len(sess.Token))
	}
	if want := clk.Now().Add(time.Hour); !sess.Expiration.Equal(want) {
		t.Errorf("Expiration = %v, want %v", sess.Expiration, want)
	}
	if sess.ARN() != "arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/ops" || !strings.HasPrefix(sess.AssumedRoleID(), "AROA") || !strings.HasSuffix(sess.AssumedRoleID(), ":ops") {
		t.Errorf("session = %s %s", sess.ARN(), sess.AssumedRoleID())
	}
	if out.PackedPolicySize != -1 {
		t.Errorf("PackedPolicySize = %d", out.PackedPolicySize)
	}
	// The session is stored and resolves to the assumed-role principal,
	// which carries the role's policies.
	sc, err := s.Credential(ctx, sess.AccessKeyID)
	must(t, err)
	if sc.SessionToken != sess.Token || sc.Principal.Type != identity.AssumedRole || sc.Principal.ARN != sess.ARN() || sc.Principal.Account != other {
		t.Errorf("session credential = %+v", sc)
	}
	pols, err := s.PrincipalPolicies(ctx, sc.Principal)
	must(t, err)
	if len(pols.Identity) != 1 || pols.Session != nil {
		t.Errorf("session policies = %+v", pols)
	}

	// Trust: another account's user is refused; so is a missing role.
	_, err = s.CreateUser(ctx, "333333333333", iam.CreateUserInput{Name: "x"})
	must(t, err)
	stranger := identity.AccessKey{Account: "333333333333", User: "x", ID: "AKIAX"}.UserPrincipal("AIDAX", "/")
	_, err = s.AssumeRole(ctx, stranger, iam.AssumeRoleInput{RoleARN: roleARN, SessionName: "s1"})
	wantCode(t, err, iam.CodeAccessDenied)
	if e, _ := apierr.As(err); e.Message != "User: arn:aws:iam::333333333333:user/x is not authorized to perform: sts:AssumeRole on resource: "+roleARN {
		t.Errorf("message = %q", e.Message)
	}
	_, err = s.AssumeRole(ctx, user, iam.AssumeRoleInput{RoleARN: "arn:aws:iam::222222222222:role/Nope", SessionName: "s1"})
	wantCode(t, err, iam.CodeAccessDenied)
	_, err = s.AssumeRole(ctx, identity.RootPrincipal(acct, "AKIAROOT"), iam.AssumeRoleInput{RoleARN: roleARN, SessionName: "s1"})
	wantCode(t, err, iam.CodeAccessDenied)

	// Durations.
	_, err = s.AssumeRole(ctx, user, iam.AssumeRoleInput{RoleARN: roleARN, SessionName: "s1", Duration: 2 * time.Hour})
	wantCode(t, err, iam.CodeValidation)
	_, err = s.AssumeRole(ctx, user, iam.AssumeRoleInput{RoleARN: roleARN, SessionName: "s1", Duration: 10 * time.Minute})
	wantCode(t, err, iam.CodeValidation)
	short, err := s.AssumeRole(ctx, user, iam.AssumeRoleInput{RoleARN: roleARN, SessionName: "s1", Duration: 15 * time.Minute})
	must(t, err)
	_, err = s.AssumeRole(ctx, user, iam.AssumeRoleInput{RoleARN: roleARN, SessionName: "bad name"})
	wantCode(t, err, iam.CodeValidation)

	// Role chaining: a session may assume a role trusting its account for
	// at most an hour.
	_, err = s.CreateRole(ctx, other, iam.CreateRoleInput{Name: "Next", TrustPolicy: trustAccount(other), MaxSessionDuration: 4 * time.Hour})
	must(t, err)
	nextARN := "arn:aws:iam::222222222222:role/Next"
	_, err = s.AssumeRole(ctx, sc.Principal, iam.AssumeRoleInput{RoleARN: nextARN, SessionName: "chain", Duration: 2 * time.Hour})
	wantCode(t, err, iam.CodeValidation)
	_, err = s.AssumeRole(ctx, sc.Principal, iam.AssumeRoleInput{RoleARN: nextARN, SessionName: "chain"})
	must(t, err)

	// Session policies.
	_, err = s.AssumeRole(ctx, user, iam.AssumeRoleInput{RoleARN: roleARN, SessionName: "p1", Policy: "{}"})
	wantCode(t, err, iam.CodeMalformedPolicyDocument)
	withPol, err := s.AssumeRole(ctx, user, iam.AssumeRoleInput{
		RoleARN: roleARN, SessionName: "p1", Policy: allow("account:Get*"),
		PolicyARNs: []string{iam.AWSOrganizationsReadOnlyAccessARN}, Tags: []iam.Tag{{Key: "team", Value: "x"}},
	})
	must(t, err)
	if withPol.PackedPolicySize <= 0 || withPol.PackedPolicySize > 100 {
		t.Errorf("PackedPolicySize = %d", withPol.PackedPolicySize)
	}
	pc, err := s.Credential(ctx, withPol.Session.AccessKeyID)
	must(t, err)
	pols, err = s.PrincipalPolicies(ctx, pc.Principal)
	must(t, err)
	if len(pols.Session) != 2 {
		t.Errorf("session policies = %d", len(pols.Session))
	}

	// Expiry.
	clk.Add(15 * time.Minute)
	if _, err := s.Credential(ctx, short.Session.AccessKeyID); !errors.Is(err, iam.ErrSessionExpired) {
		t.Errorf("expired session: err = %v", err)
	}
	if _, err := s.Credential(ctx, sess.AccessKeyID); err != nil {
		t.Errorf("unexpired session: %v", err)
	}
	if _, err := s.Credential(ctx, "ASIAUNKNOWN"); !errors.Is(err, iam.ErrNotFound) {
		t.Errorf("unknown session: err = %v", err)
	}
}

func TestSimulate(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	_, err := s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "u"})
	must(t, err)
	must(t, s.AttachPolicy(ctx, acct, iam.KindUser, "u", iam.AWSAccountManagementReadOnlyAccessARN))
	must(t, s.PutInlinePolicy(ctx, acct, iam.KindUser, "u", "deny-regions", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"account:GetRegionOptStatus","Resource":"*"}]}`))
	res, err := s.Simulate(ctx, acct, iam.SimulateInput{
		SourceARN: "arn:aws:iam::111111111111:user/u",
		Actions:   []string{"account:GetAlternateContact", "account:PutAlternateContact", "account:GetRegionOptStatus", "account:ListRegions"},
		SCPs:      [][]string{{allowAll}, {`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"account:ListRegions","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}`}},
		SCPsApply: true,
	})
	must(t, err)
	if res.Next != 4 || res.Pairs != 4 || len(res.Results) != 4 {
		t.Fatalf("page: next %d of %d pairs, %d results; want the 4 pairs", res.Next, res.Pairs, len(res.Results))
	}
	want := []string{iam.DecisionAllowed, iam.DecisionImplicitDeny, iam.DecisionExplicitDeny, iam.DecisionExplicitDeny}
	for i, r := range res.Results {
		if r.Decision != want[i] {
			t.Errorf("%s: %s, want %s", r.Action, r.Decision, want[i])
		}
		if r.AllowedByOrganizations == nil || *r.AllowedByOrganizations != (i != 3) {
			t.Errorf("%s: AllowedByOrganizations = %v", r.Action, r.AllowedByOrganizations)
		}
	}
	if m := res.Results[0].Matched; len(m) != 1 || m[0].Source.ID != "AWSAccountManagementReadOnlyAccess" || m[0].Source.Type != iam.SourceAWSManaged {
		t.Errorf("matched = %+v", m)
	}
	if m := res.Results[2].Matched; len(m) != 1 || m[0].Source.ID != "deny-regions" || m[0].Source.Type != iam.SourceUser {
		t.Errorf("matched deny = %+v", m)
	}
	_, err = s.Simulate(ctx, acct, iam.SimulateInput{SourceARN: "arn:aws:iam::111111111111:user/none", Actions: []string{"s3:GetObject"}})
	wantCode(t, err, iam.CodeNoSuchEntity)
	_, err = s.Simulate(ctx, acct, iam.SimulateInput{Policies: []string{"{"}, Actions: []string{"s3:GetObject"}})
	wantCode(t, err, iam.CodeInvalidInput)
}

func TestTrustPolicyOf(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"sts:AssumeRole"}]}`
	_, err := s.CreateRole(ctx, acct, iam.CreateRoleInput{Name: "Ops", Path: "/team/", TrustPolicy: trust})
	must(t, err)
	tp, err := s.TrustPolicyOf(ctx, "arn:aws:iam::111111111111:role/team/Ops")
	if err != nil || tp == nil {
		t.Fatalf("TrustPolicyOf: got %v, %v; want the policy", tp, err)
	}
	if tp.Kind() != policy.Trust || tp.Name != "arn:aws:iam::111111111111:role/team/Ops" {
		t.Errorf("got kind %v name %q", tp.Kind(), tp.Name)
	}
	d := policy.Evaluate(policy.Request{Action: "sts:AssumeRole", Resource: "arn:aws:iam::111111111111:role/team/Ops",
		PrincipalARN: "arn:aws:iam::111111111111:user/alice"}, policy.PolicySet{Resource: []*policy.Policy{tp}})
	if !d.Allowed() {
		t.Errorf("the trust policy naming alice does not allow her: %+v", d)
	}
	for _, arn := range []string{
		"arn:aws:iam::111111111111:role/Ops",      // wrong path
		"arn:aws:iam::111111111111:role/team/Dev", // no such role
		"arn:aws:iam::222222222222:role/team/Ops", // other account
		"arn:aws:iam::111111111111:user/alice",    // not a role
		"*",
	} {
		tp, err := s.TrustPolicyOf(ctx, arn)
		if err != nil || tp != nil {
			t.Errorf("TrustPolicyOf(%s): got %v, %v; want nil, nil", arn, tp, err)
		}
	}
}
