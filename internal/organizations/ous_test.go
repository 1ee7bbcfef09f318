package organizations_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

type ouWorld struct {
	*world
	mgmt, member identity.Principal
	org          *organizations.Organization
	root         string
}

func newOUWorld(t *testing.T) *ouWorld {
	t.Helper()
	w := newWorld(t, organizations.Options{})
	ow := &ouWorld{world: w, mgmt: w.signUp(t, "Mgmt"), member: w.signUp(t, "Member")}
	ow.org = w.createOrg(t, ow.mgmt, organizations.AllFeatures)
	ow.root = string(ow.org.RootID)
	w.join(t, ow.mgmt, ow.member)
	return ow
}

func (ow *ouWorld) mkOU(t *testing.T, parent, name string) string {
	t.Helper()
	ou, err := ow.orgs.CreateOU(ow.ctx, ow.mgmt, parent, name, nil)
	must(t, err, "CreateOU "+name)
	if !organizations.IsOUID(string(ou.ID)) || !strings.Contains(string(ou.ID), strings.TrimPrefix(ow.root, "r-")) {
		t.Errorf("OU id %q: malformed or not derived from root %s", ou.ID, ow.root)
	}
	return string(ou.ID)
}

func TestCreateOU(t *testing.T) {
	t.Parallel()
	ow := newOUWorld(t)
	w := ow.world
	prod := ow.mkOU(t, ow.root, "prod")
	ow.mkOU(t, prod, "prod") // the same name under another parent
	_, err := w.orgs.CreateOU(w.ctx, ow.mgmt, ow.root, "prod", nil)
	wantCode(t, err, organizations.CodeDuplicateOrganizationalUnit)
	_, err = w.orgs.CreateOU(w.ctx, ow.mgmt, "ou-zzzz-zzzzzzzz", "x", nil)
	wantCode(t, err, organizations.CodeParentNotFound)
	_, err = w.orgs.CreateOU(w.ctx, ow.member, ow.root, "x", nil)
	wantCode(t, err, organizations.CodeAccessDenied)
	// Another organization's OU is not a parent here.
	other := w.signUp(t, "Other")
	o2 := w.createOrg(t, other, organizations.AllFeatures)
	foreign, err := w.orgs.CreateOU(w.ctx, other, string(o2.RootID), "theirs", nil)
	must(t, err, "CreateOU in the other organization")
	_, err = w.orgs.CreateOU(w.ctx, ow.mgmt, string(foreign.ID), "x", nil)
	wantCode(t, err, organizations.CodeParentNotFound)
	_, err = w.orgs.DescribeOU(w.ctx, ow.mgmt, foreign.ID)
	wantCode(t, err, organizations.CodeOrganizationalUnitNotFound)

	v, err := w.orgs.RenameOU(w.ctx, ow.mgmt, organizations.OUID(prod), ptr("production"))
	must(t, err, "RenameOU")
	if v.OU.Name != "production" {
		t.Errorf("renamed OU %q", v.OU.Name)
	}
	ow.mkOU(t, ow.root, "staging")
	_, err = w.orgs.RenameOU(w.ctx, ow.mgmt, organizations.OUID(prod), ptr("staging"))
	wantCode(t, err, organizations.CodeDuplicateOrganizationalUnit)
	_, err = w.orgs.RenameOU(w.ctx, ow.mgmt, organizations.OUID(prod), ptr("production")) // its own name
	must(t, err, "RenameOU to its own name")
}

func ptr(s string) *string { return &s }

// TestOUDepth: OUs nest at most five levels below the root.
func TestOUDepth(t *testing.T) {
	t.Parallel()
	ow := newOUWorld(t)
	parent := ow.root
	for i := 1; i <= 5; i++ {
		parent = ow.mkOU(t, parent, fmt.Sprintf("level%d", i))
	}
	_, err := ow.orgs.CreateOU(ow.ctx, ow.mgmt, parent, "level6", nil)
	wantConstraint(t, err, organizations.ReasonOUDepthLimitExceeded)
	v, err := ow.orgs.DescribeOU(ow.ctx, ow.mgmt, organizations.OUID(parent))
	must(t, err, "DescribeOU")
	if n := strings.Count(v.Path, "ou-"); n != 5 {
		t.Errorf("path %s has %d OUs, want 5", v.Path, n)
	}
}

func TestDeleteOU(t *testing.T) {
	t.Parallel()
	ow := newOUWorld(t)
	w := ow.world
	parent := ow.mkOU(t, ow.root, "parent")
	child := ow.mkOU(t, parent, "child")
	leaf := ow.mkOU(t, ow.root, "leaf")

	wantCode(t, w.orgs.DeleteOU(w.ctx, ow.mgmt, organizations.OUID(parent)), organizations.CodeOrganizationalUnitNotEmpty)
	must(t, w.orgs.MoveAccount(w.ctx, ow.mgmt, ow.member.Account, ow.root, child), "move into child")
	wantCode(t, w.orgs.DeleteOU(w.ctx, ow.mgmt, organizations.OUID(child)), organizations.CodeOrganizationalUnitNotEmpty)
	wantCode(t, w.orgs.DeleteOU(w.ctx, ow.member, organizations.OUID(leaf)), organizations.CodeAccessDenied)
	must(t, w.orgs.MoveAccount(w.ctx, ow.mgmt, ow.member.Account, child, ow.root), "move back")
	must(t, w.orgs.DeleteOU(w.ctx, ow.mgmt, organizations.OUID(child)), "delete child")
	must(t, w.orgs.DeleteOU(w.ctx, ow.mgmt, organizations.OUID(parent)), "delete parent")
	wantCode(t, w.orgs.DeleteOU(w.ctx, ow.mgmt, organizations.OUID(parent)), organizations.CodeOrganizationalUnitNotFound)
	ous, err := w.orgs.ListOUs(w.ctx, ow.mgmt, ow.root)
	must(t, err, "ListOUs")
	if len(ous) != 1 || string(ous[0].OU.ID) != leaf {
		t.Errorf("ListOUs = %+v, want only %s", ous, leaf)
	}
}

// TestDeleteOUWithGoneMember: a member whose post-closure period ended no
// longer keeps its OU from being deleted; a SUSPENDED one does.
func TestDeleteOUWithGoneMember(t *testing.T) {
	t.Parallel()
	ow := newOUWorld(t)
	w := ow.world
	ou := ow.mkOU(t, ow.root, "closing")
	m := w.createMember(t, ow.mgmt, "closing")
	must(t, w.orgs.MoveAccount(w.ctx, ow.mgmt, m.Account, ow.root, ou), "move")
	must(t, w.orgs.CloseAccount(w.ctx, ow.mgmt, m.Account), "close")
	wantCode(t, w.orgs.DeleteOU(w.ctx, ow.mgmt, organizations.OUID(ou)), organizations.CodeOrganizationalUnitNotEmpty)
	w.clk.Advance(90 * day)
	must(t, w.orgs.DeleteOU(w.ctx, ow.mgmt, organizations.OUID(ou)), "DeleteOU")
}

func TestMoveAccount(t *testing.T) {
	t.Parallel()
	ow := newOUWorld(t)
	w := ow.world
	a := ow.mkOU(t, ow.root, "a")
	b := ow.mkOU(t, a, "b")
	id := ow.member.Account
	lone := w.signUp(t, "Lone")

	tests := []struct {
		name         string
		caller       identity.Principal
		id           identity.AccountID
		source, dest string
		code         string
	}{
		{"by a member", ow.member, id, ow.root, a, organizations.CodeAccessDenied},
		{"an outsider", ow.mgmt, lone.Account, ow.root, a, organizations.CodeAccountNotFound},
		{"unknown source", ow.mgmt, id, "ou-zzzz-zzzzzzzz", a, organizations.CodeSourceParentNotFound},
		{"unknown destination", ow.mgmt, id, ow.root, "ou-zzzz-zzzzzzzz", organizations.CodeDestinationParentNotFound},
		{"wrong source", ow.mgmt, id, a, b, organizations.CodeAccountNotFound},
		{"to where it is", ow.mgmt, id, ow.root, ow.root, organizations.CodeDuplicateAccount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, w.orgs.MoveAccount(w.ctx, tt.caller, tt.id, tt.source, tt.dest), tt.code)
		})
	}

	must(t, w.orgs.MoveAccount(w.ctx, ow.mgmt, id, ow.root, b), "move root → b")
	p, err := w.orgs.ListParents(w.ctx, ow.mgmt, string(id))
	must(t, err, "ListParents")
	if p.ID != b || p.Type != "ORGANIZATIONAL_UNIT" {
		t.Errorf("ListParents = %+v, want OU %s", p, b)
	}
	kids, err := w.orgs.ListChildren(w.ctx, ow.mgmt, b, "ACCOUNT")
	must(t, err, "ListChildren")
	if len(kids) != 1 || kids[0].ID != string(id) {
		t.Errorf("ListChildren(b) = %+v, want %s", kids, id)
	}
	under, err := w.orgs.ListAccounts(w.ctx, ow.mgmt, b)
	must(t, err, "ListAccounts(b)")
	if len(under) != 1 || under[0].Path != fmt.Sprintf("%s/%s/%s/%s/%s/", ow.org.ID, ow.root, a, b, id) {
		t.Errorf("ListAccounts(b) = %+v", under)
	}
	f, ok, err := w.orgs.FactsOf(w.ctx, id)
	must(t, err, "FactsOf")
	if want := fmt.Sprintf("%s/%s/%s/%s/", ow.org.ID, ow.root, a, b); !ok || f.Path != want {
		t.Errorf("FactsOf path %q, want %q", f.Path, want)
	}
	must(t, w.orgs.MoveAccount(w.ctx, ow.mgmt, id, b, ow.root), "move b → root")
	p, err = w.orgs.ListParents(w.ctx, ow.mgmt, string(id))
	must(t, err, "ListParents")
	if p.ID != ow.root || p.Type != "ROOT" {
		t.Errorf("ListParents = %+v, want the root", p)
	}
	_, err = w.orgs.ListParents(w.ctx, ow.mgmt, string(lone.Account))
	wantCode(t, err, organizations.CodeChildNotFound)
	_, err = w.orgs.ListAccounts(w.ctx, ow.mgmt, "ou-zzzz-zzzzzzzz")
	wantCode(t, err, organizations.CodeParentNotFound)
}
