// Package accountplanetest starts an accountplane server in-process for Go
// tests and hands back an aws.Config that reaches it with the default
// account's root credentials:
//
//	func TestVending(t *testing.T) {
//		srv := accountplanetest.Start(t)
//		client := account.NewFromConfig(srv.Config)
//		...
//	}
//
// Each server has its own temporary data directory and a free loopback
// port, and is shut down when the test ends.
package accountplanetest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/accountplane/accountplane/internal/app"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/quota"
)

// Options tune Start; the zero value is fine.
type Options struct {
	// RegionTransitionDelay is how long ENABLING/DISABLING last (default 0:
	// transitions complete before the next request).
	RegionTransitionDelay time.Duration
	// CreateAccountDelay is how long Organizations CreateAccount stays
	// IN_PROGRESS (default 0); CloseDelay how long a closed account stays
	// PENDING_CLOSURE (default 0).
	CreateAccountDelay, CloseDelay time.Duration
	// PolicyTypeDelay is how long an enabled or disabled policy type stays
	// PENDING_ENABLE or PENDING_DISABLE (default 0).
	PolicyTypeDelay time.Duration
	// Quotas throttles callers: "" or "off" never (the default for tests),
	// "aws" with AWS's request rates, or a file of overrides.
	Quotas string
	// MaxAccounts is the organization account quota (default AWS's 10).
	MaxAccounts int
	// Seed is an optional seed file.
	Seed string
	// DataDir reuses a data directory (default: a fresh temporary one).
	DataDir string
	// Log receives the server's logs (default: discarded).
	Log *slog.Logger
	// Now is the domain clock (default time.Now).
	Now func() time.Time
}

// Server is a running in-process accountplane.
type Server struct {
	// URL is the endpoint, e.g. http://127.0.0.1:41234.
	URL string
	// Config reaches the server as the default account's root user
	// (access key "test", secret "test", region us-east-1).
	Config aws.Config
	// DataDir is the server's data directory.
	DataDir string
	app     *app.App
}

// Start starts a server for the duration of tb.
func Start(tb testing.TB, opts ...Options) *Server {
	tb.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.DataDir == "" {
		o.DataDir = filepath.Join(tb.TempDir(), "data")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var quotas quota.Table
	if o.Quotas != "" && o.Quotas != quota.ModeOff {
		t, err := quota.Parse(o.Quotas)
		if err != nil {
			tb.Fatalf("accountplanetest: quotas: %v", err)
		}
		quotas = t
	}
	a, err := app.Start(context.Background(), app.Config{
		Quotas: quotas,
		Addr:   "127.0.0.1:0", DataDir: o.DataDir, Seed: o.Seed, Log: o.Log,
		RegionTransitionDelay: o.RegionTransitionDelay, Now: o.Now, Version: "test",
		CreateAccountDelay: o.CreateAccountDelay, CloseDelay: o.CloseDelay,
		Orgs: organizations.Options{MaxAccounts: o.MaxAccounts, PolicyTypeDelay: o.PolicyTypeDelay},
	})
	if err != nil {
		tb.Fatalf("accountplanetest: start server: %v", err)
	}
	s := &Server{URL: a.URL(), DataDir: o.DataDir, app: a}
	s.Config = s.ConfigFor("test", "test")
	tb.Cleanup(func() { s.Stop(tb) })
	return s
}

// ConfigFor returns an aws.Config that signs with the given key.
func (s *Server) ConfigFor(accessKeyID, secret string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secret, ""),
		BaseEndpoint: aws.String(s.URL),
	}
}

// Stop shuts the server down; Start's cleanup calls it, and a second call is
// a no-op.
func (s *Server) Stop(tb testing.TB) {
	if s.app == nil {
		return
	}
	if n := s.app.Panics(); n > 0 {
		tb.Errorf("accountplanetest: the server recovered from %d panic(s); see its log", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.app.Shutdown(ctx); err != nil {
		tb.Errorf("accountplanetest: shutdown: %v", err)
	}
	s.app = nil
}
