package e2e_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/accountplane/accountplane/accountplanetest"
	iamdomain "github.com/accountplane/accountplane/internal/iam"
)

// The password sign-in (POST /_accountplane/signin), its CloudTrail
// ConsoleLogin records and its events.

const defaultRootPassword = "Test1234!"

// signInAnswer is the sign-in's answer.
type signInAnswer struct {
	Status  int
	Body    map[string]any
	Cookies []*http.Cookie
}

// signIn posts body to the sign-in endpoint as JSON; hdr are extra
// header name/value pairs (a Content-Type among them replaces JSON's).
func signIn(t *testing.T, srv *accountplanetest.Server, body any, hdr ...string) signInAnswer {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/_accountplane/signin", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /_accountplane/signin: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := signInAnswer{Status: resp.StatusCode, Cookies: resp.Cookies()}
	if err := json.Unmarshal(raw, &a.Body); err != nil {
		t.Fatalf("sign-in answered %d %q", resp.StatusCode, raw)
	}
	return a
}

// wantSignIn asserts a sign-in's status and, for a failure, its __type.
func wantSignIn(t *testing.T, what string, a signInAnswer, status int, code string) {
	t.Helper()
	if a.Status != status {
		t.Errorf("%s: status %d, want %d: %v", what, a.Status, status, a.Body)
	}
	if code != "" && a.Body["__type"] != code {
		t.Errorf("%s: __type %v, want %s: %v", what, a.Body["__type"], code, a.Body)
	}
}

// consoleLogins returns the ConsoleLogin records of c's account, newest
// first.
func consoleLogins(t *testing.T, p principal) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, ev := range lookupAll(t, trailClient(p.Cfg), attr(cttypes.LookupAttributeKeyEventName, "ConsoleLogin")) {
		if aws.ToString(ev.EventSource) != "signin.amazonaws.com" {
			t.Errorf("ConsoleLogin event source %q", aws.ToString(ev.EventSource))
		}
		out = append(out, recordOf(t, ev))
	}
	return out
}

// TestSignInRecords: root and IAM user sign-ins, successful or not, answer
// as the endpoint says, set the console's session cookie, and are each a
// ConsoleLogin record of the account (signin.amazonaws.com, AwsConsoleSignIn,
// responseElements.ConsoleLogin, additionalEventData.MFAUsed, the identity
// as AWS writes it) found by LookupEvents, and an "AWS Console Sign In via
// CloudTrail" event; the endpoint's guards refuse what a web page could
// send.
func TestSignInRecords(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	root := defaultRoot(e.srv)
	signIns := openEventStream(t, e.srv, `{"detail-type":["AWS Console Sign In via CloudTrail"]}`)

	// The root user, by email and password.
	a := signIn(t, e.srv, map[string]string{"Email": "ROOT@example.com", "Password": defaultRootPassword})
	wantSignIn(t, "root", a, http.StatusOK, "")
	if a.Body["Arn"] != defaultRootARN || a.Body["AccountId"] != defaultAccountID || a.Body["Type"] != "Root" {
		t.Errorf("root sign-in answered %v", a.Body)
	}
	var session *http.Cookie
	for _, c := range a.Cookies {
		if c.Name == "accountplane_console" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Value == "" {
		t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Strict", session)
	} else {
		// The cookie is a console session.
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/_accountplane/console/account", nil)
		req.AddCookie(session)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		must(t, err, "console with the sign-in cookie")
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("console with the sign-in cookie: %d, want 200", resp.StatusCode)
		}
	}
	wantSignIn(t, "root, wrong password", signIn(t, e.srv, map[string]string{"Email": defaultEmail, "Password": "Wrong-pass1"}), http.StatusUnauthorized, "AuthenticationFailed")
	wantSignIn(t, "unknown email", signIn(t, e.srv, map[string]string{"Email": "nobody@example.com", "Password": defaultRootPassword}), http.StatusUnauthorized, "AuthenticationFailed")

	// An IAM user, by account id and by alias.
	_, err := root.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ana")})
	must(t, err, "CreateUser")
	_, err = root.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("ana"), Password: aws.String("Ana-pass-123")})
	must(t, err, "CreateLoginProfile")
	_, err = root.IAM.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("sandbox-prod")})
	must(t, err, "CreateAccountAlias")
	a = signIn(t, e.srv, map[string]string{"AccountId": defaultAccountID, "UserName": "ana", "Password": "Ana-pass-123"})
	wantSignIn(t, "IAM user", a, http.StatusOK, "")
	if a.Body["Arn"] != "arn:aws:iam::000000000000:user/ana" || a.Body["Type"] != "IAMUser" {
		t.Errorf("IAM user sign-in answered %v", a.Body)
	}
	wantSignIn(t, "IAM user by alias", signIn(t, e.srv, map[string]string{"AccountId": "sandbox-prod", "UserName": "ana", "Password": "Ana-pass-123"}), http.StatusOK, "")
	wantSignIn(t, "IAM user, wrong password", signIn(t, e.srv, map[string]string{"AccountId": defaultAccountID, "UserName": "ana", "Password": "nope"}), http.StatusUnauthorized, "AuthenticationFailed")
	wantSignIn(t, "unknown IAM user", signIn(t, e.srv, map[string]string{"AccountId": defaultAccountID, "UserName": "mallory", "Password": "nope"}), http.StatusUnauthorized, "AuthenticationFailed")

	// The guards: JSON only, no foreign Origin, POST only.
	wantSignIn(t, "form body", signIn(t, e.srv, map[string]string{"Email": defaultEmail, "Password": defaultRootPassword}, "Content-Type", "application/x-www-form-urlencoded"), http.StatusUnsupportedMediaType, "")
	wantSignIn(t, "foreign Origin", signIn(t, e.srv, map[string]string{"Email": defaultEmail, "Password": defaultRootPassword}, "Origin", "https://evil.example"), http.StatusForbidden, "")
	wantSignIn(t, "same Origin", signIn(t, e.srv, map[string]string{"Email": defaultEmail, "Password": defaultRootPassword}, "Origin", e.srv.URL), http.StatusOK, "")
	resp, err := http.Get(e.srv.URL + "/_accountplane/signin")
	must(t, err, "GET signin")
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /_accountplane/signin: %d, want 405", resp.StatusCode)
	}

	// The records: two root successes, one root failure, two IAM user
	// successes and two failures (the unknown email is no account's).
	recs := consoleLogins(t, root)
	if len(recs) != 7 {
		t.Fatalf("%d ConsoleLogin records, want 7", len(recs))
	}
	count := map[string]int{}
	for _, r := range recs {
		typ, _ := field(r, "userIdentity", "type").(string)
		res, _ := field(r, "responseElements", "ConsoleLogin").(string)
		count[typ+" "+res]++
		if r["eventType"] != "AwsConsoleSignIn" || r["eventSource"] != "signin.amazonaws.com" || r["awsRegion"] != "us-east-1" ||
			r["recipientAccountId"] != defaultAccountID || r["requestParameters"] != nil || field(r, "additionalEventData", "MFAUsed") != "No" ||
			r["readOnly"] != false || r["managementEvent"] != true {
			t.Errorf("record %v", r)
		}
		if res == "Failure" && r["errorMessage"] != "Failed authentication" {
			t.Errorf("failure record's errorMessage %v", r["errorMessage"])
		}
		if typ == "Root" && (field(r, "userIdentity", "arn") != defaultRootARN || field(r, "userIdentity", "principalId") != defaultAccountID) {
			t.Errorf("root identity %v", r["userIdentity"])
		}
	}
	if count["Root Success"] != 2 || count["Root Failure"] != 1 || count["IAMUser Success"] != 2 || count["IAMUser Failure"] != 2 {
		t.Errorf("records by identity and result: %v", count)
	}
	hidden := lookupAll(t, trailClient(root.Cfg), attr(cttypes.LookupAttributeKeyUsername, "HIDDEN_DUE_TO_SECURITY_REASONS"))
	if len(hidden) != 1 || field(recordOf(t, hidden[0]), "userIdentity", "userName") != "HIDDEN_DUE_TO_SECURITY_REASONS" {
		t.Errorf("the unknown user's attempt: %d records", len(hidden))
	}
	rootLogins := lookupAll(t, trailClient(root.Cfg), attr(cttypes.LookupAttributeKeyUsername, "root"))
	if len(rootLogins) < 3 {
		t.Errorf("LookupEvents Username=root: %d records, want the 3 root sign-ins at least", len(rootLogins))
	}

	// The events: one per recorded attempt.
	for i := 0; i < 7; i++ {
		select {
		case b := <-signIns.events:
			var ev apiCallEvent
			must(t, json.Unmarshal(b, &ev), "decode event")
			if ev.Source != "aws.signin" || ev.Account != defaultAccountID || !strings.Contains(string(ev.Detail), `"eventName":"ConsoleLogin"`) {
				t.Errorf("sign-in event %s", b)
			}
		case <-time.After(eventWait):
			t.Fatalf("%d sign-in events, want 7", i)
		}
	}
}

// TestRootActivityAlert: an EventBridge rule matching the root user's
// activity (AWS's sample: both detail types, userIdentity.type Root) sees
// the root user's sign-in and its writes, not its reads, nor an IAM user's
// writes.
func TestRootActivityAlert(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	root := defaultRoot(e.srv)
	user := newUser(t, e.srv, root, "ops", acctFullAccessARN)
	alert := openEventStream(t, e.srv, `{"detail-type":["AWS Console Sign In via CloudTrail","AWS API Call via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}`)
	// An IAM user's write and the root user's read: no alert.
	put := func(c *account.Client) error {
		_, err := c.PutAlternateContact(ctx, &account.PutAlternateContactInput{
			AlternateContactType: atypes.AlternateContactTypeSecurity, Name: aws.String("Sec"), Title: aws.String("CISO"),
			EmailAddress: aws.String("sec@example.com"), PhoneNumber: aws.String("+12065550100"),
		})
		return err
	}
	must(t, put(user.Acct), "PutAlternateContact as ops")
	_, err := root.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
	must(t, err, "GetContactInformation as root")
	// The root user signs in and writes.
	wantSignIn(t, "root", signIn(t, e.srv, map[string]string{"Email": defaultEmail, "Password": defaultRootPassword}), http.StatusOK, "")
	must(t, put(root.Acct), "PutAlternateContact as root")
	var got []string
	for len(got) < 2 {
		select {
		case b := <-alert.events:
			var ev struct {
				DetailType string `json:"detail-type"`
				Detail     struct {
					EventName    string `json:"eventName"`
					UserIdentity struct {
						Type string `json:"type"`
					} `json:"userIdentity"`
				} `json:"detail"`
			}
			must(t, json.Unmarshal(b, &ev), "decode event")
			got = append(got, ev.DetailType+" "+ev.Detail.EventName+" "+ev.Detail.UserIdentity.Type)
		case <-time.After(eventWait):
			t.Fatalf("alerts %v, want the sign-in and the write", got)
		}
	}
	want := []string{"AWS Console Sign In via CloudTrail ConsoleLogin Root", "AWS API Call via CloudTrail PutAlternateContact Root"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("alerts %q, want %q", got, want)
	}
	select {
	case b := <-alert.events:
		t.Errorf("an alert more: %s", b)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestSignInMFA: a root user with an MFA device is asked for its code,
// signs in with the current one on the domain clock (recorded with
// MFAUsed Yes and the device), and fails with a wrong one.
func TestSignInMFA(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	root := defaultRoot(e.srv)
	var dev struct{ SerialNumber, Base32StringSeed string }
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts/"+defaultAccountID+"/root/mfa-devices", map[string]string{"DeviceName": "root-phone"}, http.StatusCreated, &dev)
	creds := map[string]string{"Email": defaultEmail, "Password": defaultRootPassword}
	a := signIn(t, e.srv, creds)
	wantSignIn(t, "without a code", a, http.StatusUnauthorized, "AuthenticationFailed")
	if a.Body["MFARequired"] != true {
		t.Errorf("without a code: %v, want MFARequired", a.Body)
	}
	creds["MFACode"] = "000000"
	if code, _ := iamdomain.TOTP(dev.Base32StringSeed, e.clk.Now()); code == "000000" {
		creds["MFACode"] = "111111"
	}
	wantSignIn(t, "a wrong code", signIn(t, e.srv, creds), http.StatusUnauthorized, "AuthenticationFailed")
	code, err := iamdomain.TOTP(dev.Base32StringSeed, e.clk.Now())
	must(t, err, "TOTP")
	creds["MFACode"] = code
	wantSignIn(t, "the current code", signIn(t, e.srv, creds), http.StatusOK, "")

	recs := consoleLogins(t, root)
	if len(recs) != 2 {
		t.Fatalf("%d ConsoleLogin records, want 2 (asking for the code is no attempt's end)", len(recs))
	}
	ok, bad := recs[0], recs[1]
	if field(ok, "responseElements", "ConsoleLogin") != "Success" || field(ok, "additionalEventData", "MFAUsed") != "Yes" ||
		field(ok, "additionalEventData", "MFAIdentifier") != dev.SerialNumber {
		t.Errorf("success with MFA: %v", ok)
	}
	if field(bad, "responseElements", "ConsoleLogin") != "Failure" || field(bad, "additionalEventData", "MFAUsed") != "Yes" {
		t.Errorf("failure with a wrong code: %v", bad)
	}
}

// TestRootMFAEnrollmentRule: the root user of a standalone or management
// account without MFA may sign in for 35 days from its first sign-in
// attempt (domain clock), then sign-in answers that MFA enrolment is
// required until it has a device; a member account's root user is not
// bound.
func TestRootMFAEnrollmentRule(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	var member adminKey
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts", map[string]string{"name": "member", "email": "member@example.com", "Password": "Member-pass-1"}, http.StatusCreated, &member)
	mgmt := e.mgmt
	createOrg(t, mgmt.Org, "ALL")
	join(t, mgmt, e.actor(member.AccountID, "member@example.com", member.AccessKeyID, member.SecretAccessKey))

	rootCreds := map[string]string{"Email": defaultEmail, "Password": defaultRootPassword}
	memberCreds := map[string]string{"Email": "member@example.com", "Password": "Member-pass-1"}
	wantSignIn(t, "management, day 0", signIn(t, e.srv, rootCreds), http.StatusOK, "")
	wantSignIn(t, "member, day 0", signIn(t, e.srv, memberCreds), http.StatusOK, "")
	e.clk.Advance(34 * 24 * time.Hour)
	wantSignIn(t, "management, day 34", signIn(t, e.srv, rootCreds), http.StatusOK, "")
	e.clk.Advance(2 * 24 * time.Hour)
	a := signIn(t, e.srv, rootCreds)
	wantSignIn(t, "management, day 36", a, http.StatusForbidden, "MFAEnrollmentRequired")
	if msg, _ := a.Body["message"].(string); !strings.Contains(msg, "35 days") {
		t.Errorf("message %q", msg)
	}
	wantSignIn(t, "management, day 36, wrong password", signIn(t, e.srv, map[string]string{"Email": defaultEmail, "Password": "Wrong-pass1"}), http.StatusUnauthorized, "AuthenticationFailed")
	wantSignIn(t, "member, day 36", signIn(t, e.srv, memberCreds), http.StatusOK, "")

	var dev struct{ Base32StringSeed string }
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts/"+defaultAccountID+"/root/mfa-devices", map[string]string{"DeviceName": "root-key"}, http.StatusCreated, &dev)
	code, err := iamdomain.TOTP(dev.Base32StringSeed, e.clk.Now())
	must(t, err, "TOTP")
	rootCreds["MFACode"] = code
	wantSignIn(t, "management with MFA, day 36", signIn(t, e.srv, rootCreds), http.StatusOK, "")
}
