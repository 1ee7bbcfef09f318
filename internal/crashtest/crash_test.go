package crashtest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/accountplane/accountplane/internal/pgtest"
)

// Defaults of the crash harness; ACCOUNTPLANE_CRASH_ROUNDS and
// ACCOUNTPLANE_CRASH_LOAD change them.
const (
	defaultRounds  = 8
	minLoad        = 50 * time.Millisecond
	defaultMaxLoad = 500 * time.Millisecond
)

func TestCrashSQLite(t *testing.T) {
	binary(t)
	t.Parallel()
	runCrash(t, "sqlite", "--data", filepath.Join(t.TempDir(), "data"))
}

func TestCrashPostgres(t *testing.T) {
	dsn := postgresDSN(t)
	t.Parallel()
	runCrash(t, "postgres", "--store", dsn, "--data", filepath.Join(t.TempDir(), "data"))
}

// runCrash is the crash harness: rounds of concurrent writes, each ended
// by SIGKILL at a random moment, then a restart on the same store and a
// check of everything acknowledged so far.
func runCrash(t *testing.T, store string, storeArgs ...string) {
	rounds, maxLoad := crashSettings(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	args := append(storeArgs, "--quotas", "off", "--log-level", "warn",
		"--region-transition-delay", "300ms", "--create-account-delay", "300ms",
		"--max-accounts", "1000", "--trail-retention", "3650d")
	srv := startServer(t, store, args...)
	w := &workload{
		srv:        srv,
		regions:    []string{"af-south-1", "ap-east-1", "me-south-1"},
		invitees:   map[int][]cred{},
		members:    map[string]cred{},
		rolesOK:    map[string]bool{},
		maxCreates: 6,
	}
	if err := w.setup(ctx); err != nil {
		t.Fatalf("setup: %v\n%s", err, srv.logs())
	}
	var worst tally
	for round := 1; round <= rounds; round++ {
		if err := w.prepareRound(ctx, round, 2); err != nil {
			t.Fatalf("round %d: %v\n%s", round, err, srv.logs())
		}
		stop := w.run(round)
		load := minLoad + rand.N(maxLoad-minLoad+1)
		time.Sleep(load)
		srv.kill()
		stop()
		sent, acked := w.l.counts()
		t.Logf("%s round %d: killed after %v of load; %d writes sent, %d acknowledged so far", store, round, load.Round(time.Millisecond), sent, acked)
		srv.start()
		got := w.verify(ctx, t, fmt.Sprintf("%s after round %d", store, round), round == rounds)
		worst.lost = max(worst.lost, got.lost)
		worst.invented = max(worst.invented, got.invented)
		worst.partial = max(worst.partial, got.partial)
		worst.answeredFailed = got.answeredFailed
	}
	if n := w.l.unexpected(); n > 0 {
		t.Errorf("%d calls failed with a 5xx status other than 503: %s\n%s", n, w.l.errorSummary(), srv.logs())
	}
	if n := srv.panics(); n > 0 {
		t.Errorf("the server's logs report %d panics\n%s", n, srv.logs())
	}
	sent, acked := w.l.counts()
	summary := fmt.Sprintf("crash harness (%s): writes acknowledged %d (of %d sent), rounds %d, lost %d, invented %d, partial %d; "+
		"changes committed but answered with an error %d; failed calls: %s",
		store, acked, sent, rounds, worst.lost, worst.invented, worst.partial, worst.answeredFailed, w.l.errorSummary())
	t.Log(summary)
	if testing.Verbose() {
		fmt.Println(summary)
	}
	if acked == 0 {
		t.Errorf("no write was acknowledged: the harness proved nothing\n%s", srv.logs())
	}
}

// crashSettings returns the number of rounds and the longest load before a
// kill, from the environment or the defaults.
func crashSettings(t *testing.T) (int, time.Duration) {
	rounds, maxLoad := defaultRounds, defaultMaxLoad
	if s := os.Getenv("ACCOUNTPLANE_CRASH_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("ACCOUNTPLANE_CRASH_ROUNDS=%q: want a positive number", s)
		}
		rounds = n
	}
	if s := os.Getenv("ACCOUNTPLANE_CRASH_LOAD"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < minLoad {
			t.Fatalf("ACCOUNTPLANE_CRASH_LOAD=%q: want a duration of at least %v", s, minLoad)
		}
		maxLoad = d
	}
	return rounds, maxLoad
}

// postgresDSN skips the test unless PostgreSQL is configured (and under
// -short), builds the binary and returns the DSN of a fresh schema.
func postgresDSN(t *testing.T) string {
	t.Helper()
	if os.Getenv(pgtest.EnvVar) == "" {
		pgtest.DSN(t) // skips, saying how to run the test
	}
	binary(t)
	return pgtest.DSN(t)
}

// TestHarnessDetectsProblems shows that the harness's checks can fail: it
// plants acknowledged writes the server never received (lost: the state
// and the CloudTrail record of each) and makes changes the ledger does not
// know (invented), and expects each to be counted.
func TestHarnessDetectsProblems(t *testing.T) {
	binary(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv := startServer(t, "planted", "--data", filepath.Join(t.TempDir(), "data"), "--quotas", "off", "--log-level", "warn")
	w := &workload{srv: srv, invitees: map[int][]cred{}, members: map[string]cred{}, rolesOK: map[string]bool{}, planted: true}
	if err := w.setup(ctx); err != nil {
		t.Fatalf("setup: %v\n%s", err, srv.logs())
	}
	for _, wr := range []*write{
		{kind: kindUser, key: "u-never-sent", event: "CreateUser"},
		{kind: kindOU, key: "ou-never-sent", event: "CreateOrganizationalUnit"},
		{kind: kindContact, key: "BILLING", value: "c-never-sent", event: "PutAlternateContact"},
	} {
		wr.acked, wr.requestID, wr.trailAcct = true, "00000000-0000-0000-0000-000000000000", mgmtAccount
		w.l.send(wr)
	}
	cfg := srv.config(rootKey, rootSecret)
	if _, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("intruder")}); err != nil {
		t.Fatal(err)
	}
	if _, err := organizations.NewFromConfig(cfg).CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String(w.rootID), Name: aws.String("intruder")}); err != nil {
		t.Fatal(err)
	}
	got := w.verify(ctx, t, "planted", true)
	if want := (tally{lost: 6, invented: 2}); got != want {
		t.Errorf("the checks counted %+v, want %+v (3 writes and their 3 records lost, 2 changes invented)", got, want)
	}
}
