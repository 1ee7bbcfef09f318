package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/accountplane/accountplane/accountplanetest"
	"github.com/accountplane/accountplane/internal/iam"
)

var seedRE = regexp.MustCompile(`data-testid="mfa-seed">([A-Z2-7]+)<`)

// signInRoot signs in with the root user's form: email and password, then
// the MFA code when the page asks for one (code may be "").
func (c *client) signInRoot(email, password, code string) (int, string) {
	c.t.Helper()
	c.get(prefix + "signin?kind=root")
	status, body := c.post(prefix+"signin", url.Values{"kind": {"root"}, "email": {email}, "password": {password}})
	if code == "" || !strings.Contains(body, `id="mfa_code"`) {
		return status, body
	}
	return c.post(prefix+"signin", url.Values{"kind": {"root"}, "email": {email}, "password": {password}, "mfa_code": {code}})
}

// codes returns two consecutive codes of seed ending now (EnableMFADevice's
// proof of possession).
func codes(t *testing.T, seed string) (string, string) {
	t.Helper()
	now := time.Now()
	c1, err := iam.TOTP(seed, now.Add(-30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := iam.TOTP(seed, now)
	return c1, c2
}

// TestRootUserTasks: the root user signs in with its password, enrols a
// virtual MFA device (QR code, seed, two codes), signs in again with the
// device's code, changes its password, and removes the device; each task
// is recorded as AWS records the console's calls. An IAM user is refused
// them.
func TestRootUserTasks(t *testing.T) {
	srv := accountplanetest.Start(t)
	c := newClient(t, srv)
	if code, body := c.signInRoot("root@example.com", "Test1234!", ""); code != http.StatusOK || !strings.Contains(body, "<h1>Account</h1>") {
		t.Fatalf("root password sign-in: %d %.300s", code, body)
	}
	_, body := c.get(prefix + "security")
	if !strings.Contains(body, `data-testid="no-mfa"`) {
		t.Errorf("the Security page shows MFA devices of a root user without any")
	}
	_, body = c.post(prefix+"security/mfa", url.Values{"device_name": {"root-phone"}})
	m := seedRE.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, `src="data:image/png;base64,`) {
		t.Fatalf("enrolment shows no seed or QR code: %.500s", body)
	}
	seed := m[1]
	serial := "arn:aws:iam::000000000000:mfa/root-phone"
	_, body = c.post(prefix+"security/mfa/enable", url.Values{"serial": {serial}, "code1": {"123456"}, "code2": {"654321"}})
	if !strings.Contains(body, "InvalidAuthenticationCode") {
		t.Errorf("wrong codes: %.300s", regexp.MustCompile(`(?s)<div class="flashes.*?</div>`).FindString(body))
	}
	c1, c2 := codes(t, seed)
	_, body = c.post(prefix+"security/mfa/enable", url.Values{"serial": {serial}, "code1": {c1}, "code2": {c2}})
	if !strings.Contains(body, "is assigned to the root user") || !strings.Contains(body, "<code>"+serial+"</code>") {
		t.Errorf("after enrolment: %.300s", body)
	}

	// Sign in again: the form asks for the code.
	c.post(prefix+"signout", url.Values{})
	c.get(prefix + "signin?kind=root")
	_, body = c.post(prefix+"signin", url.Values{"kind": {"root"}, "email": {"root@example.com"}, "password": {"Test1234!"}})
	if !strings.Contains(body, `id="mfa_code"`) {
		t.Fatalf("sign-in did not ask for the MFA code: %.400s", body)
	}
	code, _ := iam.TOTP(seed, time.Now())
	if status, body := c.post(prefix+"signin", url.Values{"kind": {"root"}, "email": {"root@example.com"}, "password": {"Test1234!"}, "mfa_code": {code}}); status != http.StatusOK || !strings.Contains(body, "<h1>Account</h1>") {
		t.Fatalf("sign-in with the MFA code: %d %.300s", status, body)
	}

	// Change the password: the current one is checked, the new one twice.
	c.get(prefix + "security")
	_, body = c.post(prefix+"security/password", url.Values{"current_password": {"wrong"}, "new_password": {"N3w-Root-pass"}, "confirm_password": {"N3w-Root-pass"}})
	if !strings.Contains(body, "current password is incorrect") {
		t.Errorf("a wrong current password: %.300s", regexp.MustCompile(`(?s)<div class="flashes.*?</div>`).FindString(body))
	}
	_, body = c.post(prefix+"security/password", url.Values{"current_password": {"Test1234!"}, "new_password": {"N3w-Root-pass"}, "confirm_password": {"other"}})
	if !strings.Contains(body, "confirmation differ") {
		t.Errorf("a confirmation that differs was accepted")
	}
	_, body = c.post(prefix+"security/password", url.Values{"current_password": {"Test1234!"}, "new_password": {"short"}, "confirm_password": {"short"}})
	if !strings.Contains(body, "PasswordPolicyViolation") {
		t.Errorf("a weak password was accepted")
	}
	_, body = c.post(prefix+"security/password", url.Values{"current_password": {"Test1234!"}, "new_password": {"N3w-Root-pass"}, "confirm_password": {"N3w-Root-pass"}})
	if !strings.Contains(body, "password is changed") {
		t.Errorf("password change: %.300s", body)
	}

	// Remove the device.
	_, body = c.post(prefix+"security/mfa/remove", url.Values{"serial": {serial}})
	if !strings.Contains(body, "is removed") || !strings.Contains(body, `data-testid="no-mfa"`) {
		t.Errorf("removal: %.300s", body)
	}
	c.post(prefix+"signout", url.Values{})
	if status, body := c.signInRoot("root@example.com", "N3w-Root-pass", ""); status != http.StatusOK || !strings.Contains(body, "<h1>Account</h1>") {
		t.Errorf("sign-in with the new password and no MFA: %d", status)
	}

	// The records, as AWS's console's: EnableMFADevice and
	// DeactivateMFADevice of IAM, PasswordUpdated of sign-in, ConsoleLogin.
	ct := cloudtrail.NewFromConfig(srv.Config)
	want := map[string]string{"EnableMFADevice": "iam.amazonaws.com", "DeactivateMFADevice": "iam.amazonaws.com", "DeleteVirtualMFADevice": "iam.amazonaws.com",
		"CreateVirtualMFADevice": "iam.amazonaws.com", "PasswordUpdated": "signin.amazonaws.com", "ConsoleLogin": "signin.amazonaws.com"}
	for name, source := range want {
		out, err := ct.LookupEvents(t.Context(), &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(name)}}})
		if err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, ev := range out.Events {
			if aws.ToString(ev.EventSource) == source && aws.ToString(ev.Username) == "root" {
				ok = true
			}
		}
		if !ok {
			t.Errorf("no %s record of %s by the root user (%d records)", name, source, len(out.Events))
		}
	}

	// An IAM user signs in with the IAM-user form, and is refused the root
	// user's tasks.
	iamUser(t, srv, "admin", "arn:aws:iam::aws:policy/AdministratorAccess")
	_, err := awsiam.NewFromConfig(srv.Config).CreateLoginProfile(t.Context(), &awsiam.CreateLoginProfileInput{UserName: aws.String("admin"), Password: aws.String("Admin-pass-123")})
	if err != nil {
		t.Fatal(err)
	}
	u := newClient(t, srv)
	u.get(prefix + "signin?kind=iam")
	if status, body := u.post(prefix+"signin", url.Values{"kind": {"iam"}, "account": {"000000000000"}, "username": {"admin"}, "password": {"Admin-pass-123"}}); status != http.StatusOK || !strings.Contains(body, "<h1>Account</h1>") {
		t.Fatalf("IAM user password sign-in: %d %.300s", status, body)
	}
	u.get(prefix + "security")
	_, body = u.post(prefix+"security/password", url.Values{"current_password": {"x"}, "new_password": {"N3w-Root-pass2"}, "confirm_password": {"N3w-Root-pass2"}})
	if !strings.Contains(body, "Only the root user") {
		t.Errorf("an IAM user changed the root password: %.300s", regexp.MustCompile(`(?s)<div class="flashes.*?</div>`).FindString(body))
	}
}

// TestPostureAndRootAccessPages: the Root posture page shows the
// report's verdicts, for the management account every account of its
// organization; the Root access page enables centralized root access once
// trusted access for IAM is on.
func TestPostureAndRootAccessPages(t *testing.T) {
	srv := accountplanetest.Start(t)
	c := newClient(t, srv)
	c.signIn(root)
	_, body := c.get(prefix + "posture")
	if !strings.Contains(body, `data-account="000000000000"`) || strings.Count(body, "NON_COMPLIANT") != 2 {
		t.Errorf("posture of a standalone account: %.800s", body)
	}
	c.post(prefix+"organizations/create", url.Values{"feature_set": {"ALL"}})
	_, body = c.get(prefix + "organizations/root-access")
	if !strings.Contains(body, `data-testid="root-access-prerequisite"`) {
		t.Errorf("root access without trusted access: %.800s", body)
	}
	c.post(prefix+"organizations/services", url.Values{"service": {"iam.amazonaws.com"}, "confirm": {"enable"}})
	c.get(prefix + "organizations/root-access")
	for _, f := range []string{"RootCredentialsManagement", "RootSessions"} {
		_, body = c.post(prefix+"organizations/root-access", url.Values{"feature": {f}, "action": {"enable"}})
		if !strings.Contains(body, f+" is enabled") {
			t.Errorf("enable %s: %.300s", f, regexp.MustCompile(`(?s)<div class="flashes.*?</div>`).FindString(body))
		}
	}
	if strings.Count(body, ">ENABLED<") != 2 {
		t.Errorf("root access page after enabling both: %.1500s", body)
	}
	c.post(prefix+"organizations/accounts", url.Values{"name": {"dev"}, "email": {"dev@example.com"}})
	_, body = c.get(prefix + "posture")
	if !strings.Contains(body, "NOT_APPLICABLE") || strings.Count(body, "data-account=") != 2 {
		t.Errorf("posture of the organization with a member created without root credentials: %.2000s", body)
	}
}
