package crashtest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// takeover is how long a surviving replica may take to finish what a dead
// one started, past the work's due time.
const takeover = 10 * time.Second

// TestReplicaTakeover runs two replicas over one PostgreSQL schema. With
// both alive, a Region transition completes once although both look for
// due work. Then a Region transition and an account creation are started
// through replica A, which is killed while both are in progress: B must
// complete each exactly once (one ENABLING and one ENABLED event, one
// SUCCEEDED request, one account with its roles), on time and without the
// clock being moved; and A, back, must not complete them again.
func TestReplicaTakeover(t *testing.T) {
	dsn := postgresDSN(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const delay = 6 * time.Second // the window in which A must be killed with both in progress, under CI's load
	common := []string{"--store", dsn, "--quotas", "off", "--log-level", "warn",
		"--region-transition-delay", delay.String(), "--create-account-delay", delay.String()}
	a := startServer(t, "replica-a", append(common, "--data", filepath.Join(t.TempDir(), "a"), "--replica-id", "a")...)
	b := startServer(t, "replica-b", append(common, "--data", filepath.Join(t.TempDir(), "b"), "--replica-id", "b")...)
	w := &workload{srv: a}
	if err := w.setup(ctx); err != nil {
		t.Fatalf("setup through A: %v\n%s", err, a.logs())
	}
	logs := func() string { return a.logs() + b.logs() }

	// Both alive: the schedulers of both replicas race for the completion.
	const both, killed = "eu-south-1", "il-central-1"
	acctA := account.NewFromConfig(a.config(rootKey, rootSecret))
	acctB := account.NewFromConfig(b.config(rootKey, rootSecret))
	if _, err := acctA.EnableRegion(ctx, &account.EnableRegionInput{RegionName: aws.String(both)}); err != nil {
		t.Fatalf("EnableRegion %s through A: %v", both, err)
	}
	waitRegionEvents(ctx, t, b, both, logs)

	// A dies in the middle of a Region transition and an account creation.
	if _, err := acctA.EnableRegion(ctx, &account.EnableRegionInput{RegionName: aws.String(killed)}); err != nil {
		t.Fatalf("EnableRegion %s through A: %v", killed, err)
	}
	orgsA := organizations.NewFromConfig(a.config(rootKey, rootSecret))
	const name = "takeover"
	car, err := orgsA.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
	if err != nil {
		t.Fatalf("CreateAccount through A: %v", err)
	}
	a.kill()
	killedAt := time.Now()
	// Both were in progress when A died (else the test proves nothing).
	st, err := acctB.GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{RegionName: aws.String(killed)})
	if err != nil {
		t.Fatalf("GetRegionOptStatus through B: %v", err)
	}
	orgsB := organizations.NewFromConfig(b.config(rootKey, rootSecret))
	cs, err := orgsB.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: car.CreateAccountStatus.Id})
	if err != nil {
		t.Fatalf("DescribeCreateAccountStatus through B: %v", err)
	}
	if st.RegionOptStatus != atypes.RegionOptStatusEnabling || cs.CreateAccountStatus.State != otypes.CreateAccountStateInProgress {
		t.Fatalf("after A was killed, B reports %s %s and the creation %s, want ENABLING and IN_PROGRESS (was the machine too slow to kill A within %v?)",
			killed, st.RegionOptStatus, cs.CreateAccountStatus.State, delay)
	}
	t.Run("Region", func(t *testing.T) {
		err := eventually(ctx, delay+takeover, 50*time.Millisecond, func() error {
			st, err := acctB.GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{RegionName: aws.String(killed)})
			if err != nil {
				return err
			}
			if st.RegionOptStatus != atypes.RegionOptStatusEnabled {
				return fmt.Errorf("%s is %s", killed, st.RegionOptStatus)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("B never reported %s ENABLED: %v\n%s", killed, err, logs())
		}
		waitRegionEvents(ctx, t, b, killed, logs)
		t.Logf("B completed the Region transition %v after A was killed (the transition lasts %v)", time.Since(killedAt).Round(time.Millisecond), delay)
	})
	t.Run("CreateAccount", func(t *testing.T) {
		var acct string
		err := eventually(ctx, delay+takeover, 50*time.Millisecond, func() error {
			out, err := orgsB.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: car.CreateAccountStatus.Id})
			if err != nil {
				return err
			}
			if s := out.CreateAccountStatus.State; s != otypes.CreateAccountStateSucceeded {
				return fmt.Errorf("request %s is %s", aws.ToString(car.CreateAccountStatus.Id), s)
			}
			acct = aws.ToString(out.CreateAccountStatus.AccountId)
			return nil
		})
		if err != nil {
			t.Fatalf("B never reported the account creation SUCCEEDED: %v\n%s", err, logs())
		}
		t.Logf("B reported the creation SUCCEEDED %v after A was killed", time.Since(killedAt).Round(time.Millisecond))
		wantCreatedOnce(ctx, t, b, w.admin, name, acct)
	})

	// A comes back: its scheduler must find nothing left to complete.
	a.start()
	for _, r := range []string{both, killed} {
		waitRegionEvents(ctx, t, a, r, logs)
	}
	if n := a.panics() + b.panics(); n > 0 {
		t.Errorf("the replicas' logs report %d panics\n%s", n, logs())
	}
}

// waitRegionEvents waits (through srv) until region's events are complete
// and checks that they are exactly one ENABLING and one ENABLED.
func waitRegionEvents(ctx context.Context, t *testing.T, srv *server, region string, logs func() string) {
	t.Helper()
	var evs []regionEvent
	err := eventually(ctx, settleTimeout, 100*time.Millisecond, func() error {
		log, err := eventLog(ctx, srv)
		if err != nil {
			return err
		}
		evs = log[region]
		if len(evs) == 0 {
			return fmt.Errorf("no event of %s yet", region)
		}
		return settled(evs)
	})
	if err != nil {
		t.Fatalf("the events of %s did not complete through %s: %v\n%s", region, srv.name, err, logs())
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Status)
	}
	if len(got) != 2 || got[0] != "ENABLING" || got[1] != "ENABLED" {
		t.Errorf("events of %s read through %s: %v, want exactly [ENABLING ENABLED]", region, srv.name, got)
	}
	if n := successfulRecords(ctx, t, srv, "EnableRegion", "regionName", region); n != 1 {
		t.Errorf("%d successful EnableRegion records of %s, want 1", n, region)
	}
}

// successfulRecords counts (through srv) the successful records of event
// in the management account's event history whose request parameter
// param is value.
func successfulRecords(ctx context.Context, t *testing.T, srv *server, event, param, value string) int {
	t.Helper()
	v := &verification{w: &workload{srv: srv}, ctx: ctx, trails: map[[2]string][]trailRecord{}}
	_, ok, err := v.recordCounts(event, param)
	if err != nil {
		t.Fatal(err)
	}
	return ok[value]
}

// wantCreatedOnce checks through srv that one request and one account are
// named name, that the account (acct) has the roles CreateAccount makes,
// and that one successful CreateAccount record exists.
func wantCreatedOnce(ctx context.Context, t *testing.T, srv *server, admin cred, name, acct string) {
	t.Helper()
	orgs := organizations.NewFromConfig(srv.config(rootKey, rootSecret))
	requests := 0
	ps := organizations.NewListCreateAccountStatusPaginator(orgs, &organizations.ListCreateAccountStatusInput{})
	for ps.HasMorePages() {
		page, err := ps.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListCreateAccountStatus: %v", err)
		}
		for _, s := range page.CreateAccountStatuses {
			if aws.ToString(s.AccountName) == name {
				requests++
			}
		}
	}
	accounts := 0
	pa := organizations.NewListAccountsPaginator(orgs, &organizations.ListAccountsInput{})
	for pa.HasMorePages() {
		page, err := pa.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListAccounts: %v", err)
		}
		for _, a := range page.Accounts {
			if aws.ToString(a.Name) == name {
				accounts++
				if aws.ToString(a.Id) != acct || a.JoinedMethod != otypes.AccountJoinedMethodCreated {
					t.Errorf("account %s: id %s joined %s, want %s CREATED", name, aws.ToString(a.Id), a.JoinedMethod, acct)
				}
			}
		}
	}
	if requests != 1 || accounts != 1 {
		t.Errorf("%d create-account requests and %d accounts named %s, want 1 and 1", requests, accounts, name)
	}
	cfg, err := assumeAccessRole(ctx, srv, admin, acct)
	if err != nil {
		t.Fatal(err)
	}
	c := iam.NewFromConfig(cfg)
	for _, role := range []string{roleAccess, roleLinked} {
		if _, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)}); err != nil {
			t.Errorf("account %s: GetRole %s: %v", acct, role, err)
		}
	}
	if n := successfulRecords(ctx, t, srv, "CreateAccount", "accountName", name); n != 1 {
		t.Errorf("%d successful CreateAccount records of %s, want 1", n, name)
	}
}
