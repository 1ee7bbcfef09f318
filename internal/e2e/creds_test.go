package e2e_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base32"
	"encoding/binary"
	"encoding/csv"
	"encoding/pem"
	"fmt"
	"image/png"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	itypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountplane/accountplane/accountplanetest"
)

// totp is an authenticator app: the RFC 6238 code (HMAC-SHA1, 30-second
// steps, six digits) of a Base32 seed at time at. Written here from the
// RFC, independently of the server's implementation.
func totp(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(seed)
	if err != nil {
		t.Fatalf("seed %q: %v", seed, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[19] & 0xf
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1000000)
}

// summary returns GetAccountSummary's SummaryMap.
func summary(t *testing.T, p principal) map[string]int32 {
	t.Helper()
	out, err := p.IAM.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	must(t, err, "GetAccountSummary")
	return out.SummaryMap
}

// wantSummary checks the SummaryMap entries of want.
func wantSummary(t *testing.T, p principal, when string, want map[string]int32) {
	t.Helper()
	got := summary(t, p)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: GetAccountSummary %s = %d, want %d", when, k, got[k], v)
		}
	}
}

// Root access keys: the default world's "test" key counts, at most two,
// inactive ones too; the key calls accept "test" as an AccessKeyId.
func TestRootAccessKeysToTheLimit(t *testing.T) {
	e := startOrgs(t, accountplanetest.Options{})
	root := defaultRoot(e.srv)
	wantSummary(t, root, "default world", map[string]int32{"AccountAccessKeysPresent": 1, "AccountMFAEnabled": 0, "AccountPasswordPresent": 1, "AccountSigningCertificatesPresent": 0})

	k, err := root.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	must(t, err, "CreateAccessKey as root")
	second := aws.ToString(k.AccessKey.AccessKeyId)
	if aws.ToString(k.AccessKey.UserName) != "" {
		t.Errorf("root key UserName = %q", aws.ToString(k.AccessKey.UserName))
	}
	_, err = root.IAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(second), Status: itypes.StatusTypeInactive})
	must(t, err, "deactivate the second key")
	_, err = root.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	apiErr(t, err, "LimitExceeded", 409)
	// The admin API keeps the limit too.
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts/"+defaultAccountID+"/credentials", nil, http.StatusConflict, nil)

	list, err := root.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	must(t, err, "ListAccessKeys")
	ids := map[string]itypes.StatusType{}
	for _, m := range list.AccessKeyMetadata {
		ids[aws.ToString(m.AccessKeyId)] = m.Status
	}
	if len(ids) != 2 || ids[defaultKey] != itypes.StatusTypeActive || ids[second] != itypes.StatusTypeInactive {
		t.Errorf("ListAccessKeys = %v", ids)
	}

	// Last use: "test" signs every call of this test.
	used, err := root.IAM.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(defaultKey)})
	must(t, err, "GetAccessKeyLastUsed test")
	if lu := used.AccessKeyLastUsed; lu == nil || lu.LastUsedDate == nil || aws.ToString(lu.ServiceName) != "iam" || aws.ToString(lu.Region) != "us-east-1" {
		t.Errorf("test key last used = %+v", used.AccessKeyLastUsed)
	} else if d := lu.LastUsedDate.Sub(e.clk.Now()); d < -time.Second || d > time.Second {
		t.Errorf("test key last used at %v, the domain clock says %v", lu.LastUsedDate, e.clk.Now())
	}
	never, err := root.IAM.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(second)})
	must(t, err, "GetAccessKeyLastUsed of an unused key")
	if lu := never.AccessKeyLastUsed; lu.LastUsedDate != nil || aws.ToString(lu.ServiceName) != "N/A" || aws.ToString(lu.Region) != "N/A" {
		t.Errorf("unused key last used = %+v", lu)
	}

	_, err = root.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(second)})
	must(t, err, "DeleteAccessKey")
	_, err = root.IAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(defaultKey), Status: itypes.StatusTypeActive})
	must(t, err, "UpdateAccessKey test (shorter than the model's minimum)")
	wantSummary(t, root, "after deleting the second key", map[string]int32{"AccountAccessKeysPresent": 1})
}

// mfaPolicy allows everything but denies every call made without MFA,
// except enrolling a device and getting a session (AWS's own example
// policy, written with BoolIfExists so that long-term keys, whose
// requests carry no MFA key at all, are refused too).
const mfaPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AllowAll","Effect":"Allow","Action":"*","Resource":"*"},
 {"Sid":"DenyWithoutMFA","Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:ListMFADevices","iam:ListVirtualMFADevices","iam:ResyncMFADevice","sts:GetSessionToken"],
  "Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}},
 {"Sid":"DenyOldMFA","Effect":"Deny","Action":"account:PutContactInformation","Resource":"*","Condition":{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}}
]}`

// An IAM user enrols a virtual MFA device, computing its codes from the
// seed, gets an MFA session with GetSessionToken and passes a policy that
// denies without MFA; its long-term key and a session without MFA are
// refused. MFA codes and the session's MFA age follow the domain clock.
func TestMFASessionPassesMFAPolicy(t *testing.T) {
	e := startOrgs(t, accountplanetest.Options{})
	root := defaultRoot(e.srv)
	u := newUser(t, e.srv, root, "mfa-user")
	putUserPolicy(t, root, "mfa-user", "RequireMFA", mfaPolicy)

	_, err := u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
	apiErr(t, err, "AccessDeniedException", 403)

	dev, err := u.IAM.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("mfa-user-phone")})
	must(t, err, "CreateVirtualMFADevice")
	serial, seed := aws.ToString(dev.VirtualMFADevice.SerialNumber), string(dev.VirtualMFADevice.Base32StringSeed)
	if serial != "arn:aws:iam::000000000000:mfa/mfa-user-phone" || len(seed) != 64 {
		t.Fatalf("device %s, seed %q", serial, seed)
	}
	if _, err := png.Decode(bytes.NewReader(dev.VirtualMFADevice.QRCodePNG)); err != nil {
		t.Errorf("QRCodePNG: %v", err)
	}
	now := e.clk.Now()
	_, err = u.IAM.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("mfa-user"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(totp(t, seed, now)), AuthenticationCode2: aws.String(totp(t, seed, now))})
	apiErr(t, err, "InvalidAuthenticationCode", 403)
	_, err = u.IAM.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("mfa-user"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(totp(t, seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(totp(t, seed, now))})
	must(t, err, "EnableMFADevice")
	devices, err := u.IAM.ListMFADevices(ctx, &iam.ListMFADevicesInput{})
	must(t, err, "ListMFADevices")
	if len(devices.MFADevices) != 1 || aws.ToString(devices.MFADevices[0].SerialNumber) != serial {
		t.Errorf("ListMFADevices = %+v", devices.MFADevices)
	}
	assigned, err := root.IAM.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: itypes.AssignmentStatusTypeAssigned})
	must(t, err, "ListVirtualMFADevices")
	if len(assigned.VirtualMFADevices) != 1 || aws.ToString(assigned.VirtualMFADevices[0].User.UserName) != "mfa-user" {
		t.Errorf("assigned devices = %+v", assigned.VirtualMFADevices)
	}

	// A session without MFA is refused like the long-term key.
	plain, err := u.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	must(t, err, "GetSessionToken without MFA")
	noMFA := newPrincipal(e.srv, u.Account, u.ARN, aws.ToString(plain.Credentials.AccessKeyId), aws.ToString(plain.Credentials.SecretAccessKey), aws.ToString(plain.Credentials.SessionToken))
	_, err = noMFA.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
	apiErr(t, err, "AccessDeniedException", 403)

	// A wrong code is refused.
	_, err = u.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(wrongCode(totp(t, seed, now)))})
	apiErr(t, err, "AccessDenied", 403)

	out, err := u.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(totp(t, seed, e.clk.Now()))})
	must(t, err, "GetSessionToken with MFA")
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || !c.Expiration.Equal(e.clk.Now().Add(12*time.Hour).Truncate(time.Second)) {
		t.Errorf("session credentials: %s expiring %v", aws.ToString(c.AccessKeyId), c.Expiration)
	}
	sess := newPrincipal(e.srv, u.Account, u.ARN, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	who, err := sess.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err, "GetCallerIdentity with the MFA session")
	if aws.ToString(who.Arn) != u.ARN {
		t.Errorf("GetCallerIdentity = %s, want %s", aws.ToString(who.Arn), u.ARN)
	}
	info, err := sess.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
	must(t, err, "GetContactInformation with the MFA session")
	_, err = sess.IAM.ListUsers(ctx, &iam.ListUsersInput{})
	must(t, err, "ListUsers with the MFA session")
	_, err = sess.Acct.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: info.ContactInformation})
	must(t, err, "PutContactInformation with a fresh MFA session")
	_, err = noMFA.IAM.ListUsers(ctx, &iam.ListUsersInput{})
	apiErr(t, err, "AccessDenied", 403) // GetSessionToken credentials without MFA call no IAM operation

	// Two hours later on the domain clock, aws:MultiFactorAuthAge is 7200.
	e.clk.Advance(2 * time.Hour)
	_, err = sess.Acct.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: info.ContactInformation})
	apiErr(t, err, "AccessDeniedException", 403)
	_, err = sess.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
	must(t, err, "GetContactInformation with an older MFA session")

	// Deactivating needs the user name; the device can then be deleted.
	_, err = root.IAM.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("mfa-user"), SerialNumber: aws.String(serial)})
	must(t, err, "DeactivateMFADevice")
	_, err = root.IAM.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	must(t, err, "DeleteVirtualMFADevice")
}

func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// The account password policy refuses a weak password.
func TestPasswordPolicyRefusesWeakPassword(t *testing.T) {
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	newUser(t, srv, root, "pat")
	_, err := root.IAM.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	apiErr(t, err, "NoSuchEntity", 404)
	_, err = root.IAM.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(12), RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
		RequireLowercaseCharacters: true, MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(3),
	})
	must(t, err, "UpdateAccountPasswordPolicy")
	pol, err := root.IAM.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	must(t, err, "GetAccountPasswordPolicy")
	if p := pol.PasswordPolicy; aws.ToInt32(p.MinimumPasswordLength) != 12 || !p.RequireSymbols || !p.ExpirePasswords || aws.ToInt32(p.PasswordReusePrevention) != 3 {
		t.Errorf("PasswordPolicy = %+v", p)
	}
	_, err = root.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String("Weak-pass1")})
	wantAPIError[*itypes.PasswordPolicyViolationException](t, err, "PasswordPolicyViolation", 400)
	prof, err := root.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String("Much-Str0nger-pass"), PasswordResetRequired: true})
	must(t, err, "CreateLoginProfile")
	if aws.ToString(prof.LoginProfile.UserName) != "pat" || !prof.LoginProfile.PasswordResetRequired {
		t.Errorf("LoginProfile = %+v", prof.LoginProfile)
	}
	_, err = root.IAM.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String("Much-Str0nger-pass")})
	apiErr(t, err, "PasswordPolicyViolation", 400) // reuse
	_, err = root.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("pat")})
	apiErr(t, err, "DeleteConflict", 409)
}

// reportRows generates (if needed) and reads the credential report,
// parsed, keyed by user.
func reportRows(t *testing.T, p principal) (header []string, rows map[string][]string, order []string) {
	t.Helper()
	for i := 0; i < 2; i++ {
		g, err := p.IAM.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		must(t, err, "GenerateCredentialReport")
		if g.State == itypes.ReportStateTypeComplete {
			break
		}
	}
	out, err := p.IAM.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	must(t, err, "GetCredentialReport")
	if out.ReportFormat != itypes.ReportFormatTypeTextCsv {
		t.Errorf("ReportFormat = %s", out.ReportFormat)
	}
	recs, err := csv.NewReader(bytes.NewReader(out.Content)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("report %q: %v", out.Content, err)
	}
	rows = map[string][]string{}
	for _, r := range recs[1:] {
		if len(r) != 22 {
			t.Fatalf("row of %d columns: %v", len(r), r)
		}
		rows[r[0]] = r
		order = append(order, r[0])
	}
	return recs[0], rows, order
}

// col returns the named column of a report row.
func col(t *testing.T, header, row []string, name string) string {
	t.Helper()
	for i, h := range header {
		if h == name {
			return row[i]
		}
	}
	t.Fatalf("no column %s in %v", name, header)
	return ""
}

func selfSigned(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "signing"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// The credential report before and after credentials change, and
// GetAccountSummary after each change; root MFA and password through the
// admin API.
func TestCredentialReportAndRootCredentials(t *testing.T) {
	e := startOrgs(t, accountplanetest.Options{})
	root := defaultRoot(e.srv)
	_, err := root.IAM.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	wantAPIError[*itypes.CredentialReportNotPresentException](t, err, "ReportNotPresent", 410)

	g, err := root.IAM.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	must(t, err, "GenerateCredentialReport")
	if g.State != itypes.ReportStateTypeStarted {
		t.Errorf("first state = %s", g.State)
	}
	header, rows, order := reportRows(t, root)
	if strings.Join(header, ",") != "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,"+
		"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"+
		"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,"+
		"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated" {
		t.Errorf("header = %v", header)
	}
	r := rows["<root_account>"]
	if order[0] != "<root_account>" || len(order) != 1 {
		t.Fatalf("rows = %v", order)
	}
	for name, want := range map[string]string{
		"arn": defaultRootARN, "password_enabled": "not_supported", "password_last_used": "no_information",
		"password_last_changed": "not_supported", "password_next_rotation": "not_supported", "mfa_active": "false",
		"access_key_1_active": "true", "access_key_1_last_used_service": "iam", "access_key_1_last_used_region": "us-east-1",
		"access_key_2_active": "false", "access_key_2_last_rotated": "N/A", "cert_1_active": "false", "cert_1_last_rotated": "N/A",
	} {
		if got := col(t, header, r, name); got != want {
			t.Errorf("before: root %s = %q, want %q", name, got, want)
		}
	}
	if _, err := time.Parse("2006-01-02T15:04:05-07:00", col(t, header, r, "access_key_1_last_used_date")); err != nil {
		t.Errorf("root key last used date: %v", err)
	}

	// Root password and MFA through the admin API.
	path := "/_accountplane/accounts/" + defaultAccountID + "/root"
	e.adminDo(t, http.MethodPut, path+"/password", map[string]string{"Password": "Sh0rt!"}, http.StatusBadRequest, nil)
	e.adminDo(t, http.MethodPut, path+"/password", map[string]string{"Password": "root@example.com"}, http.StatusBadRequest, nil)
	e.adminDo(t, http.MethodPut, path+"/password", map[string]string{"Password": "lowercaseonly"}, http.StatusBadRequest, nil)
	var raw map[string]string
	e.adminDo(t, http.MethodPut, path+"/password", map[string]string{"Password": "nouppercase"}, http.StatusBadRequest, &raw)
	if raw["__type"] != "PasswordPolicyViolation" || raw["message"] == "" {
		t.Errorf("violation body = %v", raw)
	}
	e.adminDo(t, http.MethodDelete, path+"/password", nil, http.StatusOK, nil)
	wantSummary(t, root, "root password deleted", map[string]int32{"AccountPasswordPresent": 0})
	e.adminDo(t, http.MethodDelete, path+"/password", nil, http.StatusNotFound, nil)
	e.adminDo(t, http.MethodPut, path+"/password", map[string]string{"Password": "Corr3ct-Horse"}, http.StatusOK, nil)
	wantSummary(t, root, "root password set", map[string]int32{"AccountPasswordPresent": 1, "AccountMFAEnabled": 0})

	var dev struct{ SerialNumber, Base32StringSeed string }
	e.adminDo(t, http.MethodPost, path+"/mfa-devices", map[string]string{"DeviceName": "root-phone"}, http.StatusCreated, &dev)
	if dev.SerialNumber != "arn:aws:iam::000000000000:mfa/root-phone" || len(dev.Base32StringSeed) != 64 {
		t.Errorf("root device = %+v", dev)
	}
	wantSummary(t, root, "root MFA added", map[string]int32{"AccountMFAEnabled": 1, "MFADevices": 1, "MFADevicesInUse": 1})
	e.adminDo(t, http.MethodPost, path+"/mfa-devices", map[string]string{"DeviceName": "root-phone"}, http.StatusConflict, nil)
	for i := 2; i <= 8; i++ {
		e.adminDo(t, http.MethodPost, path+"/mfa-devices", map[string]string{"DeviceName": fmt.Sprintf("root-%d", i)}, http.StatusCreated, nil)
	}
	e.adminDo(t, http.MethodPost, path+"/mfa-devices", map[string]string{"DeviceName": "root-9"}, http.StatusConflict, nil)
	listed, err := root.IAM.ListMFADevices(ctx, &iam.ListMFADevicesInput{})
	must(t, err, "ListMFADevices as root")
	found := false
	for _, d := range listed.MFADevices {
		found = found || aws.ToString(d.SerialNumber) == dev.SerialNumber
	}
	if len(listed.MFADevices) != 8 || !found {
		t.Errorf("root's MFA devices = %+v", listed.MFADevices)
	}
	for i := 2; i <= 8; i++ {
		e.adminDo(t, http.MethodDelete, path+fmt.Sprintf("/mfa-devices/root-%d", i), nil, http.StatusOK, nil)
	}
	e.adminDo(t, http.MethodDelete, path+"/mfa-devices/nope", nil, http.StatusNotFound, nil)

	// The root user's MFA session.
	rs, err := root.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(7200),
		SerialNumber: aws.String(dev.SerialNumber), TokenCode: aws.String(totp(t, dev.Base32StringSeed, e.clk.Now()))})
	must(t, err, "GetSessionToken as root with MFA")
	if !rs.Credentials.Expiration.Equal(e.clk.Now().Add(time.Hour).Truncate(time.Second)) {
		t.Errorf("root session expires %v, want an hour from %v", rs.Credentials.Expiration, e.clk.Now())
	}

	// A user with a password, MFA, a used key and a signing certificate.
	u := newUser(t, e.srv, root, "auditor")
	_, err = root.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("auditor"), Password: aws.String("Aud1tor-pass")})
	must(t, err, "CreateLoginProfile")
	udev, err := root.IAM.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("auditor")})
	must(t, err, "CreateVirtualMFADevice")
	useed, now := string(udev.VirtualMFADevice.Base32StringSeed), e.clk.Now()
	_, err = root.IAM.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("auditor"), SerialNumber: udev.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String(totp(t, useed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(totp(t, useed, now))})
	must(t, err, "EnableMFADevice")
	_, err = u.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err, "GetCallerIdentity as the auditor")
	_, err = root.IAM.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("auditor"), CertificateBody: aws.String(selfSigned(t))})
	must(t, err, "UploadSigningCertificate")
	_, err = root.IAM.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{CertificateBody: aws.String(selfSigned(t))})
	must(t, err, "UploadSigningCertificate for root")
	wantSummary(t, root, "root certificate", map[string]int32{"AccountSigningCertificatesPresent": 1, "MFADevices": 2, "MFADevicesInUse": 2, "Users": 1})

	// Within four hours the report stays the same; then it expires.
	_, rows, _ = reportRows(t, root)
	if _, ok := rows["auditor"]; ok {
		t.Errorf("a report within four hours of the last one shows the new user")
	}
	e.clk.Advance(4 * time.Hour)
	_, err = root.IAM.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	wantAPIError[*itypes.CredentialReportExpiredException](t, err, "ReportExpired", 410)
	g, err = root.IAM.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	must(t, err, "GenerateCredentialReport after four hours")
	if g.State != itypes.ReportStateTypeStarted {
		t.Errorf("state after four hours = %s", g.State)
	}
	header, rows, order = reportRows(t, root)
	if strings.Join(order, ",") != "<root_account>,auditor" {
		t.Fatalf("rows = %v", order)
	}
	r = rows["<root_account>"]
	for name, want := range map[string]string{"mfa_active": "true", "cert_1_active": "true", "password_last_used": "no_information"} {
		if got := col(t, header, r, name); got != want {
			t.Errorf("after: root %s = %q, want %q", name, got, want)
		}
	}
	a := rows["auditor"]
	for name, want := range map[string]string{
		"arn": u.ARN, "password_enabled": "true", "password_last_used": "no_information", "password_next_rotation": "N/A",
		"mfa_active": "true", "access_key_1_active": "true", "access_key_1_last_used_service": "sts",
		"access_key_2_active": "false", "cert_1_active": "true", "cert_2_active": "false",
	} {
		if got := col(t, header, a, name); got != want {
			t.Errorf("after: auditor %s = %q, want %q", name, got, want)
		}
	}
	if _, err := time.Parse("2006-01-02T15:04:05-07:00", col(t, header, a, "password_last_changed")); err != nil {
		t.Errorf("auditor password_last_changed: %v", err)
	}
}

// Tags given after creation work in conditions at once.
func TestUserAndRoleTagsE2E(t *testing.T) {
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	u := newUser(t, srv, root, "tagger")
	putUserPolicy(t, root, "tagger", "ReadTeamUsers", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}]}`)
	newUser(t, srv, root, "target")
	_, err := u.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("target")})
	apiErr(t, err, "AccessDenied", 403)
	_, err = root.IAM.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("target"), Tags: []itypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
	must(t, err, "TagUser")
	_, err = u.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("target")})
	must(t, err, "GetUser of a tagged user")
	tags, err := root.IAM.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("target")})
	must(t, err, "ListUserTags")
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Errorf("ListUserTags = %+v", tags.Tags)
	}
	_, err = root.IAM.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("target"), TagKeys: []string{"team"}})
	must(t, err, "UntagUser")
	_, err = u.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("target")})
	apiErr(t, err, "AccessDenied", 403)

	_, err = root.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("tagged"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`)})
	must(t, err, "CreateRole")
	_, err = root.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("tagged"), Tags: []itypes.Tag{{Key: aws.String("tier"), Value: aws.String("gold")}}})
	must(t, err, "TagRole")
	rt, err := root.IAM.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("tagged")})
	must(t, err, "ListRoleTags")
	if len(rt.Tags) != 1 || aws.ToString(rt.Tags[0].Value) != "gold" {
		t.Errorf("ListRoleTags = %+v", rt.Tags)
	}
	_, err = root.IAM.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("tagged"), TagKeys: []string{"tier"}})
	must(t, err, "UntagRole")
}

// GetAccessKeyInfo names the account of any key, its own or another's.
func TestGetAccessKeyInfoE2E(t *testing.T) {
	e := startOrgs(t, accountplanetest.Options{})
	root := defaultRoot(e.srv)
	other := e.signUp(t, "other", "other@example.com")
	out, err := root.STS.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(other.key)})
	must(t, err, "GetAccessKeyInfo")
	if aws.ToString(out.Account) != other.ID {
		t.Errorf("Account = %s, want %s", aws.ToString(out.Account), other.ID)
	}
	out, err = root.STS.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(defaultKey)})
	must(t, err, "GetAccessKeyInfo test")
	if aws.ToString(out.Account) != defaultAccountID {
		t.Errorf("Account of test = %s", aws.ToString(out.Account))
	}
}
