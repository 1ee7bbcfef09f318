package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

var root = keyPair{"000000000000", "test", "test"}

// pages are every console page a signed-in user can open.
var pages = []string{
	"account", "security", "organizations", "organizations/invitations", "organizations/services",
	"organizations/policies", "organizations/root-access", "activity", "posture", "emulator",
}

var (
	hrefRE   = regexp.MustCompile(`(href|src|action)="([^"]*)"`)
	fieldRE  = regexp.MustCompile(`<(input|select|textarea)\b([^>]*)>`)
	attrRE   = regexp.MustCompile(`\b(id|type|aria-label|name)="([^"]*)"`)
	labelRE  = regexp.MustCompile(`<label\b[^>]*\bfor="([^"]+)"`)
	formRE   = regexp.MustCompile(`(?s)<form\b[^>]*method="post"[^>]*>.*?</form>`)
	idAttrRE = regexp.MustCompile(`\bid="([^"]+)"`)
)

// checkPage checks one page's HTML: every link, asset and form action
// answers, every form field has a label, every POST form carries the CSRF
// token, and ids are unique.
func checkPage(t *testing.T, c *client, path, body string, seen map[string]bool) {
	t.Helper()
	for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
		link := strings.ReplaceAll(m[2], "&amp;", "&")
		if strings.HasPrefix(link, "#") || link == "" {
			continue
		}
		u, err := url.Parse(link)
		if err != nil || u.Host != "" {
			t.Errorf("%s: link %q leaves the console", path, link)
			continue
		}
		if seen[m[1]+u.Path] {
			continue
		}
		seen[m[1]+u.Path] = true
		if m[1] == "action" && strings.Contains(body, `action="`+m[2]+`" class="panel form form-grid filters" role="search"`) {
			m[1] = "href" // the event history's GET form
		}
		if m[1] == "action" {
			// A POST action exists if it refuses a post without the
			// form's token (403), rather than answering 404.
			req, _ := http.NewRequest(http.MethodPost, c.base+u.Path, strings.NewReader(""))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: form action %s answers %d to a post without its token, want 403", path, u.Path, res.StatusCode)
			}
			continue
		}
		res, err := c.http.Get(c.base + link)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: link %s answers %d", path, link, res.StatusCode)
		}
	}
	labels := map[string]bool{}
	for _, m := range labelRE.FindAllStringSubmatch(body, -1) {
		labels[m[1]] = true
	}
	for _, m := range fieldRE.FindAllStringSubmatch(body, -1) {
		attrs := map[string]string{}
		for _, a := range attrRE.FindAllStringSubmatch(m[2], -1) {
			attrs[a[1]] = a[2]
		}
		if attrs["type"] == "hidden" || attrs["type"] == "submit" {
			continue
		}
		if !labels[attrs["id"]] && attrs["aria-label"] == "" {
			t.Errorf("%s: field %s (id %q) has no label", path, attrs["name"], attrs["id"])
		}
	}
	for _, f := range formRE.FindAllString(body, -1) {
		if !strings.Contains(f, `name="csrf"`) {
			t.Errorf("%s: a POST form without the CSRF token: %.200s", path, f)
		}
	}
	ids := map[string]bool{}
	for _, m := range idAttrRE.FindAllStringSubmatch(body, -1) {
		if ids[m[1]] {
			t.Errorf("%s: id %q twice", path, m[1])
		}
		ids[m[1]] = true
	}
}

// TestPagesHTML opens every page as the root user of a management
// account (with members, policies and events, so that every section has
// content) and as a member, and checks their HTML.
func TestPagesHTML(t *testing.T) {
	srv := accountplanetest.Start(t)
	c := newClient(t, srv)
	c.signIn(root)
	c.post(prefix+"organizations/create", url.Values{"feature_set": {"ALL"}})
	c.post(prefix+"organizations/accounts", url.Values{"name": {"dev"}, "email": {"dev@example.com"}})
	_, orgs := c.get(prefix + "organizations")
	rootID := regexp.MustCompile(`r-[a-z0-9]+`).FindString(orgs)
	c.post(prefix+"organizations/ou", url.Values{"parent": {rootID}, "name": {"Workloads"}})
	c.post(prefix+"organizations/policies/type", url.Values{"root": {rootID}, "type": {"SERVICE_CONTROL_POLICY"}, "action": {"enable"}})
	c.post(prefix+"account/alternate", url.Values{"type": {"BILLING"}, "name": {"Bill"}, "title": {"CFO"}, "email": {"bill@example.com"}, "phone": {"+12065550100"}})
	invitee := signUp(t, srv, "invitee", "invitee@example.com")
	c.post(prefix+"organizations/invite", url.Values{"target": {invitee.Account}})
	seen := map[string]bool{}
	for _, p := range pages {
		code, body := c.get(prefix + p)
		if code != http.StatusOK {
			t.Errorf("%s: status %d", p, code)
		}
		if strings.Contains(body, `alert-error`) && p != "emulator" {
			t.Errorf("%s shows an error: %s", p, regexp.MustCompile(`(?s)alert-error.*?</div>`).FindString(body))
		}
		checkPage(t, c, p, body, seen)
	}
	// The invitee, a standalone account with an invitation.
	m := newClient(t, srv)
	m.signIn(invitee)
	for _, p := range pages {
		_, body := m.get(prefix + p)
		checkPage(t, m, "invitee "+p, body, map[string]bool{})
	}
	// The sign-in page, signed out.
	s := newClient(t, srv)
	for _, kind := range []string{"key", "root", "iam"} {
		_, body := s.get(prefix + "signin?kind=" + kind)
		checkPage(t, s, "signin "+kind, body, map[string]bool{})
	}
}

// TestSignIn: a wrong secret, an unknown key, a missing sign-in token and
// signed-out pages.
func TestSignIn(t *testing.T) {
	srv := accountplanetest.Start(t)
	c := newClient(t, srv)
	code, body := c.get(prefix + "account")
	if code != http.StatusOK || !strings.Contains(body, "<h1>Sign in</h1>") {
		t.Fatalf("signed out, /account: %d, want the sign-in page", code)
	}
	for _, k := range []keyPair{{"", "test", "wrong"}, {"", "AKIANOSUCHKEY", "test"}} {
		c.get(prefix + "signin")
		code, body := c.post(prefix+"signin", url.Values{"kind": {"key"}, "access_key_id": {k.ID}, "secret_access_key": {k.Secret}})
		if code != http.StatusUnauthorized || !strings.Contains(body, "incorrect") {
			t.Errorf("sign in with %s/%s: %d, want 401 and a notice", k.ID, k.Secret, code)
		}
	}
	code, _ = c.post(prefix+"signin", url.Values{"csrf": {"forged"}, "kind": {"key"}, "access_key_id": {"test"}, "secret_access_key": {"test"}})
	if code != http.StatusForbidden {
		t.Errorf("sign in with a forged token: %d, want 403", code)
	}
	c.get(prefix + "signin")
	code, body = c.post(prefix+"signin", url.Values{"kind": {"root"}, "email": {"root@example.com"}, "password": {"x"}})
	if code != http.StatusUnauthorized || !strings.Contains(body, "incorrect") {
		t.Errorf("root sign-in with a wrong password: %d, want 401 and a notice", code)
	}
	c.signIn(root)
	code, _ = c.post(prefix+"signout", url.Values{})
	if code != http.StatusOK {
		t.Errorf("sign out: %d", code)
	}
	if _, body := c.get(prefix + "account"); !strings.Contains(body, "<h1>Sign in</h1>") {
		t.Errorf("after signing out the Account page is still shown")
	}
}

// TestSessionCookieAndCSRF: the cookie's attributes; a POST without the
// token, with another session's token, or from another origin is
// refused and changes nothing.
func TestSessionCookieAndCSRF(t *testing.T) {
	srv := accountplanetest.Start(t)
	c := newClient(t, srv)
	c.get(prefix + "signin")
	form := url.Values{"kind": {"key"}, "access_key_id": {"test"}, "secret_access_key": {"test"}, "csrf": {c.csrf}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+prefix+"signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range c.http.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var set string
	for _, v := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "accountplane_console=") {
			set = v
		}
	}
	for _, want := range []string{"HttpOnly", "SameSite=Strict", "Path=" + prefix} {
		if !strings.Contains(set, want) {
			t.Errorf("session cookie %q lacks %s", set, want)
		}
	}

	c.signIn(root)
	other := newClient(t, srv)
	other.signIn(root)
	for _, tt := range []struct {
		name string
		form url.Values
		hdr  []string
	}{
		{"no token", url.Values{"csrf": {""}, "name": {"x1"}}, nil},
		{"another session's token", url.Values{"csrf": {other.csrf}, "name": {"x2"}}, nil},
		{"foreign origin", url.Values{"name": {"x3"}}, []string{"Origin", "http://evil.example"}},
		{"cross-site fetch", url.Values{"name": {"x4"}}, []string{"Origin", "", "Sec-Fetch-Site", "cross-site"}},
	} {
		code, _ := c.post(prefix+"account/name", tt.form, tt.hdr...)
		if code != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tt.name, code)
		}
	}
	if _, body := c.get(prefix + "account"); !strings.Contains(body, `data-testid="account-name">default<`) {
		t.Errorf("a refused post changed the account name")
	}
}

// TestConsoleCallsArePipelineCalls: a change made in the console is
// authorized (a read-only user is denied with AWS's message, and the
// decision is kept under the request id shown) and recorded in CloudTrail
// as a console call.
func TestConsoleCallsArePipelineCalls(t *testing.T) {
	srv := accountplanetest.Start(t)
	reader := iamUser(t, srv, "reader", "arn:aws:iam::aws:policy/AWSAccountManagementReadOnlyAccess")
	c := newClient(t, srv)
	c.signIn(root)
	if code, body := c.post(prefix+"account/name", url.Values{"name": {"renamed"}}); code != http.StatusOK || !strings.Contains(body, "renamed") {
		t.Fatalf("rename: %d", code)
	}
	r := newClient(t, srv)
	r.signIn(reader)
	_, body := r.post(prefix+"account/name", url.Values{"name": {"by reader"}})
	want := "User: arn:aws:iam::000000000000:user/reader is not authorized to perform: account:PutAccountName"
	if !strings.Contains(body, want) {
		t.Errorf("read-only rename: page lacks %q", want)
	}
	reqID := regexp.MustCompile(`Request ID <code>([0-9a-f-]{36})</code>`).FindStringSubmatch(body)
	if reqID == nil {
		t.Fatal("the denial shows no request id")
	}
	res, err := http.Get(srv.URL + "/_accountplane/requests/" + reqID[1] + "/decision")
	if err != nil {
		t.Fatal(err)
	}
	var dec struct {
		Allowed bool
		Action  string
	}
	_ = json.NewDecoder(res.Body).Decode(&dec)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || dec.Allowed || dec.Action != "account:PutAccountName" {
		t.Errorf("decision of %s: status %d, %+v", reqID[1], res.StatusCode, dec)
	}

	ct := cloudtrail.NewFromConfig(srv.Config)
	out, err := ct.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("PutAccountName")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 2 {
		t.Fatalf("PutAccountName records: %d, want 2 (allowed and denied)", len(out.Events))
	}
	for _, ev := range out.Events {
		var rec struct {
			UserAgent   string `json:"userAgent"`
			FromConsole string `json:"sessionCredentialFromConsole"`
			ErrorCode   string `json:"errorCode"`
			SourceIP    string `json:"sourceIPAddress"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.UserAgent != "AWS Internal" || rec.FromConsole != "true" || rec.SourceIP != "127.0.0.1" {
			t.Errorf("record %+v: want userAgent AWS Internal, sessionCredentialFromConsole true, the browser's address", rec)
		}
	}
}

// TestCloseStandaloneAccount: only the root user closes the account, from
// the Account page, after the confirmations; IAM users are refused.
func TestCloseStandaloneAccount(t *testing.T) {
	srv := accountplanetest.Start(t)
	admin := iamUser(t, srv, "admin", "arn:aws:iam::aws:policy/AdministratorAccess")
	a := newClient(t, srv)
	a.signIn(admin)
	_, body := a.get(prefix + "account")
	if strings.Contains(body, "account/close") {
		t.Errorf("an IAM user sees the Close account form")
	}
	_, body = a.post(prefix+"account/close", url.Values{"ack_terms": {"1"}, "ack_resources": {"1"}, "ack_email": {"1"}, "confirm": {"000000000000"}})
	if !strings.Contains(body, "Only the root user can close the account.") {
		t.Errorf("IAM user closing: page lacks the refusal")
	}
	c := newClient(t, srv)
	c.signIn(root)
	_, body = c.post(prefix+"account/close", url.Values{"ack_terms": {"1"}, "confirm": {"000000000000"}})
	if !strings.Contains(body, "The account was not closed") {
		t.Errorf("closing without every acknowledgement went through")
	}
	_, body = c.post(prefix+"account/close", url.Values{"ack_terms": {"1"}, "ack_resources": {"1"}, "ack_email": {"1"}, "confirm": {"000000000000"}})
	if !strings.Contains(body, "is closed") {
		t.Fatalf("root closing: %s", regexp.MustCompile(`(?s)<div class="flashes".*?</div>`).FindString(body))
	}
	_, body = c.post(prefix+"account/close", url.Values{"ack_terms": {"1"}, "ack_resources": {"1"}, "ack_email": {"1"}, "confirm": {"000000000000"}})
	if !strings.Contains(body, "already closed") {
		t.Errorf("closing twice: no ConflictException notice")
	}
}

// TestContactFormValidation: a refused contact form is shown again with
// the values typed and the API's message by each field.
func TestContactFormValidation(t *testing.T) {
	srv := accountplanetest.Start(t)
	c := newClient(t, srv)
	c.signIn(root)
	form := url.Values{"FullName": {"Ada"}, "AddressLine1": {"1 Main St"}, "City": {"Seattle"}, "PostalCode": {"98101"},
		"CountryCode": {"USA"}, "PhoneNumber": {"not a phone"}}
	code, body := c.post(prefix+"account/contact", form)
	if code != http.StatusBadRequest {
		t.Fatalf("invalid contact: status %d, want 400", code)
	}
	for _, want := range []string{`value="not a phone"`, `id="ci-PhoneNumber" name="PhoneNumber" value="not a phone" autocomplete="tel" aria-invalid="true"`, `The contact information was not saved`} {
		if !strings.Contains(body, want) {
			t.Errorf("refused contact form lacks %s", want)
		}
	}
	if !strings.Contains(body, `id="ci-CountryCode-err"`) && !strings.Contains(body, `id="ci-PhoneNumber-err"`) {
		t.Errorf("no field shows its message")
	}
}

// TestAccountSwitcher: the management account acts on a member through
// AccountId (organization mode) once trusted access for Account
// Management is on, as the API allows; the page says so.
func TestAccountSwitcher(t *testing.T) {
	srv := accountplanetest.Start(t)
	c := newClient(t, srv)
	c.signIn(root)
	c.post(prefix+"organizations/create", url.Values{"feature_set": {"ALL"}})
	c.post(prefix+"organizations/accounts", url.Values{"name": {"member"}, "email": {"member@example.com"}})
	c.post(prefix+"organizations/services", url.Values{"service": {"account.amazonaws.com"}, "action": {"enable"}, "confirm": {"enable"}})
	_, body := c.get(prefix + "account")
	m := regexp.MustCompile(`<option value="(\d{12})">member`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the switcher does not offer the member: %s", regexp.MustCompile(`(?s)<form class="switcher".*?</form>`).FindString(body))
	}
	_, body = c.post(prefix+"switch", url.Values{"account": {m[1]}})
	if !strings.Contains(body, "Organization mode") || !strings.Contains(body, `data-testid="account-name">member<`) {
		t.Errorf("after switching to %s the page does not show the member", m[1])
	}
	if !strings.Contains(body, "Send verification code") {
		t.Errorf("in organization mode the primary email form is missing")
	}
	c.post(prefix+"account/name", url.Values{"name": {"member-renamed"}})
	_, body = c.get(prefix + "account")
	if !strings.Contains(body, `data-testid="account-name">member-renamed<`) {
		t.Errorf("renaming in organization mode did not rename the member")
	}
	_, body = c.post(prefix+"switch", url.Values{"account": {""}})
	if !strings.Contains(body, `data-testid="account-name">default<`) {
		t.Errorf("switching back does not show the management account")
	}
}
