package server_test

// Golden wire tests: raw HTTP requests signed with aws-sdk-go-v2's SigV4
// signer against an in-process server, one success and one error per Account
// operation, plus STS and authentication failures. Each golden file holds the
// status line, the headers that matter and the exact body bytes.
//
// Rewrite the goldens with:
//
//	go test ./internal/server -run Wire -update
//
// and review the diff against /work/shared/models/README.md §2.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/accountplane/accountplane/accountplanetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const goldenDir = "testdata/golden"

// fixedNow is the domain clock: the default account is created at this
// instant, so AccountCreatedDate is stable. Signatures use the real clock.
var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type wire struct {
	t      *testing.T
	url    string
	client *http.Client
	signer *v4.Signer
	// written lists the golden files this run produced or checked.
	written map[string]bool
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// send posts body to path, signed for service with the key id/secret (no
// signature when akid is "").
func (w *wire) send(service, path, contentType, body, akid, secret string) response {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.url+path, strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if akid != "" {
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}
		if err := w.signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
			w.t.Fatal(err)
		}
	}
	res, err := w.client.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (w *wire) account(op, body string) response {
	w.t.Helper()
	return w.send("account", "/"+strings.ToLower(op[:1])+op[1:], "application/json", body, "test", "test")
}

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// render checks the varying headers and returns the golden form of r. For
// XML bodies the request id (which must equal x-amzn-RequestId) is replaced
// by REQUEST-ID.
func (w *wire) render(r response) []byte {
	w.t.Helper()
	id := r.header.Get("x-amzn-RequestId")
	if !requestIDPattern.MatchString(id) {
		w.t.Errorf("x-amzn-RequestId = %q, want a UUID", id)
	}
	if d := r.header.Get("Date"); d == "" {
		w.t.Error("no Date header")
	} else if _, err := http.ParseTime(d); err != nil {
		w.t.Errorf("Date %q: %v", d, err)
	}
	if n := len(r.header.Values("Content-Type")); n != 1 {
		w.t.Errorf("%d Content-Type headers", n)
	}
	body := r.body
	if strings.HasPrefix(r.header.Get("Content-Type"), "text/xml") && id != "" {
		if !bytes.Contains(body, []byte("<RequestId>"+id+"</RequestId>")) {
			w.t.Errorf("XML body does not carry the request id %s: %s", id, body)
		}
		body = bytes.ReplaceAll(body, []byte(id), []byte("REQUEST-ID"))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP %d\n", r.status)
	fmt.Fprintf(&b, "Content-Type: %s\n", r.header.Get("Content-Type"))
	if et := r.header.Values("X-Amzn-ErrorType"); len(et) > 0 {
		fmt.Fprintf(&b, "X-Amzn-ErrorType: %s\n", strings.Join(et, ", "))
	}
	b.WriteString("\n")
	b.Write(body)
	return b.Bytes()
}

// golden compares r with testdata/golden/name.golden (or rewrites it).
func (w *wire) golden(name string, r response) {
	w.t.Helper()
	got := w.render(r)
	file := name + ".golden"
	w.written[file] = true
	path := filepath.Join(goldenDir, file)
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			w.t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			w.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		w.t.Errorf("%v (run with -update to create it)", err)
		return
	}
	if !bytes.Equal(got, want) {
		w.t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// outboxCode returns the one-time code most recently sent to recipient.
func (w *wire) outboxCode(to string) string {
	w.t.Helper()
	res, err := w.client.Get(w.url + "/_accountplane/outbox?to=" + url.QueryEscape(to))
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Messages []struct {
			Code string `json:"code"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		w.t.Fatal(err)
	}
	if len(out.Messages) == 0 || out.Messages[0].Code == "" {
		w.t.Fatalf("no code sent to %s", to)
	}
	return out.Messages[0].Code
}

// step is one operation's pair of requests. Steps run in order on one
// server: later ones depend on the state earlier ones leave.
type step struct {
	op string
	// success is the body of a request that succeeds ("" with skip: no
	// success is reachable in standalone mode, skip says why).
	success string
	skip    string
	// error is the body of a request that fails.
	error string
	// wantError is the expected X-Amzn-ErrorType of the error request.
	wantError string
	// before runs before the requests (e.g. to read a one-time code).
	before func(w *wire, s *step)
	// errorFirst sends the error request before the success one.
	errorFirst bool
}

const newPhone = "+1 206 555 0199"

var steps = []step{
	{op: "GetAccountInformation", success: `{}`, error: `{"AccountId":"SECRET123456"}`, wantError: "ValidationException"},
	{op: "PutAccountName", success: `{"AccountName":"golden account"}`, error: `{"AccountName":"<SECRET>"}`, wantError: "ValidationException"},
	{op: "PutAlternateContact",
		success:   `{"AlternateContactType":"BILLING","EmailAddress":"billing@example.com","Name":"Bill Ing","PhoneNumber":"+1 206 555 0100","Title":"CFO"}`,
		error:     `{}`,
		wantError: "ValidationException"},
	{op: "GetAlternateContact", success: `{"AlternateContactType":"BILLING"}`, error: `{"AlternateContactType":"SECURITY"}`, wantError: "ResourceNotFoundException"},
	{op: "DeleteAlternateContact", success: `{"AlternateContactType":"BILLING"}`, error: `{"AlternateContactType":"BILLING"}`, wantError: "ResourceNotFoundException"},
	{op: "GetContactInformation", success: `{}`, error: `{"AccountId":"111111111111"}`, wantError: "AccessDeniedException"},
	// The default account's phone is verified: sending a code conflicts
	// until PutContactInformation changes the number.
	{op: "SendPhoneNumberVerification", error: `{}`, wantError: "ConflictException"},
	putContact,
	{op: "SendPhoneNumberVerification", success: `{}`},
	{op: "VerifyPhoneNumber", error: `{"Otp":"ABCDEF"}`, wantError: "ValidationException", errorFirst: true,
		before: func(w *wire, s *step) {
			s.success = `{"Otp":"` + w.outboxCode(newPhone) + `"}`
		}},
	{op: "GetRegionOptStatus", success: `{"RegionName":"af-south-1"}`, error: `{"RegionName":"mars-north-1"}`, wantError: "ValidationException"},
	{op: "EnableRegion", success: `{"RegionName":"af-south-1"}`, error: `{"RegionName":"us-east-1"}`, wantError: "ValidationException"},
	{op: "DisableRegion", success: `{"RegionName":"af-south-1"}`, error: `{"RegionName":""}`, wantError: "ValidationException"},
	{op: "ListRegions", success: `{"RegionOptStatusContains":["ENABLED","DISABLED"]}`, error: `{"MaxResults":0}`, wantError: "ValidationException"},
	{op: "GetGovCloudAccountInformation", skip: "no account is linked to a GovCloud account", error: `{}`, wantError: "ResourceNotFoundException"},
	{op: "GetPrimaryEmail", skip: "needs AccountId of a member account (organization mode)", error: `{"AccountId":"000000000000"}`, wantError: "AccessDeniedException"},
	{op: "StartPrimaryEmailUpdate", skip: "needs AccountId of a member account (organization mode)",
		error: `{"AccountId":"000000000000","PrimaryEmail":"new@example.com"}`, wantError: "AccessDeniedException"},
	{op: "AcceptPrimaryEmailUpdate", skip: "needs AccountId of a member account (organization mode)",
		error: `{"AccountId":"000000000000","PrimaryEmail":"new@example.com","Otp":"123456"}`, wantError: "AccessDeniedException"},
	{op: "GetPrimaryEmailUpdateStatus", skip: "no primary email update can be started in standalone mode", error: `{}`, wantError: "ResourceNotFoundException"},
}

// putContact is PutContactInformation's step: it changes the phone number,
// which makes the number unverified again.
var putContact = step{op: "PutContactInformation",
	success: `{"ContactInformation":{"AddressLine1":"1 Main St","City":"Springfield","CompanyName":"Example Corp","CountryCode":"US",` +
		`"FullName":"Golden Tester","PhoneNumber":"` + newPhone + `","PostalCode":"12345","StateOrRegion":"OR"}}`,
	error: `{"ContactInformation":{"AddressLine1":"1 Main St","City":"Springfield","CountryCode":"USA","FullName":"Golden Tester",` +
		`"PhoneNumber":"+1 206 555 0100","PostalCode":"12345"}}`,
	wantError: "ValidationException"}

func TestWireGolden(t *testing.T) {
	srv := accountplanetest.Start(t, accountplanetest.Options{
		RegionTransitionDelay: 0,
		Now:                   func() time.Time { return fixedNow },
	})
	w := &wire{t: t, url: srv.URL, client: &http.Client{Timeout: 10 * time.Second}, signer: v4.NewSigner(), written: map[string]bool{}}

	all := slices.Clone(steps)
	covered := map[string]bool{}
	for i := range all {
		s := &all[i]
		t.Run(s.op, func(t *testing.T) {
			w.t = t
			defer func() { w.t = nil }()
			if s.before != nil {
				s.before(w, s)
			}
			doError := func() {
				if s.error == "" {
					return
				}
				r := w.account(s.op, s.error)
				if r.status < 400 {
					t.Errorf("error request %s: status %d, body %s", s.error, r.status, r.body)
				}
				if got := r.header.Get("X-Amzn-ErrorType"); got != s.wantError {
					t.Errorf("error request %s: X-Amzn-ErrorType %q, want %q", s.error, got, s.wantError)
				}
				checkErrorBody(t, r)
				w.golden(s.op+".error", r)
				covered[s.op+".error"] = true
			}
			doSuccess := func() {
				if s.success == "" {
					if s.skip != "" {
						t.Logf("%s: no success golden: %s", s.op, s.skip)
					}
					return
				}
				r := w.account(s.op, s.success)
				if r.status != http.StatusOK {
					t.Errorf("success request %s: status %d, body %s", s.success, r.status, r.body)
				}
				if v := r.header.Values("X-Amzn-ErrorType"); len(v) != 0 {
					t.Errorf("success carries X-Amzn-ErrorType %v", v)
				}
				if !json.Valid(r.body) || !bytes.HasPrefix(r.body, []byte("{")) {
					t.Errorf("success body is not a JSON object: %q", r.body)
				}
				w.golden(s.op+".success", r)
				covered[s.op+".success"] = true
			}
			if s.errorFirst {
				doError()
				doSuccess()
			} else {
				doSuccess()
				doError()
			}
		})
	}
	w.t = t
	for _, op := range accountOperations {
		if !covered[op+".error"] {
			t.Errorf("%s: no error golden", op)
		}
	}
	// State left by the steps, seen through the API.
	t.Run("After", func(t *testing.T) {
		w.t = t
		w.golden("GetAccountInformation.after", w.account("GetAccountInformation", `{}`))
		w.golden("GetContactInformation.after", w.account("GetContactInformation", `{}`))
	})

	t.Run("Auth", func(t *testing.T) {
		w.t = t
		r := w.send("account", "/getAccountInformation", "application/json", `{}`, "", "")
		if r.status != http.StatusForbidden || r.header.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" {
			t.Errorf("missing auth: %d %s", r.status, r.body)
		}
		checkErrorBody(t, r)
		w.golden("Auth.MissingAuthenticationToken.error", r)

		r = w.send("account", "/getAccountInformation", "application/json", `{}`, "AKIDUNKNOWN0000000", "secret")
		if r.status != http.StatusForbidden || r.header.Get("X-Amzn-ErrorType") != "UnrecognizedClientException" {
			t.Errorf("unknown key: %d %s", r.status, r.body)
		}
		checkErrorBody(t, r)
		w.golden("Auth.UnknownKey.error", r)
		if bytes.Contains(r.body, []byte("AKIDUNKNOWN")) {
			t.Logf("note: the unknown key id is echoed: %s", r.body)
		}
	})

	t.Run("STS", func(t *testing.T) {
		w.t = t
		const form = "application/x-www-form-urlencoded; charset=utf-8"
		const body = "Action=GetCallerIdentity&Version=2011-06-15"
		r := w.send("sts", "/", form, body, "test", "test")
		if r.status != http.StatusOK {
			t.Errorf("GetCallerIdentity: %d %s", r.status, r.body)
		}
		w.golden("STS.GetCallerIdentity.success", r)

		r = w.send("sts", "/", form, body, "AKIDUNKNOWN0000000", "secret")
		if r.status != http.StatusForbidden || !bytes.Contains(r.body, []byte("<Code>InvalidClientTokenId</Code>")) {
			t.Errorf("STS unknown key: %d %s", r.status, r.body)
		}
		w.golden("STS.GetCallerIdentity.error", r)
	})

	if t.Failed() || *update {
		return
	}
	// No stale golden files.
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for _, e := range entries {
		if !w.written[e.Name()] {
			stale = append(stale, e.Name())
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("golden files no test produces: %v", stale)
	}
}

// accountOperations are the 16 modelled operations plus the 2 newer ones.
var accountOperations = []string{
	"AcceptPrimaryEmailUpdate", "DeleteAlternateContact", "DisableRegion", "EnableRegion",
	"GetAccountInformation", "GetAlternateContact", "GetContactInformation", "GetGovCloudAccountInformation",
	"GetPrimaryEmail", "GetPrimaryEmailUpdateStatus", "GetRegionOptStatus", "ListRegions",
	"PutAccountName", "PutAlternateContact", "PutContactInformation", "SendPhoneNumberVerification",
	"StartPrimaryEmailUpdate", "VerifyPhoneNumber",
}

// checkErrorBody checks README §2: a JSON object with __type equal to the
// header, a message, and for ValidationException a reason and (for
// fieldValidationFailed) a fieldList of name/message pairs.
func checkErrorBody(t *testing.T, r response) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type %q", ct)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	var typ, msg string
	_ = json.Unmarshal(body["__type"], &typ)
	if typ == "" || typ != r.header.Get("X-Amzn-ErrorType") || strings.ContainsAny(typ, "#:") {
		t.Errorf("__type %q, header %q", typ, r.header.Get("X-Amzn-ErrorType"))
	}
	if err := json.Unmarshal(body["message"], &msg); err != nil {
		t.Errorf("no string message: %s", r.body)
	}
	if _, ok := body["code"]; ok {
		t.Errorf("body has a code member: %s", r.body)
	}
	for k := range body {
		switch k {
		case "__type", "message":
		case "reason", "fieldList":
			if typ != "ValidationException" {
				t.Errorf("%s carries %s", typ, k)
			}
		default:
			t.Errorf("unexpected member %q in %s", k, r.body)
		}
	}
	if typ != "ValidationException" {
		return
	}
	var reason string
	_ = json.Unmarshal(body["reason"], &reason)
	if reason != "fieldValidationFailed" && reason != "invalidRegionOptTarget" {
		t.Errorf("ValidationException reason %q", reason)
	}
	if reason == "fieldValidationFailed" {
		var fields []map[string]string
		if err := json.Unmarshal(body["fieldList"], &fields); err != nil || len(fields) == 0 {
			t.Errorf("fieldList %s: %v", body["fieldList"], err)
		}
		for _, f := range fields {
			if f["name"] == "" || f["message"] == "" || len(f) != 2 {
				t.Errorf("fieldList entry %v", f)
			}
		}
	}
}
