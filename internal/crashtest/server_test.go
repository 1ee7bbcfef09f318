package crashtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// The default world's account and root key.
const (
	mgmtAccount = "000000000000"
	rootKey     = "test"
	rootSecret  = "test"
)

// startTimeout bounds a server's start (PostgreSQL migrations included) on
// a busy machine.
const startTimeout = 90 * time.Second

// build is the binary built once per test run (TestMain removes it).
var build struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// binary returns the path of cmd/accountplane built from this module, or
// skips the test under -short.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("the durability tests build and run the real binary; skipped under -short")
	}
	build.once.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			build.err = fmt.Errorf("go env GOMOD: %v", err)
			return
		}
		root := filepath.Dir(strings.TrimSpace(string(out)))
		if build.dir, build.err = os.MkdirTemp("", "accountplane-crashtest-"); build.err != nil {
			return
		}
		build.path = filepath.Join(build.dir, "accountplane")
		cmd := exec.Command("go", "build", "-o", build.path, "./cmd/accountplane")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build ./cmd/accountplane: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// server is one accountplane process, restartable with the same flags (and
// so the same --data or --store) on a new port.
type server struct {
	t    *testing.T
	name string
	args []string // flags other than --addr
	dir  string   // its logs
	// tr carries the test's requests to this server, and only those (a
	// transport of its own keeps other tests' connections, kills and
	// cancellations away from them).
	tr *http.Transport

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	url    string
	starts int
}

// startServer starts the binary with args (serve flags other than
// --addr) and waits until it is healthy. The process is killed when the
// test ends.
func startServer(t *testing.T, name string, args ...string) *server {
	t.Helper()
	s := &server{t: t, name: name, args: args, dir: t.TempDir(), tr: newTransport()}
	if d := os.Getenv("ACCOUNTPLANE_CRASH_LOGS"); d != "" {
		s.dir = d // kept after the test
	}
	t.Cleanup(func() { s.kill() })
	s.start()
	return s
}

// start starts the process (again) and waits for its health endpoint.
func (s *server) start() {
	s.t.Helper()
	bin := binary(s.t)
	deadline := time.Now().Add(startTimeout)
	for attempt := 0; ; attempt++ {
		addr := freeAddr(s.t)
		s.starts++
		logPath := filepath.Join(s.dir, fmt.Sprintf("%s-%d.log", s.name, s.starts))
		logf, err := os.Create(logPath)
		if err != nil {
			s.t.Fatal(err)
		}
		cmd := exec.Command(bin, append([]string{"serve", "--addr", addr}, s.args...)...)
		cmd.Env = childEnv()
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			logf.Close()
			s.t.Fatalf("start %s: %v", s.name, err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); logf.Close(); close(exited) }()
		s.mu.Lock()
		s.cmd, s.exited, s.url = cmd, exited, "http://"+addr
		s.mu.Unlock()
		err = waitHealthy(s.url, exited, deadline)
		if err == nil {
			return
		}
		log := tail(logPath)
		s.kill()
		// Another process may have taken the port between freeAddr and
		// the server's listen.
		if strings.Contains(log, "address already in use") && attempt < 5 {
			continue
		}
		s.t.Fatalf("%s did not become healthy: %v\nits log ends:\n%s", s.name, err, log)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	s.tr.CloseIdleConnections()
}

// restart kills the process if it runs and starts it again.
func (s *server) restart() {
	s.t.Helper()
	s.kill()
	s.start()
}

// URL is the endpoint of the running process.
func (s *server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// logs returns the end of every log the server wrote, for failure reports.
func (s *server) logs() string {
	var b strings.Builder
	for i := 1; i <= s.starts; i++ {
		p := filepath.Join(s.dir, fmt.Sprintf("%s-%d.log", s.name, i))
		fmt.Fprintf(&b, "--- %s\n%s", filepath.Base(p), tail(p))
	}
	return b.String()
}

// panics counts the panics the server's logs report: recovered ones
// (logged as "panic serving request") and fatal ones (Go's "panic: ").
func (s *server) panics() int {
	n := 0
	for i := 1; i <= s.starts; i++ {
		b, _ := os.ReadFile(filepath.Join(s.dir, fmt.Sprintf("%s-%d.log", s.name, i)))
		n += bytes.Count(b, []byte(`"msg":"panic serving request"`)) + bytes.Count(b, []byte("\npanic: "))
	}
	return n
}

// config is an aws.Config signing with key for the running process. Its
// clients retry (reads of the checks ride out a busy machine); the
// workload's turn retries off.
func (s *server) config(key, secret string) aws.Config {
	return s.configVia(s.tr, key, secret)
}

// configVia is config over transport tr.
func (s *server) configVia(tr http.RoundTripper, key, secret string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		BaseEndpoint:     aws.String(s.URL()),
		HTTPClient:       &http.Client{Transport: tr, Timeout: 60 * time.Second},
		RetryMaxAttempts: 10,
	}
}

// newTransport returns a transport of its own, set like Go's default one.
func newTransport() *http.Transport {
	return http.DefaultTransport.(*http.Transport).Clone()
}

// admin calls the admin API (JSON in and out); out may be nil.
func (s *server) admin(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL()+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: s.tr, Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// signUp creates a standalone account through the admin API and returns
// its id and root key.
func (s *server) signUp(ctx context.Context, name string) (acct, key, secret string, err error) {
	var out struct{ AccountId, AccessKeyId, SecretAccessKey string }
	err = s.admin(ctx, http.MethodPost, "/_accountplane/accounts",
		map[string]string{"Name": name, "Email": name + "@example.com"}, &out)
	return out.AccountId, out.AccessKeyId, out.SecretAccessKey, err
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// childEnv is this process's environment without ACCOUNTPLANE_ settings,
// which would change the server's configuration behind the flags.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ACCOUNTPLANE_") {
			env = append(env, kv)
		}
	}
	return env
}

// waitHealthy polls url's health endpoint until it answers 200, the
// process exits or the deadline passes.
func waitHealthy(url string, exited <-chan struct{}, deadline time.Time) error {
	c := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := c.Get(url + "/_accountplane/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		select {
		case <-exited:
			return errors.New("the process exited")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no health after %v: %v", startTimeout, err)
		}
	}
}

// tail returns the last lines of the file at path.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	const max = 4000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// eventually polls cond every interval until it returns nil or timeout
// passes, then returns its last error.
func eventually(ctx context.Context, timeout, interval time.Duration, cond func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %v: %w", timeout, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(interval):
		}
	}
}
