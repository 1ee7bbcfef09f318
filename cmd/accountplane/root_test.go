package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/app"
)

// `accountplane root` sets and removes the root password and MFA devices
// through the admin API of a running server.
func TestRootCommands(t *testing.T) {
	ctx := context.Background()
	a, err := app.Start(ctx, app.Config{Addr: "127.0.0.1:0", DataDir: app.MemoryData, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(ctx)
	ep := []string{"--endpoint", a.URL(), "--account", "000000000000"}
	run := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := rootCmd(ctx, append(args, ep...), strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, out, errb := run("weak\n", "password", "set"); code != 1 || !strings.Contains(errb, "PasswordPolicyViolation") || strings.Contains(errb+out, "weak") {
		t.Errorf("weak password: code %d, out %q, err %q", code, out, errb)
	}
	if code, out, errb := run("An0ther-Secret\n", "password", "set"); code != 0 || !strings.Contains(out, `"PasswordPresent": true`) {
		t.Errorf("password set: code %d, out %q, err %q", code, out, errb)
	}
	if code, _, errb := run("", "mfa", "add"); code != 2 || !strings.Contains(errb, "--name is required") {
		t.Errorf("mfa add without a name: code %d, err %q", code, errb)
	}
	code, out, errb := run("", "mfa", "add", "--name", "yubi-soft")
	var dev struct{ SerialNumber, Base32StringSeed string }
	if code != 0 || json.Unmarshal([]byte(out), &dev) != nil || dev.SerialNumber != "arn:aws:iam::000000000000:mfa/yubi-soft" {
		t.Fatalf("mfa add: code %d, out %q, err %q", code, out, errb)
	}
	var cout, cerr bytes.Buffer
	if code := rootCmd(ctx, []string{"mfa", "code", "--endpoint", a.URL(), "--seed", dev.Base32StringSeed}, nil, &cout, &cerr); code != 0 || !regexp.MustCompile(`^\d{6}\n$`).MatchString(cout.String()) {
		t.Errorf("mfa code: code %d, out %q, err %q", code, cout.String(), cerr.String())
	}
	if code, out, errb := run("", "mfa", "delete", "--name", "yubi-soft"); code != 0 || !strings.Contains(out, `"Deleted": true`) {
		t.Errorf("mfa delete: code %d, out %q, err %q", code, out, errb)
	}
	if code, _, errb := run("", "mfa", "delete", "--name", "yubi-soft"); code != 1 || !strings.Contains(errb, "404") {
		t.Errorf("mfa delete again: code %d, err %q", code, errb)
	}
	if code, out, errb := run("", "password", "delete"); code != 0 || !strings.Contains(out, `"PasswordPresent": false`) {
		t.Errorf("password delete: code %d, out %q, err %q", code, out, errb)
	}
	if code, _, errb := run("", "password", "set"); code != 2 {
		t.Errorf("password set without input: code %d, err %q", code, errb)
	}
}

// `accountplane root posture` prints the report as a table, or as JSON;
// an unknown organization is the admin API's 404.
func TestRootPosture(t *testing.T) {
	ctx := context.Background()
	a, err := app.Start(ctx, app.Config{Addr: "127.0.0.1:0", DataDir: app.MemoryData, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(ctx)
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := rootCmd(ctx, append([]string{"posture", "--endpoint", a.URL()}, args...), nil, &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errb := run()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "ACCOUNT") ||
		!regexp.MustCompile(`^000000000000\s+default\s+-\s+0\s+test active, never used\s+yes\s+0\s+no\s+never\s+never\s+NON_COMPLIANT\s+NON_COMPLIANT$`).MatchString(lines[1]) {
		t.Errorf("root posture: code %d, out %q, err %q", code, out, errb)
	}
	code, out, errb = run("--json")
	var doc struct{ Accounts []map[string]any }
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Accounts) != 1 || doc.Accounts[0]["AccountId"] != "000000000000" {
		t.Errorf("root posture --json: code %d, out %q, err %q", code, out, errb)
	}
	if code, _, errb := run("--organization", "o-nosuchorg000"); code != 1 || !strings.Contains(errb, "404") {
		t.Errorf("root posture of an unknown organization: code %d, err %q", code, errb)
	}
}
