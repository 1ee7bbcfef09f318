package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// Helpers of the Organizations end-to-end tests (org_*_test.go and
// terraform_*_test.go).

const (
	defaultEmail          = "root@example.com"
	accountPrincipal      = "account.amazonaws.com"
	fullAWSAccess         = "p-FullAWSAccess"
	scpType               = otypes.PolicyTypeServiceControlPolicy
	terraformPollInterval = 10 * time.Second
	terraformMaxPolls     = 200
	allowAllSCP           = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	denyLeaveSCP          = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`
	orgBadRequest         = http.StatusBadRequest
)

var (
	reOrgID     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	reRootID    = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	reOUID      = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	reAccountID = regexp.MustCompile(`^\d{12}$`)
	reCARID     = regexp.MustCompile(`^car-[a-z0-9]{8,32}$`)
	reHSID      = regexp.MustCompile(`^h-[0-9a-z]{8,32}$`)
	rePolicyID  = regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`)
)

// orgClient returns an Organizations client for cfg with retries off.
func orgClient(cfg aws.Config) *organizations.Client {
	return organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.RetryMaxAttempts = 1 })
}

// orgEnv is a server with a controllable clock, and the default account
// (000000000000, root@example.com, key test/test) as an actor.
type orgEnv struct {
	srv  *accountplanetest.Server
	clk  *clock
	mgmt actor
}

// actor is an account's root user with its own key pair.
type actor struct {
	ID, Email, ARN string
	key, secret    string
	Org            *organizations.Client
	Acct           *account.Client
}

// sign says how to sign a raw Account API request as a.
func (a actor) sign() signing { return signing{key: a.key, secret: a.secret} }

// startOrgs starts a server; o.Now defaults to the returned env's clock.
func startOrgs(t *testing.T, o accountplanetest.Options) *orgEnv {
	t.Helper()
	clk := newClock()
	if o.Now == nil {
		o.Now = clk.Now
	}
	srv := accountplanetest.Start(t, o)
	e := &orgEnv{srv: srv, clk: clk}
	e.mgmt = e.actor(defaultAccountID, defaultEmail, defaultKey, defaultSecret)
	return e
}

func (e *orgEnv) actor(id, email, key, secret string) actor {
	cfg := e.srv.ConfigFor(key, secret)
	return actor{
		ID: id, Email: email, ARN: "arn:aws:iam::" + id + ":root", key: key, secret: secret,
		Org: orgClient(cfg), Acct: accountClient(cfg),
	}
}

// adminDo sends an admin-API request and decodes the answer into out.
func (e *orgEnv) adminDo(t *testing.T, method, path string, in any, wantStatus int, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

type adminKey struct {
	AccountID       string `json:"AccountId"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

// signUp makes a standalone account through the admin API (AWS's sign-up
// page): complete, with contact information, a verified phone and a
// payment method.
func (e *orgEnv) signUp(t *testing.T, name, email string) actor {
	t.Helper()
	var k adminKey
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts", map[string]string{"name": name, "email": email}, http.StatusCreated, &k)
	if !reAccountID.MatchString(k.AccountID) || k.AccessKeyID == "" || k.SecretAccessKey == "" {
		t.Fatalf("sign-up answered %+v", k)
	}
	return e.actor(k.AccountID, email, k.AccessKeyID, k.SecretAccessKey)
}

// credentials issues a root key pair for any account (e.g. one made by
// CreateAccount) through the admin API.
func (e *orgEnv) credentials(t *testing.T, id, email string) actor {
	t.Helper()
	var k adminKey
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts/"+id+"/credentials", nil, http.StatusCreated, &k)
	if k.AccountID != id {
		t.Fatalf("credentials for %s answered account %q", id, k.AccountID)
	}
	return e.actor(id, email, k.AccessKeyID, k.SecretAccessKey)
}

// setPaymentMethod records a payment method through the admin API.
func (e *orgEnv) setPaymentMethod(t *testing.T, id string) {
	t.Helper()
	e.adminDo(t, http.MethodPut, "/_accountplane/accounts/"+id+"/payment-method", map[string]bool{"PaymentMethod": true}, http.StatusOK, nil)
}

// mail is one outbox message.
type mail struct {
	ID      string    `json:"id"`
	Time    time.Time `json:"time"`
	Account string    `json:"account"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	Code    string    `json:"code"`
}

// outbox returns every message, newest first.
func (e *orgEnv) outbox(t *testing.T) []mail {
	t.Helper()
	var out struct {
		Messages []mail `json:"messages"`
	}
	e.adminDo(t, http.MethodGet, "/_accountplane/outbox", nil, http.StatusOK, &out)
	return out.Messages
}

// codeFor returns the newest one-time code sent to to.
func (e *orgEnv) codeFor(t *testing.T, to string) string {
	t.Helper()
	for _, m := range e.outbox(t) {
		if m.To == to && m.Code != "" {
			return m.Code
		}
	}
	t.Fatalf("the outbox has no code for %q", to)
	return ""
}

// ---- errors -----------------------------------------------------------------

// wantOrgErr asserts an Organizations error of type T and code (HTTP 400).
func wantOrgErr[T error](t *testing.T, err error, code string) T {
	t.Helper()
	return wantAPIError[T](t, err, code, orgBadRequest)
}

func wantConstraint(t *testing.T, err error, reason otypes.ConstraintViolationExceptionReason) {
	t.Helper()
	e := wantOrgErr[*otypes.ConstraintViolationException](t, err, "ConstraintViolationException")
	if e.Reason != reason {
		t.Errorf("Reason = %q, want %q (message %q)", e.Reason, reason, aws.ToString(e.Message))
	}
}

func wantHSConstraint(t *testing.T, err error, reason otypes.HandshakeConstraintViolationExceptionReason) {
	t.Helper()
	e := wantOrgErr[*otypes.HandshakeConstraintViolationException](t, err, "HandshakeConstraintViolationException")
	if e.Reason != reason {
		t.Errorf("Reason = %q, want %q (message %q)", e.Reason, reason, aws.ToString(e.Message))
	}
}

func wantInvalidInput(t *testing.T, err error, reason otypes.InvalidInputExceptionReason) {
	t.Helper()
	e := wantOrgErr[*otypes.InvalidInputException](t, err, "InvalidInputException")
	if e.Reason != reason {
		t.Errorf("Reason = %q, want %q (message %q)", e.Reason, reason, aws.ToString(e.Message))
	}
}

func wantNotInUse(t *testing.T, err error) {
	t.Helper()
	wantOrgErr[*otypes.AWSOrganizationsNotInUseException](t, err, "AWSOrganizationsNotInUseException")
}

func wantOrgAccessDenied(t *testing.T, err error) {
	t.Helper()
	wantOrgErr[*otypes.AccessDeniedException](t, err, "AccessDeniedException")
}

// must fails the test at once on err.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// ---- organizations ----------------------------------------------------------

func createOrg(t *testing.T, c *organizations.Client, fs otypes.OrganizationFeatureSet) *otypes.Organization {
	t.Helper()
	out, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: fs})
	must(t, err, "CreateOrganization")
	return out.Organization
}

func rootOf(t *testing.T, c *organizations.Client) otypes.Root {
	t.Helper()
	out, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	must(t, err, "ListRoots")
	if len(out.Roots) != 1 {
		t.Fatalf("ListRoots returned %d roots, want 1", len(out.Roots))
	}
	return out.Roots[0]
}

func enableTrustedAccess(t *testing.T, c *organizations.Client, principal string) {
	t.Helper()
	_, err := c.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(principal)})
	must(t, err, "EnableAWSServiceAccess "+principal)
}

func registerAdmin(t *testing.T, c *organizations.Client, id, principal string) {
	t.Helper()
	_, err := c.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(id), ServicePrincipal: aws.String(principal)})
	must(t, err, "RegisterDelegatedAdministrator "+id+" "+principal)
}

func deregisterAdmin(t *testing.T, c *organizations.Client, id, principal string) {
	t.Helper()
	_, err := c.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(id), ServicePrincipal: aws.String(principal)})
	must(t, err, "DeregisterDelegatedAdministrator "+id+" "+principal)
}

// waitCreateAccount polls DescribeCreateAccountStatus as Terraform's waiter
// does: every 10 s (of the fake clock) while IN_PROGRESS. It returns the
// final status and how many polls it took.
func (e *orgEnv) waitCreateAccount(t *testing.T, c *organizations.Client, reqID string) (*otypes.CreateAccountStatus, int) {
	t.Helper()
	for polls := 1; polls <= terraformMaxPolls; polls++ {
		out, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(reqID)})
		must(t, err, "DescribeCreateAccountStatus")
		st := out.CreateAccountStatus
		if aws.ToString(st.Id) != reqID {
			t.Fatalf("DescribeCreateAccountStatus returned Id %q, want %q", aws.ToString(st.Id), reqID)
		}
		if st.State != otypes.CreateAccountStateInProgress {
			return st, polls
		}
		e.clk.Advance(terraformPollInterval)
	}
	t.Fatalf("CreateAccount %s still IN_PROGRESS after %d polls", reqID, terraformMaxPolls)
	return nil, 0
}

// createAccount creates a member account through c and waits for it.
func (e *orgEnv) createAccount(t *testing.T, c *organizations.Client, name, email string) string {
	t.Helper()
	out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email)})
	must(t, err, "CreateAccount "+email)
	st, _ := e.waitCreateAccount(t, c, aws.ToString(out.CreateAccountStatus.Id))
	if st.State != otypes.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount %s: %s (%s)", email, st.State, st.FailureReason)
	}
	id := aws.ToString(st.AccountId)
	if !reAccountID.MatchString(id) {
		t.Fatalf("CreateAccount %s: AccountId %q", email, id)
	}
	return id
}

// createMember creates a member account and issues it root credentials.
func (e *orgEnv) createMember(t *testing.T, mgmt actor, name, email string) actor {
	t.Helper()
	return e.credentials(t, e.createAccount(t, mgmt.Org, name, email), email)
}

// invite invites target by account id.
func invite(t *testing.T, from actor, targetID string) *otypes.Handshake {
	t.Helper()
	out, err := from.Org.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(targetID), Type: otypes.HandshakePartyTypeAccount},
	})
	must(t, err, "InviteAccountToOrganization "+targetID)
	return out.Handshake
}

func accept(t *testing.T, who actor, hsID string) *otypes.Handshake {
	t.Helper()
	out, err := who.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(hsID)})
	must(t, err, "AcceptHandshake "+hsID)
	return out.Handshake
}

// join invites member into mgmt's organization and accepts.
func join(t *testing.T, mgmt, member actor) {
	t.Helper()
	h := invite(t, mgmt, member.ID)
	if got := accept(t, member, aws.ToString(h.Id)); got.State != otypes.HandshakeStateAccepted {
		t.Fatalf("accepted handshake is %s", got.State)
	}
}

func listAccounts(t *testing.T, c *organizations.Client) []otypes.Account {
	t.Helper()
	var all []otypes.Account
	p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(t, err, "ListAccounts")
		all = append(all, out.Accounts...)
	}
	return all
}

func accountIDsOf(list []otypes.Account) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = aws.ToString(a.Id)
	}
	sort.Strings(out)
	return out
}

func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	sort.Strings(out)
	return out
}

func sameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := sorted(got...), sorted(want...)
	if !slices.Equal(g, w) {
		t.Errorf("%s = %v, want %v", what, g, w)
	}
}

func describeAccount(t *testing.T, c *organizations.Client, id string) *otypes.Account {
	t.Helper()
	out, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
	must(t, err, "DescribeAccount "+id)
	return out.Account
}

func createOU(t *testing.T, c *organizations.Client, parent, name string) *otypes.OrganizationalUnit {
	t.Helper()
	out, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})
	must(t, err, "CreateOrganizationalUnit "+name)
	return out.OrganizationalUnit
}

func moveAccount(t *testing.T, c *organizations.Client, id, from, to string) {
	t.Helper()
	_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(id), SourceParentId: aws.String(from), DestinationParentId: aws.String(to)})
	must(t, err, fmt.Sprintf("MoveAccount %s %s -> %s", id, from, to))
}

// policiesFor lists the policy ids of type typ attached to target.
func policiesFor(t *testing.T, c *organizations.Client, target string, typ otypes.PolicyType) []string {
	t.Helper()
	var ids []string
	p := organizations.NewListPoliciesForTargetPaginator(c, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: typ})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(t, err, "ListPoliciesForTarget "+target)
		for _, s := range out.Policies {
			ids = append(ids, aws.ToString(s.Id))
		}
	}
	return ids
}

// targetsFor lists the target ids policy is attached to.
func targetsFor(t *testing.T, c *organizations.Client, policy string) []string {
	t.Helper()
	var ids []string
	p := organizations.NewListTargetsForPolicyPaginator(c, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(policy)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(t, err, "ListTargetsForPolicy "+policy)
		for _, s := range out.Targets {
			ids = append(ids, aws.ToString(s.TargetId))
		}
	}
	return ids
}

func tagsOf(t *testing.T, c *organizations.Client, resource string) map[string]string {
	t.Helper()
	m := map[string]string{}
	p := organizations.NewListTagsForResourcePaginator(c, &organizations.ListTagsForResourceInput{ResourceId: aws.String(resource)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(t, err, "ListTagsForResource "+resource)
		for _, tag := range out.Tags {
			m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
	}
	return m
}

func handshakesForAccount(t *testing.T, who actor, f *otypes.HandshakeFilter) []otypes.Handshake {
	t.Helper()
	var all []otypes.Handshake
	p := organizations.NewListHandshakesForAccountPaginator(who.Org, &organizations.ListHandshakesForAccountInput{Filter: f})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(t, err, "ListHandshakesForAccount")
		all = append(all, out.Handshakes...)
	}
	return all
}

func handshakesForOrg(t *testing.T, c *organizations.Client, f *otypes.HandshakeFilter, pageSize int32) []otypes.Handshake {
	t.Helper()
	var all []otypes.Handshake
	in := &organizations.ListHandshakesForOrganizationInput{Filter: f}
	if pageSize > 0 {
		in.MaxResults = aws.Int32(pageSize)
	}
	p := organizations.NewListHandshakesForOrganizationPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(t, err, "ListHandshakesForOrganization")
		if pageSize > 0 && len(out.Handshakes) > int(pageSize) {
			t.Errorf("page of %d handshakes, MaxResults %d", len(out.Handshakes), pageSize)
		}
		all = append(all, out.Handshakes...)
	}
	return all
}

// findHandshake returns the handshake id in list, or nil.
func findHandshake(list []otypes.Handshake, id string) *otypes.Handshake {
	for i := range list {
		if aws.ToString(list[i].Id) == id {
			return &list[i]
		}
	}
	return nil
}

// hasParty reports whether h names party id of type typ.
func hasParty(h *otypes.Handshake, id string, typ otypes.HandshakePartyType) bool {
	for _, p := range h.Parties {
		if aws.ToString(p.Id) == id && p.Type == typ {
			return true
		}
	}
	return false
}

// resourceValue returns the value of h's first resource of type typ
// (searching nested resources too).
func resourceValue(rs []otypes.HandshakeResource, typ otypes.HandshakeResourceType) (string, bool) {
	for _, r := range rs {
		if r.Type == typ {
			return aws.ToString(r.Value), true
		}
		if v, ok := resourceValue(r.Resources, typ); ok {
			return v, true
		}
	}
	return "", false
}
