package e2e_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

func TestOrgCreateAccount(t *testing.T) {
	t.Parallel()
	const delay = 30 * time.Second
	e := startOrgs(t, accountplanetest.Options{CreateAccountDelay: delay, MaxAccounts: 4})
	c := e.mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)

	start := func(t *testing.T, name, email string) *otypes.CreateAccountStatus {
		t.Helper()
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email)})
		must(t, err, "CreateAccount "+email)
		return out.CreateAccountStatus
	}

	var first *otypes.CreateAccountStatus
	requested := e.clk.Now()
	t.Run("InProgress", func(t *testing.T) {
		first = start(t, "first", "first@example.com")
		if first.State != otypes.CreateAccountStateInProgress {
			t.Errorf("State = %q, want IN_PROGRESS", first.State)
		}
		if !reCARID.MatchString(aws.ToString(first.Id)) {
			t.Errorf("Id = %q", aws.ToString(first.Id))
		}
		if aws.ToString(first.AccountName) != "first" {
			t.Errorf("AccountName = %q", aws.ToString(first.AccountName))
		}
		if first.AccountId != nil || first.CompletedTimestamp != nil || first.FailureReason != "" {
			t.Errorf("an IN_PROGRESS request has AccountId %v, CompletedTimestamp %v, FailureReason %q",
				aws.ToString(first.AccountId), first.CompletedTimestamp, first.FailureReason)
		}
		if got := aws.ToTime(first.RequestedTimestamp); !got.Equal(requested) {
			t.Errorf("RequestedTimestamp = %v, want %v", got, requested)
		}
		// The account is not in the organization before its creation completes.
		sameIDs(t, "ListAccounts while IN_PROGRESS", accountIDsOf(listAccounts(t, c)), []string{defaultAccountID})
	})
	if first == nil {
		t.FailNow()
	}

	var firstID string
	t.Run("SucceedsAfterTheDelay", func(t *testing.T) {
		st, polls := e.waitCreateAccount(t, c, aws.ToString(first.Id))
		if st.State != otypes.CreateAccountStateSucceeded {
			t.Fatalf("State = %q (%q), want SUCCEEDED", st.State, st.FailureReason)
		}
		// Polls at +0s, +10s, +20s see IN_PROGRESS; +30s sees SUCCEEDED.
		if polls != 4 {
			t.Errorf("took %d polls of 10 s for a %v delay, want 4", polls, delay)
		}
		firstID = aws.ToString(st.AccountId)
		if !reAccountID.MatchString(firstID) || firstID == defaultAccountID {
			t.Errorf("AccountId = %q", firstID)
		}
		if got := aws.ToTime(st.CompletedTimestamp); !got.Equal(requested.Add(delay)) {
			t.Errorf("CompletedTimestamp = %v, want %v", got, requested.Add(delay))
		}
		a := describeAccount(t, c, firstID)
		orgOut, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		must(t, err, "DescribeOrganization")
		if want := "arn:aws:organizations::000000000000:account/" + aws.ToString(orgOut.Organization.Id) + "/" + firstID; aws.ToString(a.Arn) != want {
			t.Errorf("Arn = %q, want %q", aws.ToString(a.Arn), want)
		}
		if aws.ToString(a.Name) != "first" || aws.ToString(a.Email) != "first@example.com" ||
			a.JoinedMethod != otypes.AccountJoinedMethodCreated || a.Status != otypes.AccountStatusActive || a.State != otypes.AccountStateActive {
			t.Errorf("DescribeAccount = %+v", a)
		}
		if got := aws.ToTime(a.JoinedTimestamp); !got.Equal(requested.Add(delay)) {
			t.Errorf("JoinedTimestamp = %v, want %v", got, requested.Add(delay))
		}
		sameIDs(t, "ListAccounts", accountIDsOf(listAccounts(t, c)), []string{defaultAccountID, firstID})
	})

	wait := func(t *testing.T, st *otypes.CreateAccountStatus) *otypes.CreateAccountStatus {
		t.Helper()
		final, _ := e.waitCreateAccount(t, c, aws.ToString(st.Id))
		return final
	}
	wantFailed := func(t *testing.T, st *otypes.CreateAccountStatus, reason otypes.CreateAccountFailureReason) {
		t.Helper()
		if st.State != otypes.CreateAccountStateFailed || st.FailureReason != reason {
			t.Errorf("State %q FailureReason %q, want FAILED %q", st.State, st.FailureReason, reason)
		}
		if st.AccountId != nil {
			t.Errorf("a failed request names account %q", aws.ToString(st.AccountId))
		}
		if st.CompletedTimestamp == nil {
			t.Errorf("a failed request has no CompletedTimestamp")
		}
	}

	t.Run("EmailAlreadyExists", func(t *testing.T) {
		for _, email := range []string{"first@example.com", defaultEmail} {
			st := start(t, "dup", email)
			if st.State != otypes.CreateAccountStateInProgress {
				t.Errorf("%s: CreateAccount answered %q, want IN_PROGRESS (failures are reported asynchronously)", email, st.State)
			}
			wantFailed(t, wait(t, st), otypes.CreateAccountFailureReasonEmailAlreadyExists)
		}
	})

	t.Run("AccountLimitExceeded", func(t *testing.T) {
		// MaxAccounts 4: the management account, first, and two more.
		for i := range 2 {
			st := wait(t, start(t, fmt.Sprintf("fill-%d", i), fmt.Sprintf("fill-%d@example.com", i)))
			if st.State != otypes.CreateAccountStateSucceeded {
				t.Fatalf("fill-%d: %s %s", i, st.State, st.FailureReason)
			}
		}
		wantFailed(t, wait(t, start(t, "over", "over@example.com")), otypes.CreateAccountFailureReasonAccountLimitExceeded)
		if n := len(listAccounts(t, c)); n != 4 {
			t.Errorf("%d accounts after hitting the quota, want 4", n)
		}
	})

	t.Run("ListCreateAccountStatus", func(t *testing.T) {
		pending := start(t, "pending", "pending@example.com")
		list := func(t *testing.T, pageSize int32, states ...otypes.CreateAccountState) []otypes.CreateAccountStatus {
			t.Helper()
			in := &organizations.ListCreateAccountStatusInput{States: states}
			if pageSize > 0 {
				in.MaxResults = aws.Int32(pageSize)
			}
			var all []otypes.CreateAccountStatus
			p := organizations.NewListCreateAccountStatusPaginator(c, in)
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				must(t, err, "ListCreateAccountStatus")
				if pageSize > 0 && len(out.CreateAccountStatuses) > int(pageSize) {
					t.Errorf("page of %d, MaxResults %d", len(out.CreateAccountStatuses), pageSize)
				}
				all = append(all, out.CreateAccountStatuses...)
			}
			return all
		}
		counts := map[otypes.CreateAccountState]int{}
		for _, st := range list(t, 0) {
			counts[st.State]++
		}
		want := map[otypes.CreateAccountState]int{
			otypes.CreateAccountStateSucceeded: 3, otypes.CreateAccountStateFailed: 3, otypes.CreateAccountStateInProgress: 1,
		}
		for s, n := range want {
			if counts[s] != n {
				t.Errorf("%d requests %s, want %d (all: %v)", counts[s], s, n, counts)
			}
		}
		if got := list(t, 1); len(got) != 7 {
			t.Errorf("paging by 1 collected %d requests, want 7", len(got))
		}
		if got := list(t, 1, otypes.CreateAccountStateSucceeded); len(got) != 3 {
			t.Errorf("States [SUCCEEDED] returned %d, want 3", len(got))
		}
		if got := list(t, 0, otypes.CreateAccountStateFailed, otypes.CreateAccountStateInProgress); len(got) != 4 {
			t.Errorf("States [FAILED IN_PROGRESS] returned %d, want 4", len(got))
		}
		got := list(t, 0, otypes.CreateAccountStateInProgress)
		if len(got) != 1 || aws.ToString(got[0].Id) != aws.ToString(pending.Id) {
			t.Errorf("States [IN_PROGRESS] returned %+v, want only %s", got, aws.ToString(pending.Id))
		}
		// It fails at the quota once its delay has passed.
		wantFailed(t, wait(t, pending), otypes.CreateAccountFailureReasonAccountLimitExceeded)
	})

	t.Run("StatusNotFound", func(t *testing.T) {
		_, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("car-0123456789ab")})
		wantOrgErr[*otypes.CreateAccountStatusNotFoundException](t, err, "CreateAccountStatusNotFoundException")
		_, err = c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("not-a-request")})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonInvalidPattern)
	})

	t.Run("InvalidRoleName", func(t *testing.T) {
		_, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String("role"), Email: aws.String("role@example.com"), RoleName: aws.String("AWSServiceRoleForX"),
		})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonInvalidRoleName)
	})

	t.Run("OnlyTheManagementAccount", func(t *testing.T) {
		m := e.credentials(t, firstID, "first@example.com")
		_, err := m.Org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("x"), Email: aws.String("x-create@example.com")})
		wantOrgAccessDenied(t, err)
		_, err = m.Org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: first.Id})
		wantOrgAccessDenied(t, err)
		_, err = m.Org.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{})
		wantOrgAccessDenied(t, err)
		// Another organization can't see this one's requests.
		other := e.signUp(t, "other", "other-create@example.com")
		createOrg(t, other.Org, otypes.OrganizationFeatureSetAll)
		_, err = other.Org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: first.Id})
		wantOrgErr[*otypes.CreateAccountStatusNotFoundException](t, err, "CreateAccountStatusNotFoundException")
	})
}

// Fifty CreateAccount calls racing each other make fifty distinct accounts.
func TestOrgCreateAccountConcurrent(t *testing.T) {
	t.Parallel()
	const n = 50
	e := startOrgs(t, accountplanetest.Options{CreateAccountDelay: 2 * time.Second, MaxAccounts: 60})
	c := e.mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)

	reqs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	startGate := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGate
			out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{
				AccountName: aws.String(fmt.Sprintf("par-%02d", i)), Email: aws.String(fmt.Sprintf("par-%02d@example.com", i)),
			})
			if err != nil {
				errs[i] = err
				return
			}
			reqs[i] = aws.ToString(out.CreateAccountStatus.Id)
		}()
	}
	close(startGate)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("CreateAccount %d: %v", i, err)
		}
	}

	e.clk.Advance(2 * time.Second)
	ids := map[string]bool{}
	reqIDs := map[string]bool{}
	for i, r := range reqs {
		if reqIDs[r] {
			t.Errorf("request id %s returned twice", r)
		}
		reqIDs[r] = true
		out, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(r)})
		must(t, err, "DescribeCreateAccountStatus")
		st := out.CreateAccountStatus
		if st.State != otypes.CreateAccountStateSucceeded {
			t.Errorf("request %d: %s %s", i, st.State, st.FailureReason)
			continue
		}
		id := aws.ToString(st.AccountId)
		if ids[id] {
			t.Errorf("account id %s assigned twice", id)
		}
		ids[id] = true
	}
	if len(ids) != n {
		t.Errorf("%d distinct account ids, want %d", len(ids), n)
	}
	listed := listAccounts(t, c)
	if len(listed) != n+1 {
		t.Errorf("ListAccounts lists %d accounts, want %d", len(listed), n+1)
	}
	for _, a := range listed {
		id := aws.ToString(a.Id)
		if id != defaultAccountID && !ids[id] {
			t.Errorf("ListAccounts lists unexpected account %s", id)
		}
	}
}
