package trail_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/trail"
)

// The spec's three example records (monitoring.md §1.3 to §1.5, as
// normalized there) are in testdata. Built from the same inputs, the
// records must equal them exactly.
func TestBuildSpecExamples(t *testing.T) {
	const acct = "123456789012"
	caller := identity.AssumedRolePrincipal(acct, "ServiceTestRole", "AROA1234567890EXAMPLE", "AccountAPITests", "AKIAIOSFODNN7EXAMPLE")
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		file    string
		op      string
		params  map[string]any
		created string
		at      string
		request string
		event   string
		opts    trail.Options
	}{
		{
			file: "get_alternate_contact.json", op: "GetAlternateContact",
			params:  map[string]any{"AlternateContactType": "SECURITY"},
			created: "2021-04-30T19:25:53Z", at: "2021-04-30T19:26:15Z",
			request: "1a2b3c4d-5e6f-1234-abcd-111111111111", event: "1a2b3c4d-5e6f-1234-abcd-222222222222",
		},
		{
			// The example prints the name between asterisks and leaves the
			// phone number out: MaskNames reproduces the former, the
			// default the latter.
			file: "put_alternate_contact.json", op: "PutAlternateContact",
			params: map[string]any{
				"AlternateContactType": "BILLING", "Name": "Alejandro Rosalez", "EmailAddress": "alrosalez@example.com",
				"Title": "CFO", "PhoneNumber": "+1 555-0100",
			},
			created: "2021-04-30T18:33:00Z", at: "2021-04-30T18:33:08Z",
			request: "1a2b3c4d-5e6f-1234-abcd-333333333333", event: "1a2b3c4d-5e6f-1234-abcd-444444444444",
			opts: trail.Options{MaskNames: true},
		},
		{
			file: "delete_alternate_contact.json", op: "DeleteAlternateContact",
			params:  map[string]any{"AlternateContactType": "OPERATIONS"},
			created: "2021-04-30T18:33:00Z", at: "2021-04-30T18:33:16Z",
			request: "1a2b3c4d-5e6f-1234-abcd-555555555555", event: "1a2b3c4d-5e6f-1234-abcd-666666666666",
		},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			want := readJSON(t, filepath.Join("testdata", tt.file))
			rec := trail.Build(trail.Call{
				Principal: caller, Session: &trail.Session{Created: at(tt.created)},
				Service: "account", Operation: tt.op, ReadOnly: trail.IsReadOnly(tt.op), Params: tt.params,
				SourceIP: "10.24.34.250", UserAgent: "Mozilla/5.0", RequestID: tt.request, EventID: tt.event,
				Time: at(tt.at),
			}, tt.opts)
			got := roundTrip(t, rec)
			if !reflect.DeepEqual(got, want) {
				gb, _ := json.MarshalIndent(got, "", "  ")
				t.Errorf("record:\n%s\nwant the spec's:\n%s", gb, mustMarshal(t, want))
			}
		})
	}
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(mustMarshal(t, v), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUserIdentity(t *testing.T) {
	root := identity.RootPrincipal("111122223333", "AKIDROOT")
	user := identity.AccessKey{ID: "AKIDUSER", Account: "111122223333", User: "alice"}.UserPrincipal("AIDAALICE", "/team/")
	tests := []struct {
		name string
		p    identity.Principal
		want string
	}{
		{"root", root, `{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"AKIDROOT"}`},
		{"user", user, `{"type":"IAMUser","principalId":"AIDAALICE","arn":"arn:aws:iam::111122223333:user/team/alice","accountId":"111122223333","accessKeyId":"AKIDUSER","userName":"alice"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := trail.Build(trail.Call{Principal: tt.p, Service: "iam", Operation: "ListUsers"}, trail.Options{})
			b, _ := json.Marshal(rec.UserIdentity)
			if string(b) != tt.want {
				t.Errorf("userIdentity = %s, want %s", b, tt.want)
			}
		})
	}
	if got := trail.Username(root); got != "root" {
		t.Errorf("Username(root) = %q, want root", got)
	}
	if got := trail.Username(user); got != "alice" {
		t.Errorf("Username(user) = %q, want alice", got)
	}
	// A session whose role has a path: the issuer's ARN carries it.
	sess := identity.AssumedRolePrincipal("111122223333", "Deployer", "AROADEPLOYER", "ci", "ASIAX")
	rec := trail.Build(trail.Call{Principal: sess, Session: &trail.Session{RoleARN: "arn:aws:iam::111122223333:role/ops/Deployer"}}, trail.Options{})
	if got := rec.UserIdentity.SessionContext.SessionIssuer.ARN; got != "arn:aws:iam::111122223333:role/ops/Deployer" {
		t.Errorf("sessionIssuer.arn = %q", got)
	}
	if got := trail.Username(sess); got != "ci" {
		t.Errorf("Username(session) = %q, want ci", got)
	}
}

// Secrets, tokens, passwords and one-time codes never reach a record.
func TestSensitiveValues(t *testing.T) {
	const secret, token, otp = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "IQoJb3JpZ2luX2VjEXAMPLETOKEN", "123456"
	params := trail.QueryParams(url.Values{
		"Action": {"AssumeRole"}, "RoleArn": {"arn:aws:iam::111122223333:role/R"}, "RoleSessionName": {"s"},
		"SerialNumber": {"arn:aws:iam::111122223333:mfa/u"}, "TokenCode": {otp}, "DurationSeconds": {"900"},
	})
	resp := map[string]any{
		"Credentials":     map[string]any{"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": secret, "SessionToken": token, "Expiration": "2026-03-01T13:00:00Z"},
		"AssumedRoleUser": map[string]any{"AssumedRoleId": "AROAR:s", "Arn": "arn:aws:sts::111122223333:assumed-role/R/s"},
	}
	rec := trail.Build(trail.Call{Service: "sts", Operation: "AssumeRole", Params: params, Response: resp}, trail.Options{})
	got := roundTrip(t, rec)
	b := string(mustMarshal(t, got))
	for _, s := range []string{secret, token, otp} {
		if strings.Contains(b, s) {
			t.Errorf("record holds %q:\n%s", s, b)
		}
	}
	rp := got["requestParameters"].(map[string]any)
	if rp["tokenCode"] != trail.Hidden || rp["durationSeconds"] != float64(900) || rp["roleSessionName"] != "s" {
		t.Errorf("requestParameters = %v", rp)
	}
	creds := got["responseElements"].(map[string]any)["credentials"].(map[string]any)
	if _, ok := creds["sessionToken"]; ok || creds["accessKeyId"] != "ASIAEXAMPLE" || creds["expiration"] != "Mar 1, 2026, 1:00:00 PM" {
		t.Errorf("responseElements.credentials = %v", creds)
	}
	// The Account API's one-time codes.
	rec = trail.Build(trail.Call{Service: "account", Operation: "AcceptPrimaryEmailUpdate",
		Params: trail.JSONParams([]byte(`{"AccountId":"111122223333","Otp":"654321","PrimaryEmail":"a@example.com"}`))}, trail.Options{})
	if rec.RequestParameters["otp"] != trail.Hidden || rec.RequestParameters["primaryEmail"] != "a@example.com" {
		t.Errorf("requestParameters = %v", rec.RequestParameters)
	}
}

func TestQueryParams(t *testing.T) {
	got := trail.QueryParams(url.Values{
		"Action": {"CreateUser"}, "Version": {"2010-05-08"}, "UserName": {"bob"}, "Path": {"/a/"},
		"Tags.member.2.Key": {"k2"}, "Tags.member.2.Value": {"v2"},
		"Tags.member.1.Key": {"k1"}, "Tags.member.1.Value": {"v1"},
		"PolicyArns.member.1.arn": {"arn:p"}, "TransitiveTagKeys.member.1": {"k1"},
	})
	want := map[string]any{
		"UserName": "bob", "Path": "/a/",
		"Tags":              []any{map[string]any{"Key": "k1", "Value": "v1"}, map[string]any{"Key": "k2", "Value": "v2"}},
		"PolicyArns":        []any{map[string]any{"arn": "arn:p"}},
		"TransitiveTagKeys": []any{"k1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("QueryParams = %v, want %v", got, want)
	}
	rec := trail.Build(trail.Call{Service: "iam", Operation: "CreateUser", Params: got}, trail.Options{})
	tags, _ := rec.RequestParameters["tags"].([]any)
	if len(tags) != 2 || tags[0].(map[string]any)["key"] != "k1" {
		t.Errorf("requestParameters.tags = %v", rec.RequestParameters["tags"])
	}
	if trail.QueryParams(url.Values{"Action": {"ListUsers"}}) != nil {
		t.Error("a request without members has parameters")
	}
}

func TestResources(t *testing.T) {
	tests := []struct {
		service string
		params  map[string]any
		want    []trail.Resource
	}{
		{"iam", map[string]any{"UserName": "bob", "PolicyArn": "arn:aws:iam::aws:policy/X"}, []trail.Resource{{Type: "AWS::IAM::Policy", Name: "arn:aws:iam::aws:policy/X"}, {Type: "AWS::IAM::User", Name: "bob"}}},
		{"sts", map[string]any{"RoleArn": "arn:aws:iam::1:role/R", "RoleSessionName": "s"}, []trail.Resource{{Type: "AWS::IAM::Role", Name: "arn:aws:iam::1:role/R"}}},
		{"organizations", map[string]any{"AccountId": "111122223333", "DestinationParentId": "ou-ab12-cdefgh12", "SourceParentId": "r-ab12"},
			[]trail.Resource{{Type: "AWS::Organizations::Account", Name: "111122223333"}, {Type: "AWS::Organizations::OrganizationalUnit", Name: "ou-ab12-cdefgh12"}, {Type: "AWS::Organizations::Root", Name: "r-ab12"}}},
		{"account", map[string]any{"AlternateContactType": "BILLING"}, nil},
	}
	for _, tt := range tests {
		if got := trail.Resources(tt.service, tt.params); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Resources(%s, %v) = %v, want %v", tt.service, tt.params, got, tt.want)
		}
	}
}

func TestRecipient(t *testing.T) {
	caller := identity.RootPrincipal("111111111111", "AKID")
	rec := trail.Build(trail.Call{Principal: caller, Service: "account", Operation: "GetAlternateContact", Target: "222222222222"}, trail.Options{})
	if rec.RecipientAccount != "222222222222" || rec.UserIdentity.AccountID != "111111111111" {
		t.Errorf("recipient %s, identity account %s", rec.RecipientAccount, rec.UserIdentity.AccountID)
	}
}

func TestReadOnly(t *testing.T) {
	for op, want := range map[string]bool{
		"GetAlternateContact": true, "ListRegions": true, "DescribeOrganization": true, "LookupEvents": true,
		"SimulatePrincipalPolicy": true, "AssumeRole": true, "GetCallerIdentity": true,
		"PutAlternateContact": false, "CreateUser": false, "EnableRegion": false,
	} {
		if got := trail.IsReadOnly(op); got != want {
			t.Errorf("IsReadOnly(%s) = %v, want %v", op, got, want)
		}
	}
}

// A pending record is written once: by the first transaction that commits,
// or at the end; a change after it is written asks for a replacement.
func TestPending(t *testing.T) {
	p := trail.NewPending(trail.Call{Principal: identity.RootPrincipal("111122223333", "AKID"), Service: "account", Operation: "PutAccountName"}, trail.Options{})
	ctx := trail.WithPending(context.Background(), p)
	if trail.PendingFrom(ctx) != p || trail.PendingFrom(context.Background()) != nil {
		t.Fatal("PendingFrom does not find the record")
	}
	ev, ok, err := p.Claim()
	if err != nil || !ok || ev.ID == "" || ev.Account != "111122223333" || ev.Username != "root" {
		t.Fatalf("Claim = %+v, %v, %v", ev, ok, err)
	}
	if _, ok, _ := p.Claim(); ok {
		t.Error("a claimed record was claimed again")
	}
	p.Settle(false) // the transaction rolled back
	ev2, ok, _ := p.Claim()
	if !ok || ev2.ID != ev.ID {
		t.Fatalf("after a rollback Claim = %v (id %s, want %s)", ok, ev2.ID, ev.ID)
	}
	p.Settle(true)
	if !p.Written() {
		t.Fatal("not written after a commit")
	}
	if _, ok, _ := p.Claim(); ok {
		t.Error("a written record was claimed")
	}
	if _, what, _ := p.Finish(); what != trail.Done {
		t.Errorf("Finish of an unchanged written record = %v, want Done", what)
	}
	p.Update(func(c *trail.Call) { c.ErrorCode, c.ErrorMessage = "InternalServerException", "boom" })
	ev3, what, _ := p.Finish()
	if what != trail.Replace || ev3.ID != ev.ID || !strings.Contains(string(ev3.Record), `"errorCode":"InternalServerException"`) {
		t.Errorf("Finish after a change = %v %s", what, ev3.Record)
	}
	q := trail.NewPending(trail.Call{Service: "iam", Operation: "ListUsers"}, trail.Options{})
	if _, what, _ := q.Finish(); what != trail.Insert {
		t.Errorf("Finish of an unwritten record = %v, want Insert", what)
	}
	if _, what, _ := q.Finish(); what != trail.Done {
		t.Errorf("second Finish = %v, want Done", what)
	}
}

// A record prepared before its change's transaction is what the
// transaction claims, unless the call changed since; an id drawn by
// NewPending is marked fresh, a given one is not.
func TestPendingPrepare(t *testing.T) {
	call := trail.Call{Principal: identity.RootPrincipal("111122223333", "AKID"), Service: "account", Operation: "PutAccountName",
		Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	p := trail.NewPending(call, trail.Options{})
	if err := p.Prepare(); err != nil {
		t.Fatal(err)
	}
	want, err := trail.EventOf(p.Call(), trail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev, ok, err := p.Claim()
	if err != nil || !ok || string(ev.Record) != string(want.Record) || !ev.FreshID {
		t.Fatalf("Claim after Prepare = %s, %v, %v (fresh id %v); want %s with a fresh id", ev.Record, ok, err, ev.FreshID, want.Record)
	}
	p.Settle(false)

	// A change of the call after Prepare is in what is claimed.
	p.Update(func(c *trail.Call) { c.Target = "222233334444" })
	ev, _, _ = p.Claim()
	if ev.Account != "222233334444" || !strings.Contains(string(ev.Record), `"recipientAccountId":"222233334444"`) {
		t.Errorf("Claim after an Update that followed Prepare: recipient %s, record %s", ev.Account, ev.Record)
	}

	given := call
	given.EventID = "11111111-2222-4333-8444-555555555555"
	q := trail.NewPending(given, trail.Options{})
	_ = q.Prepare()
	if ev, _, _ := q.Claim(); ev.ID != given.EventID || ev.FreshID {
		t.Errorf("a given id: %s (fresh %v), want %s, not fresh", ev.ID, ev.FreshID, given.EventID)
	}
}
