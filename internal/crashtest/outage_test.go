package crashtest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// outageLength is how long PostgreSQL stays away.
const outageLength = 3 * time.Second

// TestPostgresOutage takes PostgreSQL away from a running server (the
// server reaches it through a TCP proxy, which the test closes) while the
// crash harness's workload runs, then brings it back. Meanwhile every
// service answers 503 with its own internal-failure code, in its
// protocol's format (SDKs retry 5xx); afterwards the server serves again
// without a restart, a write the SDK kept retrying through the outage
// succeeds, and every write acknowledged before, during and after the
// outage is there with its records.
func TestPostgresOutage(t *testing.T) {
	dsn := postgresDSN(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p := startProxy(t, "127.0.0.1:5432")
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = p.addr
	srv := startServer(t, "outage", "--store", u.String(), "--data", filepath.Join(t.TempDir(), "data"),
		"--quotas", "off", "--log-level", "warn", "--region-transition-delay", "300ms", "--create-account-delay", "300ms",
		"--max-accounts", "1000")
	w := &workload{
		srv:        srv,
		regions:    []string{"af-south-1", "me-south-1"},
		invitees:   map[int][]cred{},
		members:    map[string]cred{},
		rolesOK:    map[string]bool{},
		maxCreates: 4,
	}
	if err := w.setup(ctx); err != nil {
		t.Fatalf("setup: %v\n%s", err, srv.logs())
	}
	if err := w.prepareRound(ctx, 1, 2); err != nil {
		t.Fatal(err)
	}
	stop := w.run(1)
	time.Sleep(300 * time.Millisecond)
	_, before := w.l.counts()

	p.down()
	downAt := time.Now()
	cfg := srv.config(rootKey, rootSecret)
	// Each service, in its protocol, answers 503 with its internal-failure
	// code; no answer is anything else (no 500, no authentication error).
	calls := []struct {
		name, code string
		call       func() error
	}{
		{"Account PutAccountName (REST-JSON)", "InternalServerException", func() error {
			_, err := account.NewFromConfig(cfg, noRetriesAccount).PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String("outage")})
			return err
		}},
		{"Organizations DescribeOrganization (awsJson 1.1)", "ServiceException", func() error {
			_, err := organizations.NewFromConfig(cfg, noRetriesOrgs).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}},
		{"IAM CreateUser (query)", "ServiceFailure", func() error {
			name := fmt.Sprintf("outage-%d", time.Now().UnixNano())
			w.l.send(&write{kind: kindUser, key: name, event: "CreateUser", trailAcct: mgmtAccount}) // not acknowledged
			_, err := iam.NewFromConfig(cfg, noRetriesIAM).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
			return err
		}},
		{"STS GetCallerIdentity (query)", "InternalFailure", func() error {
			_, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.RetryMaxAttempts = 1 }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}},
	}
	for _, c := range calls {
		for i := 0; i < 3; i++ {
			if err := want503(c.call(), c.code); err != nil {
				t.Errorf("%s while PostgreSQL is down: %v", c.name, err)
				break
			}
		}
	}
	// A write with the SDK's standard retries, through the outage.
	retried := make(chan error, 1)
	wr := w.l.send(&write{kind: kindUser, key: "outage-retried", event: "CreateUser", trailAcct: mgmtAccount})
	go func() {
		c := iam.NewFromConfig(cfg, func(o *iam.Options) {
			o.RetryMaxAttempts = 0 // the retryer's own, not the config's
			o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = 100
				so.MaxBackoff = 500 * time.Millisecond
				so.RateLimiter = noRateLimit{}
			})
		})
		out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(wr.key)})
		if err == nil {
			w.l.answer(wr, out.ResultMetadata, "", nil)
		}
		retried <- err
	}()
	time.Sleep(time.Until(downAt.Add(outageLength)))
	p.up()
	upAt := time.Now()
	if err := <-retried; err != nil {
		t.Errorf("CreateUser with retries through the outage: %v", err)
	} else {
		t.Logf("the retried CreateUser succeeded %v after PostgreSQL came back", time.Since(upAt).Round(time.Millisecond))
	}
	// Service resumes without a restart: the workload goes on.
	_, atUp := w.l.counts()
	if err := eventually(ctx, 30*time.Second, 50*time.Millisecond, func() error {
		if _, acked := w.l.counts(); acked < atUp+20 {
			return fmt.Errorf("%d writes acknowledged since PostgreSQL came back", acked-atUp)
		}
		return nil
	}); err != nil {
		t.Errorf("the server did not resume: %v\n%s", err, srv.logs())
	}
	stop()
	sent, acked := w.l.counts()
	got := w.verify(ctx, t, "after the outage", true)
	if n := srv.starts; n != 1 {
		t.Errorf("the server was started %d times, want 1", n)
	}
	// The workload sends nothing the server may refuse: every failure is
	// the outage's (503), a cut or canceled call, or a transaction
	// conflict. A client error would be a store failure answered as the
	// caller's fault (a wrong answer).
	for code, n := range w.l.failures() {
		ok := strings.HasSuffix(code, " 503") || code == "connection" || code == "canceled" ||
			strings.HasPrefix(code, "ConcurrentModification") || strings.HasPrefix(code, "ConflictException")
		if !ok {
			t.Errorf("%d calls failed with %s, which the outage must not cause\n%s", n, code, srv.logs())
		}
	}
	if n := srv.panics(); n > 0 {
		t.Errorf("the server's logs report %d panics\n%s", n, srv.logs())
	}
	summary := fmt.Sprintf("PostgreSQL outage of %v: writes acknowledged %d (of %d sent; %d before the outage), lost %d, invented %d, partial %d; "+
		"changes committed but answered with an error %d; failed calls: %s",
		outageLength, acked, sent, before, got.lost, got.invented, got.partial, got.answeredFailed, w.l.errorSummary())
	t.Log(summary)
	if testing.Verbose() {
		fmt.Println(summary)
	}
}

// want503 checks that err is an answer of status 503 with code.
func want503(err error, code string) error {
	if err == nil {
		return errors.New("the call succeeded")
	}
	var re *awshttp.ResponseError
	var ae smithy.APIError
	if !errors.As(err, &re) || !errors.As(err, &ae) {
		return fmt.Errorf("no AWS error answer: %v", err)
	}
	if re.HTTPStatusCode() != 503 || ae.ErrorCode() != code {
		return fmt.Errorf("status %d %s, want 503 %s (%v)", re.HTTPStatusCode(), ae.ErrorCode(), code, err)
	}
	return nil
}

// noRateLimit lets the standard retryer retry as often as it likes (its
// default token bucket would give up on a long outage).
type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }

// proxy is a TCP proxy in front of PostgreSQL that can be taken down
// (listener and connections closed: clients see refused connections) and
// brought back on the same address.
type proxy struct {
	t      *testing.T
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, target: target, addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]bool{}}
	go p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go p.pipe(c)
	}
}

func (p *proxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // taken down meanwhile
		p.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close(); c.Close() }()
	io.Copy(c, up)
	c.Close()
	up.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// down closes the listener and every connection.
func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// up listens again on the same address.
func (p *proxy) up() {
	p.t.Helper()
	var ln net.Listener
	err := eventually(context.Background(), 10*time.Second, 50*time.Millisecond, func() (err error) {
		ln, err = net.Listen("tcp", p.addr)
		return err
	})
	if err != nil {
		p.t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go p.serve(ln)
}
