package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

func TestOrgOrganizationalUnits(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	c := e.mgmt.Org
	org := createOrg(t, c, otypes.OrganizationFeatureSetAll)
	orgID := aws.ToString(org.Id)
	root := aws.ToString(rootOf(t, c).Id)
	// A syntactically valid OU id that exists nowhere.
	missingOU := "ou-" + strings.TrimPrefix(root, "r-") + "-zzzzzzzz"

	var ouA, ouB, ouA1 *otypes.OrganizationalUnit
	t.Run("CreateNested", func(t *testing.T) {
		ouA = createOU(t, c, root, "A")
		ouB = createOU(t, c, root, "B")
		ouA1 = createOU(t, c, aws.ToString(ouA.Id), "A1")
		for _, ou := range []*otypes.OrganizationalUnit{ouA, ouB, ouA1} {
			id := aws.ToString(ou.Id)
			if !reOUID.MatchString(id) || !strings.HasPrefix(id, "ou-"+strings.TrimPrefix(root, "r-")+"-") {
				t.Errorf("OU id %q does not carry the root's suffix", id)
			}
			if want := "arn:aws:organizations::000000000000:ou/" + orgID + "/" + id; aws.ToString(ou.Arn) != want {
				t.Errorf("Arn = %q, want %q", aws.ToString(ou.Arn), want)
			}
		}
		// The same name may be used under another parent.
		other := createOU(t, c, aws.ToString(ouB.Id), "A1")
		_, err := c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: other.Id})
		must(t, err, "DeleteOrganizationalUnit")
	})
	if ouA1 == nil {
		t.FailNow()
	}
	a, b, a1 := aws.ToString(ouA.Id), aws.ToString(ouB.Id), aws.ToString(ouA1.Id)

	t.Run("Duplicate", func(t *testing.T) {
		_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("A")})
		wantOrgErr[*otypes.DuplicateOrganizationalUnitException](t, err, "DuplicateOrganizationalUnitException")
		_, err = c.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: aws.String(b), Name: aws.String("A")})
		wantOrgErr[*otypes.DuplicateOrganizationalUnitException](t, err, "DuplicateOrganizationalUnitException")
	})

	var l1 string
	t.Run("DepthLimit", func(t *testing.T) {
		parent := root
		var chain []string
		for level := 1; level <= 5; level++ {
			ou := createOU(t, c, parent, fmt.Sprintf("L%d", level))
			parent = aws.ToString(ou.Id)
			chain = append(chain, parent)
		}
		_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String("L6")})
		wantConstraint(t, err, otypes.ConstraintViolationExceptionReasonOuDepthLimitExceeded)
		l1 = chain[0]
		for i := len(chain) - 1; i >= 1; i-- { // keep L1
			_, err := c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(chain[i])})
			must(t, err, "DeleteOrganizationalUnit "+chain[i])
		}
	})

	t.Run("DescribeUpdate", func(t *testing.T) {
		out, err := c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(a1)})
		must(t, err, "DescribeOrganizationalUnit")
		if aws.ToString(out.OrganizationalUnit.Name) != "A1" || aws.ToString(out.OrganizationalUnit.Arn) != aws.ToString(ouA1.Arn) {
			t.Errorf("DescribeOrganizationalUnit = %+v", out.OrganizationalUnit)
		}
		up, err := c.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: aws.String(b), Name: aws.String("B2")})
		must(t, err, "UpdateOrganizationalUnit")
		if aws.ToString(up.OrganizationalUnit.Name) != "B2" || aws.ToString(up.OrganizationalUnit.Id) != b {
			t.Errorf("UpdateOrganizationalUnit = %+v", up.OrganizationalUnit)
		}
		out, err = c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(b)})
		must(t, err, "DescribeOrganizationalUnit")
		if aws.ToString(out.OrganizationalUnit.Name) != "B2" {
			t.Errorf("renamed OU reads %q", aws.ToString(out.OrganizationalUnit.Name))
		}
		_, err = c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(missingOU)})
		wantOrgErr[*otypes.OrganizationalUnitNotFoundException](t, err, "OrganizationalUnitNotFoundException")
		_, err = c.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: aws.String(missingOU), Name: aws.String("x")})
		wantOrgErr[*otypes.OrganizationalUnitNotFoundException](t, err, "OrganizationalUnitNotFoundException")
	})

	t.Run("ListOrganizationalUnitsForParent", func(t *testing.T) {
		var names []string
		p := organizations.NewListOrganizationalUnitsForParentPaginator(c, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root), MaxResults: aws.Int32(1)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			must(t, err, "ListOrganizationalUnitsForParent")
			if len(out.OrganizationalUnits) > 1 {
				t.Errorf("page of %d OUs with MaxResults 1", len(out.OrganizationalUnits))
			}
			for _, ou := range out.OrganizationalUnits {
				names = append(names, aws.ToString(ou.Name))
			}
		}
		sameIDs(t, "OUs under the root", names, []string{"A", "B2", "L1"})
		out, err := c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(a)})
		must(t, err, "ListOrganizationalUnitsForParent A")
		if len(out.OrganizationalUnits) != 1 || aws.ToString(out.OrganizationalUnits[0].Id) != a1 {
			t.Errorf("OUs under A = %+v, want A1", out.OrganizationalUnits)
		}
	})

	acc1 := e.createAccount(t, c, "acc1", "ou-acc1@example.com")
	acc2 := e.createAccount(t, c, "acc2", "ou-acc2@example.com")
	acc3 := e.createAccount(t, c, "acc3", "ou-acc3@example.com")

	children := func(t *testing.T, parent string, typ otypes.ChildType) []string {
		t.Helper()
		var ids []string
		p := organizations.NewListChildrenPaginator(c, &organizations.ListChildrenInput{ParentId: aws.String(parent), ChildType: typ, MaxResults: aws.Int32(1)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			must(t, err, "ListChildren")
			if len(out.Children) > 1 {
				t.Errorf("page of %d children with MaxResults 1", len(out.Children))
			}
			for _, ch := range out.Children {
				if ch.Type != typ {
					t.Errorf("child %s has Type %q, want %q", aws.ToString(ch.Id), ch.Type, typ)
				}
				ids = append(ids, aws.ToString(ch.Id))
			}
		}
		return ids
	}
	parentOf := func(t *testing.T, child string) otypes.Parent {
		t.Helper()
		out, err := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(child)})
		must(t, err, "ListParents "+child)
		if len(out.Parents) != 1 || out.NextToken != nil {
			t.Fatalf("ListParents %s returned %+v (NextToken %v), want exactly one parent", child, out.Parents, out.NextToken)
		}
		return out.Parents[0]
	}
	accountsFor := func(t *testing.T, parent string) []string {
		t.Helper()
		var all []otypes.Account
		p := organizations.NewListAccountsForParentPaginator(c, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent), MaxResults: aws.Int32(1)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			must(t, err, "ListAccountsForParent")
			all = append(all, out.Accounts...)
		}
		return accountIDsOf(all)
	}

	t.Run("MoveAccount", func(t *testing.T) {
		if p := parentOf(t, acc1); aws.ToString(p.Id) != root || p.Type != otypes.ParentTypeRoot {
			t.Errorf("new account's parent = %+v, want the root", p)
		}
		moveAccount(t, c, acc1, root, a)
		moveAccount(t, c, acc2, root, a1)
		if p := parentOf(t, acc1); aws.ToString(p.Id) != a || p.Type != otypes.ParentTypeOrganizationalUnit {
			t.Errorf("parent of acc1 = %+v, want OU A", p)
		}
		if p := parentOf(t, a1); aws.ToString(p.Id) != a || p.Type != otypes.ParentTypeOrganizationalUnit {
			t.Errorf("parent of A1 = %+v, want OU A", p)
		}
		if p := parentOf(t, a); aws.ToString(p.Id) != root || p.Type != otypes.ParentTypeRoot {
			t.Errorf("parent of A = %+v, want the root", p)
		}
		acc := describeAccount(t, c, acc2)
		if want := []string{orgID + "/" + root + "/" + a + "/" + a1 + "/" + acc2 + "/"}; len(acc.Paths) != 1 || acc.Paths[0] != want[0] {
			t.Errorf("Paths = %v, want %v", acc.Paths, want)
		}
	})

	t.Run("MoveAccountErrors", func(t *testing.T) {
		mv := func(id, from, to string) error {
			_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(id), SourceParentId: aws.String(from), DestinationParentId: aws.String(to)})
			return err
		}
		wantOrgErr[*otypes.SourceParentNotFoundException](t, mv(acc1, missingOU, b), "SourceParentNotFoundException")
		wantOrgErr[*otypes.DestinationParentNotFoundException](t, mv(acc1, a, missingOU), "DestinationParentNotFoundException")
		wantOrgErr[*otypes.DuplicateAccountException](t, mv(acc1, a, a), "DuplicateAccountException")
		wantOrgErr[*otypes.AccountNotFoundException](t, mv("123456789012", root, b), "AccountNotFoundException")
		wantInvalidInput(t, mv(acc1, "nonsense", b), otypes.InvalidInputExceptionReasonInvalidPatternTargetId)
		if p := parentOf(t, acc1); aws.ToString(p.Id) != a {
			t.Errorf("a failed move changed the parent to %s", aws.ToString(p.Id))
		}
	})

	t.Run("ListChildrenAndAccounts", func(t *testing.T) {
		sameIDs(t, "ACCOUNT children of the root", children(t, root, otypes.ChildTypeAccount), []string{defaultAccountID, acc3})
		sameIDs(t, "OU children of the root", children(t, root, otypes.ChildTypeOrganizationalUnit), []string{a, b, l1})
		sameIDs(t, "ACCOUNT children of A", children(t, a, otypes.ChildTypeAccount), []string{acc1})
		sameIDs(t, "OU children of A", children(t, a, otypes.ChildTypeOrganizationalUnit), []string{a1})
		sameIDs(t, "ACCOUNT children of A1", children(t, a1, otypes.ChildTypeAccount), []string{acc2})
		sameIDs(t, "accounts of A", accountsFor(t, a), []string{acc1})
		sameIDs(t, "accounts of A1", accountsFor(t, a1), []string{acc2})
		sameIDs(t, "accounts of the root", accountsFor(t, root), []string{defaultAccountID, acc3})
		sameIDs(t, "accounts of B2", accountsFor(t, b), nil)
	})

	t.Run("NotFound", func(t *testing.T) {
		_, err := c.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(missingOU), ChildType: otypes.ChildTypeAccount})
		wantOrgErr[*otypes.ParentNotFoundException](t, err, "ParentNotFoundException")
		_, err = c.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(missingOU)})
		wantOrgErr[*otypes.ParentNotFoundException](t, err, "ParentNotFoundException")
		_, err = c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String("r-zzzz")})
		wantOrgErr[*otypes.ParentNotFoundException](t, err, "ParentNotFoundException")
		_, err = c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(missingOU), Name: aws.String("x")})
		wantOrgErr[*otypes.ParentNotFoundException](t, err, "ParentNotFoundException")
		_, err = c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String("123456789012")})
		wantOrgErr[*otypes.ChildNotFoundException](t, err, "ChildNotFoundException")
		_, err = c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(missingOU)})
		wantOrgErr[*otypes.ChildNotFoundException](t, err, "ChildNotFoundException")
		_, err = c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("123456789012")})
		wantOrgErr[*otypes.AccountNotFoundException](t, err, "AccountNotFoundException")
	})

	t.Run("DeleteOU", func(t *testing.T) {
		_, err := c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(a)})
		wantOrgErr[*otypes.OrganizationalUnitNotEmptyException](t, err, "OrganizationalUnitNotEmptyException") // A1 and acc1
		_, err = c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(a1)})
		wantOrgErr[*otypes.OrganizationalUnitNotEmptyException](t, err, "OrganizationalUnitNotEmptyException") // acc2
		moveAccount(t, c, acc2, a1, root)
		_, err = c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(a1)})
		must(t, err, "DeleteOrganizationalUnit A1")
		_, err = c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(a1)})
		wantOrgErr[*otypes.OrganizationalUnitNotFoundException](t, err, "OrganizationalUnitNotFoundException")
		_, err = c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(a1)})
		wantOrgErr[*otypes.OrganizationalUnitNotFoundException](t, err, "OrganizationalUnitNotFoundException")
		_, err = c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(a)})
		wantOrgErr[*otypes.OrganizationalUnitNotEmptyException](t, err, "OrganizationalUnitNotEmptyException") // acc1
	})

	t.Run("PagingCollectsEverything", func(t *testing.T) {
		var ids []string
		pages := 0
		p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{MaxResults: aws.Int32(1)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			must(t, err, "ListAccounts")
			pages++
			if len(out.Accounts) > 1 {
				t.Errorf("page of %d accounts with MaxResults 1", len(out.Accounts))
			}
			for _, acc := range out.Accounts {
				ids = append(ids, aws.ToString(acc.Id))
			}
		}
		sameIDs(t, "ListAccounts by pages of 1", ids, []string{defaultAccountID, acc1, acc2, acc3})
		if pages < 4 {
			t.Errorf("%d pages for 4 accounts with MaxResults 1", pages)
		}
	})

	t.Run("ForgedNextToken", func(t *testing.T) {
		_, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String("forged")})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonInvalidPaginationToken)
		out, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(1)})
		must(t, err, "ListAccounts")
		tok := aws.ToString(out.NextToken)
		if tok == "" {
			t.Fatal("no NextToken with MaxResults 1 and 4 accounts")
		}
		// Edited: flip one character in the middle.
		mid := len(tok) / 2
		repl := "A"
		if tok[mid] == 'A' {
			repl = "B"
		}
		flipped := tok[:mid] + repl + tok[mid+1:]
		if flipped == tok {
			t.Fatal("could not edit the token")
		}
		_, err = c.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String(flipped), MaxResults: aws.Int32(1)})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonInvalidPaginationToken)
		// Replayed against another list operation.
		_, err = c.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(root), NextToken: aws.String(tok)})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonInvalidPaginationToken)
		_, err = c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root), NextToken: aws.String(tok)})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonInvalidPaginationToken)
		// The genuine token still works.
		if _, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String(tok), MaxResults: aws.Int32(1)}); err != nil {
			t.Errorf("the genuine token: %v", err)
		}
	})

	t.Run("MaxResultsRange", func(t *testing.T) {
		_, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonMaxValueExceeded)
		_, err = c.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(0)})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonMinValueExceeded)
	})

	t.Run("OnlyTheManagementAccount", func(t *testing.T) {
		m := e.credentials(t, acc3, "ou-acc3@example.com")
		_, err := m.Org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("rogue")})
		wantOrgAccessDenied(t, err)
		_, err = m.Org.ListAccounts(ctx, &organizations.ListAccountsInput{})
		wantOrgAccessDenied(t, err)
		_, err = m.Org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acc3), SourceParentId: aws.String(root), DestinationParentId: aws.String(b)})
		wantOrgAccessDenied(t, err)
	})

	t.Run("TagsOnOU", func(t *testing.T) {
		out, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
			ParentId: aws.String(root), Name: aws.String("tagged"),
			Tags: []otypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}},
		})
		must(t, err, "CreateOrganizationalUnit with tags")
		if got := tagsOf(t, c, aws.ToString(out.OrganizationalUnit.Id)); got["team"] != "platform" || len(got) != 1 {
			t.Errorf("tags = %v", got)
		}
	})
}
