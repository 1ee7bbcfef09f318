package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
)

// Users.

func getUser(t *testing.T, s iam.Store, n int, name string) (*iam.User, error) {
	t.Helper()
	return iamRead(t, s, func(ctx context.Context, tx iam.Tx) (*iam.User, error) { return tx.User(ctx, accountID(n), name) })
}

func putUsers(t *testing.T, s iam.Store, us ...*iam.User) {
	t.Helper()
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		for _, u := range us {
			if err := tx.PutUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
}

func testIAMUserPutGet(t *testing.T, s iam.Store) {
	alice, bob := newIAMUser(1, "Alice"), newIAMUser(1, "bob")
	bob.Tags, bob.Boundary = nil, ""
	putUsers(t, s, alice, bob)
	for _, name := range []string{"Alice", "alice", "ALICE", "aLiCe"} {
		checkRead(t, "User "+name, alice, func() (any, error) { return getUser(t, s, 1, name) })
	}
	checkRead(t, "User BOB", bob, func() (any, error) { return getUser(t, s, 1, "BOB") })
}

func testIAMUserNotFound(t *testing.T, s iam.Store) {
	_, err := getUser(t, s, 1, "Alice")
	wantNotFound(t, "User on an empty store", err)
	putUsers(t, s, newIAMUser(1, "Alice"))
	_, err = getUser(t, s, 2, "Alice")
	wantNotFound(t, "User of another account", err)
	_, err = getUser(t, s, 1, "Alice2")
	wantNotFound(t, "User of another name", err)
}

func testIAMUserReplace(t *testing.T, s iam.Store) {
	putUsers(t, s, newIAMUser(1, "Alice"))
	want := &iam.User{
		Account: accountID(1), Name: "Alice", Path: "/", ID: "AIDANEW", CreatedAt: t0.Add(time.Hour),
		Tags: []iam.Tag{{Key: "only", Value: "one"}},
	}
	putUsers(t, s, want)
	checkRead(t, "User after replace", want, func() (any, error) { return getUser(t, s, 1, "alice") })
}

// testIAMUserReplaceCase puts a user whose name differs from a stored one
// only in case: it replaces it, and the new spelling is read back.
func testIAMUserReplaceCase(t *testing.T, s iam.Store) {
	putUsers(t, s, newIAMUser(1, "Alice"))
	want := newIAMUser(1, "ALICE")
	putUsers(t, s, want)
	checkRead(t, "User after a put in other case", want, func() (any, error) { return getUser(t, s, 1, "alice") })
	checkRead(t, "Users after a put in other case", []iam.User{*want}, func() (any, error) {
		return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]iam.User, error) { return tx.Users(ctx, accountID(1)) })
	})
}

func testIAMUserDelete(t *testing.T, s iam.Store) {
	bob := newIAMUser(1, "bob")
	putUsers(t, s, newIAMUser(1, "Alice"), bob, newIAMUser(2, "Alice"))
	if err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteUser(ctx, accountID(1), "ALICE") }); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err := getUser(t, s, 1, "Alice")
	wantNotFound(t, "User after delete", err)
	checkRead(t, "other User after delete", bob, func() (any, error) { return getUser(t, s, 1, "bob") })
	checkRead(t, "User of another account after delete", newIAMUser(2, "Alice"), func() (any, error) { return getUser(t, s, 2, "Alice") })
	err = iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteUser(ctx, accountID(1), "Alice") })
	wantNotFound(t, "DeleteUser of a deleted user", err)
	err = iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteUser(ctx, accountID(3), "bob") })
	wantNotFound(t, "DeleteUser in another account", err)
}

// caseNames are put in this order; byName is the order lists must have
// (lower-cased), which differs from byte order.
var (
	caseNames = []string{"bob", "Dave", "Alice", "carol", "_x", "B2"}
	byName    = []string{"_x", "Alice", "B2", "bob", "carol", "Dave"}
)

func testIAMUserList(t *testing.T, s iam.Store) {
	var want []iam.User
	for _, name := range caseNames {
		putUsers(t, s, newIAMUser(1, name))
	}
	for _, name := range byName {
		want = append(want, *newIAMUser(1, name))
	}
	putUsers(t, s, newIAMUser(2, "Zed"))
	list := func(n int) func() (any, error) {
		return func() (any, error) {
			return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]iam.User, error) { return tx.Users(ctx, accountID(n)) })
		}
	}
	checkRead(t, "Users of account 1", want, list(1))
	checkRead(t, "Users of account 2", []iam.User{*newIAMUser(2, "Zed")}, list(2))
	checkRead(t, "Users of an account without users", []iam.User(nil), list(3))
}

// Access keys.

func getKey(t *testing.T, s iam.Store, id string) (*identity.AccessKey, error) {
	t.Helper()
	return iamRead(t, s, func(ctx context.Context, tx iam.Tx) (*identity.AccessKey, error) { return tx.AccessKey(ctx, id) })
}

func putKeys(t *testing.T, s iam.Store, ks ...*identity.AccessKey) {
	t.Helper()
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		for _, k := range ks {
			if err := tx.PutAccessKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
}

func testIAMKeyPutGet(t *testing.T, s iam.Store) {
	keys := []*identity.AccessKey{newKey(1, "", 1), newKey(1, "Alice", 2), newKey(2, "bob", 3)}
	keys[2].CreatedAt = time.Time{}
	putKeys(t, s, keys...)
	for _, k := range keys {
		checkRead(t, "AccessKey "+k.ID, k, func() (any, error) { return getKey(t, s, k.ID) })
	}
	_, err := getKey(t, s, "AKIANOSUCHKEY0000000")
	wantNotFound(t, "AccessKey of an absent id", err)
}

func testIAMKeyReplace(t *testing.T, s iam.Store) {
	k := newKey(1, "Alice", 1)
	putKeys(t, s, k)
	want := &identity.AccessKey{ID: k.ID, Secret: "new", Account: k.Account, User: "Alice", Active: !k.Active, CreatedAt: t0.Add(time.Minute)}
	putKeys(t, s, want)
	checkRead(t, "AccessKey after replace", want, func() (any, error) { return getKey(t, s, k.ID) })
}

func testIAMKeyDelete(t *testing.T, s iam.Store) {
	k, other := newKey(1, "", 1), newKey(1, "", 2)
	putKeys(t, s, k, other)
	if err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAccessKey(ctx, k.ID) }); err != nil {
		t.Fatalf("DeleteAccessKey: %v", err)
	}
	_, err := getKey(t, s, k.ID)
	wantNotFound(t, "AccessKey after delete", err)
	checkRead(t, "other AccessKey after delete", other, func() (any, error) { return getKey(t, s, other.ID) })
	err = iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAccessKey(ctx, k.ID) })
	wantNotFound(t, "DeleteAccessKey of a deleted key", err)
}

func testIAMKeyList(t *testing.T, s iam.Store) {
	root := []identity.AccessKey{*newKey(1, "", 1), *newKey(1, "", 4)}
	alice := []identity.AccessKey{*newKey(1, "Alice", 2), *newKey(1, "Alice", 3), *newKey(1, "Alice", 5)}
	// Put out of id order, with other users' and accounts' keys.
	putKeys(t, s, &alice[2], &root[1], newKey(1, "bob", 6), &alice[0], newKey(2, "", 7), &root[0],
		newKey(2, "Alice", 8), &alice[1])
	list := func(n int, user string) func() (any, error) {
		return func() (any, error) {
			return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]identity.AccessKey, error) {
				return tx.AccessKeys(ctx, accountID(n), user)
			})
		}
	}
	checkRead(t, "AccessKeys of root", root, list(1, ""))
	checkRead(t, "AccessKeys of Alice", alice, list(1, "Alice"))
	checkRead(t, "AccessKeys of ALICE", alice, list(1, "ALICE"))
	checkRead(t, "AccessKeys of bob", []identity.AccessKey{*newKey(1, "bob", 6)}, list(1, "bob"))
	checkRead(t, "AccessKeys of a user without keys", []identity.AccessKey(nil), list(1, "carol"))
	checkRead(t, "AccessKeys of account 2's root", []identity.AccessKey{*newKey(2, "", 7)}, list(2, ""))
	checkRead(t, "AccessKeys of account 3's root", []identity.AccessKey(nil), list(3, ""))
}

// Groups.

func getGroup(t *testing.T, s iam.Store, n int, name string) (*iam.Group, error) {
	t.Helper()
	return iamRead(t, s, func(ctx context.Context, tx iam.Tx) (*iam.Group, error) { return tx.Group(ctx, accountID(n), name) })
}

func putGroups(t *testing.T, s iam.Store, gs ...*iam.Group) {
	t.Helper()
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		for _, g := range gs {
			if err := tx.PutGroup(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
}

func testIAMGroupPutGet(t *testing.T, s iam.Store) {
	g := newIAMGroup(1, "Admins")
	putGroups(t, s, g)
	for _, name := range []string{"Admins", "admins", "ADMINS"} {
		checkRead(t, "Group "+name, g, func() (any, error) { return getGroup(t, s, 1, name) })
	}
	_, err := getGroup(t, s, 2, "Admins")
	wantNotFound(t, "Group of another account", err)
}

func testIAMGroupReplace(t *testing.T, s iam.Store) {
	putGroups(t, s, newIAMGroup(1, "Admins"))
	want := &iam.Group{Account: accountID(1), Name: "ADMINS", Path: "/new/", ID: "AGPANEW", CreatedAt: t0}
	putGroups(t, s, want)
	checkRead(t, "Group after replace", want, func() (any, error) { return getGroup(t, s, 1, "admins") })
	checkRead(t, "Groups after replace", []iam.Group{*want}, func() (any, error) {
		return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]iam.Group, error) { return tx.Groups(ctx, accountID(1)) })
	})
}

func testIAMGroupDelete(t *testing.T, s iam.Store) {
	putGroups(t, s, newIAMGroup(1, "Admins"), newIAMGroup(1, "devs"))
	if err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteGroup(ctx, accountID(1), "admins") }); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
	_, err := getGroup(t, s, 1, "Admins")
	wantNotFound(t, "Group after delete", err)
	checkRead(t, "other Group after delete", newIAMGroup(1, "devs"), func() (any, error) { return getGroup(t, s, 1, "devs") })
	err = iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteGroup(ctx, accountID(1), "Admins") })
	wantNotFound(t, "DeleteGroup of a deleted group", err)
}

func testIAMGroupList(t *testing.T, s iam.Store) {
	var want []iam.Group
	for _, name := range caseNames {
		putGroups(t, s, newIAMGroup(1, name))
	}
	for _, name := range byName {
		want = append(want, *newIAMGroup(1, name))
	}
	putGroups(t, s, newIAMGroup(2, "Zed"))
	list := func(n int) func() (any, error) {
		return func() (any, error) {
			return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]iam.Group, error) { return tx.Groups(ctx, accountID(n)) })
		}
	}
	checkRead(t, "Groups of account 1", want, list(1))
	checkRead(t, "Groups of account 2", []iam.Group{*newIAMGroup(2, "Zed")}, list(2))
	checkRead(t, "Groups of an account without groups", []iam.Group(nil), list(3))
}

func members(t *testing.T, s iam.Store, n int, group string) func() (any, error) {
	return func() (any, error) {
		return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]string, error) {
			return tx.GroupMembers(ctx, accountID(n), group)
		})
	}
}

func groupsOf(t *testing.T, s iam.Store, n int, user string) func() (any, error) {
	return func() (any, error) {
		return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]string, error) { return tx.GroupsOf(ctx, accountID(n), user) })
	}
}

func testIAMGroupMembers(t *testing.T, s iam.Store) {
	a := accountID(1)
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		return errors.Join(
			tx.AddGroupMember(ctx, a, "Ops", "carol"),
			tx.AddGroupMember(ctx, a, "Admins", "bob"),
			tx.AddGroupMember(ctx, a, "Admins", "Alice"),
			tx.AddGroupMember(ctx, a, "devs", "Alice"),
			tx.AddGroupMember(ctx, a, "Ops", "Alice"),
			tx.AddGroupMember(ctx, accountID(2), "Admins", "Zed"),
			tx.AddGroupMember(ctx, accountID(2), "Other", "Alice"),
		)
	})
	checkRead(t, "GroupMembers of Admins", []string{"Alice", "bob"}, members(t, s, 1, "Admins"))
	checkRead(t, "GroupMembers of ADMINS", []string{"Alice", "bob"}, members(t, s, 1, "ADMINS"))
	checkRead(t, "GroupMembers of Ops", []string{"Alice", "carol"}, members(t, s, 1, "ops"))
	checkRead(t, "GroupMembers of an unknown group", []string(nil), members(t, s, 1, "none"))
	checkRead(t, "GroupMembers of account 2's Admins", []string{"Zed"}, members(t, s, 2, "Admins"))
	checkRead(t, "GroupsOf Alice", []string{"Admins", "devs", "Ops"}, groupsOf(t, s, 1, "Alice"))
	checkRead(t, "GroupsOf alice", []string{"Admins", "devs", "Ops"}, groupsOf(t, s, 1, "alice"))
	checkRead(t, "GroupsOf carol", []string{"Ops"}, groupsOf(t, s, 1, "carol"))
	checkRead(t, "GroupsOf an unknown user", []string(nil), groupsOf(t, s, 1, "dave"))
	checkRead(t, "GroupsOf account 2's Alice", []string{"Other"}, groupsOf(t, s, 2, "Alice"))

	// Adding a member again keeps one.
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.AddGroupMember(ctx, a, "Admins", "bob") })
	checkRead(t, "GroupMembers after a second add", []string{"Alice", "bob"}, members(t, s, 1, "Admins"))

	if err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.RemoveGroupMember(ctx, a, "admins", "ALICE") }); err != nil {
		t.Fatalf("RemoveGroupMember: %v", err)
	}
	checkRead(t, "GroupMembers after remove", []string{"bob"}, members(t, s, 1, "Admins"))
	checkRead(t, "GroupsOf after remove", []string{"devs", "Ops"}, groupsOf(t, s, 1, "Alice"))
	err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.RemoveGroupMember(ctx, a, "Admins", "Alice") })
	wantNotFound(t, "RemoveGroupMember of a removed member", err)
	err = iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error {
		return tx.RemoveGroupMember(ctx, accountID(3), "Admins", "bob")
	})
	wantNotFound(t, "RemoveGroupMember in another account", err)
}

// testIAMGroupMembersNoCascade deletes a group and a user: memberships are
// the domain's to remove.
func testIAMGroupMembersNoCascade(t *testing.T, s iam.Store) {
	a := accountID(1)
	putGroups(t, s, newIAMGroup(1, "Admins"))
	putUsers(t, s, newIAMUser(1, "Alice"))
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		return errors.Join(tx.AddGroupMember(ctx, a, "Admins", "Alice"),
			tx.DeleteGroup(ctx, a, "Admins"), tx.DeleteUser(ctx, a, "Alice"))
	})
	checkRead(t, "GroupMembers of a deleted group", []string{"Alice"}, members(t, s, 1, "Admins"))
	checkRead(t, "GroupsOf a deleted user", []string{"Admins"}, groupsOf(t, s, 1, "Alice"))
}

// Roles.

func getRole(t *testing.T, s iam.Store, n int, name string) (*iam.Role, error) {
	t.Helper()
	return iamRead(t, s, func(ctx context.Context, tx iam.Tx) (*iam.Role, error) { return tx.Role(ctx, accountID(n), name) })
}

func putRoles(t *testing.T, s iam.Store, rs ...*iam.Role) {
	t.Helper()
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		for _, r := range rs {
			if err := tx.PutRole(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

func testIAMRolePutGet(t *testing.T, s iam.Store) {
	r := newIAMRole(1, "Deployer")
	slr := newIAMRole(1, "AWSServiceRoleForOrganizations")
	slr.ServiceLinked, slr.MaxSessionDuration = true, time.Hour
	putRoles(t, s, r, slr)
	for _, name := range []string{"Deployer", "deployer", "DEPLOYER"} {
		checkRead(t, "Role "+name, r, func() (any, error) { return getRole(t, s, 1, name) })
	}
	checkRead(t, "service-linked Role", slr, func() (any, error) { return getRole(t, s, 1, "awsservicerolefororganizations") })
	_, err := getRole(t, s, 2, "Deployer")
	wantNotFound(t, "Role of another account", err)
}

func testIAMRoleReplace(t *testing.T, s iam.Store) {
	putRoles(t, s, newIAMRole(1, "Deployer"))
	want := &iam.Role{
		Account: accountID(1), Name: "deployer", Path: "/", ID: "AROANEW", CreatedAt: t0,
		TrustPolicy: "{}", MaxSessionDuration: time.Hour, ServiceLinked: true,
	}
	putRoles(t, s, want)
	checkRead(t, "Role after replace", want, func() (any, error) { return getRole(t, s, 1, "Deployer") })
}

func testIAMRoleDelete(t *testing.T, s iam.Store) {
	putRoles(t, s, newIAMRole(1, "Deployer"), newIAMRole(1, "Reader"))
	if err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteRole(ctx, accountID(1), "DEPLOYER") }); err != nil {
		t.Fatalf("DeleteRole: %v", err)
	}
	_, err := getRole(t, s, 1, "Deployer")
	wantNotFound(t, "Role after delete", err)
	checkRead(t, "other Role after delete", newIAMRole(1, "Reader"), func() (any, error) { return getRole(t, s, 1, "Reader") })
	err = iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteRole(ctx, accountID(1), "Deployer") })
	wantNotFound(t, "DeleteRole of a deleted role", err)
}

func testIAMRoleList(t *testing.T, s iam.Store) {
	var want []iam.Role
	for _, name := range caseNames {
		putRoles(t, s, newIAMRole(1, name))
	}
	for _, name := range byName {
		want = append(want, *newIAMRole(1, name))
	}
	putRoles(t, s, newIAMRole(2, "Zed"))
	list := func(n int) func() (any, error) {
		return func() (any, error) {
			return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]iam.Role, error) { return tx.Roles(ctx, accountID(n)) })
		}
	}
	checkRead(t, "Roles of account 1", want, list(1))
	checkRead(t, "Roles of account 2", []iam.Role{*newIAMRole(2, "Zed")}, list(2))
	checkRead(t, "Roles of an account without roles", []iam.Role(nil), list(3))
}

// Inline policies.

func getInline(t *testing.T, s iam.Store, n int, kind iam.PrincipalKind, owner, name string) (*iam.InlinePolicy, error) {
	t.Helper()
	return iamRead(t, s, func(ctx context.Context, tx iam.Tx) (*iam.InlinePolicy, error) {
		return tx.InlinePolicy(ctx, accountID(n), kind, owner, name)
	})
}

func putInline(t *testing.T, s iam.Store, ps ...*iam.InlinePolicy) {
	t.Helper()
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		for _, p := range ps {
			if err := tx.PutInlinePolicy(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
}

var kinds = []iam.PrincipalKind{iam.KindUser, iam.KindGroup, iam.KindRole}

func testIAMInlinePutGet(t *testing.T, s iam.Store) {
	// The same owner and policy name for each kind: they are distinct.
	for _, k := range kinds {
		putInline(t, s, newInline(1, k, "Alice", "S3"))
	}
	for _, k := range kinds {
		want := newInline(1, k, "Alice", "S3")
		checkRead(t, "InlinePolicy of "+string(k), want, func() (any, error) { return getInline(t, s, 1, k, "Alice", "S3") })
		checkRead(t, "InlinePolicy of "+string(k)+" in other case", want, func() (any, error) { return getInline(t, s, 1, k, "ALICE", "s3") })
	}
	_, err := getInline(t, s, 2, iam.KindUser, "Alice", "S3")
	wantNotFound(t, "InlinePolicy of another account", err)
	_, err = getInline(t, s, 1, iam.KindUser, "bob", "S3")
	wantNotFound(t, "InlinePolicy of another owner", err)
	_, err = getInline(t, s, 1, iam.KindUser, "Alice", "S4")
	wantNotFound(t, "InlinePolicy of another name", err)
}

func testIAMInlineReplace(t *testing.T, s iam.Store) {
	putInline(t, s, newInline(1, iam.KindRole, "Deployer", "deploy"))
	want := &iam.InlinePolicy{Account: accountID(1), Kind: iam.KindRole, Owner: "DEPLOYER", Name: "Deploy", Document: "{}"}
	putInline(t, s, want)
	checkRead(t, "InlinePolicy after replace", want, func() (any, error) { return getInline(t, s, 1, iam.KindRole, "deployer", "deploy") })
	checkRead(t, "InlinePolicies after replace", []iam.InlinePolicy{*want}, func() (any, error) {
		return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]iam.InlinePolicy, error) {
			return tx.InlinePolicies(ctx, accountID(1), iam.KindRole, "Deployer")
		})
	})
}

func testIAMInlineDelete(t *testing.T, s iam.Store) {
	putInline(t, s, newInline(1, iam.KindGroup, "Admins", "all"), newInline(1, iam.KindUser, "Admins", "all"))
	if err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error {
		return tx.DeleteInlinePolicy(ctx, accountID(1), iam.KindGroup, "admins", "ALL")
	}); err != nil {
		t.Fatalf("DeleteInlinePolicy: %v", err)
	}
	_, err := getInline(t, s, 1, iam.KindGroup, "Admins", "all")
	wantNotFound(t, "InlinePolicy after delete", err)
	checkRead(t, "InlinePolicy of another kind after delete", newInline(1, iam.KindUser, "Admins", "all"),
		func() (any, error) { return getInline(t, s, 1, iam.KindUser, "Admins", "all") })
	err = iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error {
		return tx.DeleteInlinePolicy(ctx, accountID(1), iam.KindGroup, "Admins", "all")
	})
	wantNotFound(t, "DeleteInlinePolicy of a deleted policy", err)
}

func testIAMInlineList(t *testing.T, s iam.Store) {
	for _, name := range caseNames {
		putInline(t, s, newInline(1, iam.KindUser, "Alice", name))
	}
	putInline(t, s, newInline(1, iam.KindUser, "bob", "x"), newInline(1, iam.KindRole, "Alice", "y"),
		newInline(2, iam.KindUser, "Alice", "z"))
	var want []iam.InlinePolicy
	for _, name := range byName {
		want = append(want, *newInline(1, iam.KindUser, "Alice", name))
	}
	list := func(n int, kind iam.PrincipalKind, owner string) func() (any, error) {
		return func() (any, error) {
			return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]iam.InlinePolicy, error) {
				return tx.InlinePolicies(ctx, accountID(n), kind, owner)
			})
		}
	}
	checkRead(t, "InlinePolicies of user Alice", want, list(1, iam.KindUser, "Alice"))
	checkRead(t, "InlinePolicies of user alice", want, list(1, iam.KindUser, "alice"))
	checkRead(t, "InlinePolicies of role Alice", []iam.InlinePolicy{*newInline(1, iam.KindRole, "Alice", "y")}, list(1, iam.KindRole, "Alice"))
	checkRead(t, "InlinePolicies of group Alice", []iam.InlinePolicy(nil), list(1, iam.KindGroup, "Alice"))
	checkRead(t, "InlinePolicies of account 2's Alice", []iam.InlinePolicy{*newInline(2, iam.KindUser, "Alice", "z")}, list(2, iam.KindUser, "Alice"))
}

// Managed policies.

func getManaged(t *testing.T, s iam.Store, arn string) (*iam.ManagedPolicy, error) {
	t.Helper()
	return iamRead(t, s, func(ctx context.Context, tx iam.Tx) (*iam.ManagedPolicy, error) { return tx.ManagedPolicy(ctx, arn) })
}

func putManaged(t *testing.T, s iam.Store, ps ...*iam.ManagedPolicy) {
	t.Helper()
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		for _, p := range ps {
			if err := tx.PutManagedPolicy(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
}

func listManaged(t *testing.T, s iam.Store, acct identity.AccountID) func() (any, error) {
	return func() (any, error) {
		return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]iam.ManagedPolicy, error) {
			return tx.ManagedPolicies(ctx, acct)
		})
	}
}

func testIAMManagedPutGet(t *testing.T, s iam.Store) {
	p, aws := newManaged(1, "Deploy"), newAWSManaged("ReadOnlyAccess")
	putManaged(t, s, p, aws)
	checkRead(t, "ManagedPolicy", p, func() (any, error) { return getManaged(t, s, p.ARN) })
	checkRead(t, "AWS managed ManagedPolicy", aws, func() (any, error) { return getManaged(t, s, aws.ARN) })
	_, err := getManaged(t, s, policyARN(2, "Deploy"))
	wantNotFound(t, "ManagedPolicy of another account", err)
}

func testIAMManagedReplace(t *testing.T, s iam.Store) {
	p := newManaged(1, "Deploy")
	putManaged(t, s, p)
	want := *p
	want.Name, want.Description, want.DefaultVersion, want.UpdatedAt, want.Tags = "DEPLOY", "", "v5", t0.Add(time.Hour), nil
	want.Versions = []iam.PolicyVersion{p.Versions[1], p.Versions[2], {ID: "v5", Document: "{}", CreatedAt: t0.Add(time.Hour)}}
	putManaged(t, s, &want)
	checkRead(t, "ManagedPolicy after replace", &want, func() (any, error) { return getManaged(t, s, p.ARN) })
	want.Versions = nil
	putManaged(t, s, &want)
	checkRead(t, "ManagedPolicy after replace without versions", &want, func() (any, error) { return getManaged(t, s, p.ARN) })
	checkRead(t, "ManagedPolicies after replace", []iam.ManagedPolicy{want}, listManaged(t, s, accountID(1)))
}

func testIAMManagedNameTaken(t *testing.T, s iam.Store) {
	p := newManaged(1, "Deploy")
	putManaged(t, s, p)
	for _, name := range []string{"Deploy", "deploy"} {
		other := newManaged(1, name)
		other.ARN = "arn:aws:iam::" + string(accountID(1)) + ":policy/other/" + name
		err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.PutManagedPolicy(ctx, other) })
		wantExists(t, "PutManagedPolicy of a taken name "+name, err)
		_, err = getManaged(t, s, other.ARN)
		wantNotFound(t, "ManagedPolicy refused", err)
	}
	checkRead(t, "ManagedPolicies after refused puts", []iam.ManagedPolicy{*p}, listManaged(t, s, accountID(1)))
	// Another account, and the AWS managed policies, may have the name.
	putManaged(t, s, newManaged(2, "Deploy"))
	aws := newAWSManaged("Deploy")
	putManaged(t, s, aws)
	checkRead(t, "AWS managed policy of a customer's name", aws, func() (any, error) { return getManaged(t, s, aws.ARN) })
}

func testIAMManagedDelete(t *testing.T, s iam.Store) {
	p, other := newManaged(1, "Deploy"), newManaged(1, "Other")
	putManaged(t, s, p, other)
	if err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteManagedPolicy(ctx, p.ARN) }); err != nil {
		t.Fatalf("DeleteManagedPolicy: %v", err)
	}
	_, err := getManaged(t, s, p.ARN)
	wantNotFound(t, "ManagedPolicy after delete", err)
	checkRead(t, "other ManagedPolicy after delete", other, func() (any, error) { return getManaged(t, s, other.ARN) })
	err = iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteManagedPolicy(ctx, p.ARN) })
	wantNotFound(t, "DeleteManagedPolicy of a deleted policy", err)

	// The versions went with it; the name is free again.
	again := newManaged(1, "DEPLOY")
	again.ARN, again.Versions = p.ARN, nil
	putManaged(t, s, again)
	checkRead(t, "ManagedPolicy put again after delete", again, func() (any, error) { return getManaged(t, s, p.ARN) })
}

func testIAMManagedList(t *testing.T, s iam.Store) {
	for _, name := range caseNames {
		putManaged(t, s, newManaged(1, name))
	}
	putManaged(t, s, newManaged(2, "Zed"), newAWSManaged("ReadOnlyAccess"), newAWSManaged("AdministratorAccess"))
	var want []iam.ManagedPolicy
	for _, name := range byName {
		want = append(want, *newManaged(1, name))
	}
	checkRead(t, "ManagedPolicies of account 1", want, listManaged(t, s, accountID(1)))
	checkRead(t, "ManagedPolicies of account 2", []iam.ManagedPolicy{*newManaged(2, "Zed")}, listManaged(t, s, accountID(2)))
	checkRead(t, "AWS ManagedPolicies", []iam.ManagedPolicy{*newAWSManaged("AdministratorAccess"), *newAWSManaged("ReadOnlyAccess")},
		listManaged(t, s, ""))
	checkRead(t, "ManagedPolicies of an account without any", []iam.ManagedPolicy(nil), listManaged(t, s, accountID(3)))
}

// Attachments.

func putAttachments(t *testing.T, s iam.Store, as ...iam.Attachment) {
	t.Helper()
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		for i := range as {
			if err := tx.PutAttachment(ctx, &as[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func attachment(n int, kind iam.PrincipalKind, owner, arn string) iam.Attachment {
	return iam.Attachment{Account: accountID(n), Kind: kind, Owner: owner, PolicyARN: arn}
}

func attachmentsOf(t *testing.T, s iam.Store, n int, kind iam.PrincipalKind, owner string) func() (any, error) {
	return func() (any, error) {
		return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]iam.Attachment, error) {
			return tx.Attachments(ctx, accountID(n), kind, owner)
		})
	}
}

func policyAttachments(t *testing.T, s iam.Store, n int, arn string) func() (any, error) {
	return func() (any, error) {
		return iamRead(t, s, func(ctx context.Context, tx iam.Tx) ([]iam.Attachment, error) {
			return tx.PolicyAttachments(ctx, accountID(n), arn)
		})
	}
}

func testIAMAttachmentsByOwner(t *testing.T, s iam.Store) {
	arns := []string{policyARN(1, "b"), awsPolicyARN("ReadOnlyAccess"), policyARN(1, "a"), policyARN(1, "C")}
	var want []iam.Attachment
	for _, arn := range arns {
		putAttachments(t, s, attachment(1, iam.KindUser, "Alice", arn))
		want = append(want, attachment(1, iam.KindUser, "Alice", arn))
	}
	slices.SortFunc(want, func(a, b iam.Attachment) int { return strings.Compare(a.PolicyARN, b.PolicyARN) })
	putAttachments(t, s, attachment(1, iam.KindRole, "Alice", arns[0]), attachment(1, iam.KindUser, "bob", arns[0]),
		attachment(2, iam.KindUser, "Alice", arns[1]))
	checkRead(t, "Attachments of user Alice", want, attachmentsOf(t, s, 1, iam.KindUser, "Alice"))
	checkRead(t, "Attachments of user ALICE", want, attachmentsOf(t, s, 1, iam.KindUser, "ALICE"))
	checkRead(t, "Attachments of role Alice", []iam.Attachment{attachment(1, iam.KindRole, "Alice", arns[0])},
		attachmentsOf(t, s, 1, iam.KindRole, "Alice"))
	checkRead(t, "Attachments of group Alice", []iam.Attachment(nil), attachmentsOf(t, s, 1, iam.KindGroup, "Alice"))
	checkRead(t, "Attachments of account 2's Alice", []iam.Attachment{attachment(2, iam.KindUser, "Alice", arns[1])},
		attachmentsOf(t, s, 2, iam.KindUser, "Alice"))
}

func testIAMAttachmentsByPolicy(t *testing.T, s iam.Store) {
	arn := awsPolicyARN("ReadOnlyAccess")
	putAttachments(t, s,
		attachment(1, iam.KindUser, "bob", arn),
		attachment(1, iam.KindRole, "Deployer", arn),
		attachment(1, iam.KindUser, "Alice", arn),
		attachment(1, iam.KindGroup, "Admins", arn),
		attachment(1, iam.KindUser, "Alice", policyARN(1, "Other")),
		attachment(2, iam.KindUser, "Zed", arn),
	)
	want := []iam.Attachment{
		attachment(1, iam.KindGroup, "Admins", arn),
		attachment(1, iam.KindRole, "Deployer", arn),
		attachment(1, iam.KindUser, "Alice", arn),
		attachment(1, iam.KindUser, "bob", arn),
	}
	checkRead(t, "PolicyAttachments in account 1", want, policyAttachments(t, s, 1, arn))
	checkRead(t, "PolicyAttachments in account 2", []iam.Attachment{attachment(2, iam.KindUser, "Zed", arn)}, policyAttachments(t, s, 2, arn))
	checkRead(t, "PolicyAttachments in account 3", []iam.Attachment(nil), policyAttachments(t, s, 3, arn))
	checkRead(t, "PolicyAttachments of an unattached policy", []iam.Attachment(nil), policyAttachments(t, s, 1, policyARN(1, "None")))
}

func testIAMAttachmentPutDelete(t *testing.T, s iam.Store) {
	a := attachment(1, iam.KindGroup, "Admins", policyARN(1, "p"))
	putAttachments(t, s, a, a)
	checkRead(t, "Attachments after putting one twice", []iam.Attachment{a}, attachmentsOf(t, s, 1, iam.KindGroup, "Admins"))
	del := attachment(1, iam.KindGroup, "ADMINS", policyARN(1, "p"))
	if err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAttachment(ctx, &del) }); err != nil {
		t.Fatalf("DeleteAttachment: %v", err)
	}
	checkRead(t, "Attachments after delete", []iam.Attachment(nil), attachmentsOf(t, s, 1, iam.KindGroup, "Admins"))
	checkRead(t, "PolicyAttachments after delete", []iam.Attachment(nil), policyAttachments(t, s, 1, a.PolicyARN))
	err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAttachment(ctx, &a) })
	wantNotFound(t, "DeleteAttachment of a deleted attachment", err)
	putAttachments(t, s, a)
	for _, other := range []iam.Attachment{
		attachment(2, iam.KindGroup, "Admins", a.PolicyARN),
		attachment(1, iam.KindUser, "Admins", a.PolicyARN),
		attachment(1, iam.KindGroup, "Admins", policyARN(1, "q")),
	} {
		err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAttachment(ctx, &other) })
		wantNotFound(t, "DeleteAttachment of an absent attachment", err)
	}
	checkRead(t, "Attachments after failed deletes", []iam.Attachment{a}, attachmentsOf(t, s, 1, iam.KindGroup, "Admins"))
}

// Account aliases.

func getAlias(t *testing.T, s iam.Store, n int) (string, error) {
	t.Helper()
	return iamRead(t, s, func(ctx context.Context, tx iam.Tx) (string, error) { return tx.Alias(ctx, accountID(n)) })
}

func aliasOwner(t *testing.T, s iam.Store, alias string) (identity.AccountID, error) {
	t.Helper()
	return iamRead(t, s, func(ctx context.Context, tx iam.Tx) (identity.AccountID, error) { return tx.AliasOwner(ctx, alias) })
}

func putAlias(t *testing.T, s iam.Store, n int, alias string) error {
	t.Helper()
	return iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.PutAlias(ctx, accountID(n), alias) })
}

// wantAlias fails t unless account n has alias and alias is n's.
func wantAlias(t *testing.T, s iam.Store, what string, n int, alias string) {
	t.Helper()
	got, err := getAlias(t, s, n)
	if err != nil || got != alias {
		t.Errorf("%s: Alias: got %q, %v, want %q", what, got, err, alias)
	}
	owner, err := aliasOwner(t, s, alias)
	if err != nil || owner != accountID(n) {
		t.Errorf("%s: AliasOwner: got %q, %v, want %q", what, owner, err, accountID(n))
	}
}

func testIAMAliasNone(t *testing.T, s iam.Store) {
	got, err := getAlias(t, s, 1)
	wantNotFound(t, "Alias of an account without one", err)
	if got != "" {
		t.Errorf("Alias of an account without one: got %q, want \"\"", got)
	}
	_, err = aliasOwner(t, s, "nobody")
	wantNotFound(t, "AliasOwner of an unknown alias", err)
}

func testIAMAliasPutGet(t *testing.T, s iam.Store) {
	if err := putAlias(t, s, 1, "my-alias"); err != nil {
		t.Fatalf("PutAlias: %v", err)
	}
	wantAlias(t, s, "after PutAlias", 1, "my-alias")
	if err := putAlias(t, s, 1, "my-alias"); err != nil {
		t.Errorf("PutAlias of the account's own alias again: %v", err)
	}
	wantAlias(t, s, "after PutAlias again", 1, "my-alias")
	if err := putAlias(t, s, 1, "renamed"); err != nil {
		t.Fatalf("PutAlias replacing the alias: %v", err)
	}
	wantAlias(t, s, "after replace", 1, "renamed")
	_, err := aliasOwner(t, s, "my-alias")
	wantNotFound(t, "AliasOwner of the replaced alias", err)
}

func testIAMAliasUnique(t *testing.T, s iam.Store) {
	if err := putAlias(t, s, 1, "taken"); err != nil {
		t.Fatalf("PutAlias: %v", err)
	}
	if err := putAlias(t, s, 2, "mine"); err != nil {
		t.Fatalf("PutAlias: %v", err)
	}
	wantExists(t, "PutAlias of another account's alias", putAlias(t, s, 2, "taken"))
	wantExists(t, "PutAlias of another account's alias by an account without one", putAlias(t, s, 3, "taken"))
	wantAlias(t, s, "holder after a refused PutAlias", 1, "taken")
	wantAlias(t, s, "refused account after a refused PutAlias", 2, "mine")
	_, err := getAlias(t, s, 3)
	wantNotFound(t, "Alias of an account refused one", err)

	// Once released, it can be taken.
	if err := putAlias(t, s, 1, "other"); err != nil {
		t.Fatalf("PutAlias: %v", err)
	}
	if err := putAlias(t, s, 2, "taken"); err != nil {
		t.Fatalf("PutAlias of a released alias: %v", err)
	}
	wantAlias(t, s, "after taking a released alias", 2, "taken")
	wantAlias(t, s, "after releasing an alias", 1, "other")
	if _, err := aliasOwner(t, s, "mine"); !errors.Is(err, iam.ErrNotFound) {
		t.Errorf("AliasOwner of a replaced alias: got %v, want ErrNotFound", err)
	}
}

func testIAMAliasDelete(t *testing.T, s iam.Store) {
	err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAlias(ctx, accountID(1)) })
	wantNotFound(t, "DeleteAlias of an account without one", err)
	if err := errors.Join(putAlias(t, s, 1, "one"), putAlias(t, s, 2, "two")); err != nil {
		t.Fatalf("PutAlias: %v", err)
	}
	if err := iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAlias(ctx, accountID(1)) }); err != nil {
		t.Fatalf("DeleteAlias: %v", err)
	}
	_, err = getAlias(t, s, 1)
	wantNotFound(t, "Alias after delete", err)
	_, err = aliasOwner(t, s, "one")
	wantNotFound(t, "AliasOwner after delete", err)
	wantAlias(t, s, "other account after delete", 2, "two")
	err = iamWrite(t, s, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAlias(ctx, accountID(1)) })
	wantNotFound(t, "DeleteAlias again", err)
	if err := putAlias(t, s, 3, "one"); err != nil {
		t.Errorf("PutAlias of a deleted alias: %v", err)
	}
}

// Sessions.

func getSession(t *testing.T, s iam.Store, id string) (*iam.Session, error) {
	t.Helper()
	return iamRead(t, s, func(ctx context.Context, tx iam.Tx) (*iam.Session, error) { return tx.Session(ctx, id) })
}

func putSessions(t *testing.T, s iam.Store, ss ...*iam.Session) {
	t.Helper()
	iamUpdate(t, s, func(ctx context.Context, tx iam.Tx) error {
		for _, se := range ss {
			if err := tx.PutSession(ctx, se); err != nil {
				return err
			}
		}
		return nil
	})
}

func testIAMSessionPutGet(t *testing.T, s iam.Store) {
	one, two := newSession(1, 1), newSession(2, 2)
	two.SessionPolicy, two.PolicyARNs, two.Tags = "", nil, nil
	putSessions(t, s, one, two)
	checkRead(t, "Session", one, func() (any, error) { return getSession(t, s, one.AccessKeyID) })
	checkRead(t, "Session without policies or tags", two, func() (any, error) { return getSession(t, s, two.AccessKeyID) })
	_, err := getSession(t, s, newSession(1, 3).AccessKeyID)
	wantNotFound(t, "Session of an absent id", err)
}

func testIAMSessionReplace(t *testing.T, s iam.Store) {
	se := newSession(1, 1)
	putSessions(t, s, se)
	want := &iam.Session{
		AccessKeyID: se.AccessKeyID, Secret: "new", Token: "new-token", Account: accountID(2), RoleName: "Other",
		RoleID: "AROAOTHER", SessionName: "s", Expiration: t0.Add(2 * time.Hour), IssuedAt: t0.Add(time.Hour),
		PolicyARNs: []string{policyARN(2, "x")}, Source: "arn:aws:iam::" + string(accountID(2)) + ":root",
	}
	putSessions(t, s, want)
	checkRead(t, "Session after replace", want, func() (any, error) { return getSession(t, s, se.AccessKeyID) })
}
