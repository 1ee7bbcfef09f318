package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// memberID creates member account name through the console and returns
// its id once it exists.
func memberID(t *testing.T, srv *accountplanetest.Server, c *client, name string) string {
	t.Helper()
	c.post(prefix+"organizations/accounts", url.Values{"name": {name}, "email": {name + "@example.com"}})
	o := organizations.NewFromConfig(srv.Config)
	for i := 0; i < 100; i++ {
		out, err := o.ListAccounts(context.Background(), &organizations.ListAccountsInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.Accounts {
			if aws.ToString(a.Name) == name {
				return aws.ToString(a.Id)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("member %s was not created", name)
	return ""
}

// TestEffectivePolicy: the Policies page shows an account's effective tag
// policy, pretty-printed, and the API's EffectivePolicyNotFoundException
// as a notice; the call is DescribeEffectivePolicy in CloudTrail.
func TestEffectivePolicy(t *testing.T) {
	srv := accountplanetest.Start(t)
	c := newClient(t, srv)
	c.signIn(root)
	c.post(prefix+"organizations/create", url.Values{"feature_set": {"ALL"}})
	dev := memberID(t, srv, c, "dev")
	_, body := c.get(prefix + "organizations/policies")
	if strings.Contains(body, "not offered") || !strings.Contains(body, `id="eff-account"`) {
		t.Fatalf("policies page without the effective policy form: %.3000s", body)
	}
	_, body = c.get(prefix + "organizations/policies?account=" + dev + "&type=TAG_POLICY")
	if !strings.Contains(body, "EffectivePolicyNotFoundException") || strings.Contains(body, `data-testid="effective-policy"`) {
		t.Errorf("effective policy of a disabled type: %.3000s", body)
	}
	rootID := regexp.MustCompile(`name="root" value="(r-[a-z0-9]+)"`).FindStringSubmatch(body)[1]
	c.post(prefix+"organizations/policies/type", url.Values{"root": {rootID}, "type": {"TAG_POLICY"}, "action": {"enable"}})
	doc := `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}`
	c.post(prefix+"organizations/policies", url.Values{"type": {"TAG_POLICY"}, "name": {"cc"}, "content": {doc}})
	o := organizations.NewFromConfig(srv.Config)
	ps, err := o.ListPolicies(context.Background(), &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeTagPolicy})
	if err != nil || len(ps.Policies) != 1 {
		t.Fatalf("policies: %v %v", ps, err)
	}
	_, body = c.post(prefix+"organizations/policies/attach", url.Values{"policy": {aws.ToString(ps.Policies[0].Id)}, "target": {dev}, "action": {"attach"}})
	if !strings.Contains(body, "The policy is attached") {
		t.Fatalf("attach: %s", regexp.MustCompile(`(?s)alert.*?</div>`).FindAllString(body, -1))
	}
	code, body := c.get(prefix + "organizations/policies?account=" + dev + "&type=TAG_POLICY")
	pre := regexp.MustCompile(`(?s)<pre class="json" data-testid="effective-policy">(.*?)</pre>`).FindStringSubmatch(body)
	if code != http.StatusOK || pre == nil || !strings.Contains(pre[1], "\n") || !strings.Contains(pre[1], "CostCenter") {
		t.Fatalf("effective tag policy: %s", regexp.MustCompile(`(?s)<section class="panel" id="effective".*?</section>|alert.*?</div>`).FindAllString(body, -1))
	}
	checkPage(t, c, "policies with an effective policy", body, map[string]bool{})
	if n := countEvents(t, srv, "DescribeEffectivePolicy"); n != 2 {
		t.Errorf("DescribeEffectivePolicy records: %d, want 2", n)
	}
}

// countEvents counts the CloudTrail records of event name made from the
// console.
func countEvents(t *testing.T, srv *accountplanetest.Server, name string) int {
	t.Helper()
	ct := cloudtrail.NewFromConfig(srv.Config)
	out, err := ct.LookupEvents(t.Context(), &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(name)}}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range out.Events {
		if strings.Contains(aws.ToString(ev.CloudTrailEvent), `"sessionCredentialFromConsole":"true"`) || strings.Contains(aws.ToString(ev.CloudTrailEvent), `"sessionCredentialFromConsole":true`) {
			n++
		}
	}
	return n
}
