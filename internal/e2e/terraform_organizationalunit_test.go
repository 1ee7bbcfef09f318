package e2e_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// aws_organizations_organizational_unit with
//
//	name      = "tf-ou"
//	parent_id = aws_organizations_organization.org.roots[0].id
//	tags      = { owner = "platform" }
func TestTerraformOrganizationalUnit(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	c := e.mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)
	root := aws.ToString(rootOf(t, c).Id)
	member := e.createAccount(t, c, "tf-ou-member", "tf-ou-member@example.com")

	// read is resourceOrganizationalUnitRead: DescribeOrganizationalUnit,
	// ListParents for parent_id, ListAccountsForParent for accounts, and
	// ListTagsForResource.
	read := func(t *testing.T, id string) (*otypes.OrganizationalUnit, string, []string, map[string]string) {
		t.Helper()
		out, err := c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(id)})
		must(t, err, "DescribeOrganizationalUnit")
		parents, err := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(id)})
		must(t, err, "ListParents")
		if len(parents.Parents) != 1 {
			t.Fatalf("ListParents(%s) returned %d parents", id, len(parents.Parents))
		}
		var accounts []otypes.Account
		p := organizations.NewListAccountsForParentPaginator(c, &organizations.ListAccountsForParentInput{ParentId: aws.String(id)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			must(t, err, "ListAccountsForParent")
			accounts = append(accounts, page.Accounts...)
		}
		return out.OrganizationalUnit, aws.ToString(parents.Parents[0].Id), accountIDsOf(accounts), tagsOf(t, c, id)
	}

	var id string
	t.Run("Create", func(t *testing.T) {
		out, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
			Name: aws.String("tf-ou"), ParentId: aws.String(root),
			Tags: []otypes.Tag{{Key: aws.String("owner"), Value: aws.String("platform")}},
		})
		must(t, err, "CreateOrganizationalUnit")
		id = aws.ToString(out.OrganizationalUnit.Id)
	})
	if id == "" {
		t.FailNow()
	}

	t.Run("Read", func(t *testing.T) {
		ou, parent, accounts, tags := read(t, id)
		if aws.ToString(ou.Name) != "tf-ou" || aws.ToString(ou.Arn) == "" || parent != root || len(accounts) != 0 ||
			len(tags) != 1 || tags["owner"] != "platform" {
			t.Errorf("read: %+v parent %s accounts %v tags %v", ou, parent, accounts, tags)
		}
		moveAccount(t, c, member, root, id)
		if _, _, accounts, _ := read(t, id); len(accounts) != 1 || accounts[0] != member {
			t.Errorf("accounts = %v, want [%s]", accounts, member)
		}
	})

	t.Run("UpdateName", func(t *testing.T) {
		_, err := c.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: aws.String(id), Name: aws.String("tf-ou-renamed")})
		must(t, err, "UpdateOrganizationalUnit")
		if ou, _, _, _ := read(t, id); aws.ToString(ou.Name) != "tf-ou-renamed" {
			t.Errorf("Name = %q", aws.ToString(ou.Name))
		}
	})

	t.Run("Destroy", func(t *testing.T) {
		_, err := c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(id)})
		wantOrgErr[*otypes.OrganizationalUnitNotEmptyException](t, err, "OrganizationalUnitNotEmptyException")
		moveAccount(t, c, member, id, root)
		_, err = c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(id)})
		must(t, err, "DeleteOrganizationalUnit")
		// The provider reads OrganizationalUnitNotFoundException as gone.
		_, err = c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(id)})
		wantOrgErr[*otypes.OrganizationalUnitNotFoundException](t, err, "OrganizationalUnitNotFoundException")
	})
}
