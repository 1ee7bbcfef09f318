package e2e_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// aws_organizations_account with
//
//	name                       = "tf-member"
//	email                      = "tf-member@example.com"
//	role_name                  = "OrganizationAccountAccessRole"
//	iam_user_access_to_billing = "ALLOW"
//	parent_id                  = aws_organizations_organizational_unit.workloads.id
//	close_on_deletion          = true
//	tags                       = { env = "test" }
func TestTerraformAccount(t *testing.T) {
	t.Parallel()
	const createDelay, closeDelay = 2 * time.Minute, time.Minute
	e := startOrgs(t, accountplanetest.Options{CreateAccountDelay: createDelay, CloseDelay: closeDelay})
	c := e.mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)
	root := aws.ToString(rootOf(t, c).Id)
	ou := aws.ToString(createOU(t, c, root, "workloads").Id)

	// findParentAccountID: ListParents must return exactly one parent.
	findParent := func(t *testing.T, id string) string {
		t.Helper()
		var parents []otypes.Parent
		p := organizations.NewListParentsPaginator(c, &organizations.ListParentsInput{ChildId: aws.String(id)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			must(t, err, "ListParents")
			parents = append(parents, out.Parents...)
		}
		if len(parents) != 1 {
			t.Fatalf("ListParents(%s) returned %d parents; the provider requires exactly one", id, len(parents))
		}
		return aws.ToString(parents[0].Id)
	}
	// findAccountByID: DescribeAccount; a SUSPENDED account reads as gone.
	findAccount := func(t *testing.T, id string) (*otypes.Account, bool) {
		t.Helper()
		a := describeAccount(t, c, id)
		if a.Status == otypes.AccountStatusSuspended {
			return nil, false
		}
		return a, true
	}

	var id string
	t.Run("Create", func(t *testing.T) {
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String("tf-member"), Email: aws.String("tf-member@example.com"),
			RoleName: aws.String("OrganizationAccountAccessRole"), IamUserAccessToBilling: otypes.IAMUserAccessToBillingAllow,
			Tags: []otypes.Tag{{Key: aws.String("env"), Value: aws.String("test")}},
		})
		must(t, err, "CreateAccount")
		// waitAccountCreated: DescribeCreateAccountStatus every 10 s while IN_PROGRESS.
		st, polls := e.waitCreateAccount(t, c, aws.ToString(out.CreateAccountStatus.Id))
		if st.State != otypes.CreateAccountStateSucceeded {
			t.Fatalf("create ended %s (%s)", st.State, st.FailureReason)
		}
		if want := int(createDelay/terraformPollInterval) + 1; polls != want {
			t.Errorf("took %d polls, want %d", polls, want)
		}
		id = aws.ToString(st.AccountId)
		if parent := findParent(t, id); parent != ou {
			_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(id), SourceParentId: aws.String(parent), DestinationParentId: aws.String(ou)})
			must(t, err, "MoveAccount")
		}
	})
	if id == "" {
		t.FailNow()
	}

	t.Run("Read", func(t *testing.T) {
		a, ok := findAccount(t, id)
		if !ok {
			t.Fatal("the new account reads as gone")
		}
		if aws.ToString(a.Name) != "tf-member" || aws.ToString(a.Email) != "tf-member@example.com" ||
			a.JoinedMethod != otypes.AccountJoinedMethodCreated || a.Status != otypes.AccountStatusActive || aws.ToString(a.Arn) == "" {
			t.Errorf("account = %+v", a)
		}
		if parent := findParent(t, id); parent != ou {
			t.Errorf("parent_id = %s, want %s", parent, ou)
		}
		if got := tagsOf(t, c, id); len(got) != 1 || got["env"] != "test" {
			t.Errorf("tags = %v", got)
		}
	})

	t.Run("UpdateParentAndTags", func(t *testing.T) {
		_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(id), SourceParentId: aws.String(ou), DestinationParentId: aws.String(root)})
		must(t, err, "MoveAccount")
		_, err = c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(id), Tags: []otypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
		must(t, err, "TagResource")
		_, err = c.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(id), TagKeys: []string{"env"}})
		must(t, err, "UntagResource")
		if parent := findParent(t, id); parent != root {
			t.Errorf("parent_id = %s, want %s", parent, root)
		}
		if got := tagsOf(t, c, id); len(got) != 1 || got["team"] != "a" {
			t.Errorf("tags = %v", got)
		}
	})

	t.Run("DestroyCloseOnDeletion", func(t *testing.T) {
		_, err := c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(id)})
		must(t, err, "CloseAccount")
		// waitAccountDeleted: poll while ACTIVE/PENDING_CLOSURE until gone.
		sawPending, gone := false, false
		for range terraformMaxPolls {
			a, ok := findAccount(t, id)
			if !ok {
				gone = true
				break
			}
			switch a.Status {
			case otypes.AccountStatusPendingClosure:
				sawPending = true
			case otypes.AccountStatusActive:
			default:
				t.Fatalf("unexpected status %s while closing", a.Status)
			}
			e.clk.Advance(terraformPollInterval)
		}
		if !sawPending || !gone {
			t.Errorf("closing: saw PENDING_CLOSURE %v, reached SUSPENDED %v", sawPending, gone)
		}
		// A refresh afterwards still reads it as gone.
		if _, ok := findAccount(t, id); ok {
			t.Errorf("the closed account reads as present")
		}
	})
}
