package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/accountplane/accountplane/accountplanetest"
	"github.com/accountplane/accountplane/internal/iam"
)

// chromium returns the path of a Chromium or Chrome binary:
// $ACCOUNTPLANE_CHROMIUM, else the first of the usual names on PATH.
func chromium() string {
	if p := os.Getenv("ACCOUNTPLANE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is a headless Chromium driving the console of one server.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
}

func newBrowser(t *testing.T, srv *accountplanetest.Server) *browser {
	t.Helper()
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium found (install Debian's chromium package, or set ACCOUNTPLANE_CHROMIUM): the browser tests are skipped")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1360, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("no-default-browser-check", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", bin, err)
	}
	shots := os.Getenv("ACCOUNTPLANE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, ctx: ctx, base: srv.URL + prefix, shots: shots}
}

// with returns the browser reporting to t (a subtest).
func (b *browser) with(t *testing.T) *browser {
	c := *b
	c.t = t
	return &c
}

// do runs steps with a time limit.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v\npage: %s", what, err, b.text("main"))
	}
}

// open navigates to a console page.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS("main")))
}

// submit clicks a submit button and waits for the next page.
func (b *browser) submit(sel string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("submit %s: %v\npage: %s", sel, err, b.text("main"))
	}
}

// fill sets form fields: selector, value, selector, value...
func (b *browser) fill(kv ...string) {
	b.t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(kv); i += 2 {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(kv[i]), kv[i+1]))
	}
	b.do("fill", steps...)
}

func (b *browser) click(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// text returns the text of the first element sel matches ("" if none).
func (b *browser) text(sel string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q)||{}).innerText||""`, sel)))
	if err != nil {
		return ""
	}
	return s
}

// waitFor waits until the JavaScript predicate holds on the current page.
func (b *browser) waitFor(what, predicate string, limit time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, limit+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(limit))); err != nil {
		b.t.Fatalf("waiting for %s: %v\npage: %s", what, err, b.text("main"))
	}
}

// shot saves a full-page screenshot as NAME.png.
func (b *browser) shot(name string) { b.capture(name, chromedp.FullScreenshot(100)) } // 100: PNG

// view saves a screenshot of the window as NAME.png.
func (b *browser) view(name string) { b.capture(name, chromedp.CaptureScreenshot()) }

func (b *browser) capture(name string, a chromedp.Action[[]byte]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) signIn(k keyPair) {
	b.t.Helper()
	b.open("signin")
	b.fill("#access_key_id", k.ID, "#secret_access_key", k.Secret)
	b.submit("form button[type=submit]")
	if got := b.text("h1"); got != "Account" {
		b.t.Fatalf("after signing in as %s: heading %q, page: %s", k.ID, got, b.text("main"))
	}
}

func (b *browser) signOut() {
	b.t.Helper()
	b.submit(".topbar form[action$='signout'] button")
}

func (b *browser) wantFlash(what, want string) {
	b.t.Helper()
	if got := b.text(".flashes"); !strings.Contains(got, want) {
		b.t.Errorf("%s: notice %q, want it to contain %q", what, got, want)
	}
}

// TestBrowser drives the console in headless Chromium through the guide's
// tasks: sign in, rename the account, add an alternate contact, enable an
// opt-in Region and watch it reach ENABLED, create an organization and a
// member account, invite and accept, a read-only user's denied change,
// and a cross-site form post refused. It saves screenshots of the main
// pages ($ACCOUNTPLANE_SCREENSHOTS, else a temporary directory).
func TestBrowser(t *testing.T) {
	srv := accountplanetest.Start(t, accountplanetest.Options{RegionTransitionDelay: time.Hour, CreateAccountDelay: time.Second})
	b := newBrowser(t, srv)
	root := keyPair{"000000000000", "test", "test"}
	invitee := signUp(t, srv, "invitee", "invitee@example.com")
	reader := iamUser(t, srv, "reader", "arn:aws:iam::aws:policy/AWSAccountManagementReadOnlyAccess")

	t.Run("root user", func(t *testing.T) {
		// Root sign-in with MFA computed from the enrolled seed: sign in
		// with the email and password, enrol a virtual device on Security
		// credentials (two consecutive codes of the seed the page shows),
		// sign out, and sign in again with the device's code.
		b := b.with(t)
		b.open("signin?kind=root")
		b.fill("#email", "root@example.com", "#password", "Test1234!")
		b.submit("form button[type=submit]")
		if got := b.text("h1"); got != "Account" {
			t.Fatalf("after the root password sign-in: heading %q, page: %s", got, b.text("main"))
		}
		b.open("security")
		b.fill("#mfa-name", "browser-phone")
		b.submit("form[action$='security/mfa'] button")
		seed := b.text("[data-testid=mfa-seed]")
		if seed == "" {
			t.Fatalf("the enrolment shows no seed: %s", b.text("main"))
		}
		b.shot("mfa-enrol")
		now := time.Now()
		c1, err := iam.TOTP(seed, now.Add(-30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		c2, _ := iam.TOTP(seed, now)
		b.fill("#mfa-code1", c1, "#mfa-code2", c2)
		b.submit("form[action$='security/mfa/enable'] button")
		b.wantFlash("MFA enrolment", "is assigned to the root user")
		b.signOut()
		b.open("signin?kind=root")
		b.fill("#email", "root@example.com", "#password", "Test1234!")
		b.submit("form button[type=submit]")
		b.waitFor("the MFA code field", `!!document.querySelector("#mfa_code")`, 5*time.Second)
		code, _ := iam.TOTP(seed, time.Now())
		b.fill("#password", "Test1234!", "#mfa_code", code)
		b.submit("form button[type=submit]")
		if got := b.text("h1"); got != "Account" {
			t.Fatalf("after the root sign-in with MFA: heading %q, page: %s", got, b.text("main"))
		}
		if got := b.text(".topbar"); !strings.Contains(got, "Root user") {
			t.Errorf("top bar %q, want the root user", got)
		}
		b.signOut()
	})

	b.signIn(root)

	// Rename the account.
	b.click("#settings details.edit summary")
	b.fill("#account-name", "Sandbox Prod")
	b.submit("#settings form button[type=submit]")
	b.wantFlash("rename", "Sandbox Prod")
	if got := b.text("[data-testid=account-name]"); got != "Sandbox Prod" {
		t.Errorf("account name shown = %q, want Sandbox Prod", got)
	}

	// Add the security contact.
	b.click("#alternate article:nth-of-type(3) details.edit summary")
	b.fill("#alt-SECURITY-name", "Mary Major", "#alt-SECURITY-title", "CISO", "#alt-SECURITY-email", "security@example.com", "#alt-SECURITY-phone", "+12065550100")
	b.submit("#alternate article:nth-of-type(3) details.edit button[type=submit]")
	b.wantFlash("alternate contact", "security contact is saved")
	if got := b.text("#alternate article:nth-of-type(3)"); !strings.Contains(got, "Mary Major") || !strings.Contains(got, "security@example.com") {
		t.Errorf("security contact card = %q", got)
	}

	// Enable an opt-in Region; the table updates by itself to ENABLED.
	b.submit(`tr[data-region="af-south-1"] button`)
	b.wantFlash("enable region", "af-south-1 is being enabled")
	b.waitFor("af-south-1 to be ENABLING", `(document.querySelector('tr[data-region="af-south-1"]')||{}).innerText.includes("ENABLING")`, 15*time.Second)
	// The transition lasts an hour of the server's clock, so the page
	// shows ENABLING however slow the machine; moving the clock past it
	// ends it while the page stays open.
	advanceClock(t, srv.URL, "1h")
	b.waitFor("af-south-1 to reach ENABLED by itself", `(document.querySelector('tr[data-region="af-south-1"]')||{innerText:""}).innerText.includes("ENABLED")
		&& !document.querySelector('tr[data-region="af-south-1"]').innerText.includes("ENABLING")`, 15*time.Second)
	b.shot("account")
	b.open("account")
	b.view("account-top")

	// Security credentials: account id and canonical user id.
	b.open("security")
	if got := b.text("[data-testid=canonical-id]"); len(got) != 64 {
		t.Errorf("canonical user id = %q, want 64 characters", got)
	}
	b.shot("security")

	// Create an organization and a member account, and see it in the tree.
	b.open("organizations")
	b.submit("form[action$='organizations/create'] button")
	b.wantFlash("create organization", "organization is created")
	b.fill("#new-acct-name", "workload-dev", "#new-acct-email", "dev@example.com")
	b.submit("form[action$='organizations/accounts'] button")
	b.wantFlash("create account", "Creating account")
	b.fill("#new-ou-name", "Workloads")
	b.submit("form[action$='organizations/ou'] button")
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(b.text(".orgtree"), "workload-dev") {
		if time.Now().After(deadline) {
			t.Fatalf("the created account never appeared in the tree: %s", b.text("main"))
		}
		time.Sleep(300 * time.Millisecond)
		b.open("organizations")
	}
	if !strings.Contains(b.text(".orgtree"), "Workloads") {
		t.Errorf("the OU Workloads is not in the tree: %s", b.text(".orgtree"))
	}

	// Invite the standalone account.
	b.open("organizations/invitations")
	b.fill("#invite-target", invitee.Account)
	b.submit("form[action$='organizations/invite'] button")
	b.wantFlash("invite", "invitation is sent")
	b.open("organizations")
	b.shot("organizations")
	b.open("activity")
	b.shot("activity")
	b.open("emulator")
	b.shot("emulator")

	// A cross-site form post is refused (another origin, the same browser
	// and its cookies).
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form id="f" method="post" action="%saccount/name"><input name="name" value="pwned"><input name="csrf" value="guess"></form><script>document.getElementById("f").submit()</script>`, b.base)
	}))
	defer evil.Close()
	b.do("cross-site post", chromedp.Navigate(evil.URL), chromedp.WaitVisible(chromedp.CSS("main")))
	if got := b.text("main"); !strings.Contains(got, "Request refused") {
		t.Errorf("cross-site post: page %q, want it refused", got)
	}
	b.open("account")
	if got := b.text("[data-testid=account-name]"); got != "Sandbox Prod" {
		t.Errorf("after the cross-site post the account name is %q, want Sandbox Prod", got)
	}
	b.signOut()

	// The invitee accepts.
	b.signIn(invitee)
	b.open("organizations/invitations")
	b.submit("form[action$='organizations/handshake'] input[value=accept] + button")
	b.wantFlash("accept", "accepted")
	b.open("organizations")
	if got := b.text("main"); !strings.Contains(got, "member of organization") {
		t.Errorf("the invitee's Organizations page: %q, want it to be a member", got)
	}
	b.signOut()

	// A read-only IAM user sees the Account page and is denied a change.
	b.signIn(reader)
	if strings.Contains(b.text("main"), "You Need Permissions") {
		t.Fatalf("the read-only user sees no Account page: %s", b.text("main"))
	}
	b.click("#settings details.edit summary")
	b.fill("#account-name", "Renamed by reader")
	b.submit("#settings form button[type=submit]")
	b.wantFlash("read-only rename", "Access denied")
	b.wantFlash("read-only rename", "is not authorized to perform: account:PutAccountName")
	if got := b.text("[data-testid=account-name]"); got != "Sandbox Prod" {
		t.Errorf("after the denied change the name is %q", got)
	}
	t.Logf("screenshots in %s", b.shots)
}

// advanceClock moves the server's domain clock forward through the admin
// API.
func advanceClock(t *testing.T, base, by string) {
	t.Helper()
	res, err := http.Post(base+"/_accountplane/clock", "application/json", strings.NewReader(`{"advance":"`+by+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("advance the clock by %s: %s %s", by, res.Status, body)
	}
}
