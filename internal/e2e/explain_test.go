package e2e_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// decisionOf asks the server why the call that answered err was allowed
// or denied.
func decisionOf(t *testing.T, srvURL string, err error) map[string]any {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Fatalf("error %v carries no request id", err)
	}
	res, herr := http.Get(srvURL + "/_accountplane/requests/" + re.ServiceRequestID() + "/decision")
	if herr != nil {
		t.Fatal(herr)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("decision of %s: %s", re.ServiceRequestID(), res.Status)
	}
	var d map[string]any
	if err := json.NewDecoder(res.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

// check returns the decision's last per-resource check.
func lastCheck(t *testing.T, d map[string]any) map[string]any {
	t.Helper()
	cs, _ := d["checks"].([]any)
	if len(cs) == 0 {
		t.Fatalf("decision has no checks: %v", d)
	}
	return cs[len(cs)-1].(map[string]any)
}

func reasonWith(c map[string]any, sid, effect string) map[string]any {
	rs, _ := c["reasons"].([]any)
	for _, r := range rs {
		m := r.(map[string]any)
		if m["sid"] == sid && m["effect"] == effect {
			return m
		}
	}
	return nil
}

// Every decision is kept with its reasons under the call's request id:
// which statement of which policy, of which kind, decided, or that nothing
// allowed.
func TestWhyWasIDenied(t *testing.T) {
	srv, _ := start(t)
	root := defaultRoot(srv)
	user := newUser(t, srv, root, "explained")
	putUserPolicy(t, root, "explained", "Contacts", `{"Version":"2012-10-17","Statement":[
		{"Sid":"ReadContacts","Effect":"Allow","Action":"account:GetAlternateContact","Resource":"*"},
		{"Sid":"NoWrites","Effect":"Deny","Action":"account:PutAlternateContact","Resource":"*"}]}`)

	// An explicit deny names its statement.
	_, err := user.Acct.PutAlternateContact(ctx, &account.PutAlternateContactInput{
		AlternateContactType: types.AlternateContactTypeSecurity, Name: aws.String("N"), Title: aws.String("T"),
		EmailAddress: aws.String("n@example.com"), PhoneNumber: aws.String("+1 555 0100"),
	})
	apiErr(t, err, "AccessDeniedException", http.StatusForbidden)
	d := decisionOf(t, srv.URL, err)
	c := lastCheck(t, d)
	if d["allowed"] != false || d["action"] != "account:PutAlternateContact" || d["principal"] != user.ARN {
		t.Errorf("decision %v", d)
	}
	if c["explicitDeny"] != true || c["deniedBy"] != "identity-based policy" || c["resource"] != "arn:aws:account::"+defaultAccountID+":account" {
		t.Errorf("check %v", c)
	}
	if r := reasonWith(c, "NoWrites", "Deny"); r == nil || r["policy"] != "Contacts" || r["kind"] != "identity-based policy" {
		t.Errorf("reasons %v lack the Deny of NoWrites in Contacts", c["reasons"])
	}
	if !strings.Contains(d["message"].(string), "with an explicit deny in an identity-based policy") {
		t.Errorf("message %v", d["message"])
	}

	// An allowed call names the statement that allowed it (the call then
	// fails for its own reason).
	_, err = user.Acct.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: types.AlternateContactTypeBilling})
	apiErr(t, err, "ResourceNotFoundException", http.StatusNotFound)
	d = decisionOf(t, srv.URL, err)
	if c := lastCheck(t, d); d["allowed"] != true || reasonWith(c, "ReadContacts", "Allow") == nil {
		t.Errorf("allowed decision %v", d)
	}

	// Nothing allowed: no statement matched.
	_, err = user.Acct.ListRegions(ctx, &account.ListRegionsInput{})
	apiErr(t, err, "AccessDeniedException", http.StatusForbidden)
	d = decisionOf(t, srv.URL, err)
	if c := lastCheck(t, d); d["allowed"] != false || c["explicitDeny"] == true || c["deniedBy"] != "identity-based policy" || len(c["reasons"].([]any)) != 0 {
		t.Errorf("implicit deny %v", d)
	}

	// The authorizer's own refusal of an AlternateContactType outside the
	// enum is kept too.
	_, err = user.Acct.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: "MARKETING"})
	apiErr(t, err, "AccessDeniedException", http.StatusForbidden)
	if d := decisionOf(t, srv.URL, err); d["refused"] != "You specified an invalid Alternate Contact type." {
		t.Errorf("refusal %v", d)
	}

	// An unknown request id is a 404.
	res, err := http.Get(srv.URL + "/_accountplane/requests/no-such-request/decision")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown request id: %s", res.Status)
	}
}

// Validation precedes authorization for every service: a caller without
// any permission sending bad input hears about the input.
func TestValidationBeforeAuthorization(t *testing.T) {
	srv, _ := start(t)
	root := defaultRoot(srv)
	nobody := newUser(t, srv, root, "nobody")
	_, err := nobody.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name!")})
	apiErr(t, err, "ValidationError", http.StatusBadRequest)
	_, err = nobody.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("good-name")})
	apiErr(t, err, "AccessDenied", http.StatusForbidden)
	_, err = nobody.Acct.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String(strings.Repeat("x", 51))})
	apiErr(t, err, "ValidationException", http.StatusBadRequest)
}
