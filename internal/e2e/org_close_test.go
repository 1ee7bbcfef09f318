package e2e_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

const postClosure = 90 * 24 * time.Hour

func TestOrgCloseAccount(t *testing.T) {
	t.Parallel()
	const closeDelay = time.Hour
	e := startOrgs(t, accountplanetest.Options{CloseDelay: closeDelay, MaxAccounts: 20})
	mgmt := e.mgmt
	c := mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)
	enableTrustedAccess(t, c, accountPrincipal)
	members := make([]string, 12)
	for i := range members {
		members[i] = e.createAccount(t, c, fmt.Sprintf("close-%02d", i), fmt.Sprintf("close-%02d@example.com", i))
	}
	closeAcct := func(id string) error {
		_, err := c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(id)})
		return err
	}
	m0 := members[0]
	closedAt := e.clk.Now()

	t.Run("PendingClosure", func(t *testing.T) {
		must(t, closeAcct(m0), "CloseAccount")
		a := describeAccount(t, c, m0)
		if a.Status != otypes.AccountStatusPendingClosure || a.State != otypes.AccountStatePendingClosure {
			t.Errorf("Status %q State %q, want PENDING_CLOSURE", a.Status, a.State)
		}
		if got := accountIDsOf(listAccounts(t, c)); len(got) != 13 {
			t.Errorf("ListAccounts lists %d accounts while one is closing, want 13", len(got))
		}
		found := false
		for _, m := range e.outbox(t) {
			found = found || (m.To == "close-00@example.com" && strings.Contains(m.Subject+m.Body, m0))
		}
		if !found {
			t.Errorf("no closure notice to close-00@example.com in the outbox")
		}
	})

	t.Run("Suspended", func(t *testing.T) {
		e.clk.Advance(closeDelay)
		a := describeAccount(t, c, m0)
		if a.Status != otypes.AccountStatusSuspended || a.State != otypes.AccountStateSuspended {
			t.Errorf("Status %q State %q, want SUSPENDED", a.Status, a.State)
		}
		info, err := mgmt.Acct.GetAccountInformation(ctx, &account.GetAccountInformationInput{AccountId: aws.String(m0)})
		must(t, err, "GetAccountInformation in organization mode")
		if info.AccountState != atypes.AccountStateSuspended {
			t.Errorf("Account API AccountState = %q, want SUSPENDED", info.AccountState)
		}
		if aws.ToString(info.AccountId) != m0 {
			t.Errorf("AccountId = %q", aws.ToString(info.AccountId))
		}
	})

	t.Run("AlreadyClosed", func(t *testing.T) {
		wantOrgErr[*otypes.AccountAlreadyClosedException](t, closeAcct(m0), "AccountAlreadyClosedException")
	})

	t.Run("SuspendedCannotBeDelegatedAdmin", func(t *testing.T) {
		_, err := c.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(m0), ServicePrincipal: aws.String(accountPrincipal)})
		wantConstraint(t, err, otypes.ConstraintViolationExceptionReasonCannotRegisterSuspendedAccountAsDelegatedAdministrator)
	})

	t.Run("CannotCloseManagement", func(t *testing.T) {
		wantConstraint(t, closeAcct(defaultAccountID), otypes.ConstraintViolationExceptionReasonCannotCloseManagementAccount)
	})

	t.Run("NotAMember", func(t *testing.T) {
		wantOrgErr[*otypes.AccountNotFoundException](t, closeAcct("123456789012"), "AccountNotFoundException")
	})

	t.Run("OnlyTheManagementAccount", func(t *testing.T) {
		m := e.credentials(t, members[11], "close-11@example.com")
		_, err := m.Org.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(members[10])})
		wantOrgAccessDenied(t, err)
	})

	t.Run("ClosureQuota", func(t *testing.T) {
		// 13 accounts: the quota is 10 closures per 30 days (the minimum).
		for _, id := range members[1:10] {
			must(t, closeAcct(id), "CloseAccount "+id)
		}
		wantConstraint(t, closeAcct(members[10]), otypes.ConstraintViolationExceptionReasonCloseAccountQuotaExceeded)
		if a := describeAccount(t, c, members[10]); a.Status != otypes.AccountStatusActive {
			t.Errorf("the refused account is %q, want ACTIVE", a.Status)
		}
	})

	t.Run("SuspendedUntilPostClosureEnds", func(t *testing.T) {
		e.clk.Advance(closedAt.Add(closeDelay + postClosure - time.Second).Sub(e.clk.Now()))
		a := describeAccount(t, c, m0)
		if a.Status != otypes.AccountStatusSuspended {
			t.Errorf("Status = %q one second before the post-closure period ends, want SUSPENDED", a.Status)
		}
		found := false
		for _, x := range listAccounts(t, c) {
			found = found || aws.ToString(x.Id) == m0
		}
		if !found {
			t.Errorf("the suspended account left ListAccounts before the post-closure period ended")
		}
	})

	t.Run("GoneAfterPostClosure", func(t *testing.T) {
		e.clk.Advance(time.Second)
		for _, x := range listAccounts(t, c) {
			if aws.ToString(x.Id) == m0 {
				t.Errorf("ListAccounts still lists %s after the post-closure period", m0)
			}
		}
		_, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(m0)})
		wantOrgErr[*otypes.AccountNotFoundException](t, err, "AccountNotFoundException")
		_, err = mgmt.Acct.GetAccountInformation(ctx, &account.GetAccountInformationInput{AccountId: aws.String(m0)})
		wantAccessDenied(t, err, defaultRootARN, "GetAccountInformation")
	})

	t.Run("QuotaWindowRolls", func(t *testing.T) {
		// The closures above are more than 30 days old now.
		must(t, closeAcct(members[10]), "CloseAccount after the 30-day window")
	})
}

// A closed member keeps its seat in the account quota until the
// post-closure period ends.
func TestOrgClosedMemberHoldsItsSeat(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{MaxAccounts: 2})
	c := e.mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)
	m := e.createAccount(t, c, "m", "seat-m@example.com")
	_, err := c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(m)})
	must(t, err, "CloseAccount")
	tryCreate := func(t *testing.T, email string) *otypes.CreateAccountStatus {
		t.Helper()
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("next"), Email: aws.String(email)})
		must(t, err, "CreateAccount")
		st, _ := e.waitCreateAccount(t, c, aws.ToString(out.CreateAccountStatus.Id))
		return st
	}
	t.Run("DuringPostClosure", func(t *testing.T) {
		e.clk.Advance(postClosure - time.Second)
		if st := tryCreate(t, "seat-a@example.com"); st.State != otypes.CreateAccountStateFailed || st.FailureReason != otypes.CreateAccountFailureReasonAccountLimitExceeded {
			t.Errorf("CreateAccount while the closed member holds its seat: %s %s, want FAILED ACCOUNT_LIMIT_EXCEEDED", st.State, st.FailureReason)
		}
		// A suspended member still blocks deleting the organization.
		_, err := c.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
		wantOrgErr[*otypes.OrganizationNotEmptyException](t, err, "OrganizationNotEmptyException")
	})
	t.Run("AfterPostClosure", func(t *testing.T) {
		e.clk.Advance(time.Second)
		if st := tryCreate(t, "seat-b@example.com"); st.State != otypes.CreateAccountStateSucceeded {
			t.Errorf("CreateAccount after the post-closure period: %s %s, want SUCCEEDED", st.State, st.FailureReason)
		}
	})
}

// Closures racing each other still respect the closure quota.
func TestOrgCloseQuotaParallel(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{CloseDelay: time.Hour, MaxAccounts: 20})
	c := e.mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)
	ids := make([]string, 15)
	for i := range ids {
		ids[i] = e.createAccount(t, c, fmt.Sprintf("pc-%02d", i), fmt.Sprintf("pc-%02d@example.com", i))
	}
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			_, errs[i] = c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(id)})
		}()
	}
	close(gate)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		wantConstraint(t, err, otypes.ConstraintViolationExceptionReasonCloseAccountQuotaExceeded)
	}
	if ok != 10 {
		t.Errorf("%d of 15 parallel closures succeeded, want 10 (16 accounts: quota 10 per 30 days)", ok)
	}
}

// "You can close an account when all features are enabled" (CloseAccount):
// a consolidated-billing organization can't close members.
func TestOrgCloseAccountNeedsAllFeatures(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	c := e.mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetConsolidatedBilling)
	m := e.createAccount(t, c, "m", "cb-close@example.com")
	_, err := c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(m)})
	if err == nil {
		t.Fatalf("CloseAccount succeeded in a CONSOLIDATED_BILLING organization")
	}
	wantConstraint(t, err, otypes.ConstraintViolationExceptionReasonOrganizationNotInAllFeaturesMode)
	if a := describeAccount(t, c, m); a.Status != otypes.AccountStatusActive {
		t.Errorf("Status = %q, want ACTIVE", a.Status)
	}
}
