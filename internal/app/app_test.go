package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/app"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func start(t *testing.T, cfg app.Config) *app.App {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Log == nil {
		cfg.Log = quietLog()
	}
	a, err := app.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = a.Shutdown(context.Background()) })
	return a
}

func TestDataDirectoryIsLocked(t *testing.T) {
	dir := t.TempDir()
	start(t, app.Config{DataDir: dir})
	_, err := app.Start(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: dir, Log: quietLog()})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second server on the same data directory: got err %v, want 'in use'", err)
	}
}

func TestLockReleasedOnShutdown(t *testing.T) {
	dir := t.TempDir()
	a, err := app.Start(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: dir, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	start(t, app.Config{DataDir: dir})
}

func TestMemoryStoreLeavesNoFiles(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	a := start(t, app.Config{DataDir: app.MemoryData})
	resp, err := http.Get(a.URL() + "/_accountplane/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	entries, _ := os.ReadDir(wd)
	if len(entries) != 0 {
		t.Errorf("in-memory server wrote %d entries into the working directory, want 0", len(entries))
	}
}

func TestHealth(t *testing.T) {
	a := start(t, app.Config{DataDir: app.MemoryData, Version: "v9"})
	resp, err := http.Get(a.URL() + "/_accountplane/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || doc["status"] != "ok" || doc["version"] != "v9" {
		t.Errorf("health: got %d %v, want 200 status ok version v9", resp.StatusCode, doc)
	}
	if resp.Header.Get("Date") == "" {
		t.Error("health: no Date header")
	}
}

func TestAdminTokenRequired(t *testing.T) {
	a := start(t, app.Config{DataDir: app.MemoryData, AdminToken: "s3cret"})
	get := func(token string) int {
		req, _ := http.NewRequest(http.MethodGet, a.URL()+"/_accountplane/outbox", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(""); got != http.StatusUnauthorized {
		t.Errorf("outbox without token: got %d, want 401", got)
	}
	if got := get("wrong"); got != http.StatusUnauthorized {
		t.Errorf("outbox with wrong token: got %d, want 401", got)
	}
	if got := get("s3cret"); got != http.StatusOK {
		t.Errorf("outbox with token: got %d, want 200", got)
	}
}

// AllowedHosts reaches the admin guard: without an admin token, the admin
// API answers a listed Host name as it answers a loopback one.
func TestAdminAllowedHosts(t *testing.T) {
	a := start(t, app.Config{DataDir: app.MemoryData, AllowedHosts: []string{"accountplane"}})
	get := func(host string) int {
		req, _ := http.NewRequest(http.MethodGet, a.URL()+"/_accountplane/outbox", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for host, want := range map[string]int{"accountplane:4566": http.StatusOK, "localhost:4566": http.StatusOK, "elsewhere:4566": http.StatusForbidden} {
		if got := get(host); got != want {
			t.Errorf("outbox for Host %s: got %d, want %d", host, got, want)
		}
	}
}

func TestSeedRejectsBadFile(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.yaml")
	os.WriteFile(seed, []byte("accounts:\n  - id: \"12\"\n    name: x\n    email: x@example.com\n"), 0o600)
	_, err := app.Start(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: app.MemoryData, Seed: seed, Log: quietLog()})
	if err == nil || !strings.Contains(err.Error(), "12 digits") {
		t.Fatalf("bad seed: got %v, want an error about 12 digits", err)
	}
}

func TestSeedUnknownFieldRejected(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.yaml")
	os.WriteFile(seed, []byte("acounts: []\n"), 0o600)
	if _, err := app.LoadSeed(seed); err == nil {
		t.Fatal("seed with a misspelt key: got nil error, want one")
	}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := writeSelfSigned(t, dir)
	a := start(t, app.Config{DataDir: app.MemoryData, TLSCert: certFile, TLSKey: keyFile})
	if !strings.HasPrefix(a.URL(), "https://") {
		t.Fatalf("URL %s: want https", a.URL())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get(a.URL() + "/_accountplane/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.TLS == nil || resp.StatusCode != 200 {
		t.Errorf("health over TLS: got status %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	a, err := app.Start(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: app.MemoryData, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	// Open a connection and send half a request, so the server has a
	// request in flight when Shutdown starts.
	conn, err := net.Dial("tcp", strings.TrimPrefix(a.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{}`
	head := "POST /getContactInformation HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n"
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let the server read the headers
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- a.Shutdown(ctx)
	}()
	time.Sleep(100 * time.Millisecond) // let Shutdown begin; the request must still complete
	if _, err := conn.Write([]byte(body)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 12)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(conn, buf); err != nil {
		t.Fatalf("in-flight request got no answer during shutdown: %v", err)
	}
	if !strings.HasPrefix(string(buf), "HTTP/1.1 ") {
		t.Errorf("answer: got %q", buf)
	}
	if err := <-done; err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

func writeSelfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile
}
