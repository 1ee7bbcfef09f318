package stsapi_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
)

// enrol gives user a virtual MFA device and returns its serial and seed.
func enrol(t *testing.T, svc *iam.Service, user identity.Principal) (serial, seed string) {
	t.Helper()
	ctx := context.Background()
	d, err := svc.CreateVirtualMFADevice(ctx, user.Account, user.Name+"-mfa", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	c1, _ := iam.TOTP(d.Base32Seed(), now.Add(-30*time.Second))
	c2, _ := iam.TOTP(d.Base32Seed(), now)
	if err := svc.EnableMFADevice(ctx, user.Account, user.Name, d.Serial(), c1, c2); err != nil {
		t.Fatal(err)
	}
	return d.Serial(), d.Base32Seed()
}

var reSessionKey = regexp.MustCompile(`<AccessKeyId>(ASIA[A-Z0-9]{16})</AccessKeyId>`)

func sessionPrincipal(t *testing.T, svc *iam.Service, out string) identity.Principal {
	t.Helper()
	m := reSessionKey.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no session key in %s", out)
	}
	c, err := svc.Credential(context.Background(), m[1])
	if err != nil {
		t.Fatal(err)
	}
	return c.Principal
}

func TestGetSessionToken(t *testing.T) {
	svc, ops, user := setup(t)
	out, err := invoke(t, ops, user, "Action=GetSessionToken")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult><Credentials>` +
		`<AccessKeyId>ASIA[A-Z0-9]{16}</AccessKeyId><SecretAccessKey>[A-Za-z0-9+/]{40}</SecretAccessKey><SessionToken>[A-Za-z0-9+/=]{300,}</SessionToken>` +
		`<Expiration>2026-01-02T15:04:05Z</Expiration></Credentials></GetSessionTokenResult>`).MatchString(out) {
		t.Fatalf("GetSessionToken = %s", out)
	}
	p := sessionPrincipal(t, svc, out)
	if p.Type != identity.IAMUser || p.ARN != user.ARN || !p.Temporary || !p.MFAAt.IsZero() {
		t.Errorf("session principal = %+v", p)
	}
	if got := p.MFAConditions(now); got["aws:MultiFactorAuthPresent"][0] != "false" {
		t.Errorf("MFA conditions = %v", got)
	}
	// Session credentials cannot get another session.
	if _, err := invoke(t, ops, p, "Action=GetSessionToken"); !apierr.HasCode(err, iam.CodeAccessDenied) {
		t.Errorf("GetSessionToken with session credentials: %v", err)
	}

	serial, seed := enrol(t, svc, user)
	code, _ := iam.TOTP(seed, now)
	out, err = invoke(t, ops, user, "Action=GetSessionToken&DurationSeconds=900&SerialNumber="+url.QueryEscape(serial)+"&TokenCode="+code)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "<Expiration>2026-01-02T03:19:05Z</Expiration>") {
		t.Errorf("GetSessionToken with 900s = %s", out)
	}
	p = sessionPrincipal(t, svc, out)
	if !p.MFAAt.Equal(now) {
		t.Errorf("MFAAt = %v, want %v", p.MFAAt, now)
	}
	if got := p.MFAConditions(now.Add(75 * time.Second)); got["aws:MultiFactorAuthPresent"][0] != "true" || got["aws:MultiFactorAuthAge"][0] != "75" {
		t.Errorf("MFA conditions = %v", got)
	}

	wrong := "000000"
	if wrong == code {
		wrong = "111111"
	}
	for _, form := range []string{
		"Action=GetSessionToken&SerialNumber=" + url.QueryEscape(serial) + "&TokenCode=" + wrong,
		"Action=GetSessionToken&SerialNumber=" + url.QueryEscape(serial),
		"Action=GetSessionToken&SerialNumber=" + url.QueryEscape("arn:aws:iam::111111111111:mfa/other") + "&TokenCode=" + code,
	} {
		if _, err := invoke(t, ops, user, form); !apierr.HasCode(err, iam.CodeAccessDenied) {
			t.Errorf("%s: %v, want AccessDenied", form, err)
		}
	}
	if _, err := invoke(t, ops, user, "Action=GetSessionToken&DurationSeconds=899"); !apierr.HasCode(err, iam.CodeValidation) {
		t.Errorf("DurationSeconds=899: %v", err)
	}

	// The root user's sessions last at most an hour.
	root := identity.RootPrincipal(mgmt, "AKIAROOT")
	out, err = invoke(t, ops, root, "Action=GetSessionToken&DurationSeconds=7200")
	if err != nil || !strings.Contains(out, "<Expiration>2026-01-02T04:04:05Z</Expiration>") {
		t.Errorf("root GetSessionToken = %s, %v", out, err)
	}
	if p := sessionPrincipal(t, svc, out); p.Type != identity.Root || p.ARN != "arn:aws:iam::111111111111:root" || !p.Temporary {
		t.Errorf("root session principal = %+v", p)
	}
	// Role sessions cannot call it.
	role := identity.AssumedRolePrincipal(member, "r", "AROAR", "s", "ASIAROLE")
	if _, err := invoke(t, ops, role, "Action=GetSessionToken"); !apierr.HasCode(err, iam.CodeAccessDenied) {
		t.Errorf("role session: %v", err)
	}
}

// AssumeRole with the caller's MFA code gives a role session with MFA.
func TestAssumeRoleWithMFA(t *testing.T) {
	svc, ops, user := setup(t)
	serial, seed := enrol(t, svc, user)
	code, _ := iam.TOTP(seed, now)
	out, err := invoke(t, ops, user, "Action=AssumeRole&RoleSessionName=mfa&RoleArn="+url.QueryEscape(roleARN)+"&SerialNumber="+url.QueryEscape(serial)+"&TokenCode="+code)
	if err != nil {
		t.Fatal(err)
	}
	if p := sessionPrincipal(t, svc, out); !p.MFAAt.Equal(now) {
		t.Errorf("role session MFAAt = %v", p.MFAAt)
	}
	out, err = invoke(t, ops, user, "Action=AssumeRole&RoleSessionName=nomfa&RoleArn="+url.QueryEscape(roleARN))
	if err != nil {
		t.Fatal(err)
	}
	if p := sessionPrincipal(t, svc, out); !p.MFAAt.IsZero() {
		t.Errorf("role session without a code: MFAAt = %v", p.MFAAt)
	}
	if _, err := invoke(t, ops, user, "Action=AssumeRole&RoleSessionName=bad&RoleArn="+url.QueryEscape(roleARN)+"&SerialNumber="+url.QueryEscape(serial)+"&TokenCode=12345x"); !apierr.HasCode(err, iam.CodeValidation) {
		t.Errorf("bad code pattern: %v", err)
	}
}

func TestGetAccessKeyInfo(t *testing.T) {
	svc, ops, user := setup(t)
	out, err := invoke(t, ops, user, "Action=GetAccessKeyInfo&AccessKeyId="+user.AccessKeyID)
	if err != nil || !strings.Contains(out, "<GetAccessKeyInfoResult><Account>111111111111</Account></GetAccessKeyInfoResult>") {
		t.Errorf("GetAccessKeyInfo = %s, %v", out, err)
	}
	out, err = invoke(t, ops, user, "Action=AssumeRole&RoleSessionName=key-info&RoleArn="+url.QueryEscape(roleARN))
	if err != nil {
		t.Fatal(err)
	}
	sessKey := reSessionKey.FindStringSubmatch(out)[1]
	if out, err := invoke(t, ops, user, "Action=GetAccessKeyInfo&AccessKeyId="+sessKey); err != nil || !strings.Contains(out, "<Account>222222222222</Account>") {
		t.Errorf("GetAccessKeyInfo of a session key = %s, %v", out, err)
	}
	// A key this emulator never issued: the account AWS encodes in it.
	if out, err := invoke(t, ops, user, "Action=GetAccessKeyInfo&AccessKeyId=ASIAY34FZKBOKMUTVV7A"); err != nil || !strings.Contains(out, "<Account>609629065308</Account>") {
		t.Errorf("GetAccessKeyInfo of a foreign key = %s, %v", out, err)
	}
	if _, err := invoke(t, ops, user, "Action=GetAccessKeyInfo&AccessKeyId=short"); !apierr.HasCode(err, iam.CodeValidation) {
		t.Errorf("short key: %v", err)
	}
	if _, err := invoke(t, ops, user, "Action=GetAccessKeyInfo&AccessKeyId=test"); !apierr.HasCode(err, iam.CodeValidation) {
		t.Errorf("the default world's key is not in this store: %v", err)
	}
	_ = svc
}
