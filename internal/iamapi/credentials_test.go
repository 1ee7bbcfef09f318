package iamapi_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/csv"
	"encoding/pem"
	"image/png"
	"math/big"
	mrand "math/rand/v2"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/iamapi"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/operation/operationtest"
	"github.com/accountplane/accountplane/internal/sqlite"
)

// movable is a domain clock the test moves.
type movable struct {
	mu  sync.Mutex
	now time.Time
}

func (m *movable) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

func (m *movable) advance(d time.Duration) {
	m.mu.Lock()
	m.now = m.now.Add(d)
	m.mu.Unlock()
}

// newCredHarness is newHarness with a movable clock, cheap password
// hashes and the account itself in the store (its name and email are
// words no password may be).
func newCredHarness(t *testing.T) (*harness, *movable) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{})
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &movable{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	err = db.Update(context.Background(), func(tx account.Tx) error {
		return tx.PutAccount(context.Background(), &account.Account{ID: acct, Name: "Example-Corp1", Email: "Root@Example.com", CreatedAt: clk.now.Add(-time.Hour)})
	})
	if err != nil {
		t.Fatalf("put account: %v", err)
	}
	svc := iam.NewService(db.IAM(), iam.Options{Now: clk.Now, Rand: mrand.NewChaCha8([32]byte{9}), PasswordHashRounds: 10})
	h := &harness{t: t, svc: svc, ops: map[string]operation.Operation{}}
	for _, op := range iamapi.Service(svc, iamapi.Options{TokenKey: []byte("k")}).Operations {
		h.ops[op.Name] = op
	}
	return h, clk
}

func member1(t *testing.T, out, elem string) string {
	t.Helper()
	m := regexp.MustCompile(`<` + elem + `>([^<]*)</` + elem + `>`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no <%s> in %s", elem, out)
	}
	return m[1]
}

func TestLoginProfilesAndPolicy(t *testing.T) {
	h, _ := newCredHarness(t)
	h.ok("Action=CreateUser&UserName=alice")
	// The default rules: three classes of characters.
	msg := h.fails("Action=CreateLoginProfile&UserName=alice&Password=alllowercase", iam.CodePasswordPolicyViolation, 400)
	if strings.Contains(msg, "alllowercase") {
		t.Errorf("the message quotes the password: %q", msg)
	}
	h.fails("Action=CreateLoginProfile&UserName=alice&Password="+q("example-corp1"), iam.CodePasswordPolicyViolation, 400)
	out := h.ok("Action=CreateLoginProfile&UserName=alice&Password=" + q("Str0ng-pass") + "&PasswordResetRequired=true")
	wantXML(t, out, `<CreateLoginProfileResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateLoginProfileResult><LoginProfile>`+
		`<UserName>alice</UserName><CreateDate>2026-01-02T03:04:05Z</CreateDate><PasswordResetRequired>true</PasswordResetRequired>`+
		`</LoginProfile></CreateLoginProfileResult>`+meta+`</CreateLoginProfileResponse>`)
	h.fails("Action=CreateLoginProfile&UserName=alice&Password="+q("Str0ng-pass"), iam.CodeEntityAlreadyExists, 409)
	if out := h.ok("Action=GetLoginProfile&UserName=alice"); !strings.Contains(out, "<PasswordResetRequired>true</PasswordResetRequired>") {
		t.Errorf("GetLoginProfile = %s", out)
	}
	// A root caller must name the user outside an AssumeRoot session.
	h.fails("Action=GetLoginProfile", iam.CodeValidation, 400)

	// A password policy, then a weak password.
	h.fails("Action=GetAccountPasswordPolicy", iam.CodeNoSuchEntity, 404)
	h.ok("Action=UpdateAccountPasswordPolicy&MinimumPasswordLength=14&RequireSymbols=true&RequireNumbers=true&PasswordReusePrevention=2&MaxPasswordAge=90")
	wantXML(t, h.ok("Action=GetAccountPasswordPolicy"), `<GetAccountPasswordPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountPasswordPolicyResult><PasswordPolicy>`+
		`<MinimumPasswordLength>14</MinimumPasswordLength><RequireSymbols>true</RequireSymbols><RequireNumbers>true</RequireNumbers>`+
		`<RequireUppercaseCharacters>false</RequireUppercaseCharacters><RequireLowercaseCharacters>false</RequireLowercaseCharacters>`+
		`<AllowUsersToChangePassword>false</AllowUsersToChangePassword><ExpirePasswords>true</ExpirePasswords><MaxPasswordAge>90</MaxPasswordAge>`+
		`<PasswordReusePrevention>2</PasswordReusePrevention><HardExpiry>false</HardExpiry></PasswordPolicy></GetAccountPasswordPolicyResult>`+meta+`</GetAccountPasswordPolicyResponse>`)
	msg = h.fails("Action=UpdateLoginProfile&UserName=alice&Password="+q("Short-1"), iam.CodePasswordPolicyViolation, 400)
	if msg != "Password should have a minimum length of 14." {
		t.Errorf("message = %q", msg)
	}
	h.fails("Action=UpdateLoginProfile&UserName=alice&Password="+q("longenoughbutnosymbol1"), iam.CodePasswordPolicyViolation, 400)
	h.ok("Action=UpdateLoginProfile&UserName=alice&Password=" + q("a-much-longer-pass-1"))
	// Reuse prevention remembers the last two.
	h.ok("Action=UpdateAccountPasswordPolicy&MinimumPasswordLength=8&RequireSymbols=true&RequireNumbers=true&PasswordReusePrevention=2")
	h.fails("Action=UpdateLoginProfile&UserName=alice&Password="+q("Str0ng-pass"), iam.CodePasswordPolicyViolation, 400)
	h.ok("Action=UpdateLoginProfile&UserName=alice&PasswordResetRequired=false")

	// ChangePassword: IAM users only, with the old password.
	alice := identity.AccessKey{Account: acct, User: "alice", ID: "AKIAALICE0000000"}.UserPrincipal("AIDAALICE", "/")
	if _, err := h.call(alice, "Action=ChangePassword&OldPassword=wrong&NewPassword="+q("another-pass-2")); !apierr.HasCode(err, iam.CodeAccessDenied) {
		t.Errorf("ChangePassword with a wrong old password: %v", err)
	}
	if _, err := h.call(alice, "Action=ChangePassword&OldPassword="+q("a-much-longer-pass-1")+"&NewPassword="+q("another-pass-2")); err != nil {
		t.Errorf("ChangePassword: %v", err)
	}
	h.fails("Action=ChangePassword&OldPassword=a&NewPassword=b", iam.CodeInvalidUserType, 400)

	// A user with a password cannot be deleted.
	h.fails("Action=DeleteUser&UserName=alice", iam.CodeDeleteConflict, 409)
	h.ok("Action=DeleteLoginProfile&UserName=alice")
	h.fails("Action=DeleteLoginProfile&UserName=alice", iam.CodeNoSuchEntity, 404)
	h.ok("Action=DeleteAccountPasswordPolicy")
	h.fails("Action=DeleteAccountPasswordPolicy", iam.CodeNoSuchEntity, 404)
	h.ok("Action=DeleteUser&UserName=alice")
}

// Validation messages of passwords and one-time codes never quote them.
func TestSecretsNotQuoted(t *testing.T) {
	h, _ := newCredHarness(t)
	long := strings.Repeat("Ab1!", 40)
	msg := h.fails("Action=CreateLoginProfile&UserName=u&Password="+q(long), iam.CodeValidation, 400)
	if strings.Contains(msg, long) || !strings.Contains(msg, "Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128") {
		t.Errorf("message = %q", msg)
	}
	msg = h.fails("Action=EnableMFADevice&UserName=u&SerialNumber="+q("arn:aws:iam::111111111111:mfa/d")+"&AuthenticationCode1=12x456&AuthenticationCode2=123456", iam.CodeValidation, 400)
	if strings.Contains(msg, "12x456") {
		t.Errorf("message = %q", msg)
	}
}

func TestVirtualMFA(t *testing.T) {
	h, clk := newCredHarness(t)
	h.ok("Action=CreateUser&UserName=bob")
	out := h.ok("Action=CreateVirtualMFADevice&VirtualMFADeviceName=bob-phone&Path=/team/&Tags.member.1.Key=k&Tags.member.1.Value=v")
	serial := member1(t, out, "SerialNumber")
	if serial != "arn:aws:iam::111111111111:mfa/team/bob-phone" {
		t.Errorf("SerialNumber = %s", serial)
	}
	seedB64, pngB64 := member1(t, out, "Base32StringSeed"), member1(t, out, "QRCodePNG")
	seedText, err := base64.StdEncoding.DecodeString(seedB64)
	if err != nil || !regexp.MustCompile(`^[A-Z2-7]{64}$`).Match(seedText) {
		t.Fatalf("Base32StringSeed = %q (%v)", seedText, err)
	}
	pngBytes, _ := base64.StdEncoding.DecodeString(pngB64)
	if _, err := png.Decode(bytes.NewReader(pngBytes)); err != nil {
		t.Errorf("QRCodePNG is not a PNG: %v", err)
	}
	seed := string(seedText)
	code := func(at time.Time) string {
		c, err := iam.TOTP(seed, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	h.fails("Action=CreateVirtualMFADevice&VirtualMFADeviceName=BOB-PHONE", iam.CodeEntityAlreadyExists, 409)
	if out := h.ok("Action=ListVirtualMFADevices&AssignmentStatus=Unassigned"); !strings.Contains(out, serial) || strings.Contains(out, "<User>") {
		t.Errorf("unassigned = %s", out)
	}

	now := clk.Now()
	enable := "Action=EnableMFADevice&UserName=bob&SerialNumber=" + q(serial)
	h.fails(enable+"&AuthenticationCode1="+code(now)+"&AuthenticationCode2="+code(now.Add(-30*time.Second)), iam.CodeInvalidAuthenticationCode, 403)
	h.ok(enable + "&AuthenticationCode1=" + code(now.Add(-30*time.Second)) + "&AuthenticationCode2=" + code(now))
	h.fails(enable+"&AuthenticationCode1="+code(now.Add(-30*time.Second))+"&AuthenticationCode2="+code(now), iam.CodeEntityAlreadyExists, 409)
	out = h.ok("Action=ListMFADevices&UserName=bob")
	wantXML(t, out, `<ListMFADevicesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListMFADevicesResult><MFADevices><member>`+
		`<UserName>bob</UserName><SerialNumber>`+serial+`</SerialNumber><EnableDate>2026-01-02T03:04:05Z</EnableDate></member></MFADevices>`+
		`<IsTruncated>false</IsTruncated></ListMFADevicesResult>`+meta+`</ListMFADevicesResponse>`)
	if out := h.ok("Action=ListVirtualMFADevices&AssignmentStatus=Assigned"); !strings.Contains(out, "<UserName>bob</UserName>") {
		t.Errorf("assigned = %s", out)
	}
	if out := h.ok("Action=ListMFADeviceTags&SerialNumber=" + q(serial)); !strings.Contains(out, "<Key>k</Key>") {
		t.Errorf("ListMFADeviceTags = %s", out)
	}

	// Resync after the device's clock drifted five minutes ahead.
	drift := 5 * time.Minute
	clk.advance(time.Minute)
	now = clk.Now()
	resync := "Action=ResyncMFADevice&UserName=bob&SerialNumber=" + q(serial)
	h.ok(resync + "&AuthenticationCode1=" + code(now.Add(drift)) + "&AuthenticationCode2=" + code(now.Add(drift+30*time.Second)))
	h.fails(resync+"&AuthenticationCode1=000000&AuthenticationCode2=000000", iam.CodeInvalidAuthenticationCode, 403)

	h.fails("Action=DeleteVirtualMFADevice&SerialNumber="+q(serial), iam.CodeDeleteConflict, 409)
	h.fails("Action=DeleteUser&UserName=bob", iam.CodeDeleteConflict, 409)
	h.ok("Action=DeactivateMFADevice&UserName=bob&SerialNumber=" + q(serial))
	h.fails("Action=DeactivateMFADevice&UserName=bob&SerialNumber="+q(serial), iam.CodeNoSuchEntity, 404)
	h.ok("Action=DeleteVirtualMFADevice&SerialNumber=" + q(serial))
	h.fails("Action=DeleteVirtualMFADevice&SerialNumber="+q(serial), iam.CodeNoSuchEntity, 404)

	// Root devices come from the admin API; ListMFADevices as root lists them.
	d, err := h.svc.AddRootMFADevice(context.Background(), acct, "root-key")
	if err != nil {
		t.Fatal(err)
	}
	out = h.ok("Action=ListMFADevices")
	if !strings.Contains(out, "<SerialNumber>arn:aws:iam::111111111111:mfa/root-key</SerialNumber>") || strings.Contains(out, "<UserName>") {
		t.Errorf("root's ListMFADevices = %s", out)
	}
	if out := h.ok("Action=ListVirtualMFADevices"); !strings.Contains(out, "<Arn>arn:aws:iam::111111111111:root</Arn>") {
		t.Errorf("ListVirtualMFADevices = %s", out)
	}
	h.fails("Action=DeleteVirtualMFADevice&SerialNumber="+q(d.Serial()), iam.CodeDeleteConflict, 409)
	h.fails("Action=DeactivateMFADevice&SerialNumber="+q(d.Serial()), iam.CodeValidation, 400)
	if out := h.ok("Action=GetAccountSummary"); !strings.Contains(out, "<entry><key>AccountMFAEnabled</key><value>1</value></entry>") ||
		!strings.Contains(out, "<entry><key>MFADevicesInUse</key><value>1</value></entry>") {
		t.Errorf("GetAccountSummary = %s", out)
	}
}

func selfSignedPEM(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestSigningCertificates(t *testing.T) {
	h, _ := newCredHarness(t)
	h.ok("Action=CreateUser&UserName=carol")
	c1, c2, c3 := selfSignedPEM(t, "one"), selfSignedPEM(t, "two"), selfSignedPEM(t, "three")
	h.fails("Action=UploadSigningCertificate&UserName=carol&CertificateBody=not-a-cert", iam.CodeMalformedCertificate, 400)
	out := h.ok("Action=UploadSigningCertificate&UserName=carol&CertificateBody=" + q(c1))
	id := member1(t, out, "CertificateId")
	if !regexp.MustCompile(`^[A-Z0-9]{32}$`).MatchString(id) || !strings.Contains(out, "<Status>Active</Status>") {
		t.Errorf("UploadSigningCertificate = %s", out)
	}
	h.fails("Action=UploadSigningCertificate&CertificateBody="+q(c1), iam.CodeDuplicateCertificate, 409)
	h.ok("Action=UploadSigningCertificate&UserName=carol&CertificateBody=" + q(c2))
	h.fails("Action=UploadSigningCertificate&UserName=carol&CertificateBody="+q(c3), iam.CodeLimitExceeded, 409)
	h.ok("Action=UpdateSigningCertificate&UserName=carol&Status=Inactive&CertificateId=" + id)
	if out := h.ok("Action=ListSigningCertificates&UserName=carol"); strings.Count(out, "<member>") != 2 || !strings.Contains(out, "<Status>Inactive</Status>") {
		t.Errorf("ListSigningCertificates = %s", out)
	}
	// The root user's own.
	h.ok("Action=UploadSigningCertificate&CertificateBody=" + q(c3))
	if out := h.ok("Action=GetAccountSummary"); !strings.Contains(out, "<entry><key>AccountSigningCertificatesPresent</key><value>1</value></entry>") {
		t.Errorf("GetAccountSummary = %s", out)
	}
	h.fails("Action=DeleteSigningCertificate&CertificateId="+id, iam.CodeNoSuchEntity, 404) // not root's
	h.ok("Action=DeleteSigningCertificate&UserName=carol&CertificateId=" + id)
}

func TestAccessKeyLastUsed(t *testing.T) {
	h, clk := newCredHarness(t)
	h.ok("Action=CreateUser&UserName=dave")
	key := member1(t, h.ok("Action=CreateAccessKey&UserName=dave"), "AccessKeyId")
	wantXML(t, h.ok("Action=GetAccessKeyLastUsed&AccessKeyId="+key), `<GetAccessKeyLastUsedResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccessKeyLastUsedResult>`+
		`<UserName>dave</UserName><AccessKeyLastUsed><ServiceName>N/A</ServiceName><Region>N/A</Region></AccessKeyLastUsed>`+
		`</GetAccessKeyLastUsedResult>`+meta+`</GetAccessKeyLastUsedResponse>`)
	clk.advance(time.Minute)
	h.svc.NoteKeyUse(key, "sts", "eu-west-1")
	want := `<AccessKeyLastUsed><LastUsedDate>2026-01-02T03:05:05Z</LastUsedDate><ServiceName>sts</ServiceName><Region>eu-west-1</Region></AccessKeyLastUsed>`
	if out := h.ok("Action=GetAccessKeyLastUsed&AccessKeyId=" + key); !strings.Contains(out, want) {
		t.Errorf("before the flush: %s", out)
	}
	if err := h.svc.FlushKeyUses(context.Background()); err != nil {
		t.Fatal(err)
	}
	if out := h.ok("Action=GetAccessKeyLastUsed&AccessKeyId=" + key); !strings.Contains(out, want) {
		t.Errorf("after the flush: %s", out)
	}
	// The resource is the key's owner; keys of other accounts and unknown
	// keys are AccessDenied.
	params, _ := url.ParseQuery("Action=GetAccessKeyLastUsed&AccessKeyId=" + key)
	if got := h.access(root, h.ops["GetAccessKeyLastUsed"], params).Resources; got[0] != "arn:aws:iam::111111111111:user/dave" {
		t.Errorf("resource = %v", got)
	}
	other := identity.RootPrincipal("222222222222", "AKIAOTHER")
	if _, err := operationtest.Access(context.Background(), h.ops["GetAccessKeyLastUsed"], other, operation.Input{Params: params}); !apierr.HasCode(err, iam.CodeAccessDenied) {
		t.Errorf("another account's key: %v", err)
	}
	// The default world's key "test" is accepted as an AccessKeyId.
	h.fails("Action=DeleteAccessKey&AccessKeyId=test", iam.CodeNoSuchEntity, 404)
	h.fails("Action=DeleteAccessKey&AccessKeyId=tst", iam.CodeValidation, 400)
}

func TestCredentialReport(t *testing.T) {
	h, clk := newCredHarness(t)
	h.fails("Action=GetCredentialReport", iam.CodeReportNotPresent, 410)
	h.ok("Action=CreateUser&UserName=erin")
	h.ok("Action=CreateLoginProfile&UserName=erin&Password=" + q("Str0ng-pass"))
	key := member1(t, h.ok("Action=CreateAccessKey&UserName=erin"), "AccessKeyId")
	h.svc.NoteKeyUse(key, "iam", "us-east-1")
	if out := h.ok("Action=GenerateCredentialReport"); !strings.Contains(out, "<State>STARTED</State>") {
		t.Errorf("first GenerateCredentialReport = %s", out)
	}
	if out := h.ok("Action=GenerateCredentialReport"); !strings.Contains(out, "<State>COMPLETE</State>") {
		t.Errorf("second GenerateCredentialReport = %s", out)
	}
	out := h.ok("Action=GetCredentialReport")
	content, _ := base64.StdEncoding.DecodeString(member1(t, out, "Content"))
	rows, err := csv.NewReader(bytes.NewReader(content)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("report %q: %v", content, err)
	}
	if strings.Join(rows[0], ",") != strings.Join(iam.CredentialReportColumns, ",") || len(rows[0]) != 22 {
		t.Errorf("header = %v", rows[0])
	}
	wantRoot := "<root_account>,arn:aws:iam::111111111111:root,2026-01-02T02:04:05+00:00,not_supported,N/A,not_supported,not_supported,false," +
		"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
	if got := strings.Join(rows[1], ","); got != wantRoot {
		t.Errorf("root row\n got %s\nwant %s", got, wantRoot)
	}
	wantErin := "erin,arn:aws:iam::111111111111:user/erin,2026-01-02T03:04:05+00:00,true,no_information,2026-01-02T03:04:05+00:00,N/A,false," +
		"true,2026-01-02T03:04:05+00:00,2026-01-02T03:04:05+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
	if got := strings.Join(rows[2], ","); got != wantErin {
		t.Errorf("erin's row\n got %s\nwant %s", got, wantErin)
	}
	if !strings.Contains(out, "<ReportFormat>text/csv</ReportFormat><GeneratedTime>2026-01-02T03:04:05Z</GeneratedTime>") {
		t.Errorf("GetCredentialReport = %s", out)
	}
	// Four hours later the report has expired and a new one may start.
	clk.advance(4 * time.Hour)
	h.fails("Action=GetCredentialReport", iam.CodeReportExpired, 410)
	if out := h.ok("Action=GenerateCredentialReport"); !strings.Contains(out, "<State>STARTED</State>") {
		t.Errorf("GenerateCredentialReport after 4h = %s", out)
	}
	if iamapi.StatusOf(iam.CodeReportInProgress) != 404 {
		t.Errorf("ReportInProgress status = %d", iamapi.StatusOf(iam.CodeReportInProgress))
	}
}

func TestUserAndRoleTags(t *testing.T) {
	h, _ := newCredHarness(t)
	h.ok("Action=CreateUser&UserName=fay&Tags.member.1.Key=team&Tags.member.1.Value=red")
	h.ok("Action=TagUser&UserName=fay&Tags.member.1.Key=TEAM&Tags.member.1.Value=blue&Tags.member.2.Key=env&Tags.member.2.Value=prod")
	wantXML(t, h.ok("Action=ListUserTags&UserName=fay"), `<ListUserTagsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUserTagsResult><Tags>`+
		`<member><Key>TEAM</Key><Value>blue</Value></member><member><Key>env</Key><Value>prod</Value></member></Tags>`+
		`<IsTruncated>false</IsTruncated></ListUserTagsResult>`+meta+`</ListUserTagsResponse>`)
	h.ok("Action=UntagUser&UserName=fay&TagKeys.member.1=team&TagKeys.member.2=nope")
	if out := h.ok("Action=ListUserTags&UserName=fay"); strings.Contains(out, "TEAM") || !strings.Contains(out, "env") {
		t.Errorf("after UntagUser: %s", out)
	}
	h.fails("Action=TagUser&UserName=fay&Tags.member.1.Key=aws:x&Tags.member.1.Value=y", iam.CodeInvalidInput, 400)
	h.fails("Action=TagUser&UserName=fay", iam.CodeValidation, 400)
	h.fails("Action=TagUser&UserName=ghost&Tags.member.1.Key=a&Tags.member.1.Value=b", iam.CodeNoSuchEntity, 404)
	h.ok("Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=" + q(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}`))
	h.ok("Action=TagRole&RoleName=r&Tags.member.1.Key=tier&Tags.member.1.Value=gold")
	if out := h.ok("Action=ListRoleTags&RoleName=r"); !strings.Contains(out, "<Key>tier</Key><Value>gold</Value>") {
		t.Errorf("ListRoleTags = %s", out)
	}
	h.ok("Action=UntagRole&RoleName=r&TagKeys.member.1=tier")
	// Condition keys: aws:RequestTag/* on Tag*, aws:TagKeys on both.
	params, _ := url.ParseQuery("Action=TagRole&RoleName=r&Tags.member.1.Key=tier&Tags.member.1.Value=gold")
	if c := h.access(root, h.ops["TagRole"], params).Conditions; c["aws:RequestTag/tier"][0] != "gold" || c["aws:TagKeys"][0] != "tier" {
		t.Errorf("TagRole conditions = %v", c)
	}
	params, _ = url.ParseQuery("Action=UntagUser&UserName=fay&TagKeys.member.1=env")
	if c := h.access(root, h.ops["UntagUser"], params).Conditions; len(c["aws:TagKeys"]) != 1 {
		t.Errorf("UntagUser conditions = %v", c)
	}
}

func TestCredentialResources(t *testing.T) {
	h, _ := newCredHarness(t)
	me := identity.AccessKey{Account: acct, User: "me", ID: "AKIAME0000000000"}.UserPrincipal("AIDAME", "/")
	for _, tc := range []struct{ form, want string }{
		{"Action=CreateLoginProfile&Password=x", "arn:aws:iam::111111111111:user/me"},
		{"Action=ChangePassword&OldPassword=x&NewPassword=y", "arn:aws:iam::111111111111:user/me"},
		{"Action=UpdateAccountPasswordPolicy", "*"},
		{"Action=CreateVirtualMFADevice&VirtualMFADeviceName=d&Path=/p/", "arn:aws:iam::111111111111:mfa/p/d"},
		{"Action=EnableMFADevice&UserName=u&SerialNumber=arn:aws:iam::111111111111:mfa/d&AuthenticationCode1=123456&AuthenticationCode2=123456", "arn:aws:iam::111111111111:user/u"},
		{"Action=DeleteVirtualMFADevice&SerialNumber=arn:aws:iam::111111111111:mfa/d", "arn:aws:iam::111111111111:mfa/d"},
		{"Action=ListMFADevices", "arn:aws:iam::111111111111:user/me"},
		{"Action=ListVirtualMFADevices", "*"},
		{"Action=UploadSigningCertificate&CertificateBody=x", "arn:aws:iam::111111111111:user/me"},
		{"Action=GenerateCredentialReport", "*"},
		{"Action=TagUser&UserName=u&Tags.member.1.Key=a&Tags.member.1.Value=b", "arn:aws:iam::111111111111:user/u"},
		{"Action=ListRoleTags&RoleName=r", "arn:aws:iam::111111111111:role/r"},
	} {
		params, _ := url.ParseQuery(tc.form)
		op := h.ops[params.Get("Action")]
		if got := h.access(me, op, params).Resources[0]; got != tc.want {
			t.Errorf("%s: Resource = %s, want %s", tc.form, got, tc.want)
		}
	}
}
