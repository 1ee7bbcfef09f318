package sqlite_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/pgtest"
)

// The credential tables of migration 0007 round-trip every field, match
// user and device names case-insensitively and report absent rows with
// iam.ErrNotFound.
func TestCredentialTables(t *testing.T) {
	testCredentialTables(t, mustOpen(t, ":memory:").IAM())
}

func TestCredentialTablesPostgres(t *testing.T) {
	testCredentialTables(t, mustOpen(t, pgtest.DSN(t)).IAM())
}

func testCredentialTables(t *testing.T, store iam.Store) {
	ctx := context.Background()
	const acct = identity.AccountID("111111111111")
	at := time.Date(2026, 2, 3, 4, 5, 6, 7, time.UTC)
	prof := &iam.LoginProfile{Account: acct, User: "Ann", Hash: "pbkdf2-sha256$1$a$b", CreatedAt: at, ChangedAt: at.Add(time.Hour),
		ResetRequired: true, LastUsed: at.Add(2 * time.Hour), History: []string{"h1", "h2"}}
	rootProf := &iam.LoginProfile{Account: acct, Hash: "pbkdf2-sha256$1$c$d", CreatedAt: at, ChangedAt: at}
	pol := &iam.PasswordPolicy{Account: acct, MinimumLength: 14, RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, AllowUsersToChangePassword: true, MaxAge: 90, ReusePrevention: 5, HardExpiry: true}
	dev := &iam.MFADevice{Account: acct, Name: "Phone", Path: "/p/", Seed: []byte("0123456789abcdefghij0123456789abcdefghij"),
		User: "Ann", CreatedAt: at, EnabledAt: at.Add(time.Minute), Drift: -3, Tags: []iam.Tag{{Key: "k", Value: "v"}}}
	rootDev := &iam.MFADevice{Account: acct, Name: "root-key", Path: "/", Seed: []byte{1, 2, 3}, Root: true, CreatedAt: at, EnabledAt: at}
	cert := &iam.SigningCertificate{Account: acct, User: "Ann", ID: "CERT0000000000000000000001", Body: "-----BEGIN CERTIFICATE-----", Active: true, UploadedAt: at}
	rep := &iam.CredentialReport{Account: acct, GeneratedAt: at, ReadyAt: at.Add(time.Second), Content: []byte("user,arn\n")}
	sess := &iam.Session{AccessKeyID: "ASIA0000000000000001", Secret: "s", Token: "t", Account: acct, IssuedAt: at, Expiration: at.Add(time.Hour),
		Kind: iam.UserSession, User: "Ann", MFAAt: at}

	err := store.Update(ctx, func(tx iam.Tx) error {
		for _, err := range []error{
			tx.PutLoginProfile(ctx, prof), tx.PutLoginProfile(ctx, rootProf), tx.PutPasswordPolicy(ctx, pol),
			tx.PutMFADevice(ctx, dev), tx.PutMFADevice(ctx, rootDev), tx.PutSigningCertificate(ctx, cert),
			tx.PutCredentialReport(ctx, rep), tx.PutSession(ctx, sess),
			tx.PutKeyUses(ctx, []iam.KeyUse{{AccessKeyID: "AKIA1", At: at, Service: "iam", Region: "us-east-1"}}),
			tx.PutKeyUses(ctx, []iam.KeyUse{{AccessKeyID: "AKIA1", At: at.Add(time.Minute), Service: "sts", Region: "eu-west-1"}}),
			// An older use (another replica's) does not replace a newer one.
			tx.PutKeyUses(ctx, []iam.KeyUse{{AccessKeyID: "AKIA1", At: at.Add(time.Second), Service: "account", Region: "us-west-2"}}),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = store.View(ctx, func(tx iam.Tx) error {
		check := func(what string, got, want any, err error) {
			t.Helper()
			if err != nil {
				t.Errorf("%s: %v", what, err)
			} else if !reflect.DeepEqual(got, want) {
				t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
			}
		}
		p, err := tx.LoginProfile(ctx, acct, "ANN")
		check("login profile", p, prof, err)
		ps, err := tx.LoginProfiles(ctx, acct)
		if err != nil || len(ps) != 2 || ps[0].User != "" || ps[1].User != "Ann" {
			t.Errorf("LoginProfiles = %+v, %v", ps, err)
		}
		gotPol, err := tx.PasswordPolicy(ctx, acct)
		check("password policy", gotPol, pol, err)
		d, err := tx.MFADevice(ctx, acct, "PHONE")
		check("mfa device", d, dev, err)
		ds, err := tx.MFADevices(ctx, acct)
		if err != nil || len(ds) != 2 || ds[0].Name != "Phone" || !ds[1].Root {
			t.Errorf("MFADevices = %+v, %v", ds, err)
		}
		c, err := tx.SigningCertificate(ctx, acct, cert.ID)
		check("certificate", c, cert, err)
		cs, err := tx.SigningCertificates(ctx, acct, "ann")
		if err != nil || len(cs) != 1 {
			t.Errorf("SigningCertificates = %+v, %v", cs, err)
		}
		r, err := tx.CredentialReport(ctx, acct)
		check("report", r, rep, err)
		u, err := tx.KeyUse(ctx, "AKIA1")
		check("key use", u, &iam.KeyUse{AccessKeyID: "AKIA1", At: at.Add(time.Minute), Service: "sts", Region: "eu-west-1"}, err)
		s, err := tx.Session(ctx, sess.AccessKeyID)
		if err == nil {
			s.PolicyARNs, s.Tags = nil, nil
		}
		check("session", s, sess, err)
		for what, err := range map[string]error{
			"login profile": func() error { _, err := tx.LoginProfile(ctx, acct, "bob"); return err }(),
			"policy":        func() error { _, err := tx.PasswordPolicy(ctx, "222222222222"); return err }(),
			"device":        func() error { _, err := tx.MFADevice(ctx, acct, "nope"); return err }(),
			"certificate":   func() error { _, err := tx.SigningCertificate(ctx, acct, "nope"); return err }(),
			"key use":       func() error { _, err := tx.KeyUse(ctx, "AKIA2"); return err }(),
			"report":        func() error { _, err := tx.CredentialReport(ctx, "222222222222"); return err }(),
		} {
			if !errors.Is(err, iam.ErrNotFound) {
				t.Errorf("absent %s: %v, want ErrNotFound", what, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = store.Update(ctx, func(tx iam.Tx) error {
		for _, err := range []error{
			tx.DeleteLoginProfile(ctx, acct, "ann"), tx.DeletePasswordPolicy(ctx, acct), tx.DeleteMFADevice(ctx, acct, "phone"),
			tx.DeleteSigningCertificate(ctx, acct, cert.ID),
		} {
			if err != nil {
				return err
			}
		}
		if err := tx.DeleteLoginProfile(ctx, acct, "ann"); !errors.Is(err, iam.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
