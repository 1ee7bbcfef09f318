package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
)

// RunIAM runs the suite of [iam.Store]. open must return a new, empty store
// for each call and close it with t.Cleanup. Subtests run in parallel.
//
// Beyond the interface's comments, the suite holds backends to: getters and
// the Delete and Remove methods of absent rows return an error wrapping
// iam.ErrNotFound; lists of nothing are empty, not an error; Put methods
// replace the whole record (tags, versions and lists included, in their
// order); names of users, groups, roles, managed and inline policies, and
// the owner, user and group arguments that refer to them, match in any case
// and are read back as written; a Put whose name differs from a stored one
// only in case replaces it; lists are sorted by lower-cased name, access
// keys by id, attachments of an owner by ARN and of a policy by kind, then
// owner; AddGroupMember and PutAttachment of an existing row keep one;
// nothing cascades (deleting a user leaves its keys, memberships and
// attachments); PutManagedPolicy fails with iam.ErrExists when another ARN
// of the account has the name, and PutAlias when another account holds the
// alias; access key ids, ARNs and aliases match exactly.
func RunIAM(t *testing.T, open func(t *testing.T) iam.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s iam.Store)
	}{
		{"Account/NotFound", testIAMAccountNotFound},

		{"User/PutGet", testIAMUserPutGet},
		{"User/NotFound", testIAMUserNotFound},
		{"User/Replace", testIAMUserReplace},
		{"User/ReplaceInOtherCase", testIAMUserReplaceCase},
		{"User/Delete", testIAMUserDelete},
		{"User/ListSortedAndIsolated", testIAMUserList},

		{"AccessKey/PutGet", testIAMKeyPutGet},
		{"AccessKey/Replace", testIAMKeyReplace},
		{"AccessKey/Delete", testIAMKeyDelete},
		{"AccessKey/ListByUser", testIAMKeyList},

		{"Group/PutGet", testIAMGroupPutGet},
		{"Group/Replace", testIAMGroupReplace},
		{"Group/Delete", testIAMGroupDelete},
		{"Group/ListSortedAndIsolated", testIAMGroupList},
		{"Group/Members", testIAMGroupMembers},
		{"Group/MembersKeptOnDelete", testIAMGroupMembersNoCascade},

		{"Role/PutGet", testIAMRolePutGet},
		{"Role/Replace", testIAMRoleReplace},
		{"Role/Delete", testIAMRoleDelete},
		{"Role/ListSortedAndIsolated", testIAMRoleList},

		{"InlinePolicy/PutGet", testIAMInlinePutGet},
		{"InlinePolicy/Replace", testIAMInlineReplace},
		{"InlinePolicy/Delete", testIAMInlineDelete},
		{"InlinePolicy/ListSortedAndIsolated", testIAMInlineList},

		{"ManagedPolicy/PutGet", testIAMManagedPutGet},
		{"ManagedPolicy/Replace", testIAMManagedReplace},
		{"ManagedPolicy/NameTaken", testIAMManagedNameTaken},
		{"ManagedPolicy/Delete", testIAMManagedDelete},
		{"ManagedPolicy/ListSortedAndIsolated", testIAMManagedList},

		{"Attachment/ByOwner", testIAMAttachmentsByOwner},
		{"Attachment/ByPolicy", testIAMAttachmentsByPolicy},
		{"Attachment/PutTwiceDelete", testIAMAttachmentPutDelete},

		{"Alias/None", testIAMAliasNone},
		{"Alias/PutGetReplace", testIAMAliasPutGet},
		{"Alias/UniqueAcrossAccounts", testIAMAliasUnique},
		{"Alias/Delete", testIAMAliasDelete},

		{"Session/PutGet", testIAMSessionPutGet},
		{"Session/Replace", testIAMSessionReplace},

		{"Time/RoundTrip", testIAMTimeRoundTrip},
		{"ZeroValues", testIAMZeroValues},

		{"Tx/ReadOwnWrites", testIAMReadOwnWrites},
		{"Tx/RollbackOnError", testIAMRollbackOnError},
		{"Tx/RollbackRestoresOldValues", testIAMRollbackRestores},
		{"Tx/ViewCannotWrite", testIAMViewCannotWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

func iamUpdate(t *testing.T, s iam.Store, fn func(ctx context.Context, tx iam.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), func(tx iam.Tx) error { return fn(t.Context(), tx) }); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func iamView(t *testing.T, s iam.Store, fn func(ctx context.Context, tx iam.Tx) error) {
	t.Helper()
	if err := s.View(t.Context(), func(tx iam.Tx) error { return fn(t.Context(), tx) }); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// iamRead runs read in a View and returns its result and error (the View
// itself must succeed).
func iamRead[T any](t *testing.T, s iam.Store, read func(ctx context.Context, tx iam.Tx) (T, error)) (v T, err error) {
	t.Helper()
	iamView(t, s, func(ctx context.Context, tx iam.Tx) error {
		v, err = read(ctx, tx)
		return nil
	})
	return v, err
}

// iamMust is iamRead for a read that must succeed.
func iamMust[T any](t *testing.T, s iam.Store, what string, read func(ctx context.Context, tx iam.Tx) (T, error)) T {
	t.Helper()
	v, err := iamRead(t, s, read)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// iamWrite runs write in an Update and returns its error.
func iamWrite(t *testing.T, s iam.Store, write func(ctx context.Context, tx iam.Tx) error) error {
	t.Helper()
	return s.Update(t.Context(), func(tx iam.Tx) error { return write(t.Context(), tx) })
}

// wantExists fails t unless err wraps iam.ErrExists.
func wantExists(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, iam.ErrExists) {
		t.Errorf("%s: got error %v, want iam.ErrExists", what, err)
	}
}

// Test records. n is the account number (see accountID).

func policyARN(n int, name string) string {
	return "arn:aws:iam::" + string(accountID(n)) + ":policy/" + name
}

func awsPolicyARN(name string) string { return "arn:aws:iam::aws:policy/" + name }

// iamTags are tags out of key order, with an empty value and characters
// that need escaping: the order must be kept.
func iamTags() []iam.Tag {
	return []iam.Tag{
		{Key: "team", Value: "Platform"},
		{Key: "Cost-Center", Value: `12 "345" \ ü`},
		{Key: "empty", Value: ""},
	}
}

// stamp is t0 moved by the account and a name, so records differ in time.
func stamp(n int, name string) time.Time {
	return t0.Add(time.Duration(n)*time.Hour + time.Duration(len(name))*time.Minute)
}

func newIAMUser(n int, name string) *iam.User {
	return &iam.User{
		Account: accountID(n), Name: name, Path: "/engineering/platform/",
		ID: fmt.Sprintf("AIDA%02d%s", n, strings.ToUpper(name)), CreatedAt: stamp(n, name),
		Boundary: policyARN(n, "Boundary"), Tags: iamTags(),
	}
}

func newIAMGroup(n int, name string) *iam.Group {
	return &iam.Group{
		Account: accountID(n), Name: name, Path: "/teams/",
		ID: fmt.Sprintf("AGPA%02d%s", n, strings.ToUpper(name)), CreatedAt: stamp(n, name),
	}
}

func newIAMRole(n int, name string) *iam.Role {
	return &iam.Role{
		Account: accountID(n), Name: name, Path: "/service/",
		ID: fmt.Sprintf("AROA%02d%s", n, strings.ToUpper(name)), CreatedAt: stamp(n, name),
		Description: "role " + name + " — ünïcode\nsecond line",
		TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Principal":{"AWS":"arn:aws:iam::` + string(accountID(n)) + `:root"},"Action":"sts:AssumeRole"}]}`,
		MaxSessionDuration: 12*time.Hour + 500*time.Millisecond,
		Boundary:           policyARN(n, "Boundary"),
		Tags:               iamTags(),
	}
}

func newInline(n int, kind iam.PrincipalKind, owner, name string) *iam.InlinePolicy {
	return &iam.InlinePolicy{
		Account: accountID(n), Kind: kind, Owner: owner, Name: name,
		Document: fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":%q,"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
			string(kind)+owner+name),
	}
}

func policyDoc(sid string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"` + sid + `","Effect":"Allow","Action":"*","Resource":"*"}]}`
}

// newManaged returns a customer managed policy of account n whose versions
// are v1, v3 and v4 (v2 was deleted), v3 the default.
func newManaged(n int, name string) *iam.ManagedPolicy {
	at := stamp(n, name)
	return &iam.ManagedPolicy{
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
func newAWSManaged(name string) *iam.ManagedPolicy {
	return &iam.ManagedPolicy{
		Name: name, Path: "/", ID: "ANPAAWS" + strings.ToUpper(name), ARN: awsPolicyARN(name),
		Description: "AWS managed " + name, DefaultVersion: "v1", CreatedAt: t0, UpdatedAt: t0,
		Versions: []iam.PolicyVersion{{ID: "v1", Document: policyDoc(name), CreatedAt: t0}},
	}
}

// newKey returns access key i of user ("" for root) of account n.
func newKey(n int, user string, i int) *identity.AccessKey {
	return &identity.AccessKey{
		ID: fmt.Sprintf("AKIA%04d%012d", n, i), Secret: fmt.Sprintf("secret/%d/%d+KEY", n, i),
		Account: accountID(n), User: user, Active: i%2 == 1, CreatedAt: t0.Add(time.Duration(i) * time.Second),
	}
}

func newSession(n, i int) *iam.Session {
	return &iam.Session{
		AccessKeyID: fmt.Sprintf("ASIA%04d%012d", n, i), Secret: fmt.Sprintf("session-secret/%d/%d", n, i),
		Token: fmt.Sprintf("FwoGZXIvYXdzE%d/%d==", n, i), Account: accountID(n),
		RoleName: "Deployer", RoleID: fmt.Sprintf("AROA%02dDEPLOYER", n), SessionName: fmt.Sprintf("session-%d", i),
		Expiration: t0.Add(time.Hour), IssuedAt: t0,
		SessionPolicy: policyDoc("session"),
		PolicyARNs:    []string{policyARN(n, "Zed"), awsPolicyARN("ReadOnlyAccess")}, // not sorted: order kept
		Tags:          iamTags(),
		Source:        "arn:aws:iam::" + string(accountID(n)) + ":user/Alice",
	}
}

// iamWorld is what an account holds, as the suite reads it back: the users
// Alice and bob, the groups Admins and devs, two roles, inline policies,
// two managed policies, attachments, an alias and a session.
type iamWorld struct {
	Account identity.AccountID
	Users   []iam.User
	// Keys are the root user's, then Alice's, then bob's, each by id.
	Keys []identity.AccessKey
	// AdminsMembers, DevsMembers, AliceGroups and BobGroups are
	// GroupMembers and GroupsOf.
	Groups                   []iam.Group
	AdminsMembers            []string
	DevsMembers              []string
	AliceGroups, BobGroups   []string
	Roles                    []iam.Role
	Inline                   []iam.InlinePolicy // Alice's, then Admins', then Deployer's
	Managed                  []iam.ManagedPolicy
	DeployAtt, BoundaryAtt   []iam.Attachment // PolicyAttachments
	AliceAtt, DeployerRoleAt []iam.Attachment // Attachments of user Alice, role Deployer
	Alias                    string
	Sessions                 []iam.Session
}

func fullIAM(n int) *iamWorld {
	a := accountID(n)
	slr := newIAMRole(n, "AWSServiceRoleForOrganizations")
	slr.ServiceLinked, slr.Path, slr.Tags, slr.Boundary = true, "/aws-service-role/organizations.amazonaws.com/", nil, ""
	att := func(kind iam.PrincipalKind, owner, policy string) iam.Attachment {
		return iam.Attachment{Account: a, Kind: kind, Owner: owner, PolicyARN: policyARN(n, policy)}
	}
	return &iamWorld{
		Account: a,
		Users:   []iam.User{*newIAMUser(n, "Alice"), *newIAMUser(n, "bob")},
		Keys: []identity.AccessKey{
			*newKey(n, "", 1), *newKey(n, "", 2),
			*newKey(n, "Alice", 3), *newKey(n, "Alice", 4),
			*newKey(n, "bob", 5),
		},
		Groups:        []iam.Group{*newIAMGroup(n, "Admins"), *newIAMGroup(n, "devs")},
		AdminsMembers: []string{"Alice", "bob"},
		DevsMembers:   []string{"Alice"},
		AliceGroups:   []string{"Admins", "devs"},
		BobGroups:     []string{"Admins"},
		Roles:         []iam.Role{*slr, *newIAMRole(n, "Deployer")},
		Inline: []iam.InlinePolicy{
			*newInline(n, iam.KindUser, "Alice", "S3"),
			*newInline(n, iam.KindGroup, "Admins", "all"),
			*newInline(n, iam.KindRole, "Deployer", "deploy"),
		},
		Managed:        []iam.ManagedPolicy{*newManaged(n, "Boundary"), *newManaged(n, "Deploy")},
		DeployAtt:      []iam.Attachment{att(iam.KindRole, "Deployer", "Deploy"), att(iam.KindUser, "Alice", "Deploy")},
		BoundaryAtt:    []iam.Attachment{att(iam.KindGroup, "Admins", "Boundary")},
		AliceAtt:       []iam.Attachment{att(iam.KindUser, "Alice", "Deploy")},
		DeployerRoleAt: []iam.Attachment{att(iam.KindRole, "Deployer", "Deploy")},
		Alias:          fmt.Sprintf("alias-%d", n),
		Sessions:       []iam.Session{*newSession(n, 1)},
	}
}

// write stores w's records (w must be a world of fullIAM, maybe changed).
func (w *iamWorld) write(ctx context.Context, tx iam.Tx) error {
	var errs []error
	for i := range w.Users {
		errs = append(errs, tx.PutUser(ctx, &w.Users[i]))
	}
	for i := range w.Keys {
		errs = append(errs, tx.PutAccessKey(ctx, &w.Keys[i]))
	}
	for i := range w.Groups {
		errs = append(errs, tx.PutGroup(ctx, &w.Groups[i]))
	}
	for _, u := range w.AdminsMembers {
		errs = append(errs, tx.AddGroupMember(ctx, w.Account, "Admins", u))
	}
	for _, u := range w.DevsMembers {
		errs = append(errs, tx.AddGroupMember(ctx, w.Account, "devs", u))
	}
	for i := range w.Roles {
		errs = append(errs, tx.PutRole(ctx, &w.Roles[i]))
	}
	for i := range w.Inline {
		errs = append(errs, tx.PutInlinePolicy(ctx, &w.Inline[i]))
	}
	for i := range w.Managed {
		errs = append(errs, tx.PutManagedPolicy(ctx, &w.Managed[i]))
	}
	for _, as := range [][]iam.Attachment{w.DeployAtt, w.BoundaryAtt} {
		for i := range as {
			errs = append(errs, tx.PutAttachment(ctx, &as[i]))
		}
	}
	if w.Alias != "" {
		errs = append(errs, tx.PutAlias(ctx, w.Account, w.Alias))
	}
	for i := range w.Sessions {
		errs = append(errs, tx.PutSession(ctx, &w.Sessions[i]))
	}
	return errors.Join(errs...)
}

// readIAM reads back what fullIAM(n) writes, through the lists (and the
// getters for sessions and the alias).
func readIAM(ctx context.Context, tx iam.Tx, n int) (*iamWorld, error) {
	a := accountID(n)
	w := &iamWorld{Account: a}
	var err error
	if w.Users, err = tx.Users(ctx, a); err != nil {
		return nil, err
	}
	for _, u := range []string{"", "Alice", "bob"} {
		ks, err := tx.AccessKeys(ctx, a, u)
		if err != nil {
			return nil, err
		}
		w.Keys = append(w.Keys, ks...)
	}
	if w.Groups, err = tx.Groups(ctx, a); err != nil {
		return nil, err
	}
	if w.AdminsMembers, err = tx.GroupMembers(ctx, a, "Admins"); err != nil {
		return nil, err
	}
	if w.DevsMembers, err = tx.GroupMembers(ctx, a, "devs"); err != nil {
		return nil, err
	}
	if w.AliceGroups, err = tx.GroupsOf(ctx, a, "Alice"); err != nil {
		return nil, err
	}
	if w.BobGroups, err = tx.GroupsOf(ctx, a, "bob"); err != nil {
		return nil, err
	}
	if w.Roles, err = tx.Roles(ctx, a); err != nil {
		return nil, err
	}
	for _, o := range []struct {
		kind  iam.PrincipalKind
		owner string
	}{{iam.KindUser, "Alice"}, {iam.KindGroup, "Admins"}, {iam.KindRole, "Deployer"}} {
		ps, err := tx.InlinePolicies(ctx, a, o.kind, o.owner)
		if err != nil {
			return nil, err
		}
		w.Inline = append(w.Inline, ps...)
	}
	if w.Managed, err = tx.ManagedPolicies(ctx, a); err != nil {
		return nil, err
	}
	if w.DeployAtt, err = tx.PolicyAttachments(ctx, a, policyARN(n, "Deploy")); err != nil {
		return nil, err
	}
	if w.BoundaryAtt, err = tx.PolicyAttachments(ctx, a, policyARN(n, "Boundary")); err != nil {
		return nil, err
	}
	if w.AliceAtt, err = tx.Attachments(ctx, a, iam.KindUser, "Alice"); err != nil {
		return nil, err
	}
	if w.DeployerRoleAt, err = tx.Attachments(ctx, a, iam.KindRole, "Deployer"); err != nil {
		return nil, err
	}
	switch w.Alias, err = tx.Alias(ctx, a); {
	case errors.Is(err, iam.ErrNotFound):
		w.Alias = ""
	case err != nil:
		return nil, err
	}
	switch s, err := tx.Session(ctx, newSession(n, 1).AccessKeyID); {
	case err == nil:
		w.Sessions = []iam.Session{*s}
	case !errors.Is(err, iam.ErrNotFound):
		return nil, err
	}
	return w, nil
}

// wantIAM fails t unless account n holds want (nil: nothing).
func wantIAM(t *testing.T, s iam.Store, what string, n int, want *iamWorld) {
	t.Helper()
	if want == nil {
		want = &iamWorld{Account: accountID(n)}
	}
	got := iamMust(t, s, what, func(ctx context.Context, tx iam.Tx) (*iamWorld, error) { return readIAM(ctx, tx, n) })
	wantEqual(t, what, got, want)
}

func testIAMAccountNotFound(t *testing.T, s iam.Store) {
	_, err := iamRead(t, s, func(ctx context.Context, tx iam.Tx) (any, error) { return tx.Account(ctx, accountID(1)) })
	wantNotFound(t, "Account on an empty store", err)
}

func testIAMTimeRoundTrip(t *testing.T, s iam.Store) {
	for i, at := range []time.Time{
		t0, {}, time.Now(), time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.FixedZone("IST", 5*3600+1800)),
		time.Date(1969, 7, 20, 20, 17, 40, 1, time.UTC), time.Unix(0, 0).UTC(),
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			w := fullIAM(i + 1)
			for j := range w.Users {
				w.Users[j].CreatedAt = at
			}
			for j := range w.Keys {
				w.Keys[j].CreatedAt = at
			}
			for j := range w.Groups {
				w.Groups[j].CreatedAt = at
			}
			for j := range w.Roles {
				w.Roles[j].CreatedAt = at
			}
			for j := range w.Managed {
				p := &w.Managed[j]
				p.CreatedAt, p.UpdatedAt = at, at
				for k := range p.Versions {
					p.Versions[k].CreatedAt = at
				}
			}
			for j := range w.Sessions {
				w.Sessions[j].Expiration, w.Sessions[j].IssuedAt = at, at
			}
			iamUpdate(t, s, w.write)
			wantIAM(t, s, "account", i+1, w)
			k := w.Keys[0]
			checkRead(t, "AccessKey", &k, func() (any, error) {
				return iamRead(t, s, func(ctx context.Context, tx iam.Tx) (*identity.AccessKey, error) { return tx.AccessKey(ctx, k.ID) })
			})
			p := w.Managed[0]
			checkRead(t, "ManagedPolicy", &p, func() (any, error) {
				return iamRead(t, s, func(ctx context.Context, tx iam.Tx) (*iam.ManagedPolicy, error) { return tx.ManagedPolicy(ctx, p.ARN) })
			})
		})
	}
}

// testIAMZeroValues stores records with only their keys set: empty strings,
// zero times and no tags, versions or ARNs come back as such.
func testIAMZeroValues(t *testing.T, s iam.Store) {
	a := accountID(1)
	u := &iam.User{Account: a, Name: "u"}
	g := &iam.Group{Account: a, Name: "g"}
	r := &iam.Role{Account: a, Name: "r"}
	ip := &iam.InlinePolicy{Account: a, Kind: iam.KindUser, Owner: "u", Name: "p"}
	mp := &iam.ManagedPolicy{Account: a, Name: "m", ARN: policyARN(1, "m")}
	k := &identity.AccessKey{ID: "AKIAZERO000000000000", Account: a}
	se := &iam.Session{AccessKeyID: "ASIAZERO000000000000"}
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		return errors.Join(tx.PutUser(ctx, u), tx.PutGroup(ctx, g), tx.PutRole(ctx, r), tx.PutInlinePolicy(ctx, ip),
			tx.PutManagedPolicy(ctx, mp), tx.PutAccessKey(ctx, k), tx.PutSession(ctx, se))
	})
	iamView(t, s, func(ctx context.Context, tx iam.Tx) error {
		checkRead(t, "User", u, func() (any, error) { return tx.User(ctx, a, "u") })
		checkRead(t, "Group", g, func() (any, error) { return tx.Group(ctx, a, "g") })
		checkRead(t, "Role", r, func() (any, error) { return tx.Role(ctx, a, "r") })
		checkRead(t, "InlinePolicy", ip, func() (any, error) { return tx.InlinePolicy(ctx, a, iam.KindUser, "u", "p") })
		checkRead(t, "ManagedPolicy", mp, func() (any, error) { return tx.ManagedPolicy(ctx, mp.ARN) })
		checkRead(t, "AccessKey", k, func() (any, error) { return tx.AccessKey(ctx, k.ID) })
		checkRead(t, "Session", se, func() (any, error) { return tx.Session(ctx, se.AccessKeyID) })
		checkRead(t, "Users", []iam.User{*u}, func() (any, error) { return tx.Users(ctx, a) })
		checkRead(t, "Roles", []iam.Role{*r}, func() (any, error) { return tx.Roles(ctx, a) })
		checkRead(t, "ManagedPolicies", []iam.ManagedPolicy{*mp}, func() (any, error) { return tx.ManagedPolicies(ctx, a) })
		return nil
	})
}

func testIAMReadOwnWrites(t *testing.T, s iam.Store) {
	w := fullIAM(1)
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		if err := w.write(ctx, tx); err != nil {
			return err
		}
		got, err := readIAM(ctx, tx, 1)
		if err != nil {
			return err
		}
		wantEqual(t, "account in the writing transaction", got, w)
		if err := tx.DeleteUser(ctx, w.Account, "bob"); err != nil {
			return fmt.Errorf("delete a user put in the same transaction: %w", err)
		}
		_, err = tx.User(ctx, w.Account, "bob")
		wantNotFound(t, "User deleted in the same transaction", err)
		if err := tx.DeleteManagedPolicy(ctx, w.Managed[0].ARN); err != nil {
			return fmt.Errorf("delete a policy put in the same transaction: %w", err)
		}
		_, err = tx.ManagedPolicy(ctx, w.Managed[0].ARN)
		wantNotFound(t, "ManagedPolicy deleted in the same transaction", err)
		return nil
	})
}

func testIAMRollbackOnError(t *testing.T, s iam.Store) {
	w := fullIAM(1)
	err := s.Update(t.Context(), func(tx iam.Tx) error {
		if err := w.write(t.Context(), tx); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update: got error %v, want the callback's error", err)
	}
	wantIAM(t, s, "account after a rolled-back Update", 1, nil)
	iamView(t, s, func(ctx context.Context, tx iam.Tx) error {
		_, err := tx.AccessKey(ctx, w.Keys[0].ID)
		wantNotFound(t, "AccessKey after a rolled-back Update", err)
		_, err = tx.AliasOwner(ctx, w.Alias)
		wantNotFound(t, "AliasOwner after a rolled-back Update", err)
		return nil
	})
	// The store is still usable.
	iamUpdate(t, s, w.write)
	wantIAM(t, s, "account written after the rollback", 1, w)
}

// testIAMRollbackRestores changes, deletes and adds rows of every table and
// then fails: every old row must be back and no new one kept.
func testIAMRollbackRestores(t *testing.T, s iam.Store) {
	one, two := fullIAM(1), fullIAM(2)
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		return errors.Join(one.write(ctx, tx), two.write(ctx, tx))
	})
	a := one.Account
	err := s.Update(t.Context(), func(tx iam.Tx) error {
		ctx := t.Context()
		u := one.Users[0]
		u.Tags, u.Path = nil, "/moved/"
		k := one.Keys[0]
		k.Active = !k.Active
		r := one.Roles[1]
		r.TrustPolicy = "{}"
		p := one.Managed[1]
		p.Versions, p.DefaultVersion = p.Versions[2:], "v4"
		se := one.Sessions[0]
		se.Expiration = time.Time{}
		if err := errors.Join(
			tx.PutUser(ctx, &u),
			tx.DeleteUser(ctx, a, "bob"),
			tx.PutUser(ctx, newIAMUser(1, "carol")),
			tx.PutAccessKey(ctx, &k),
			tx.DeleteAccessKey(ctx, one.Keys[1].ID),
			tx.PutAccessKey(ctx, newKey(1, "bob", 9)),
			tx.DeleteGroup(ctx, a, "devs"),
			tx.PutGroup(ctx, newIAMGroup(1, "new")),
			tx.RemoveGroupMember(ctx, a, "Admins", "bob"),
			tx.AddGroupMember(ctx, a, "devs", "bob"),
			tx.PutRole(ctx, &r),
			tx.DeleteRole(ctx, a, one.Roles[0].Name),
			tx.DeleteInlinePolicy(ctx, a, iam.KindUser, "Alice", "S3"),
			tx.PutInlinePolicy(ctx, newInline(1, iam.KindRole, "Deployer", "extra")),
			tx.PutManagedPolicy(ctx, &p),
			tx.DeleteManagedPolicy(ctx, one.Managed[0].ARN),
			tx.PutManagedPolicy(ctx, newManaged(1, "Added")),
			tx.DeleteAttachment(ctx, &one.DeployAtt[0]),
			tx.PutAttachment(ctx, &iam.Attachment{Account: a, Kind: iam.KindUser, Owner: "bob", PolicyARN: policyARN(1, "Deploy")}),
			tx.DeleteAlias(ctx, a),
			tx.PutAlias(ctx, two.Account, one.Alias),
			tx.PutSession(ctx, &se),
			tx.PutSession(ctx, newSession(1, 2)),
		); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update: got error %v, want the callback's error", err)
	}
	wantIAM(t, s, "account 1 after a rolled-back Update", 1, one)
	wantIAM(t, s, "account 2 after a rolled-back Update", 2, two)
	iamView(t, s, func(ctx context.Context, tx iam.Tx) error {
		_, err := tx.User(ctx, a, "carol")
		wantNotFound(t, "User put in a rolled-back Update", err)
		_, err = tx.AccessKey(ctx, newKey(1, "bob", 9).ID)
		wantNotFound(t, "AccessKey put in a rolled-back Update", err)
		_, err = tx.Group(ctx, a, "new")
		wantNotFound(t, "Group put in a rolled-back Update", err)
		_, err = tx.InlinePolicy(ctx, a, iam.KindRole, "Deployer", "extra")
		wantNotFound(t, "InlinePolicy put in a rolled-back Update", err)
		_, err = tx.ManagedPolicy(ctx, policyARN(1, "Added"))
		wantNotFound(t, "ManagedPolicy put in a rolled-back Update", err)
		_, err = tx.Session(ctx, newSession(1, 2).AccessKeyID)
		wantNotFound(t, "Session put in a rolled-back Update", err)
		checkRead(t, "AliasOwner after a rolled-back move", one.Account, func() (any, error) { return tx.AliasOwner(ctx, one.Alias) })
		checkRead(t, "Attachments of bob after a rolled-back PutAttachment", []iam.Attachment(nil),
			func() (any, error) { return tx.Attachments(ctx, a, iam.KindUser, "bob") })
		return nil
	})
}

func testIAMViewCannotWrite(t *testing.T, s iam.Store) {
	w := fullIAM(1)
	iamUpdate(t, s, w.write)
	a := w.Account
	changedUser := w.Users[0]
	changedUser.Path = "/changed/"
	writes := []struct {
		name  string
		write func(ctx context.Context, tx iam.Tx) error
	}{
		{"PutUser", func(ctx context.Context, tx iam.Tx) error { return tx.PutUser(ctx, &changedUser) }},
		{"PutUser of a new one", func(ctx context.Context, tx iam.Tx) error { return tx.PutUser(ctx, newIAMUser(1, "new")) }},
		{"DeleteUser", func(ctx context.Context, tx iam.Tx) error { return tx.DeleteUser(ctx, a, "bob") }},
		{"PutAccessKey", func(ctx context.Context, tx iam.Tx) error { return tx.PutAccessKey(ctx, newKey(1, "bob", 9)) }},
		{"DeleteAccessKey", func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAccessKey(ctx, w.Keys[0].ID) }},
		{"PutGroup", func(ctx context.Context, tx iam.Tx) error { return tx.PutGroup(ctx, newIAMGroup(1, "new")) }},
		{"DeleteGroup", func(ctx context.Context, tx iam.Tx) error { return tx.DeleteGroup(ctx, a, "devs") }},
		{"AddGroupMember", func(ctx context.Context, tx iam.Tx) error { return tx.AddGroupMember(ctx, a, "devs", "bob") }},
		{"RemoveGroupMember", func(ctx context.Context, tx iam.Tx) error { return tx.RemoveGroupMember(ctx, a, "devs", "Alice") }},
		{"PutRole", func(ctx context.Context, tx iam.Tx) error { return tx.PutRole(ctx, newIAMRole(1, "new")) }},
		{"DeleteRole", func(ctx context.Context, tx iam.Tx) error { return tx.DeleteRole(ctx, a, "Deployer") }},
		{"PutInlinePolicy", func(ctx context.Context, tx iam.Tx) error {
			return tx.PutInlinePolicy(ctx, newInline(1, iam.KindUser, "bob", "new"))
		}},
		{"DeleteInlinePolicy", func(ctx context.Context, tx iam.Tx) error {
			return tx.DeleteInlinePolicy(ctx, a, iam.KindUser, "Alice", "S3")
		}},
		{"PutManagedPolicy", func(ctx context.Context, tx iam.Tx) error { return tx.PutManagedPolicy(ctx, newManaged(1, "new")) }},
		{"PutManagedPolicy of a taken name", func(ctx context.Context, tx iam.Tx) error {
			p := newManaged(1, "Deploy")
			p.ARN += "-other"
			return tx.PutManagedPolicy(ctx, p)
		}},
		{"DeleteManagedPolicy", func(ctx context.Context, tx iam.Tx) error { return tx.DeleteManagedPolicy(ctx, w.Managed[0].ARN) }},
		{"PutAttachment", func(ctx context.Context, tx iam.Tx) error {
			return tx.PutAttachment(ctx, &iam.Attachment{Account: a, Kind: iam.KindUser, Owner: "bob", PolicyARN: policyARN(1, "Deploy")})
		}},
		{"DeleteAttachment", func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAttachment(ctx, &w.DeployAtt[0]) }},
		{"PutAlias", func(ctx context.Context, tx iam.Tx) error { return tx.PutAlias(ctx, a, "other") }},
		{"PutAlias of another account's", func(ctx context.Context, tx iam.Tx) error { return tx.PutAlias(ctx, accountID(2), w.Alias) }},
		{"DeleteAlias", func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAlias(ctx, a) }},
		{"PutSession", func(ctx context.Context, tx iam.Tx) error { return tx.PutSession(ctx, newSession(1, 2)) }},
	}
	for _, wr := range writes {
		var werr error
		err := s.View(t.Context(), func(tx iam.Tx) error {
			werr = wr.write(t.Context(), tx)
			return nil
		})
		if err != nil {
			t.Errorf("View around %s: %v", wr.name, err)
		}
		if werr == nil {
			t.Errorf("%s in a View: got nil error, want one", wr.name)
		}
	}
	wantIAM(t, s, "account after writes in Views", 1, w)
}
