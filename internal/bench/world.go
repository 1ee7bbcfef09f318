package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver: the PostgreSQL store's disk costs
)

// The default world's account and its root key (README, "The default
// world"): the benchmark's organization is managed from it.
const (
	managementAccount = "000000000000"
	rootKey           = "test"
	rootSecret        = "test"
)

// memberID is the account id of the i-th seeded member.
func memberID(i int) string { return fmt.Sprintf("%012d", 200000000000+i) }

// The seed file's shapes (README, "Seed file"); JSON is YAML too.
type seedFile struct {
	Accounts      []seedAccount `json:"accounts"`
	Organizations []seedOrg     `json:"organizations"`
}

type seedAccount struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type seedOrg struct {
	ManagementAccount string       `json:"managementAccount"`
	FeatureSet        string       `json:"featureSet"`
	TrustedServices   []string     `json:"trustedServices"`
	Members           []seedMember `json:"members"`
}

type seedMember struct {
	Account string `json:"account"`
	Joined  string `json:"joined"`
}

// writeSeed writes a seed file of an organization, managed by the default
// account, with n members. Members are CREATED, so each has
// OrganizationAccountAccessRole for AssumeRole; trusted access for
// account.amazonaws.com lets the management account call the Account API
// on them.
func writeSeed(path string, n int) error {
	s := seedFile{Organizations: []seedOrg{{
		ManagementAccount: managementAccount, FeatureSet: "ALL",
		TrustedServices: []string{"account.amazonaws.com"},
	}}}
	for i := range n {
		id := memberID(i)
		s.Accounts = append(s.Accounts, seedAccount{ID: id, Name: "bench-" + strconv.Itoa(i), Email: "bench-" + strconv.Itoa(i) + "@example.com"})
		s.Organizations[0].Members = append(s.Organizations[0].Members, seedMember{Account: id, Joined: "CREATED"})
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// targets picks up to k of n members, spread evenly over the ids, for the
// operations that act on one account.
func targets(n, k int) []string {
	k = min(k, n)
	out := make([]string, k)
	for i := range k {
		out[i] = memberID(i * n / k)
	}
	return out
}

// server is a running accountplane child and the endpoint that reaches it.
type server struct {
	*child
	addr string
	ep   *endpoint
}

// serverOptions are the flags a server child gets besides its address.
type serverOptions struct {
	dataDir     string
	seed        string // "" none
	maxAccounts int
	postgres    string // DSN for --store; "" for SQLite in dataDir
	clients     int
	flags       []string // extra serve flags
}

// startServer starts `accountplane serve` with quotas off, logging errors
// only, and waits for its first answer to a signed GetCallerIdentity. It
// returns how long that took from starting the process.
func startServer(ctx context.Context, bin string, o serverOptions, timeout time.Duration) (*server, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	args := []string{"serve", "--addr", addr, "--data", o.dataDir, "--quotas", "off", "--log-level", "error",
		"--create-account-delay", "0s", "--max-accounts", strconv.Itoa(max(o.maxAccounts, 10))}
	if o.seed != "" {
		args = append(args, "--seed", o.seed)
	}
	if o.postgres != "" {
		args = append(args, "--store", o.postgres)
	}
	args = append(args, o.flags...)
	c, err := startChild(bin, args, o.dataDir)
	if err != nil {
		return nil, 0, err
	}
	if o.postgres != "" {
		if pg, err := sql.Open("pgx", o.postgres); err == nil { // else the disk costs are unknown
			pg.SetMaxOpenConns(1)
			c.pg = pg
		}
	}
	s := &server{child: c, addr: addr, ep: newEndpoint(addr, o.clients)}
	up, err := s.awaitReady(ctx, timeout)
	if err != nil {
		_ = s.stop(10 * time.Second)
		return nil, 0, err
	}
	return s, up, nil
}

// awaitReady polls GetCallerIdentity, signed with the default root key,
// until it answers 200. The time is measured from the start of the process.
func (s *server) awaitReady(ctx context.Context, timeout time.Duration) (time.Duration, error) {
	deadline := s.started.Add(timeout)
	probe := query(aws.Credentials{AccessKeyID: rootKey, SecretAccessKey: rootSecret}, "sts", "2011-06-15", "GetCallerIdentity", nil)
	var last error
	for time.Now().Before(deadline) {
		if err := s.exited(); err != nil {
			return 0, err
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		_, err := s.ep.do(ctx, probe)
		if err == nil {
			return time.Since(s.started), nil
		}
		last = err
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("server not ready within %s: %v; its output: %s", timeout, last, s.stderr.String())
}

// shutdown closes the client's connections and stops the server.
func (s *server) shutdown() error {
	s.ep.close()
	return s.stop(60 * time.Second)
}

// resetStore empties a PostgreSQL store before a run: a server on it
// without a seed, asked to return to the default world. (A SQLite store is
// fresh by being a new directory.)
func resetStore(ctx context.Context, bin string, o serverOptions) error {
	o.seed = ""
	s, _, err := startServer(ctx, bin, o, 2*time.Minute)
	if err != nil {
		return err
	}
	defer s.shutdown()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.ep.base+"/_accountplane/reset", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.ep.client.Do(req)
	if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reset: status %d", resp.StatusCode)
	}
	return nil
}

// world is what the workloads need of a seeded server.
type world struct {
	root    aws.Credentials // root user of the management account
	user    aws.Credentials // an IAM user of the management account allowed sts:AssumeRole
	targets []string        // member accounts the per-account operations act on
	pages   []string        // ListAccounts NextTokens, "" for the first page
	// pagesPartial is set when the walk stopped at walkBudget before the
	// last page; walkTime is how long the walk took, one page at a time.
	pagesPartial bool
	walkTime     time.Duration
}

// walkBudget bounds the time spent collecting ListAccounts NextTokens.
const walkBudget = 15 * time.Second

// setUp prepares s for the workloads: an IAM user that may assume roles
// (root users cannot), a BILLING alternate contact on every target so that
// reads find one, and the NextTokens of the ListAccounts pages (every page,
// unless that takes longer than walkBudget).
func setUp(ctx context.Context, s *server, targets []string, concurrency int) (*world, error) {
	w := &world{root: aws.Credentials{AccessKeyID: rootKey, SecretAccessKey: rootSecret}, targets: targets}
	const iamVersion = "2010-05-08"
	if _, err := s.ep.do(ctx, query(w.root, "iam", iamVersion, "CreateUser", url.Values{"UserName": {"bench"}})); err != nil {
		return nil, fmt.Errorf("create IAM user: %w", err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	if _, err := s.ep.do(ctx, query(w.root, "iam", iamVersion, "PutUserPolicy", url.Values{
		"UserName": {"bench"}, "PolicyName": {"assume-any-role"}, "PolicyDocument": {doc}})); err != nil {
		return nil, fmt.Errorf("allow the IAM user sts:AssumeRole: %w", err)
	}
	b, err := s.ep.do(ctx, query(w.root, "iam", iamVersion, "CreateAccessKey", url.Values{"UserName": {"bench"}}))
	if err != nil {
		return nil, fmt.Errorf("create access key: %w", err)
	}
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal(b, &key); err != nil || key.ID == "" || key.Secret == "" {
		return nil, fmt.Errorf("create access key: no key in %s (%v)", snippet(b), err)
	}
	w.user = aws.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}

	err = parallel(ctx, len(targets), concurrency, func(i int) error {
		_, err := s.ep.do(ctx, restJSON(w.root, "/putAlternateContact", contactBody(targets[i], "BILLING", i)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("put the targets' BILLING contacts: %w", err)
	}

	// The walk is bounded in time: while ListAccounts reads the whole
	// organization for every page, walking 500 pages of 10,000 accounts
	// takes minutes. The workload then cycles over the pages walked.
	w.pages = []string{""}
	walkStart := time.Now()
	deadline := walkStart.Add(walkBudget)
	for token := ""; ; {
		if time.Now().After(deadline) {
			w.pagesPartial = true
			break
		}
		b, err := s.ep.do(ctx, orgs(w.root, "ListAccounts", listAccountsBody(token)))
		if err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		var page struct{ NextToken string }
		if err := json.Unmarshal(b, &page); err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		if page.NextToken == "" {
			break
		}
		token = page.NextToken
		w.pages = append(w.pages, token)
	}
	w.walkTime = time.Since(walkStart)
	return w, nil
}

// parallel runs f(0..n-1) on up to conc goroutines and returns the first
// error.
func parallel(ctx context.Context, n, conc int, f func(i int) error) error {
	var (
		mu    sync.Mutex
		next  int
		first error
		wg    sync.WaitGroup
	)
	for range max(1, min(conc, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := first != nil || i >= n
				mu.Unlock()
				if stop || ctx.Err() != nil {
					return
				}
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// tempDir makes a directory for one server's data under base.
func tempDir(base, name string) (string, error) {
	dir := filepath.Join(base, name)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	return dir, os.MkdirAll(dir, 0o700)
}

// serveHasFlag reports whether `bin serve -h` lists the flag name.
func serveHasFlag(bin, name string) (bool, error) {
	out, _ := exec.Command(bin, "serve", "-h").CombinedOutput()
	if len(out) == 0 {
		return false, fmt.Errorf("%s serve -h printed nothing", bin)
	}
	return strings.Contains(string(out), "-"+name+" ") || strings.Contains(string(out), "-"+name+"\n"), nil
}
