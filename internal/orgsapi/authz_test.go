package orgsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sort"
	"testing"

	"github.com/accountplane/accountplane/internal/operation"

	"github.com/accountplane/accountplane/internal/identity"
)

// asked is one authorization question an operation put to its Check.
type asked struct {
	action     string
	resources  []string
	conditions map[string][]string
}

var errDenied = errors.New("denied by the test's check")

// invokeChecked invokes op with a Check that records the question and
// answers it with deny(question) (nil: allow). It returns the questions
// asked and the call's error.
func (e *env) invokeChecked(tb testing.TB, caller identity.Principal, op string, body any, deny func(asked) error) ([]asked, error) {
	tb.Helper()
	o, ok := e.ops[op]
	if !ok {
		tb.Fatalf("no operation %s", op)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		tb.Fatalf("marshal %s body: %v", op, err)
	}
	ctx := context.Background()
	call, err := o.Prepare(operation.Request{Caller: caller}, operation.Input{Body: raw})
	if err != nil {
		return nil, err
	}
	acc, err := call.Access(ctx)
	if err != nil {
		return nil, err
	}
	q := asked{o.Action, slices.Clone(acc.Resources), maps.Clone(acc.Conditions)}
	got := []asked{q}
	if deny != nil {
		if err := deny(q); err != nil {
			return got, err
		}
	}
	_, err = call.Invoke(ctx)
	return got, err
}

// authzWorld is an organization with an OU, a created account, an open
// invitation and a customer SCP, all tagged.
type authzWorld struct {
	org, root, ou, acct, handshake, policy string
}

func newAuthzWorld(t *testing.T, e *env) authzWorld {
	t.Helper()
	var w authzWorld
	out := e.must(t, mgmt, "CreateOrganization", `{}`)
	w.org = out["Organization"].(map[string]any)["Id"].(string)
	w.root = list(t, e.must(t, mgmt, "ListRoots", `{}`)["Roots"])[0].(map[string]any)["Id"].(string)
	out = e.must(t, mgmt, "CreateOrganizationalUnit", map[string]any{"ParentId": w.root, "Name": "Engineering",
		"Tags": []any{map[string]any{"Key": "env", "Value": "prod"}}})
	w.ou = out["OrganizationalUnit"].(map[string]any)["Id"].(string)
	out = e.must(t, mgmt, "CreateAccount", map[string]any{"Email": "new@example.com", "AccountName": "New",
		"Tags": []any{map[string]any{"Key": "team", "Value": "core"}}})
	w.acct = out["CreateAccountStatus"].(map[string]any)["AccountId"].(string)
	out = e.must(t, mgmt, "InviteAccountToOrganization", map[string]any{"Target": map[string]any{"Id": inviteeID, "Type": "ACCOUNT"}})
	w.handshake = out["Handshake"].(map[string]any)["Id"].(string)
	e.must(t, mgmt, "EnablePolicyType", map[string]any{"RootId": w.root, "PolicyType": "SERVICE_CONTROL_POLICY"})
	out = e.must(t, mgmt, "CreatePolicy", map[string]any{"Content": scp, "Description": "d", "Name": "DenyLeave",
		"Type": "SERVICE_CONTROL_POLICY", "Tags": []any{map[string]any{"Key": "owner", "Value": "sec"}}})
	w.policy = out["Policy"].(map[string]any)["PolicySummary"].(map[string]any)["Id"].(string)
	return w
}

func (w authzWorld) arn(resource string) string {
	return "arn:aws:organizations::" + mgmtID + ":" + resource
}
func (w authzWorld) accountARN(id string) string { return w.arn("account/" + w.org + "/" + id) }
func (w authzWorld) rootARN() string             { return w.arn("root/" + w.org + "/" + w.root) }
func (w authzWorld) ouARN() string               { return w.arn("ou/" + w.org + "/" + w.ou) }
func (w authzWorld) policyARN() string {
	return w.arn("policy/" + w.org + "/service_control_policy/" + w.policy)
}
func (w authzWorld) handshakeARN() string {
	return w.arn("handshake/" + w.org + "/invite/" + w.handshake)
}

const fullAWSAccessARN = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"

type conds = map[string][]string

func tags(kv ...string) []any {
	var out []any
	for i := 0; i < len(kv); i += 2 {
		out = append(out, map[string]any{"Key": kv[i], "Value": kv[i+1]})
	}
	return out
}

// TestAuthorizationTable checks, for every operation, the IAM action, the
// resource ARNs and the request condition keys it asks its Check about,
// against the Service Authorization Reference for AWS Organizations. The
// check denies, so no operation changes anything.
func TestAuthorizationTable(t *testing.T) {
	e := newEnv(t)
	w := newAuthzWorld(t, e)
	scpType := "SERVICE_CONTROL_POLICY"
	star := []string{"*"}

	cases := []struct {
		name      string
		op        string
		caller    identity.Principal
		body      map[string]any
		resources []string
		conds     conds
	}{
		// Organization lifecycle and roots: no resource type.
		{"", "CreateOrganization", lone, map[string]any{"FeatureSet": "ALL"}, star, nil},
		{"", "DescribeOrganization", mgmt, nil, star, nil},
		{"", "DeleteOrganization", mgmt, nil, star, nil},
		{"", "LeaveOrganization", mgmt, nil, star, nil},
		{"", "EnableAllFeatures", mgmt, nil, star, nil},
		{"", "ListRoots", mgmt, nil, star, nil},

		// Organizational units and the tree.
		{"InRoot", "CreateOrganizationalUnit", mgmt, map[string]any{"ParentId": w.root, "Name": "X", "Tags": tags("cost", "7")},
			[]string{w.rootARN()}, conds{"aws:RequestTag/cost": {"7"}, "aws:TagKeys": {"cost"}}},
		{"InOU", "CreateOrganizationalUnit", mgmt, map[string]any{"ParentId": w.ou, "Name": "X"}, []string{w.ouARN()}, nil},
		{"", "DescribeOrganizationalUnit", mgmt, map[string]any{"OrganizationalUnitId": w.ou}, []string{w.ouARN()}, nil},
		{"", "UpdateOrganizationalUnit", mgmt, map[string]any{"OrganizationalUnitId": w.ou, "Name": "Y"}, []string{w.ouARN()}, nil},
		{"", "DeleteOrganizationalUnit", mgmt, map[string]any{"OrganizationalUnitId": w.ou}, []string{w.ouARN()}, nil},
		{"", "ListOrganizationalUnitsForParent", mgmt, map[string]any{"ParentId": w.ou}, []string{w.ouARN()}, nil},
		{"", "ListChildren", mgmt, map[string]any{"ParentId": w.root, "ChildType": "ACCOUNT"}, []string{w.rootARN()}, nil},
		{"OfAccount", "ListParents", mgmt, map[string]any{"ChildId": w.acct}, []string{w.accountARN(w.acct)}, nil},
		{"OfOU", "ListParents", mgmt, map[string]any{"ChildId": w.ou}, []string{w.ouARN()}, nil},

		// Accounts.
		{"", "MoveAccount", mgmt, map[string]any{"AccountId": w.acct, "SourceParentId": w.root, "DestinationParentId": w.ou},
			[]string{w.accountARN(w.acct), w.rootARN(), w.ouARN()}, nil},
		{"", "ListAccounts", mgmt, nil, star, nil},
		{"", "ListAccountsForParent", mgmt, map[string]any{"ParentId": w.root}, []string{w.rootARN()}, nil},
		{"", "DescribeAccount", mgmt, map[string]any{"AccountId": w.acct}, []string{w.accountARN(w.acct)}, nil},
		{"OutsideAnyOrganization", "DescribeAccount", lone, map[string]any{"AccountId": w.acct}, star, nil},
		{"Tagged", "CreateAccount", mgmt, map[string]any{"Email": "a@example.com", "AccountName": "A", "Tags": tags("team", "x", "cc", "")},
			star, conds{"aws:RequestTag/team": {"x"}, "aws:RequestTag/cc": {""}, "aws:TagKeys": {"team", "cc"}}},
		{"Untagged", "CreateAccount", mgmt, map[string]any{"Email": "a@example.com", "AccountName": "A"}, star, nil},
		{"", "DescribeCreateAccountStatus", mgmt, map[string]any{"CreateAccountRequestId": "car-abcdefgh"}, star, nil},
		{"", "ListCreateAccountStatus", mgmt, nil, star, nil},
		{"", "CloseAccount", mgmt, map[string]any{"AccountId": w.acct}, []string{w.accountARN(w.acct)}, nil},
		{"", "RemoveAccountFromOrganization", mgmt, map[string]any{"AccountId": w.acct}, []string{w.accountARN(w.acct)}, nil},

		// Tags: the tagged resource, with its current tags.
		{"OU", "TagResource", mgmt, map[string]any{"ResourceId": w.ou, "Tags": tags("env", "dev")}, []string{w.ouARN()},
			conds{"aws:RequestTag/env": {"dev"}, "aws:TagKeys": {"env"}, "aws:ResourceTag/env": {"prod"}}},
		{"Root", "TagResource", mgmt, map[string]any{"ResourceId": w.root, "Tags": tags("a", "b")}, []string{w.rootARN()},
			conds{"aws:RequestTag/a": {"b"}, "aws:TagKeys": {"a"}}},
		{"Account", "UntagResource", mgmt, map[string]any{"ResourceId": w.acct, "TagKeys": []string{"team", "gone"}},
			[]string{w.accountARN(w.acct)}, conds{"aws:TagKeys": {"team", "gone"}, "aws:ResourceTag/team": {"core"}}},
		{"Policy", "ListTagsForResource", mgmt, map[string]any{"ResourceId": w.policy}, []string{w.policyARN()},
			conds{"aws:ResourceTag/owner": {"sec"}}},
		{"Account", "ListTagsForResource", mgmt, map[string]any{"ResourceId": w.acct}, []string{w.accountARN(w.acct)},
			conds{"aws:ResourceTag/team": {"core"}}},

		// Handshakes.
		{"Account", "InviteAccountToOrganization", mgmt, map[string]any{"Target": map[string]any{"Id": loneID, "Type": "ACCOUNT"}, "Tags": tags("k", "v")},
			[]string{w.accountARN(loneID)}, conds{"aws:RequestTag/k": {"v"}, "aws:TagKeys": {"k"}}},
		{"Email", "InviteAccountToOrganization", mgmt, map[string]any{"Target": map[string]any{"Id": "x@example.com", "Type": "EMAIL"}}, star, nil},
		{"ByInvitee", "AcceptHandshake", invitee, map[string]any{"HandshakeId": w.handshake}, []string{w.handshakeARN()}, nil},
		{"ByInvitee", "DeclineHandshake", invitee, map[string]any{"HandshakeId": w.handshake}, []string{w.handshakeARN()}, nil},
		{"BySender", "CancelHandshake", mgmt, map[string]any{"HandshakeId": w.handshake}, []string{w.handshakeARN()}, nil},
		{"BySender", "DescribeHandshake", mgmt, map[string]any{"HandshakeId": w.handshake}, []string{w.handshakeARN()}, nil},
		{"ByStranger", "DescribeHandshake", lone, map[string]any{"HandshakeId": w.handshake}, star, nil},
		{"", "ListHandshakesForAccount", invitee, nil, star, nil},
		{"", "ListHandshakesForOrganization", mgmt, nil, star, nil},

		// Trusted access and delegated administrators.
		{"", "EnableAWSServiceAccess", mgmt, map[string]any{"ServicePrincipal": "config.amazonaws.com"}, star,
			conds{"organizations:ServicePrincipal": {"config.amazonaws.com"}}},
		{"", "DisableAWSServiceAccess", mgmt, map[string]any{"ServicePrincipal": "config.amazonaws.com"}, star,
			conds{"organizations:ServicePrincipal": {"config.amazonaws.com"}}},
		{"", "ListAWSServiceAccessForOrganization", mgmt, nil, star, nil},
		{"", "RegisterDelegatedAdministrator", mgmt, map[string]any{"AccountId": w.acct, "ServicePrincipal": "account.amazonaws.com"},
			[]string{w.accountARN(w.acct)}, conds{"organizations:ServicePrincipal": {"account.amazonaws.com"}}},
		{"", "DeregisterDelegatedAdministrator", mgmt, map[string]any{"AccountId": w.acct, "ServicePrincipal": "account.amazonaws.com"},
			[]string{w.accountARN(w.acct)}, conds{"organizations:ServicePrincipal": {"account.amazonaws.com"}}},
		{"ForService", "ListDelegatedAdministrators", mgmt, map[string]any{"ServicePrincipal": "account.amazonaws.com"}, star,
			conds{"organizations:ServicePrincipal": {"account.amazonaws.com"}}},
		{"All", "ListDelegatedAdministrators", mgmt, nil, star, nil},
		{"", "ListDelegatedServicesForAccount", mgmt, map[string]any{"AccountId": w.acct}, []string{w.accountARN(w.acct)}, nil},

		// Policies.
		{"", "CreatePolicy", mgmt, map[string]any{"Content": scp, "Description": "d", "Name": "N", "Type": "TAG_POLICY", "Tags": tags("owner", "me")},
			star, conds{"organizations:PolicyType": {"TAG_POLICY"}, "aws:RequestTag/owner": {"me"}, "aws:TagKeys": {"owner"}}},
		{"Customer", "DescribePolicy", mgmt, map[string]any{"PolicyId": w.policy}, []string{w.policyARN()},
			conds{"organizations:PolicyType": {scpType}}},
		{"AWSManaged", "DescribePolicy", mgmt, map[string]any{"PolicyId": "p-FullAWSAccess"}, []string{fullAWSAccessARN},
			conds{"organizations:PolicyType": {scpType}}},
		{"Unknown", "DescribePolicy", mgmt, map[string]any{"PolicyId": "p-doesnotexist"}, star, nil},
		{"", "UpdatePolicy", mgmt, map[string]any{"PolicyId": w.policy, "Name": "Renamed"}, []string{w.policyARN()},
			conds{"organizations:PolicyType": {scpType}}},
		{"", "DeletePolicy", mgmt, map[string]any{"PolicyId": w.policy}, []string{w.policyARN()},
			conds{"organizations:PolicyType": {scpType}}},
		{"", "ListPolicies", mgmt, map[string]any{"Filter": "TAG_POLICY"}, star, conds{"organizations:PolicyType": {"TAG_POLICY"}}},
		{"ToOU", "AttachPolicy", mgmt, map[string]any{"PolicyId": w.policy, "TargetId": w.ou}, []string{w.policyARN(), w.ouARN()},
			conds{"organizations:PolicyType": {scpType}}},
		{"FromRoot", "DetachPolicy", mgmt, map[string]any{"PolicyId": "p-FullAWSAccess", "TargetId": w.root},
			[]string{fullAWSAccessARN, w.rootARN()}, conds{"organizations:PolicyType": {scpType}}},
		{"FromAccount", "DetachPolicy", mgmt, map[string]any{"PolicyId": w.policy, "TargetId": w.acct},
			[]string{w.policyARN(), w.accountARN(w.acct)}, conds{"organizations:PolicyType": {scpType}}},
		{"", "ListPoliciesForTarget", mgmt, map[string]any{"TargetId": w.acct, "Filter": scpType}, []string{w.accountARN(w.acct)},
			conds{"organizations:PolicyType": {scpType}}},
		{"", "ListTargetsForPolicy", mgmt, map[string]any{"PolicyId": w.policy}, []string{w.policyARN()},
			conds{"organizations:PolicyType": {scpType}}},
		{"", "EnablePolicyType", mgmt, map[string]any{"RootId": w.root, "PolicyType": "TAG_POLICY"}, []string{w.rootARN()},
			conds{"organizations:PolicyType": {"TAG_POLICY"}}},
		{"", "DisablePolicyType", mgmt, map[string]any{"RootId": w.root, "PolicyType": scpType}, []string{w.rootARN()},
			conds{"organizations:PolicyType": {scpType}}},

		// Effective policies.
		{"Own", "DescribeEffectivePolicy", mgmt, map[string]any{"PolicyType": "TAG_POLICY"}, star,
			conds{"organizations:PolicyType": {"TAG_POLICY"}}},
		{"OfAccount", "DescribeEffectivePolicy", mgmt, map[string]any{"PolicyType": "BACKUP_POLICY", "TargetId": w.acct},
			[]string{w.accountARN(w.acct)}, conds{"organizations:PolicyType": {"BACKUP_POLICY"}}},
		{"", "ListAccountsWithInvalidEffectivePolicy", mgmt, map[string]any{"PolicyType": "TAG_POLICY"}, star,
			conds{"organizations:PolicyType": {"TAG_POLICY"}}},
		{"", "ListEffectivePolicyValidationErrors", mgmt, map[string]any{"PolicyType": "TAG_POLICY", "AccountId": w.acct},
			[]string{w.accountARN(w.acct)}, conds{"organizations:PolicyType": {"TAG_POLICY"}}},

		// The delegation policy.
		{"", "PutResourcePolicy", mgmt, map[string]any{"Content": "{}", "Tags": tags("owner", "me")}, star,
			conds{"aws:RequestTag/owner": {"me"}, "aws:TagKeys": {"owner"}}},
		{"", "DescribeResourcePolicy", mgmt, nil, star, nil},
		{"", "DeleteResourcePolicy", mgmt, nil, star, nil},
	}
	cases = append(cases, transferAuthzCases(t, e, w)...)

	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.op] = true
		name := c.op
		if c.name != "" {
			name += "/" + c.name
		}
		t.Run(name, func(t *testing.T) {
			body := c.body
			if body == nil {
				body = map[string]any{}
			}
			got, err := e.invokeChecked(t, c.caller, c.op, body, func(asked) error { return errDenied })
			if !errors.Is(err, errDenied) {
				t.Fatalf("Invoke = %v, want the check's denial", err)
			}
			if len(got) != 1 {
				t.Fatalf("the check was asked %d times, want once", len(got))
			}
			q := got[0]
			wantEq(t, "action", q.action, "organizations:"+c.op)
			if !slices.Equal(q.resources, c.resources) {
				t.Errorf("resources %q, want %q", q.resources, c.resources)
			}
			if !sameConds(q.conditions, c.conds) {
				t.Errorf("conditions %v, want %v", q.conditions, c.conds)
			}
		})
	}
	var missing []string
	for name := range e.ops {
		if !covered[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations without an authorization case: %v", missing)
	}
}

func sameConds(got, want map[string][]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || !slices.Equal(g, v) {
			return false
		}
	}
	return true
}

// TestDeniedResourceStopsTheCall denies one of the resources an operation
// names: the domain never runs, so nothing changes.
func TestDeniedResourceStopsTheCall(t *testing.T) {
	e := newEnv(t)
	w := newAuthzWorld(t, e)

	// MoveAccount names the account, its source and its destination; the
	// destination OU is denied.
	denyOU := func(q asked) error {
		if slices.Contains(q.resources, w.ouARN()) {
			return errDenied
		}
		return nil
	}
	got, err := e.invokeChecked(t, mgmt, "MoveAccount",
		map[string]any{"AccountId": w.acct, "SourceParentId": w.root, "DestinationParentId": w.ou}, denyOU)
	if !errors.Is(err, errDenied) {
		t.Fatalf("MoveAccount = %v, want the check's denial", err)
	}
	if len(got) != 1 || len(got[0].resources) != 3 {
		t.Fatalf("asked %+v, want one question about three resources", got)
	}
	parent := list(t, e.must(t, mgmt, "ListParents", map[string]any{"ChildId": w.acct})["Parents"])[0].(map[string]any)
	wantEq(t, "parent after denied move", parent["Id"], w.root)

	// The same call allowed moves the account.
	if _, err := e.invokeChecked(t, mgmt, "MoveAccount",
		map[string]any{"AccountId": w.acct, "SourceParentId": w.root, "DestinationParentId": w.ou}, nil); err != nil {
		t.Fatalf("allowed MoveAccount: %v", err)
	}
	parent = list(t, e.must(t, mgmt, "ListParents", map[string]any{"ChildId": w.acct})["Parents"])[0].(map[string]any)
	wantEq(t, "parent after allowed move", parent["Id"], w.ou)

	// A denied policy keeps its attachment and its name.
	denyPolicy := func(q asked) error {
		if slices.Contains(q.resources, w.policyARN()) {
			return errDenied
		}
		return nil
	}
	if _, err := e.invokeChecked(t, mgmt, "UpdatePolicy", map[string]any{"PolicyId": w.policy, "Name": "Renamed"}, denyPolicy); !errors.Is(err, errDenied) {
		t.Fatalf("UpdatePolicy = %v, want the check's denial", err)
	}
	if _, err := e.invokeChecked(t, mgmt, "AttachPolicy", map[string]any{"PolicyId": w.policy, "TargetId": w.root}, denyPolicy); !errors.Is(err, errDenied) {
		t.Fatalf("AttachPolicy = %v, want the check's denial", err)
	}
	out := e.must(t, mgmt, "DescribePolicy", map[string]any{"PolicyId": w.policy})
	wantEq(t, "policy name", out["Policy"].(map[string]any)["PolicySummary"].(map[string]any)["Name"], "DenyLeave")
	out = e.must(t, mgmt, "ListTargetsForPolicy", map[string]any{"PolicyId": w.policy})
	wantEq(t, "policy targets", len(list(t, out["Targets"])), 0)

	// A denied handshake stays open.
	denyAll := func(asked) error { return errDenied }
	if _, err := e.invokeChecked(t, invitee, "AcceptHandshake", map[string]any{"HandshakeId": w.handshake}, denyAll); !errors.Is(err, errDenied) {
		t.Fatalf("AcceptHandshake = %v, want the check's denial", err)
	}
	out = e.must(t, mgmt, "DescribeHandshake", map[string]any{"HandshakeId": w.handshake})
	wantEq(t, "handshake state", out["Handshake"].(map[string]any)["State"], "OPEN")

	// Validation comes first: invalid input never reaches the check.
	got, err = e.invokeChecked(t, mgmt, "MoveAccount",
		map[string]any{"AccountId": "12", "SourceParentId": w.root, "DestinationParentId": w.ou}, denyAll)
	apiErr(t, err, "InvalidInputException")
	if len(got) != 0 {
		t.Fatalf("the check was asked %+v about invalid input", got)
	}
}
