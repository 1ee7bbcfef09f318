package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// The records of iam.Tx. Names match in any case: their kinds key them
// lower-cased, list them in lower-cased order, and replace them with a
// put of the name in another case (mutate), which is then read back.

func iamStore(s Stores) kernel.Store[iam.Tx] { return s.IAM }

func iamKinds() []sampler[iam.Tx] {
	return []sampler[iam.Tx]{users, accessKeys, groups, groupMembers, roles, inlinePolicies, managedPolicies,
		iamAttachments, aliases, sessions, rootStates, orgFeatures}
}

// iamNames are in neither byte nor lower-cased order.
var iamNames = []string{"bob", "Dave", "Alice", "carol", "_x", "B2", "erin", "Frank", "zed-9", "Gus"}

// swapCase changes the case of every letter of s.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) {
			return unicode.ToLower(r)
		}
		return unicode.ToUpper(r)
	}, s)
}

func byName(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }

var principalKinds = []iam.PrincipalKind{iam.KindUser, iam.KindGroup, iam.KindRole}

// owner returns the account, kind and owner of the inline policies and
// attachments of scope s: the scopes of one check (s/10) share an account,
// and differ in kind, owner or both.
func owner(s int) (identity.AccountID, iam.PrincipalKind, string) {
	return accountID(s - s%10), principalKinds[s%3], fmt.Sprintf("Alice%d", s%10/3)
}

func policyARN(n int, name string) string {
	return "arn:aws:iam::" + string(accountID(n)) + ":policy/" + name
}

func awsPolicyARN(name string) string { return "arn:aws:iam::aws:policy/" + name }

// iamTags are tags out of key order, with an empty value and characters
// that need escaping: the order must be kept.
func iamTags() []iam.Tag {
	return []iam.Tag{{Key: "team", Value: "Platform"}, {Key: "Cost-Center", Value: `12 "345" \ ü`}, {Key: "empty", Value: ""}}
}

func policyDoc(sid string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"` + sid + `","Effect":"Allow","Action":"*","Resource":"*"}]}`
}

var users = &kind[iam.Tx, iam.User]{
	name: "User", store: iamStore,
	sample: func(s, n int) iam.User {
		name := iamNames[n-1]
		return iam.User{
			Account: accountID(s), Name: name, Path: "/engineering/platform/", ID: fmt.Sprintf("AIDA%02d%s", s, strings.ToUpper(name)),
			CreatedAt: t0.Add(time.Duration(n) * time.Minute), Boundary: policyARN(s, "Boundary"), Tags: iamTags(),
		}
	},
	key: func(u iam.User) any { return [2]any{u.Account, strings.ToLower(u.Name)} },
	put: func(ctx context.Context, tx iam.Tx, u iam.User) error { return tx.PutUser(ctx, &u) },
	get: func(ctx context.Context, tx iam.Tx, u iam.User) (iam.User, error) {
		return value(tx.User(ctx, u.Account, u.Name))
	},
	del:   func(ctx context.Context, tx iam.Tx, u iam.User) error { return tx.DeleteUser(ctx, u.Account, u.Name) },
	list:  func(ctx context.Context, tx iam.Tx, u iam.User) ([]iam.User, error) { return tx.Users(ctx, u.Account) },
	order: func(a, b iam.User) int { return byName(a.Name, b.Name) },
	mutate: func(u iam.User) iam.User {
		return iam.User{Account: u.Account, Name: swapCase(u.Name), Path: "/", ID: "AIDANEW", CreatedAt: u.CreatedAt.Add(time.Hour),
			Tags: []iam.Tag{{Key: "only", Value: "one"}}}
	},
	clear:    func(u iam.User) iam.User { return iam.User{Account: u.Account, Name: u.Name} },
	times:    func(u iam.User, at time.Time) iam.User { u.CreatedAt = at; return u },
	recase:   func(u iam.User) iam.User { u.Name = swapCase(u.Name); return u },
	foldCase: true,
}

// accessKeys: the keys of a user, or of the root user (User "") for even
// scopes.
var accessKeys = &kind[iam.Tx, identity.AccessKey]{
	name: "AccessKey", store: iamStore,
	sample: func(s, n int) identity.AccessKey {
		k := identity.AccessKey{
			ID: fmt.Sprintf("AKIA%04d%012d", s, jumble(n)), Secret: fmt.Sprintf("secret/%d/%d+KEY", s, n),
			Account: accountID(s), User: "Alice", Active: n%2 == 1, CreatedAt: t0.Add(time.Duration(n) * time.Second),
		}
		if s%2 == 0 {
			k.User = ""
		}
		return k
	},
	key: func(k identity.AccessKey) any { return k.ID },
	put: func(ctx context.Context, tx iam.Tx, k identity.AccessKey) error { return tx.PutAccessKey(ctx, &k) },
	get: func(ctx context.Context, tx iam.Tx, k identity.AccessKey) (identity.AccessKey, error) {
		return value(tx.AccessKey(ctx, k.ID))
	},
	del: func(ctx context.Context, tx iam.Tx, k identity.AccessKey) error { return tx.DeleteAccessKey(ctx, k.ID) },
	list: func(ctx context.Context, tx iam.Tx, k identity.AccessKey) ([]identity.AccessKey, error) {
		return tx.AccessKeys(ctx, k.Account, k.User)
	},
	order: func(a, b identity.AccessKey) int { return strings.Compare(a.ID, b.ID) },
	mutate: func(k identity.AccessKey) identity.AccessKey {
		k.Secret, k.Active, k.CreatedAt = "new", !k.Active, k.CreatedAt.Add(time.Minute)
		return k
	},
	clear: func(k identity.AccessKey) identity.AccessKey {
		return identity.AccessKey{ID: k.ID, Account: k.Account, User: k.User}
	},
	times:  func(k identity.AccessKey, at time.Time) identity.AccessKey { k.CreatedAt = at; return k },
	recase: func(k identity.AccessKey) identity.AccessKey { k.ID = strings.ToLower(k.ID); return k },
}

var groups = &kind[iam.Tx, iam.Group]{
	name: "Group", store: iamStore,
	sample: func(s, n int) iam.Group {
		name := iamNames[n-1]
		return iam.Group{Account: accountID(s), Name: name, Path: "/teams/", ID: fmt.Sprintf("AGPA%02d%s", s, strings.ToUpper(name)),
			CreatedAt: t0.Add(time.Duration(n) * time.Minute)}
	},
	key: func(g iam.Group) any { return [2]any{g.Account, strings.ToLower(g.Name)} },
	put: func(ctx context.Context, tx iam.Tx, g iam.Group) error { return tx.PutGroup(ctx, &g) },
	get: func(ctx context.Context, tx iam.Tx, g iam.Group) (iam.Group, error) {
		return value(tx.Group(ctx, g.Account, g.Name))
	},
	del: func(ctx context.Context, tx iam.Tx, g iam.Group) error { return tx.DeleteGroup(ctx, g.Account, g.Name) },
	list: func(ctx context.Context, tx iam.Tx, g iam.Group) ([]iam.Group, error) {
		return tx.Groups(ctx, g.Account)
	},
	order: func(a, b iam.Group) int { return byName(a.Name, b.Name) },
	mutate: func(g iam.Group) iam.Group {
		return iam.Group{Account: g.Account, Name: swapCase(g.Name), Path: "/new/", ID: "AGPANEW", CreatedAt: g.CreatedAt.Add(time.Hour)}
	},
	clear:    func(g iam.Group) iam.Group { return iam.Group{Account: g.Account, Name: g.Name} },
	times:    func(g iam.Group, at time.Time) iam.Group { g.CreatedAt = at; return g },
	recase:   func(g iam.Group) iam.Group { g.Name = swapCase(g.Name); return g },
	foldCase: true,
}

// groupMember is a user's membership of a group. GroupMembers does not
// return the group's name: a listed membership carries the one asked for.
type groupMember struct {
	Account     identity.AccountID
	Group, User string
}

var groupMembers = &kind[iam.Tx, groupMember]{
	name: "GroupMember", store: iamStore,
	sample: func(s, n int) groupMember { return groupMember{accountID(s), "Admins", iamNames[n-1]} },
	key: func(m groupMember) any {
		return [3]any{m.Account, strings.ToLower(m.Group), strings.ToLower(m.User)}
	},
	put: func(ctx context.Context, tx iam.Tx, m groupMember) error {
		return tx.AddGroupMember(ctx, m.Account, m.Group, m.User)
	},
	del: func(ctx context.Context, tx iam.Tx, m groupMember) error {
		return tx.RemoveGroupMember(ctx, m.Account, m.Group, m.User)
	},
	list: func(ctx context.Context, tx iam.Tx, m groupMember) ([]groupMember, error) {
		us, err := tx.GroupMembers(ctx, m.Account, m.Group)
		out := make([]groupMember, len(us))
		for i, u := range us {
			out[i] = groupMember{m.Account, m.Group, u}
		}
		return out, err
	},
	order: func(a, b groupMember) int { return byName(a.User, b.User) },
}

var roles = &kind[iam.Tx, iam.Role]{
	name: "Role", store: iamStore,
	sample: func(s, n int) iam.Role {
		name := iamNames[n-1]
		r := iam.Role{
			Account: accountID(s), Name: name, Path: "/service/", ID: fmt.Sprintf("AROA%02d%s", s, strings.ToUpper(name)),
			CreatedAt: t0.Add(time.Duration(n) * time.Minute), Description: "role " + name + " — ünïcode\nsecond line",
			TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
				`"Principal":{"AWS":"arn:aws:iam::` + string(accountID(s)) + `:root"},"Action":"sts:AssumeRole"}]}`,
			MaxSessionDuration: 12*time.Hour + 500*time.Millisecond, Boundary: policyARN(s, "Boundary"), Tags: iamTags(),
		}
		if n%2 == 0 {
			r.ServiceLinked, r.Path, r.Tags, r.Boundary = true, "/aws-service-role/organizations.amazonaws.com/", nil, ""
		}
		return r
	},
	key: func(r iam.Role) any { return [2]any{r.Account, strings.ToLower(r.Name)} },
	put: func(ctx context.Context, tx iam.Tx, r iam.Role) error { return tx.PutRole(ctx, &r) },
	get: func(ctx context.Context, tx iam.Tx, r iam.Role) (iam.Role, error) {
		return value(tx.Role(ctx, r.Account, r.Name))
	},
	del:   func(ctx context.Context, tx iam.Tx, r iam.Role) error { return tx.DeleteRole(ctx, r.Account, r.Name) },
	list:  func(ctx context.Context, tx iam.Tx, r iam.Role) ([]iam.Role, error) { return tx.Roles(ctx, r.Account) },
	order: func(a, b iam.Role) int { return byName(a.Name, b.Name) },
	mutate: func(r iam.Role) iam.Role {
		return iam.Role{Account: r.Account, Name: swapCase(r.Name), Path: "/", ID: "AROANEW", CreatedAt: t0,
			TrustPolicy: "{}", MaxSessionDuration: time.Hour, ServiceLinked: !r.ServiceLinked}
	},
	clear:    func(r iam.Role) iam.Role { return iam.Role{Account: r.Account, Name: r.Name} },
	times:    func(r iam.Role, at time.Time) iam.Role { r.CreatedAt = at; return r },
	recase:   func(r iam.Role) iam.Role { r.Name = swapCase(r.Name); return r },
	foldCase: true,
}

var inlinePolicies = &kind[iam.Tx, iam.InlinePolicy]{
	name: "InlinePolicy", store: iamStore,
	sample: func(s, n int) iam.InlinePolicy {
		acct, kind, owner := owner(s)
		name := iamNames[n-1]
		return iam.InlinePolicy{Account: acct, Kind: kind, Owner: owner, Name: name, Document: policyDoc(fmt.Sprintf("%s%s%s", kind, owner, name))}
	},
	key: func(p iam.InlinePolicy) any {
		return [4]any{p.Account, p.Kind, strings.ToLower(p.Owner), strings.ToLower(p.Name)}
	},
	put: func(ctx context.Context, tx iam.Tx, p iam.InlinePolicy) error { return tx.PutInlinePolicy(ctx, &p) },
	get: func(ctx context.Context, tx iam.Tx, p iam.InlinePolicy) (iam.InlinePolicy, error) {
		return value(tx.InlinePolicy(ctx, p.Account, p.Kind, p.Owner, p.Name))
	},
	del: func(ctx context.Context, tx iam.Tx, p iam.InlinePolicy) error {
		return tx.DeleteInlinePolicy(ctx, p.Account, p.Kind, p.Owner, p.Name)
	},
	list: func(ctx context.Context, tx iam.Tx, p iam.InlinePolicy) ([]iam.InlinePolicy, error) {
		return tx.InlinePolicies(ctx, p.Account, p.Kind, p.Owner)
	},
	order: func(a, b iam.InlinePolicy) int { return byName(a.Name, b.Name) },
	mutate: func(p iam.InlinePolicy) iam.InlinePolicy {
		p.Owner, p.Name, p.Document = swapCase(p.Owner), swapCase(p.Name), "{}"
		return p
	},
	clear: func(p iam.InlinePolicy) iam.InlinePolicy { p.Document = ""; return p },
	recase: func(p iam.InlinePolicy) iam.InlinePolicy {
		p.Owner, p.Name = swapCase(p.Owner), swapCase(p.Name)
		return p
	},
	foldCase: true,
}

var managedPolicies = &kind[iam.Tx, iam.ManagedPolicy]{
	name: "ManagedPolicy", store: iamStore,
	sample: func(s, n int) iam.ManagedPolicy { return newManaged(s, iamNames[n-1]) },
	key:    func(p iam.ManagedPolicy) any { return p.ARN },
	put:    func(ctx context.Context, tx iam.Tx, p iam.ManagedPolicy) error { return tx.PutManagedPolicy(ctx, &p) },
	get: func(ctx context.Context, tx iam.Tx, p iam.ManagedPolicy) (iam.ManagedPolicy, error) {
		return value(tx.ManagedPolicy(ctx, p.ARN))
	},
	del: func(ctx context.Context, tx iam.Tx, p iam.ManagedPolicy) error {
		return tx.DeleteManagedPolicy(ctx, p.ARN)
	},
	list: func(ctx context.Context, tx iam.Tx, p iam.ManagedPolicy) ([]iam.ManagedPolicy, error) {
		return tx.ManagedPolicies(ctx, p.Account)
	},
	order: func(a, b iam.ManagedPolicy) int { return byName(a.Name, b.Name) },
	mutate: func(p iam.ManagedPolicy) iam.ManagedPolicy {
		var vs []iam.PolicyVersion
		if len(p.Versions) > 0 {
			vs = append(vs, p.Versions[1:]...)
		}
		vs = append(vs, iam.PolicyVersion{ID: "v5", Document: "{}", CreatedAt: t0.Add(time.Hour)})
		return iam.ManagedPolicy{Account: p.Account, Name: swapCase(p.Name), Path: "/", ID: "ANPANEW", ARN: p.ARN,
			DefaultVersion: "v5", CreatedAt: p.CreatedAt, UpdatedAt: t0.Add(time.Hour), Versions: vs}
	},
	clear: func(p iam.ManagedPolicy) iam.ManagedPolicy {
		return iam.ManagedPolicy{Account: p.Account, Name: p.Name, ARN: p.ARN} // the name is unique
	},
	times: func(p iam.ManagedPolicy, at time.Time) iam.ManagedPolicy {
		p.CreatedAt, p.UpdatedAt = at, at
		for i := range p.Versions {
			p.Versions[i].CreatedAt = at
		}
		return p
	},
	recase: func(p iam.ManagedPolicy) iam.ManagedPolicy { p.ARN = strings.ToUpper(p.ARN); return p },
}

// newManaged returns a customer managed policy of account n whose versions
// are v1, v3 and v4 (v2 was deleted), v3 the default.
func newManaged(n int, name string) iam.ManagedPolicy {
	at := t0.Add(time.Duration(n)*time.Hour + time.Duration(len(name))*time.Minute)
	return iam.ManagedPolicy{
		Account: accountID(n), Name: name, Path: "/policies/", ID: fmt.Sprintf("ANPA%02d%s", n, strings.ToUpper(name)),
		ARN: policyARN(n, name), Description: "policy " + name, DefaultVersion: "v3",
		CreatedAt: at, UpdatedAt: at.Add(3 * time.Hour),
		Versions: []iam.PolicyVersion{
			{ID: "v1", Document: policyDoc(name + "1"), CreatedAt: at},
			{ID: "v3", Document: policyDoc(name + "3"), CreatedAt: at.Add(2 * time.Hour)},
			{ID: "v4", Document: policyDoc(name + "4"), CreatedAt: at.Add(3 * time.Hour)},
		},
		Tags: iamTags(),
	}
}

// newAWSManaged returns an AWS managed policy (account "").
func newAWSManaged(name string) iam.ManagedPolicy {
	return iam.ManagedPolicy{
		Name: name, Path: "/", ID: "ANPAAWS" + strings.ToUpper(name), ARN: awsPolicyARN(name),
		Description: "AWS managed " + name, DefaultVersion: "v1", CreatedAt: t0, UpdatedAt: t0,
		Versions: []iam.PolicyVersion{{ID: "v1", Document: policyDoc(name), CreatedAt: t0}},
	}
}

var iamAttachments = &kind[iam.Tx, iam.Attachment]{
	name: "Attachment", store: iamStore,
	sample: func(s, n int) iam.Attachment {
		acct, kind, owner := owner(s)
		a := s - s%10 // the account's number, for its ARNs
		arns := []string{policyARN(a, "b"), awsPolicyARN("ReadOnlyAccess"), policyARN(a, "a"), policyARN(a, "C"),
			awsPolicyARN("AdministratorAccess"), policyARN(a, "_z"), policyARN(a, "a/b"), awsPolicyARN("Billing"),
			policyARN(a, "B"), policyARN(a, "a-b")}
		return iam.Attachment{Account: acct, Kind: kind, Owner: owner, PolicyARN: arns[n-1]}
	},
	key: func(a iam.Attachment) any {
		return [4]any{a.Account, a.Kind, strings.ToLower(a.Owner), a.PolicyARN}
	},
	put: func(ctx context.Context, tx iam.Tx, a iam.Attachment) error { return tx.PutAttachment(ctx, &a) },
	del: func(ctx context.Context, tx iam.Tx, a iam.Attachment) error { return tx.DeleteAttachment(ctx, &a) },
	list: func(ctx context.Context, tx iam.Tx, a iam.Attachment) ([]iam.Attachment, error) {
		return tx.Attachments(ctx, a.Account, a.Kind, a.Owner)
	},
	order:    func(a, b iam.Attachment) int { return strings.Compare(a.PolicyARN, b.PolicyARN) },
	recase:   func(a iam.Attachment) iam.Attachment { a.Owner = swapCase(a.Owner); return a },
	foldCase: true,
}

var aliases = &kind[iam.Tx, owned[string]]{
	name: "Alias", store: iamStore,
	sample: func(s, n int) owned[string] {
		return owned[string]{accountID(10*s + n), fmt.Sprintf("alias-%d-%d", s, n)}
	},
	key: func(a owned[string]) any { return a.Account },
	put: func(ctx context.Context, tx iam.Tx, a owned[string]) error { return tx.PutAlias(ctx, a.Account, a.V) },
	get: func(ctx context.Context, tx iam.Tx, a owned[string]) (owned[string], error) {
		alias, err := tx.Alias(ctx, a.Account)
		return owned[string]{a.Account, alias}, err
	},
	del:    func(ctx context.Context, tx iam.Tx, a owned[string]) error { return tx.DeleteAlias(ctx, a.Account) },
	mutate: func(a owned[string]) owned[string] { a.V += "-renamed"; return a },
}

var sessions = &kind[iam.Tx, iam.Session]{
	name: "Session", store: iamStore,
	sample: func(s, n int) iam.Session {
		return iam.Session{
			AccessKeyID: fmt.Sprintf("ASIA%04d%012d", s, n), Secret: fmt.Sprintf("session-secret/%d/%d", s, n),
			Token: fmt.Sprintf("FwoGZXIvYXdzE%d/%d==", s, n), Account: accountID(s),
			RoleName: "Deployer", RoleID: fmt.Sprintf("AROA%02dDEPLOYER", s), SessionName: fmt.Sprintf("session-%d", n),
			Expiration: t0.Add(time.Hour), IssuedAt: t0, SessionPolicy: policyDoc("session"),
			PolicyARNs: []string{policyARN(s, "Zed"), awsPolicyARN("ReadOnlyAccess")}, // not sorted: order kept
			Tags:       iamTags(), Source: "arn:aws:iam::" + string(accountID(s)) + ":user/Alice",
		}
	},
	key: func(se iam.Session) any { return se.AccessKeyID },
	put: func(ctx context.Context, tx iam.Tx, se iam.Session) error { return tx.PutSession(ctx, &se) },
	get: func(ctx context.Context, tx iam.Tx, se iam.Session) (iam.Session, error) {
		return value(tx.Session(ctx, se.AccessKeyID))
	},
	mutate: func(se iam.Session) iam.Session {
		return iam.Session{
			AccessKeyID: se.AccessKeyID, Secret: "new", Token: "new-token", Account: accountID(99), RoleName: "Other",
			RoleID: "AROAOTHER", SessionName: "s", Expiration: t0.Add(2 * time.Hour), IssuedAt: t0.Add(time.Hour),
			PolicyARNs: []string{policyARN(99, "x")}, Source: "arn:aws:iam::" + string(accountID(99)) + ":root",
		}
	},
	clear: func(se iam.Session) iam.Session { return iam.Session{AccessKeyID: se.AccessKeyID} },
	times: func(se iam.Session, at time.Time) iam.Session {
		se.Expiration, se.IssuedAt = at, at
		return se
	},
	recase: func(se iam.Session) iam.Session { se.AccessKeyID = strings.ToLower(se.AccessKeyID); return se },
}

var iamTests = []test{
	{"IAM/RollbackEveryKind", func(t *testing.T, s Stores) { testRollbackEveryKind(t, s.IAM, iamKinds()) }},
	{"IAM/OwnerArgumentsInAnyCase", testIAMOwnersInAnyCase},
	{"IAM/GroupsOf", testIAMGroupsOf},
	{"IAM/PolicyAttachments", testIAMPolicyAttachments},
	{"IAM/ManagedPolicyNameUnique", testIAMManagedNameUnique},
	{"IAM/AliasUnique", testIAMAliasUnique},
	{"IAM/NothingCascades", testIAMNoCascade},
}

// iamList reads a list that must be read.
func iamList[T any](t *testing.T, s Stores, what string, rd func(ctx context.Context, tx iam.Tx) (T, error)) T {
	t.Helper()
	return mustRead(t, s.IAM, what, rd)
}

// testIAMOwnersInAnyCase: the user, group and owner arguments of the lists
// and of the membership writers match in any case.
func testIAMOwnersInAnyCase(t *testing.T, s Stores) {
	skipUnless(t, s.IAM != nil, "IAM view")
	a := accountID(1)
	alice := []identity.AccessKey{accessKeys.at(1, 1), accessKeys.at(1, 2)}
	p := inlinePolicies.at(1, 1)
	update(t, s.IAM, func(ctx context.Context, tx iam.Tx) error {
		return errors.Join(tx.PutAccessKey(ctx, &alice[1]), tx.PutAccessKey(ctx, &alice[0]), tx.PutInlinePolicy(ctx, &p),
			tx.AddGroupMember(ctx, a, "Admins", "Alice"), tx.AddGroupMember(ctx, a, "ADMINS", "bob"),
			tx.AddGroupMember(ctx, a, "admins", "ALICE")) // the same membership, now spelt ALICE
	})
	wantEqual(t, "AccessKeys of ALICE", iamList(t, s, "AccessKeys", func(ctx context.Context, tx iam.Tx) ([]identity.AccessKey, error) {
		return tx.AccessKeys(ctx, a, "ALICE")
	}), accessKeys.sorted(alice...))
	wantEqual(t, "InlinePolicies of the owner in another case", iamList(t, s, "InlinePolicies", func(ctx context.Context, tx iam.Tx) ([]iam.InlinePolicy, error) {
		return tx.InlinePolicies(ctx, p.Account, p.Kind, swapCase(p.Owner))
	}), []iam.InlinePolicy{p})
	members := func(group string) []string {
		return iamList(t, s, "GroupMembers", func(ctx context.Context, tx iam.Tx) ([]string, error) { return tx.GroupMembers(ctx, a, group) })
	}
	wantEqual(t, "GroupMembers of aDMINS", members("aDMINS"), []string{"ALICE", "bob"})
	if err := write(t, s.IAM, func(ctx context.Context, tx iam.Tx) error { return tx.RemoveGroupMember(ctx, a, "ADMINS", "BOB") }); err != nil {
		t.Errorf("RemoveGroupMember in another case: %v", err)
	}
	wantEqual(t, "GroupMembers after RemoveGroupMember in another case", members("Admins"), []string{"ALICE"})
}

// testIAMGroupsOf: GroupsOf lists a user's groups, sorted by name, in its
// account only; a removed membership goes from both lists.
func testIAMGroupsOf(t *testing.T, s Stores) {
	skipUnless(t, s.IAM != nil, "IAM view")
	a := accountID(1)
	update(t, s.IAM, func(ctx context.Context, tx iam.Tx) error {
		return errors.Join(
			tx.AddGroupMember(ctx, a, "Ops", "carol"),
			tx.AddGroupMember(ctx, a, "devs", "Alice"),
			tx.AddGroupMember(ctx, a, "Admins", "Alice"),
			tx.AddGroupMember(ctx, a, "Ops", "Alice"),
			tx.AddGroupMember(ctx, accountID(2), "Other", "Alice"),
		)
	})
	groupsOf := func(acct identity.AccountID, user string) []string {
		return iamList(t, s, "GroupsOf", func(ctx context.Context, tx iam.Tx) ([]string, error) { return tx.GroupsOf(ctx, acct, user) })
	}
	wantEqual(t, "GroupsOf alice", groupsOf(a, "alice"), []string{"Admins", "devs", "Ops"})
	wantEqual(t, "GroupsOf carol", groupsOf(a, "carol"), []string{"Ops"})
	wantEqual(t, "GroupsOf an unknown user", groupsOf(a, "dave"), []string(nil))
	wantEqual(t, "GroupsOf account 2's Alice", groupsOf(accountID(2), "Alice"), []string{"Other"})
	update(t, s.IAM, func(ctx context.Context, tx iam.Tx) error { return tx.RemoveGroupMember(ctx, a, "admins", "Alice") })
	wantEqual(t, "GroupsOf after a removal", groupsOf(a, "Alice"), []string{"devs", "Ops"})
}

// testIAMPolicyAttachments: PolicyAttachments lists where a policy is
// attached in one account, by kind, then owner.
func testIAMPolicyAttachments(t *testing.T, s Stores) {
	skipUnless(t, s.IAM != nil, "IAM view")
	arn := awsPolicyARN("ReadOnlyAccess")
	att := func(n int, kind iam.PrincipalKind, owner, arn string) iam.Attachment {
		return iam.Attachment{Account: accountID(n), Kind: kind, Owner: owner, PolicyARN: arn}
	}
	update(t, s.IAM, func(ctx context.Context, tx iam.Tx) error {
		var errs []error
		for _, a := range []iam.Attachment{
			att(1, iam.KindUser, "bob", arn), att(1, iam.KindRole, "Deployer", arn), att(1, iam.KindUser, "Alice", arn),
			att(1, iam.KindGroup, "Admins", arn), att(1, iam.KindUser, "Alice", policyARN(1, "Other")), att(2, iam.KindUser, "Zed", arn),
		} {
			errs = append(errs, tx.PutAttachment(ctx, &a))
		}
		return errors.Join(errs...)
	})
	list := func(n int, arn string) []iam.Attachment {
		return iamList(t, s, "PolicyAttachments", func(ctx context.Context, tx iam.Tx) ([]iam.Attachment, error) {
			return tx.PolicyAttachments(ctx, accountID(n), arn)
		})
	}
	wantEqual(t, "PolicyAttachments in account 1", list(1, arn), []iam.Attachment{
		att(1, iam.KindGroup, "Admins", arn), att(1, iam.KindRole, "Deployer", arn),
		att(1, iam.KindUser, "Alice", arn), att(1, iam.KindUser, "bob", arn),
	})
	wantEqual(t, "PolicyAttachments in account 2", list(2, arn), []iam.Attachment{att(2, iam.KindUser, "Zed", arn)})
	wantEqual(t, "PolicyAttachments in account 3", list(3, arn), []iam.Attachment(nil))
	wantEqual(t, "PolicyAttachments of an unattached policy", list(1, policyARN(1, "None")), []iam.Attachment(nil))
}

// testIAMManagedNameUnique: a policy name (in any case) belongs to one ARN
// of its account; other accounts and the AWS managed policies may use it;
// deleting the policy frees it.
func testIAMManagedNameUnique(t *testing.T, s Stores) {
	skipUnless(t, s.IAM != nil, "IAM view")
	p := newManaged(1, "Deploy")
	putManaged := func(ps ...iam.ManagedPolicy) error {
		return write(t, s.IAM, func(ctx context.Context, tx iam.Tx) error {
			for _, p := range ps {
				if err := tx.PutManagedPolicy(ctx, &p); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := putManaged(p); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Deploy", "deploy"} {
		other := newManaged(1, name)
		other.ARN = policyARN(1, "other/"+name)
		if err := putManaged(other); !errors.Is(err, iam.ErrExists) {
			t.Errorf("PutManagedPolicy of the taken name %s: got %v, want iam.ErrExists", name, err)
		}
		_, err := read(t, s.IAM, func(ctx context.Context, tx iam.Tx) (*iam.ManagedPolicy, error) {
			return tx.ManagedPolicy(ctx, other.ARN)
		})
		wantNotFound(t, "refused ManagedPolicy", err)
	}
	list := func(acct identity.AccountID) []iam.ManagedPolicy {
		return iamList(t, s, "ManagedPolicies", func(ctx context.Context, tx iam.Tx) ([]iam.ManagedPolicy, error) {
			return tx.ManagedPolicies(ctx, acct)
		})
	}
	wantEqual(t, "ManagedPolicies after refused puts", list(accountID(1)), []iam.ManagedPolicy{p})
	aws := []iam.ManagedPolicy{newAWSManaged("ReadOnlyAccess"), newAWSManaged("Deploy"), newAWSManaged("AdministratorAccess")}
	if err := putManaged(append(aws, newManaged(2, "Deploy"))...); err != nil {
		t.Errorf("PutManagedPolicy of a name another account has: %v", err)
	}
	wantEqual(t, "AWS managed policies", list(""), managedPolicies.sorted(aws...))

	again := newManaged(1, "DEPLOY")
	again.ARN = policyARN(1, "again")
	if err := errors.Join(
		write(t, s.IAM, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteManagedPolicy(ctx, p.ARN) }),
		putManaged(again),
	); err != nil {
		t.Errorf("PutManagedPolicy of a deleted policy's name: %v", err)
	}
}

func aliasOwner(t *testing.T, s Stores, alias string) (identity.AccountID, error) {
	t.Helper()
	return read(t, s.IAM, func(ctx context.Context, tx iam.Tx) (identity.AccountID, error) { return tx.AliasOwner(ctx, alias) })
}

func putAlias(t *testing.T, s Stores, n int, alias string) error {
	t.Helper()
	return write(t, s.IAM, func(ctx context.Context, tx iam.Tx) error { return tx.PutAlias(ctx, accountID(n), alias) })
}

// wantAlias fails t unless account n has alias, and AliasOwner says so.
func wantAlias(t *testing.T, s Stores, what string, n int, alias string) {
	t.Helper()
	checkRead(t, what+": Alias", owned[string]{accountID(n), alias}, func() (any, error) {
		return read(t, s.IAM, func(ctx context.Context, tx iam.Tx) (owned[string], error) {
			return aliases.get(ctx, tx, owned[string]{Account: accountID(n)})
		})
	})
	checkRead(t, what+": AliasOwner", accountID(n), func() (any, error) { return aliasOwner(t, s, alias) })
}

// testIAMAliasUnique: an alias belongs to one account (iam.ErrExists for
// another); AliasOwner finds it and forgets it once replaced or deleted.
func testIAMAliasUnique(t *testing.T, s Stores) {
	skipUnless(t, s.IAM != nil, "IAM view")
	_, err := aliasOwner(t, s, "nobody")
	wantNotFound(t, "AliasOwner of an unknown alias", err)
	alias, err := read(t, s.IAM, func(ctx context.Context, tx iam.Tx) (string, error) { return tx.Alias(ctx, accountID(1)) })
	wantNotFound(t, "Alias of an account without one", err)
	if alias != "" {
		t.Errorf("Alias of an account without one: got %q, want \"\"", alias)
	}
	if err := errors.Join(putAlias(t, s, 1, "taken"), putAlias(t, s, 2, "mine")); err != nil {
		t.Fatalf("PutAlias: %v", err)
	}
	if err := putAlias(t, s, 1, "taken"); err != nil {
		t.Errorf("PutAlias of the account's own alias again: %v", err)
	}
	for _, n := range []int{2, 3} {
		if err := putAlias(t, s, n, "taken"); !errors.Is(err, iam.ErrExists) {
			t.Errorf("PutAlias of another account's alias by account %d: got %v, want iam.ErrExists", n, err)
		}
	}
	err = write(t, s.IAM, func(ctx context.Context, tx iam.Tx) error {
		return errors.Join(tx.DeleteAlias(ctx, accountID(1)), tx.PutAlias(ctx, accountID(3), "taken"), errBoom)
	})
	if !errors.Is(err, errBoom) {
		t.Errorf("failed Update moving an alias: got %v, want the callback's error", err)
	}
	wantAlias(t, s, "holder after refused puts and a rolled-back move", 1, "taken")
	wantAlias(t, s, "refused account", 2, "mine")

	// Once released, an alias can be taken.
	if err := errors.Join(putAlias(t, s, 1, "other"), putAlias(t, s, 2, "taken")); err != nil {
		t.Fatalf("PutAlias of a released alias: %v", err)
	}
	wantAlias(t, s, "after taking a released alias", 2, "taken")
	_, err = aliasOwner(t, s, "mine")
	wantNotFound(t, "AliasOwner of a replaced alias", err)
	update(t, s.IAM, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAlias(ctx, accountID(1)) })
	_, err = aliasOwner(t, s, "other")
	wantNotFound(t, "AliasOwner of a deleted alias", err)
	if err := putAlias(t, s, 3, "other"); err != nil {
		t.Errorf("PutAlias of a deleted alias: %v", err)
	}
}

// testIAMNoCascade: deleting a user, group, role or policy leaves the
// records that refer to it (the domain removes them).
func testIAMNoCascade(t *testing.T, s Stores) {
	skipUnless(t, s.IAM != nil, "IAM view")
	a := accountID(1)
	u, g, r, mp := users.at(1, 3), groups.at(1, 3), roles.at(1, 3), managedPolicies.at(1, 1)
	key := identity.AccessKey{ID: "AKIAKEPT000000000001", Account: a, User: u.Name}
	ip := iam.InlinePolicy{Account: a, Kind: iam.KindUser, Owner: u.Name, Name: "kept", Document: "{}"}
	att := iam.Attachment{Account: a, Kind: iam.KindRole, Owner: r.Name, PolicyARN: mp.ARN}
	se := sessions.at(1, 1)
	se.RoleName = r.Name
	update(t, s.IAM, func(ctx context.Context, tx iam.Tx) error {
		return errors.Join(tx.PutUser(ctx, &u), tx.PutGroup(ctx, &g), tx.PutRole(ctx, &r), tx.PutManagedPolicy(ctx, &mp),
			tx.PutAccessKey(ctx, &key), tx.PutInlinePolicy(ctx, &ip), tx.PutAttachment(ctx, &att), tx.PutSession(ctx, &se),
			tx.AddGroupMember(ctx, a, g.Name, u.Name))
	})
	update(t, s.IAM, func(ctx context.Context, tx iam.Tx) error {
		return errors.Join(tx.DeleteUser(ctx, a, u.Name), tx.DeleteGroup(ctx, a, g.Name), tx.DeleteRole(ctx, a, r.Name),
			tx.DeleteManagedPolicy(ctx, mp.ARN))
	})
	view(t, s.IAM, func(ctx context.Context, tx iam.Tx) error {
		checkRead(t, "AccessKey of a deleted user", &key, func() (any, error) { return tx.AccessKey(ctx, key.ID) })
		checkRead(t, "InlinePolicy of a deleted user", &ip, func() (any, error) { return tx.InlinePolicy(ctx, a, ip.Kind, ip.Owner, ip.Name) })
		checkRead(t, "Attachments of a deleted role to a deleted policy", []iam.Attachment{att}, func() (any, error) {
			return tx.Attachments(ctx, a, att.Kind, att.Owner)
		})
		checkRead(t, "Session of a deleted role", &se, func() (any, error) { return tx.Session(ctx, se.AccessKeyID) })
		checkRead(t, "GroupMembers of a deleted group", []string{u.Name}, func() (any, error) { return tx.GroupMembers(ctx, a, g.Name) })
		checkRead(t, "GroupsOf a deleted user", []string{g.Name}, func() (any, error) { return tx.GroupsOf(ctx, a, u.Name) })
		return nil
	})
}
