package orgsapi_test

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// keysOf returns the sorted member names of a JSON object.
func keysOf(tb testing.TB, v any) []string {
	tb.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		tb.Fatalf("%v is not a JSON object", v)
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func wantKeys(tb testing.TB, what string, v any, want ...string) map[string]any {
	tb.Helper()
	sort.Strings(want)
	if got := keysOf(tb, v); !slices.Equal(got, want) {
		tb.Fatalf("%s members %v, want %v", what, got, want)
	}
	return v.(map[string]any)
}

func wantEq(tb testing.TB, what string, got, want any) {
	tb.Helper()
	if got != want {
		tb.Fatalf("%s = %#v, want %#v", what, got, want)
	}
}

// wantEpoch asserts a timestamp is a JSON number of epoch seconds.
func wantEpoch(tb testing.TB, what string, v any, want string) {
	tb.Helper()
	n, ok := v.(json.Number)
	if !ok {
		tb.Fatalf("%s = %#v (%T), want the JSON number %s", what, v, v, want)
	}
	wantEq(tb, what, string(n), want)
}

func list(tb testing.TB, v any) []any {
	tb.Helper()
	l, ok := v.([]any)
	if !ok {
		tb.Fatalf("%#v is not a JSON array", v)
	}
	return l
}

const scp = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`

// TestFlow drives a management account and an invitee through the
// operations with JSON bodies and checks the exact output members.
func TestFlow(t *testing.T) {
	e := newEnv(t)
	accountMembers := []string{"Id", "Arn", "Email", "Name", "Status", "State", "Paths", "JoinedMethod", "JoinedTimestamp"}

	// CreateOrganization.
	out := e.must(t, mgmt, "CreateOrganization", `{}`)
	wantKeys(t, "CreateOrganization output", out, "Organization")
	org := wantKeys(t, "Organization", out["Organization"],
		"Id", "Arn", "FeatureSet", "MasterAccountArn", "MasterAccountId", "MasterAccountEmail", "AvailablePolicyTypes")
	orgID := org["Id"].(string)
	if !strings.HasPrefix(orgID, "o-") {
		t.Fatalf("organization id %q", orgID)
	}
	wantEq(t, "Arn", org["Arn"], "arn:aws:organizations::"+mgmtID+":organization/"+orgID)
	wantEq(t, "FeatureSet", org["FeatureSet"], "ALL")
	wantEq(t, "MasterAccountArn", org["MasterAccountArn"], "arn:aws:organizations::"+mgmtID+":account/"+orgID+"/"+mgmtID)
	wantEq(t, "MasterAccountId", org["MasterAccountId"], mgmtID)
	wantEq(t, "MasterAccountEmail", org["MasterAccountEmail"], "mgmt@example.com")
	wantEq(t, "len(AvailablePolicyTypes)", len(list(t, org["AvailablePolicyTypes"])), 0)

	// ListRoots.
	out = e.must(t, mgmt, "ListRoots", `{}`)
	wantKeys(t, "ListRoots output", out, "Roots")
	roots := list(t, out["Roots"])
	wantEq(t, "len(Roots)", len(roots), 1)
	root := wantKeys(t, "Root", roots[0], "Id", "Arn", "Name", "PolicyTypes")
	rootID := root["Id"].(string)
	wantEq(t, "Root.Arn", root["Arn"], "arn:aws:organizations::"+mgmtID+":root/"+orgID+"/"+rootID)
	wantEq(t, "Root.Name", root["Name"], "Root")

	// CreateOrganizationalUnit.
	out = e.must(t, mgmt, "CreateOrganizationalUnit", map[string]any{"ParentId": rootID, "Name": "Engineering"})
	ou := wantKeys(t, "OrganizationalUnit", out["OrganizationalUnit"], "Id", "Arn", "Name", "Path")
	ouID := ou["Id"].(string)
	wantEq(t, "OU.Arn", ou["Arn"], "arn:aws:organizations::"+mgmtID+":ou/"+orgID+"/"+ouID)
	wantEq(t, "OU.Path", ou["Path"], orgID+"/"+rootID+"/"+ouID+"/")
	wantEq(t, "OU.Name", ou["Name"], "Engineering")

	// CreateAccount, then DescribeCreateAccountStatus.
	out = e.must(t, mgmt, "CreateAccount", map[string]any{"Email": "new@example.com", "AccountName": "New", "Tags": []any{map[string]any{"Key": "team", "Value": "core"}}})
	wantKeys(t, "CreateAccount output", out, "CreateAccountStatus")
	st := wantKeys(t, "CreateAccountStatus", out["CreateAccountStatus"], "Id", "AccountName", "State", "RequestedTimestamp", "CompletedTimestamp", "AccountId")
	wantEq(t, "State", st["State"], "SUCCEEDED")
	wantEq(t, "AccountName", st["AccountName"], "New")
	wantEpoch(t, "RequestedTimestamp", st["RequestedTimestamp"], epochWire)
	wantEpoch(t, "CompletedTimestamp", st["CompletedTimestamp"], epochWire)
	newID := st["AccountId"].(string)
	out = e.must(t, mgmt, "DescribeCreateAccountStatus", map[string]any{"CreateAccountRequestId": st["Id"]})
	wantEq(t, "described status", out["CreateAccountStatus"].(map[string]any)["AccountId"], newID)
	out = e.must(t, mgmt, "ListCreateAccountStatus", `{"States":["SUCCEEDED"]}`)
	wantEq(t, "len(CreateAccountStatuses)", len(list(t, out["CreateAccountStatuses"])), 1)

	// ListAccounts one at a time.
	out = e.must(t, mgmt, "ListAccounts", `{"MaxResults":1}`)
	wantKeys(t, "ListAccounts page 1", out, "Accounts", "NextToken")
	page1 := list(t, out["Accounts"])
	wantEq(t, "len(page 1)", len(page1), 1)
	token := out["NextToken"].(string)
	out = e.must(t, mgmt, "ListAccounts", map[string]any{"MaxResults": 1, "NextToken": token})
	wantKeys(t, "ListAccounts page 2", out, "Accounts")
	page2 := list(t, out["Accounts"])
	wantEq(t, "len(page 2)", len(page2), 1)
	ids := []string{
		wantKeys(t, "Account", page1[0], accountMembers...)["Id"].(string),
		wantKeys(t, "Account", page2[0], accountMembers...)["Id"].(string),
	}
	sort.Strings(ids)
	if want := []string{mgmtID, newID}; !slices.Equal(ids, sortedCopy(want)) {
		t.Fatalf("paged accounts %v, want %v", ids, want)
	}
	out = e.must(t, mgmt, "ListAccounts", `{}`)
	wantEq(t, "len(all accounts)", len(list(t, out["Accounts"])), 2)

	// DescribeAccount.
	out = e.must(t, mgmt, "DescribeAccount", map[string]any{"AccountId": newID})
	acc := wantKeys(t, "Account", out["Account"], accountMembers...)
	wantEq(t, "Account.Arn", acc["Arn"], "arn:aws:organizations::"+mgmtID+":account/"+orgID+"/"+newID)
	wantEq(t, "Account.Email", acc["Email"], "new@example.com")
	wantEq(t, "Account.Name", acc["Name"], "New")
	wantEq(t, "Account.Status", acc["Status"], "ACTIVE")
	wantEq(t, "Account.State", acc["State"], "ACTIVE")
	wantEq(t, "Account.JoinedMethod", acc["JoinedMethod"], "CREATED")
	wantEpoch(t, "Account.JoinedTimestamp", acc["JoinedTimestamp"], epochWire)
	wantEq(t, "Account.Paths[0]", list(t, acc["Paths"])[0], orgID+"/"+rootID+"/"+newID+"/")
	out = e.must(t, mgmt, "ListTagsForResource", map[string]any{"ResourceId": newID})
	tags := list(t, out["Tags"])
	wantEq(t, "len(Tags)", len(tags), 1)
	tag := wantKeys(t, "Tag", tags[0], "Key", "Value")
	wantEq(t, "Tag.Key", tag["Key"], "team")

	// MoveAccount into the OU.
	e.must(t, mgmt, "MoveAccount", map[string]any{"AccountId": newID, "SourceParentId": rootID, "DestinationParentId": ouID})
	out = e.must(t, mgmt, "ListAccountsForParent", map[string]any{"ParentId": ouID})
	wantEq(t, "accounts in OU", list(t, out["Accounts"])[0].(map[string]any)["Id"], newID)
	out = e.must(t, mgmt, "ListParents", map[string]any{"ChildId": newID})
	parent := wantKeys(t, "Parent", list(t, out["Parents"])[0], "Id", "Type")
	wantEq(t, "Parent", parent["Id"], ouID)
	wantEq(t, "Parent.Type", parent["Type"], "ORGANIZATIONAL_UNIT")
	out = e.must(t, mgmt, "ListChildren", map[string]any{"ParentId": rootID, "ChildType": "ORGANIZATIONAL_UNIT"})
	child := wantKeys(t, "Child", list(t, out["Children"])[0], "Id", "Type")
	wantEq(t, "Child", child["Id"], ouID)

	// InviteAccountToOrganization.
	out = e.must(t, mgmt, "InviteAccountToOrganization", map[string]any{
		"Target": map[string]any{"Id": inviteeID, "Type": "ACCOUNT"}, "Notes": "welcome aboard",
	})
	handshakeMembers := []string{"Id", "Arn", "Parties", "State", "RequestedTimestamp", "ExpirationTimestamp", "Action", "Resources"}
	hs := wantKeys(t, "Handshake", out["Handshake"], handshakeMembers...)
	hsID := hs["Id"].(string)
	wantEq(t, "Handshake.Arn", hs["Arn"], "arn:aws:organizations::"+mgmtID+":handshake/"+orgID+"/invite/"+hsID)
	wantEq(t, "Handshake.State", hs["State"], "OPEN")
	wantEq(t, "Handshake.Action", hs["Action"], "INVITE")
	wantEpoch(t, "RequestedTimestamp", hs["RequestedTimestamp"], epochWire)
	wantEpoch(t, "ExpirationTimestamp", hs["ExpirationTimestamp"], "1737083045.678") // + 15 days
	parties := list(t, hs["Parties"])
	wantEq(t, "len(Parties)", len(parties), 2)
	p0 := wantKeys(t, "Party", parties[0], "Id", "Type")
	p1 := wantKeys(t, "Party", parties[1], "Id", "Type")
	wantEq(t, "Parties[0]", p0["Id"].(string)+"/"+p0["Type"].(string), orgID+"/ORGANIZATION")
	wantEq(t, "Parties[1]", p1["Id"].(string)+"/"+p1["Type"].(string), inviteeID+"/ACCOUNT")
	res := list(t, hs["Resources"])
	wantEq(t, "len(Resources)", len(res), 3)
	r0 := wantKeys(t, "Resources[0]", res[0], "Type", "Value", "Resources")
	wantEq(t, "Resources[0]", r0["Type"].(string)+"="+r0["Value"].(string), "ORGANIZATION="+orgID)
	var nested []string
	for _, r := range list(t, r0["Resources"]) {
		x := wantKeys(t, "nested resource", r, "Type", "Value")
		nested = append(nested, x["Type"].(string)+"="+x["Value"].(string))
	}
	if want := []string{"MASTER_EMAIL=mgmt@example.com", "MASTER_NAME=Management", "ORGANIZATION_FEATURE_SET=ALL"}; !slices.Equal(nested, want) {
		t.Fatalf("organization resources %v, want %v", nested, want)
	}
	r1 := wantKeys(t, "Resources[1]", res[1], "Type", "Value")
	wantEq(t, "Resources[1]", r1["Type"].(string)+"="+r1["Value"].(string), "ACCOUNT="+inviteeID)
	r2 := wantKeys(t, "Resources[2]", res[2], "Type", "Value")
	wantEq(t, "Resources[2]", r2["Type"].(string)+"="+r2["Value"].(string), "NOTES=welcome aboard")

	// The invitee sees it, then accepts it.
	out = e.must(t, invitee, "ListHandshakesForAccount", `{"Filter":{"ActionType":"INVITE"}}`)
	wantEq(t, "invitee's handshake", list(t, out["Handshakes"])[0].(map[string]any)["Id"], hsID)
	out = e.must(t, invitee, "AcceptHandshake", map[string]any{"HandshakeId": hsID})
	hs = wantKeys(t, "accepted Handshake", out["Handshake"], handshakeMembers...)
	wantEq(t, "accepted State", hs["State"], "ACCEPTED")
	wantEq(t, "accepted Arn", hs["Arn"], "arn:aws:organizations::"+mgmtID+":handshake/"+orgID+"/invite/"+hsID)
	out = e.must(t, mgmt, "DescribeAccount", map[string]any{"AccountId": inviteeID})
	wantEq(t, "invitee JoinedMethod", out["Account"].(map[string]any)["JoinedMethod"], "INVITED")
	out = e.must(t, mgmt, "ListHandshakesForOrganization", `{}`)
	wantEq(t, "organization's handshake state", list(t, out["Handshakes"])[0].(map[string]any)["State"], "ACCEPTED")

	// EnablePolicyType SCP.
	out = e.must(t, mgmt, "EnablePolicyType", map[string]any{"RootId": rootID, "PolicyType": "SERVICE_CONTROL_POLICY"})
	root = wantKeys(t, "Root", out["Root"], "Id", "Arn", "Name", "PolicyTypes")
	pt := wantKeys(t, "PolicyTypes[0]", list(t, root["PolicyTypes"])[0], "Type", "Status")
	wantEq(t, "PolicyType", pt["Type"].(string)+"/"+pt["Status"].(string), "SERVICE_CONTROL_POLICY/ENABLED")
	out = e.must(t, mgmt, "DescribeOrganization", `{}`)
	avail := list(t, out["Organization"].(map[string]any)["AvailablePolicyTypes"])
	wantEq(t, "len(AvailablePolicyTypes)", len(avail), 1)

	// CreatePolicy, AttachPolicy, and the lists that show it.
	out = e.must(t, mgmt, "CreatePolicy", map[string]any{"Content": scp, "Description": "No leaving", "Name": "DenyLeave", "Type": "SERVICE_CONTROL_POLICY"})
	pol := wantKeys(t, "Policy", out["Policy"], "PolicySummary", "Content")
	wantEq(t, "Policy.Content", pol["Content"], scp)
	sum := wantKeys(t, "PolicySummary", pol["PolicySummary"], "Id", "Arn", "Name", "Description", "Type", "AwsManaged")
	polID := sum["Id"].(string)
	wantEq(t, "PolicySummary.Arn", sum["Arn"], "arn:aws:organizations::"+mgmtID+":policy/"+orgID+"/service_control_policy/"+polID)
	wantEq(t, "PolicySummary.AwsManaged", sum["AwsManaged"], false)
	out = e.must(t, mgmt, "AttachPolicy", map[string]any{"PolicyId": polID, "TargetId": ouID})
	wantKeys(t, "AttachPolicy output", out)
	out = e.must(t, mgmt, "ListPoliciesForTarget", map[string]any{"TargetId": ouID, "Filter": "SERVICE_CONTROL_POLICY"})
	var arns []string
	for _, p := range list(t, out["Policies"]) {
		arns = append(arns, p.(map[string]any)["Arn"].(string))
	}
	if want := []string{
		"arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
		"arn:aws:organizations::" + mgmtID + ":policy/" + orgID + "/service_control_policy/" + polID,
	}; !slices.Equal(sortedCopy(arns), sortedCopy(want)) {
		t.Fatalf("policies of the OU %v, want %v", arns, want)
	}
	out = e.must(t, mgmt, "ListTargetsForPolicy", map[string]any{"PolicyId": polID})
	tgt := wantKeys(t, "Target", list(t, out["Targets"])[0], "TargetId", "Arn", "Name", "Type")
	wantEq(t, "Target.Arn", tgt["Arn"], "arn:aws:organizations::"+mgmtID+":ou/"+orgID+"/"+ouID)
	wantEq(t, "Target.Type", tgt["Type"], "ORGANIZATIONAL_UNIT")
	wantEq(t, "Target.Name", tgt["Name"], "Engineering")

	// Trusted access and a delegated administrator.
	e.must(t, mgmt, "EnableAWSServiceAccess", `{"ServicePrincipal":"account.amazonaws.com"}`)
	out = e.must(t, mgmt, "ListAWSServiceAccessForOrganization", `{}`)
	esp := wantKeys(t, "EnabledServicePrincipal", list(t, out["EnabledServicePrincipals"])[0], "ServicePrincipal", "DateEnabled")
	wantEpoch(t, "DateEnabled", esp["DateEnabled"], epochWire)
	e.must(t, mgmt, "RegisterDelegatedAdministrator", map[string]any{"AccountId": inviteeID, "ServicePrincipal": "account.amazonaws.com"})
	out = e.must(t, mgmt, "ListDelegatedAdministrators", `{}`)
	da := wantKeys(t, "DelegatedAdministrator", list(t, out["DelegatedAdministrators"])[0],
		"Id", "Arn", "Email", "Name", "Status", "State", "JoinedMethod", "JoinedTimestamp", "DelegationEnabledDate")
	wantEpoch(t, "DelegationEnabledDate", da["DelegationEnabledDate"], epochWire)
	out = e.must(t, mgmt, "ListDelegatedServicesForAccount", map[string]any{"AccountId": inviteeID})
	ds := wantKeys(t, "DelegatedService", list(t, out["DelegatedServices"])[0], "ServicePrincipal", "DelegationEnabledDate")
	wantEq(t, "DelegatedService", ds["ServicePrincipal"], "account.amazonaws.com")
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

// TestNextTokenBinding checks that tokens can't be forged or reused for
// another operation, filter or caller.
func TestNextTokenBinding(t *testing.T) {
	e := newEnv(t)
	e.must(t, mgmt, "CreateOrganization", `{}`)
	root := list(t, e.must(t, mgmt, "ListRoots", `{}`)["Roots"])[0].(map[string]any)["Id"].(string)
	for _, name := range []string{"A", "B", "C"} {
		e.must(t, mgmt, "CreateOrganizationalUnit", map[string]any{"ParentId": root, "Name": name})
	}
	out := e.must(t, mgmt, "ListOrganizationalUnitsForParent", map[string]any{"ParentId": root, "MaxResults": 2})
	wantEq(t, "len(page 1)", len(list(t, out["OrganizationalUnits"])), 2)
	token := out["NextToken"].(string)

	bad := []struct {
		name   string
		caller string
		op     string
		body   map[string]any
	}{
		{"forged", mgmtID, "ListOrganizationalUnitsForParent", map[string]any{"ParentId": root, "NextToken": "Mg.forged-signature"}},
		{"garbage", mgmtID, "ListOrganizationalUnitsForParent", map[string]any{"ParentId": root, "NextToken": "%%%"}},
		{"edited offset", mgmtID, "ListOrganizationalUnitsForParent", map[string]any{"ParentId": root, "NextToken": "MQ" + token[strings.Index(token, "."):]}},
		{"other operation", mgmtID, "ListAccountsForParent", map[string]any{"ParentId": root, "NextToken": token}},
		{"other filter", mgmtID, "ListOrganizationalUnitsForParent", map[string]any{"ParentId": "r-zzzz", "NextToken": token}},
		{"other caller", inviteeID, "ListOrganizationalUnitsForParent", map[string]any{"ParentId": root, "NextToken": token}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			caller := mgmt
			if tt.caller == inviteeID {
				caller = invitee
			}
			_, err := e.call(t, caller, tt.op, tt.body)
			if ae := apiErr(t, err, "InvalidInputException"); ae.Reason != badToken {
				t.Errorf("reason %q, want %s", ae.Reason, badToken)
			}
		})
	}

	// The genuine token continues the list, with no further token.
	out = e.must(t, mgmt, "ListOrganizationalUnitsForParent", map[string]any{"ParentId": root, "NextToken": token})
	wantEq(t, "len(page 2)", len(list(t, out["OrganizationalUnits"])), 1)
	if _, ok := out["NextToken"]; ok {
		t.Errorf("last page has a NextToken")
	}
	// Without MaxResults a page is 20: all three at once.
	out = e.must(t, mgmt, "ListOrganizationalUnitsForParent", map[string]any{"ParentId": root})
	wantEq(t, "len(full page)", len(list(t, out["OrganizationalUnits"])), 3)
}

// TestHandshakeStateFollowsClock checks that an unanswered invitation reads
// EXPIRED once the clock passes its expiry, and that the invitee outside
// the organization sees no Arn (the domain can't name the management
// account to it).
func TestHandshakeStateFollowsClock(t *testing.T) {
	e := newEnv(t)
	e.must(t, mgmt, "CreateOrganization", `{}`)
	out := e.must(t, mgmt, "InviteAccountToOrganization", `{"Target":{"Id":"invitee@example.com","Type":"EMAIL"}}`)
	hsID := out["Handshake"].(map[string]any)["Id"].(string)
	out = e.must(t, invitee, "DescribeHandshake", map[string]any{"HandshakeId": hsID})
	hs := out["Handshake"].(map[string]any)
	wantEq(t, "State", hs["State"], "OPEN")
	// AWS shows the handshake's ARN to the invitee too.
	if arn, _ := hs["Arn"].(string); !strings.HasPrefix(arn, "arn:aws:organizations::111111111111:handshake/o-") || !strings.HasSuffix(arn, "/invite/"+hsID) {
		t.Errorf("invitee outside the organization: Arn %q, want the handshake ARN", hs["Arn"])
	}
	parties := list(t, hs["Parties"])
	wantEq(t, "Parties[1].Type", parties[1].(map[string]any)["Type"], "EMAIL")

	e.advance(16 * 24 * time.Hour)
	out = e.must(t, mgmt, "DescribeHandshake", map[string]any{"HandshakeId": hsID})
	wantEq(t, "State after expiry", out["Handshake"].(map[string]any)["State"], "EXPIRED")
}

// TestEmptyListsAreArrays checks that empty lists are [] on the wire, not
// null or absent.
func TestEmptyListsAreArrays(t *testing.T) {
	e := newEnv(t)
	e.must(t, mgmt, "CreateOrganization", `{}`)
	for op, member := range map[string]string{
		"ListHandshakesForOrganization":       "Handshakes",
		"ListCreateAccountStatus":             "CreateAccountStatuses",
		"ListAWSServiceAccessForOrganization": "EnabledServicePrincipals",
		"ListDelegatedAdministrators":         "DelegatedAdministrators",
		"ListPolicies":                        "Policies",
	} {
		body := `{}`
		if op == "ListPolicies" {
			body = `{"Filter":"TAG_POLICY"}`
		}
		out := e.must(t, mgmt, op, body)
		wantKeys(t, op+" output", out, member)
		wantEq(t, op+" "+member, len(list(t, out[member])), 0)
	}
}

// TestEnableAllFeatures walks the all-features migration of an
// organization without invited members: the parent ENABLE_ALL_FEATURES
// handshake, then APPROVE_ALL_FEATURES for the management account, whose
// resources name the parent.
func TestEnableAllFeatures(t *testing.T) {
	e := newEnv(t)
	out := e.must(t, mgmt, "CreateOrganization", `{"FeatureSet":"CONSOLIDATED_BILLING"}`)
	orgID := out["Organization"].(map[string]any)["Id"].(string)
	out = e.must(t, mgmt, "EnableAllFeatures", `{}`)
	parent := out["Handshake"].(map[string]any)
	parentID := parent["Id"].(string)
	wantEq(t, "Action", parent["Action"], "ENABLE_ALL_FEATURES")
	wantEq(t, "Arn", parent["Arn"], "arn:aws:organizations::"+mgmtID+":handshake/"+orgID+"/enable_all_features/"+parentID)
	wantEq(t, "len(Parties)", len(list(t, parent["Parties"])), 1)

	out = e.must(t, mgmt, "ListHandshakesForAccount", map[string]any{"Filter": map[string]any{"ParentHandshakeId": parentID}})
	hss := list(t, out["Handshakes"])
	wantEq(t, "len(Handshakes)", len(hss), 1)
	approve := hss[0].(map[string]any)
	wantEq(t, "Action", approve["Action"], "APPROVE_ALL_FEATURES")
	var parentRes string
	for _, r := range list(t, approve["Resources"]) {
		if r.(map[string]any)["Type"] == "PARENT_HANDSHAKE" {
			parentRes = r.(map[string]any)["Value"].(string)
		}
	}
	wantEq(t, "PARENT_HANDSHAKE", parentRes, parentID)

	out = e.must(t, mgmt, "AcceptHandshake", map[string]any{"HandshakeId": approve["Id"]})
	wantEq(t, "State", out["Handshake"].(map[string]any)["State"], "ACCEPTED")
	out = e.must(t, mgmt, "DescribeOrganization", `{}`)
	wantEq(t, "FeatureSet", out["Organization"].(map[string]any)["FeatureSet"], "ALL")
}
