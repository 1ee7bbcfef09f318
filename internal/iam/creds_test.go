package iam_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/sqlite"
)

// newCredService is newService with cheap password hashes, the account in
// the store, and the store itself for looking under the service.
func newCredService(t *testing.T, opts iam.Options) (*iam.Service, *clock, *sqlite.DB) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{})
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	err = db.Update(context.Background(), func(tx account.Tx) error {
		return tx.PutAccount(context.Background(), &account.Account{ID: acct, Name: "Acme", Email: "root@acme.example", CreatedAt: clk.t})
	})
	must(t, err)
	opts.Now, opts.Rand, opts.PasswordHashRounds = clk.Now, rand.NewChaCha8([32]byte{5}), 10
	return iam.NewService(db.IAM(), opts), clk, db
}

func TestRootPasswordRules(t *testing.T) {
	tests := []struct {
		name, pw string
		ok       bool
	}{
		{"three classes", "Abcdefg1", true},
		{"symbols count", "abcdef1!", true},
		{"too short", "Abcde1!", false},
		{"two classes", "abcdefgh1", false},
		{"too long", strings.Repeat("Ab1", 43), false},
		{"the account name", "Acme", false},
		{"the email, other case", "ROOT@acme.example", false},
		{"128 characters", strings.Repeat("Ab1!", 32), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := iam.CheckRootPassword(tt.pw, "Acme", "root@acme.example")
			if tt.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !tt.ok {
				wantCode(t, err, iam.CodePasswordPolicyViolation)
			}
		})
	}
}

// Passwords are stored hashed: the store never holds the password.
func TestRootPasswordStoredHashed(t *testing.T) {
	svc, _, db := newCredService(t, iam.Options{})
	ctx := context.Background()
	wantCode(t, svc.SetRootPassword(ctx, acct, "weak"), iam.CodePasswordPolicyViolation)
	wantCode(t, svc.SetRootPassword(ctx, "999999999999", "Str0ng-pass"), iam.CodeNoSuchEntity)
	must(t, svc.SetRootPassword(ctx, acct, "Str0ng-pass"))
	err := db.IAM().View(ctx, func(tx iam.Tx) error {
		p, err := tx.LoginProfile(ctx, acct, "")
		if err == nil && (strings.Contains(p.Hash, "Str0ng-pass") || !strings.HasPrefix(p.Hash, "pbkdf2-sha256$10$")) {
			t.Errorf("stored hash %q", p.Hash)
		}
		return err
	})
	must(t, err)
	if ok, _ := svc.HasRootPassword(ctx, acct); !ok {
		t.Error("HasRootPassword = false")
	}
	must(t, svc.DeleteRootPassword(ctx, acct))
	wantCode(t, svc.DeleteRootPassword(ctx, acct), iam.CodeNoSuchEntity)
}

// Key uses live in memory until flushed; the flush writes without changing
// the write generation (no cached fact depends on them).
func TestKeyUsesFlush(t *testing.T) {
	svc, clk, db := newCredService(t, iam.Options{})
	ctx := context.Background()
	k, err := svc.CreateAccessKey(ctx, acct, "")
	must(t, err)
	root := k.Principal()
	svc.NoteKeyUse(k.ID, "account", "eu-central-1")
	svc.NoteKeyUse("ASIAIGNORED0000000", "sts", "us-east-1")
	stored := func() *iam.KeyUse {
		var u *iam.KeyUse
		_ = db.IAM().View(ctx, func(tx iam.Tx) error { u, _ = tx.KeyUse(ctx, k.ID); return nil })
		return u
	}
	if stored() != nil {
		t.Fatal("a use was written on the request path")
	}
	_, use, err := svc.AccessKeyLastUsed(ctx, root, k.ID)
	must(t, err)
	if use == nil || use.Service != "account" || use.Region != "eu-central-1" || !use.At.Equal(clk.Now()) {
		t.Errorf("pending use = %+v", use)
	}
	gen := svc.Generation()
	must(t, svc.FlushKeyUses(ctx))
	if svc.Generation() != gen {
		t.Error("FlushKeyUses changed the write generation")
	}
	if u := stored(); u == nil || u.Service != "account" {
		t.Errorf("stored use = %+v", u)
	}
	must(t, svc.FlushKeyUses(ctx)) // nothing pending
	svc.NoteKeyUse(k.ID, "iam", "us-east-1")
	svc.DiscardKeyUses()
	if _, use, _ := svc.AccessKeyLastUsed(ctx, root, k.ID); use.Service != "account" {
		t.Errorf("after a discard: %+v", use)
	}
}

// A user's password, MFA devices and certificates block its deletion and
// follow a rename.
func TestUserCredentialsLifecycle(t *testing.T) {
	svc, clk, _ := newCredService(t, iam.Options{})
	ctx := context.Background()
	_, err := svc.CreateUser(ctx, acct, iam.CreateUserInput{Name: "gus"})
	must(t, err)
	_, err = svc.CreateLoginProfile(ctx, acct, "gus", "Gus-pass-1", false)
	must(t, err)
	d, err := svc.CreateVirtualMFADevice(ctx, acct, "gus", "", nil)
	must(t, err)
	now := clk.Now()
	c1, _ := iam.TOTP(d.Base32Seed(), now.Add(-2*time.Minute)) // too old
	c2, _ := iam.TOTP(d.Base32Seed(), now.Add(-90*time.Second))
	wantCode(t, svc.EnableMFADevice(ctx, acct, "gus", d.Serial(), c1, c2), iam.CodeInvalidAuthenticationCode)
	c1, _ = iam.TOTP(d.Base32Seed(), now.Add(-90*time.Second))
	c2, _ = iam.TOTP(d.Base32Seed(), now.Add(-60*time.Second))
	must(t, svc.EnableMFADevice(ctx, acct, "gus", d.Serial(), c1, c2))

	must(t, svc.UpdateUser(ctx, acct, "gus", "gustav", ""))
	if _, err := svc.LoginProfile(ctx, acct, "gustav"); err != nil {
		t.Errorf("the password did not follow the rename: %v", err)
	}
	if ds, _ := svc.MFADevices(ctx, acct, "gustav"); len(ds) != 1 {
		t.Errorf("the device did not follow the rename: %+v", ds)
	}
	wantCode(t, svc.DeleteUser(ctx, acct, "gustav"), iam.CodeDeleteConflict)
	must(t, svc.DeleteLoginProfile(ctx, acct, "gustav"))
	wantCode(t, svc.DeleteUser(ctx, acct, "gustav"), iam.CodeDeleteConflict)
	must(t, svc.DeactivateMFADevice(ctx, acct, "gustav", d.Serial()))
	must(t, svc.DeleteUser(ctx, acct, "gustav"))
}

// With a generation delay, the report is in progress until it is ready.
func TestCredentialReportInProgress(t *testing.T) {
	svc, clk, _ := newCredService(t, iam.Options{CredentialReportDelay: 10 * time.Second})
	ctx := context.Background()
	state, _, err := svc.GenerateCredentialReport(ctx, acct)
	must(t, err)
	if state != iam.ReportStarted {
		t.Errorf("state = %s", state)
	}
	_, err = svc.GetCredentialReport(ctx, acct)
	wantCode(t, err, iam.CodeReportInProgress)
	if state, _, _ := svc.GenerateCredentialReport(ctx, acct); state != iam.ReportInProgress {
		t.Errorf("state while in progress = %s", state)
	}
	clk.Add(10 * time.Second)
	if state, _, _ := svc.GenerateCredentialReport(ctx, acct); state != iam.ReportComplete {
		t.Errorf("state when ready = %s", state)
	}
	r, err := svc.GetCredentialReport(ctx, acct)
	must(t, err)
	if !strings.HasPrefix(string(r.Content), "user,arn,") || !strings.Contains(string(r.Content), "\n<root_account>,arn:aws:iam::111111111111:root,") {
		t.Errorf("report = %s", r.Content)
	}
}
