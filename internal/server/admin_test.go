package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/server"
)

// countingResetter counts the resets the admin API performs.
type countingResetter struct{ n atomic.Int64 }

func (c *countingResetter) Reset(context.Context) error { c.n.Add(1); return nil }

// adminRequest is one call to the admin API of an httptest server, which
// listens on 127.0.0.1 so the client is always a loopback one.
type adminRequest struct {
	method, path string
	host         string // Host header; "" means the listener's address
	origin       string
	contentType  string
	token        string
}

func (ar adminRequest) do(t *testing.T, ts *httptest.Server) (int, string) {
	t.Helper()
	var body io.Reader
	if ar.method != http.MethodGet {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(ar.method, ts.URL+ar.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ar.host != "" {
		req.Host = ar.host
	}
	if ar.origin != "" {
		req.Header.Set("Origin", ar.origin)
	}
	if ar.contentType != "" {
		req.Header.Set("Content-Type", ar.contentType)
	}
	if ar.token != "" {
		req.Header.Set("Authorization", "Bearer "+ar.token)
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func startAdmin(t *testing.T, cfg server.Config) (*httptest.Server, *countingResetter) {
	t.Helper()
	r := &countingResetter{}
	cfg.Keys, cfg.Clock, cfg.Resetter = oneKey{}, fixedClock{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, r
	cfg.Log = slog.New(slog.DiscardHandler)
	cfg.Authorizer = allowAll{}
	ts := httptest.NewServer(mustNew(t, cfg))
	t.Cleanup(ts.Close)
	return ts, r
}

// Without an admin token, the admin API answers only requests a browser page
// of another site cannot make or read: loopback Host (against DNS
// rebinding), no foreign Origin, and JSON for state changes.
func TestAdminGuardWithoutToken(t *testing.T) {
	t.Parallel()
	ts, resets := startAdmin(t, server.Config{AllowedHosts: []string{"accountplane", "Other.Example."}})
	self := ts.URL // http://127.0.0.1:port
	port := ts.URL[strings.LastIndexByte(ts.URL, ':'):]
	const clock, reset = "/_accountplane/clock", "/_accountplane/reset"
	const js = "application/json"
	tests := []struct {
		name  string
		req   adminRequest
		want  int
		reset bool // the request must have reset the world
	}{
		{name: "loopback address", req: adminRequest{method: "GET", path: clock}, want: 200},
		{name: "localhost", req: adminRequest{method: "GET", path: clock, host: "localhost" + port}, want: 200},
		{name: "localhost without port", req: adminRequest{method: "GET", path: clock, host: "localhost"}, want: 200},
		{name: "localhost upper case with dot", req: adminRequest{method: "GET", path: clock, host: "LocalHost."}, want: 200},
		{name: "subdomain of localhost", req: adminRequest{method: "GET", path: clock, host: "api.localhost" + port}, want: 200},
		{name: "127/8", req: adminRequest{method: "GET", path: clock, host: "127.1.2.3"}, want: 200},
		{name: "IPv6 loopback", req: adminRequest{method: "GET", path: clock, host: "[::1]" + port}, want: 200},
		{name: "IPv6 loopback without port", req: adminRequest{method: "GET", path: clock, host: "[::1]"}, want: 200},
		{name: "allowed host", req: adminRequest{method: "GET", path: clock, host: "accountplane" + port}, want: 200},
		{name: "allowed host any case", req: adminRequest{method: "GET", path: clock, host: "other.example"}, want: 200},

		{name: "rebound name", req: adminRequest{method: "GET", path: "/_accountplane/state", host: "evil.example" + port}, want: 403},
		{name: "name ending in localhost", req: adminRequest{method: "GET", path: clock, host: "evillocalhost"}, want: 403},
		{name: "localhost as a subdomain", req: adminRequest{method: "GET", path: clock, host: "localhost.evil.example"}, want: 403},
		{name: "loopback address as a subdomain", req: adminRequest{method: "GET", path: clock, host: "127.0.0.1.nip.io"}, want: 403},
		{name: "other address", req: adminRequest{method: "GET", path: clock, host: "10.0.0.1" + port}, want: 403},
		{name: "rebound name, unknown path", req: adminRequest{method: "GET", path: "/_accountplane/nothing", host: "evil.example"}, want: 403},

		{name: "own origin", req: adminRequest{method: "GET", path: clock, origin: self}, want: 200},
		{name: "own origin by name", req: adminRequest{method: "GET", path: clock, host: "localhost" + port, origin: "http://LOCALHOST" + port}, want: 200},
		{name: "own origin default port", req: adminRequest{method: "GET", path: clock, host: "localhost:80", origin: "http://localhost"}, want: 200},
		{name: "foreign origin", req: adminRequest{method: "GET", path: clock, origin: "http://evil.example"}, want: 403},
		{name: "other loopback origin", req: adminRequest{method: "GET", path: clock, origin: "http://localhost:3000"}, want: 403},
		{name: "other scheme", req: adminRequest{method: "GET", path: clock, origin: "https://127.0.0.1" + port}, want: 403},
		{name: "opaque origin", req: adminRequest{method: "GET", path: clock, origin: "null"}, want: 403},

		{name: "JSON POST", req: adminRequest{method: "POST", path: reset, contentType: js}, want: 200, reset: true},
		{name: "JSON POST with charset", req: adminRequest{method: "POST", path: reset, contentType: "application/json; charset=utf-8"}, want: 200, reset: true},
		{name: "same-origin JSON POST", req: adminRequest{method: "POST", path: reset, contentType: js, origin: self}, want: 200, reset: true},
		{name: "POST without Content-Type", req: adminRequest{method: "POST", path: reset}, want: 415},
		{name: "POST as text/plain", req: adminRequest{method: "POST", path: reset, contentType: "text/plain"}, want: 415},
		{name: "POST as form", req: adminRequest{method: "POST", path: reset, contentType: "application/x-www-form-urlencoded"}, want: 415},
		{name: "POST as JSON-like type", req: adminRequest{method: "POST", path: reset, contentType: "application/jsonx"}, want: 415},
		{name: "DELETE without Content-Type", req: adminRequest{method: "DELETE", path: "/_accountplane/faults"}, want: 415},
		{name: "PUT without Content-Type", req: adminRequest{method: "PUT", path: "/_accountplane/state"}, want: 415},
		{name: "simple cross-site POST", req: adminRequest{method: "POST", path: reset, contentType: "text/plain", origin: "http://evil.example"}, want: 403},
		{name: "cross-site JSON POST", req: adminRequest{method: "POST", path: reset, contentType: js, origin: "http://evil.example"}, want: 403},
		{name: "rebound JSON POST", req: adminRequest{method: "POST", path: reset, contentType: js, host: "evil.example"}, want: 403},

		{name: "health from anywhere", req: adminRequest{method: "GET", path: "/_accountplane/health", host: "evil.example", origin: "http://evil.example"}, want: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := resets.n.Load()
			status, body := tt.req.do(t, ts)
			if status != tt.want {
				t.Fatalf("got status %d, want %d; body %s", status, tt.want, body)
			}
			if status != 200 {
				var e struct{ Error string }
				if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == "" {
					t.Errorf("body %q is not the admin error shape {\"error\": ...}", body)
				}
			}
			if got := resets.n.Load() - before; got != map[bool]int64{false: 0, true: 1}[tt.reset] {
				t.Errorf("%d resets, want reset=%v", got, tt.reset)
			}
		})
	}
}

// With an admin token, the token alone decides, whatever the Host, Origin and
// Content-Type.
func TestAdminGuardWithToken(t *testing.T) {
	t.Parallel()
	ts, resets := startAdmin(t, server.Config{AdminToken: "s3cret"})
	anywhere := adminRequest{method: "POST", path: "/_accountplane/reset", host: "evil.example", origin: "http://evil.example", contentType: "text/plain"}
	if status, body := anywhere.do(t, ts); status != http.StatusUnauthorized {
		t.Errorf("without the token: got %d, want 401; body %s", status, body)
	}
	anywhere.token = "wrong"
	if status, body := anywhere.do(t, ts); status != http.StatusUnauthorized {
		t.Errorf("with a wrong token: got %d, want 401; body %s", status, body)
	}
	anywhere.token = "s3cret"
	if status, body := anywhere.do(t, ts); status != http.StatusOK {
		t.Errorf("with the token: got %d, want 200; body %s", status, body)
	}
	if n := resets.n.Load(); n != 1 {
		t.Errorf("%d resets, want 1", n)
	}
	health := adminRequest{method: "GET", path: "/_accountplane/health", host: "evil.example"}
	if status, body := health.do(t, ts); status != http.StatusOK {
		t.Errorf("health: got %d, want 200; body %s", status, body)
	}
}

// readingState is a StateStore whose import reads the whole document and
// reports failures as the app does, as a 400 AdminError.
type readingState struct{ got atomic.Int64 }

func (s *readingState) ExportState(context.Context) ([]byte, error) { return []byte(`{}`), nil }

func (s *readingState) ImportState(_ context.Context, doc io.Reader) error {
	n, err := io.Copy(io.Discard, doc)
	if err != nil {
		return &server.AdminError{Status: http.StatusBadRequest, Message: "not a state document: " + err.Error()}
	}
	s.got.Store(n)
	return nil
}

func TestStateImportSizeLimit(t *testing.T) {
	t.Parallel()
	st := &readingState{}
	ts, _ := startAdmin(t, server.Config{State: st, MaxStateBytes: 1000})
	put := func(size int) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPut, ts.URL+"/_accountplane/state", strings.NewReader(strings.Repeat(" ", size)))
		req.Header.Set("Content-Type", "application/json")
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if status, body := put(1000); status != http.StatusOK || st.got.Load() != 1000 {
		t.Errorf("document at the limit: got %d %s (%d bytes read), want 200 after reading 1000", status, body, st.got.Load())
	}
	if status, body := put(1001); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "larger than 1000 bytes") {
		t.Errorf("document over the limit: got %d %s, want 413", status, body)
	}
}
