package orgsapi_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/identity"
)

func init() {
	// Valid values of the shapes of the GovCloud and transfer operations.
	samples["ResponsibilityTransferId"] = "rt-abcdefgh"
	samples["ResponsibilityTransferName"] = "Billing by the partner"
	samples["Timestamp"] = json.Number("1738368000")
}

// transferValidationCases are TestValidation's cases for the GovCloud and
// responsibility transfer operations.
var transferValidationCases = []struct {
	op, body, reason string
}{
	{"CreateGovCloudAccount", `{"AccountName":"x"}`, reqd},
	{"CreateGovCloudAccount", `{"Email":"a@example.com","AccountName":"x","RoleName":"AWSServiceRoleForX"}`, badRoleName},
	{"InviteOrganizationToTransferResponsibility", `{"Target":{"Id":"222222222222","Type":"ACCOUNT"},"StartTimestamp":1738368000,"SourceName":"n"}`, reqd},
	{"InviteOrganizationToTransferResponsibility", `{"Type":"SUPPORT","Target":{"Id":"222222222222","Type":"ACCOUNT"},"StartTimestamp":1738368000,"SourceName":"n"}`, badEnum},
	{"InviteOrganizationToTransferResponsibility", `{"Type":"BILLING","StartTimestamp":1738368000,"SourceName":"n"}`, reqd},
	{"InviteOrganizationToTransferResponsibility", `{"Type":"BILLING","Target":{"Id":"222222222222","Type":"ACCOUNT"},"SourceName":"n"}`, reqd},
	{"InviteOrganizationToTransferResponsibility", `{"Type":"BILLING","Target":{"Id":"222222222222","Type":"ACCOUNT"},"StartTimestamp":-1,"SourceName":"n"}`, "INVALID_START_DATE"},
	{"InviteOrganizationToTransferResponsibility", `{"Type":"BILLING","Target":{"Id":"222222222222","Type":"ACCOUNT"},"StartTimestamp":1738368000,"SourceName":"caf\u00e9"}`, badPattern},
	{"InviteOrganizationToTransferResponsibility", `{"Type":"BILLING","Target":{"Id":"not-an-email","Type":"EMAIL"},"StartTimestamp":1738368000,"SourceName":"n"}`, badEmail},
	{"DescribeResponsibilityTransfer", `{"Id":"rt-ABCDEFGH"}`, badPattern},
	{"ListInboundResponsibilityTransfers", `{"Type":"BILLING","MaxResults":21}`, maxVal},
	{"ListInboundResponsibilityTransfers", `{"Type":"BILLING","Id":"h-abcdefgh"}`, badPattern},
	{"ListOutboundResponsibilityTransfers", `{}`, reqd},
	{"UpdateResponsibilityTransfer", `{"Id":"rt-abcdefgh","Name":""}`, minLen},
	{"TerminateResponsibilityTransfer", `{"Id":"rt-abcdefgh","EndTimestamp":1e300}`, "INVALID_END_DATE"},
}

// start is the first day of the month after the test clock's (epoch,
// 2025-01-02).
const start = 1738368000 // 2025-02-01T00:00:00Z

// transferAuthzCases are TestAuthorizationTable's cases for the GovCloud
// and responsibility transfer operations: the transfer operations on an
// id name the transfer as the caller sees it (unknown ones are "*").
func transferAuthzCases(t *testing.T, e *env, w authzWorld) []struct {
	name      string
	op        string
	caller    identity.Principal
	body      map[string]any
	resources []string
	conds     conds
} {
	t.Helper()
	out := e.must(t, mgmt, "InviteOrganizationToTransferResponsibility", map[string]any{
		"Type": "BILLING", "Target": map[string]any{"Id": loneID, "Type": "ACCOUNT"},
		"StartTimestamp": start, "SourceName": "Billing"})
	rt := transferOf(t, out)
	inbound := w.arn("transfer/" + w.org + "/billing/inbound/" + rt)
	star := []string{"*"}
	return []struct {
		name      string
		op        string
		caller    identity.Principal
		body      map[string]any
		resources []string
		conds     conds
	}{
		{"", "CreateGovCloudAccount", mgmt, map[string]any{"Email": "gov@example.com", "AccountName": "Gov", "Tags": tags("team", "core")},
			star, conds{"aws:RequestTag/team": {"core"}, "aws:TagKeys": {"team"}}},
		{"", "InviteOrganizationToTransferResponsibility", mgmt, map[string]any{"Type": "BILLING",
			"Target": map[string]any{"Id": loneID, "Type": "ACCOUNT"}, "StartTimestamp": start, "SourceName": "Again"}, star, nil},
		{"", "DescribeResponsibilityTransfer", mgmt, map[string]any{"Id": rt}, []string{inbound}, nil},
		{"Unknown", "DescribeResponsibilityTransfer", mgmt, map[string]any{"Id": "rt-doesnotexist"}, star, nil},
		{"", "UpdateResponsibilityTransfer", mgmt, map[string]any{"Id": rt, "Name": "Renamed"}, []string{inbound}, nil},
		{"", "TerminateResponsibilityTransfer", mgmt, map[string]any{"Id": rt}, []string{inbound}, nil},
		{"", "ListInboundResponsibilityTransfers", mgmt, map[string]any{"Type": "BILLING"}, star, nil},
		{"", "ListOutboundResponsibilityTransfers", mgmt, map[string]any{"Type": "BILLING"}, star, nil},
	}
}

// transferOf returns the transfer id of a TRANSFER_RESPONSIBILITY
// handshake output, from its RESPONSIBILITY_TRANSFER resource.
func transferOf(t *testing.T, out map[string]any) string {
	t.Helper()
	h := out["Handshake"].(map[string]any)
	for _, r := range list(t, h["Resources"]) {
		if r := r.(map[string]any); r["Type"] == "RESPONSIBILITY_TRANSFER" {
			return r["Value"].(string)
		}
	}
	t.Fatalf("handshake %v names no RESPONSIBILITY_TRANSFER", h)
	return ""
}

// TestTransferWire follows one transfer through the wire shapes: the
// handshake's resources, each side's view (ARN direction and
// organization), acceptance and withdrawal.
func TestTransferWire(t *testing.T) {
	e := newEnv(t)
	org := e.must(t, mgmt, "CreateOrganization", `{}`)["Organization"].(map[string]any)["Id"].(string)
	loneOrg := e.must(t, lone, "CreateOrganization", `{}`)["Organization"].(map[string]any)["Id"].(string)

	out := e.must(t, mgmt, "InviteOrganizationToTransferResponsibility", map[string]any{
		"Type": "BILLING", "Target": map[string]any{"Id": "lone@example.com", "Type": "EMAIL"},
		"StartTimestamp": start, "SourceName": "Partner billing", "Notes": "hello"})
	h := out["Handshake"].(map[string]any)
	wantEq(t, "Action", h["Action"], "TRANSFER_RESPONSIBILITY")
	wantEq(t, "State", h["State"], "OPEN")
	if arn, _ := h["Arn"].(string); !strings.HasPrefix(arn, "arn:aws:organizations::"+mgmtID+":handshake/"+org+"/transfer_responsibility/h-") {
		t.Errorf("handshake Arn %q", arn)
	}
	// Open for 15 days (the start is further away than that plus a day).
	wantEq(t, "ExpirationTimestamp", h["ExpirationTimestamp"], json.Number("1737083045.678"))
	rt := transferOf(t, out)

	in := e.must(t, mgmt, "ListInboundResponsibilityTransfers", map[string]any{"Type": "BILLING"})["ResponsibilityTransfers"]
	if got := list(t, in); len(got) != 1 {
		t.Fatalf("inbound %v, want one", got)
	}
	v := list(t, in)[0].(map[string]any)
	wantKeys(t, "inbound transfer", v, "Arn", "Name", "Id", "Type", "Status", "Source", "Target", "StartTimestamp", "ActiveHandshakeId")
	wantEq(t, "Arn", v["Arn"], "arn:aws:organizations::"+mgmtID+":transfer/"+org+"/billing/inbound/"+rt)
	wantEq(t, "Status", v["Status"], "REQUESTED")
	if want := map[string]any{"ManagementAccountId": loneID, "ManagementAccountEmail": "lone@example.com"}; !reflect.DeepEqual(v["Source"], want) {
		t.Errorf("Source = %v, want %v", v["Source"], want)
	}
	if want := map[string]any{"ManagementAccountId": mgmtID, "ManagementAccountEmail": "mgmt@example.com"}; !reflect.DeepEqual(v["Target"], want) {
		t.Errorf("Target = %v, want %v", v["Target"], want)
	}
	wantEq(t, "StartTimestamp", v["StartTimestamp"], json.Number("1738368000"))
	wantEq(t, "ActiveHandshakeId", v["ActiveHandshakeId"], h["Id"])
	wantEq(t, "outbound of the target", len(list(t, e.must(t, mgmt, "ListOutboundResponsibilityTransfers", map[string]any{"Type": "BILLING"})["ResponsibilityTransfers"])), 0)

	outb := list(t, e.must(t, lone, "ListOutboundResponsibilityTransfers", map[string]any{"Type": "BILLING"})["ResponsibilityTransfers"])
	if len(outb) != 1 {
		t.Fatalf("outbound %v, want one", outb)
	}
	wantEq(t, "outbound Arn", outb[0].(map[string]any)["Arn"], "arn:aws:organizations::"+loneID+":transfer/"+loneOrg+"/billing/outbound/"+rt)

	acc := e.must(t, lone, "AcceptHandshake", map[string]any{"HandshakeId": h["Id"]})
	wantEq(t, "accepted", acc["Handshake"].(map[string]any)["State"], "ACCEPTED")
	d := e.must(t, lone, "DescribeResponsibilityTransfer", map[string]any{"Id": rt})["ResponsibilityTransfer"].(map[string]any)
	wantEq(t, "Status", d["Status"], "ACCEPTED")
	if _, ok := d["ActiveHandshakeId"]; ok {
		t.Errorf("an accepted transfer has ActiveHandshakeId %v", d["ActiveHandshakeId"])
	}

	d = e.must(t, lone, "UpdateResponsibilityTransfer", map[string]any{"Id": rt, "Name": "Renamed"})["ResponsibilityTransfer"].(map[string]any)
	wantEq(t, "Name", d["Name"], "Renamed")

	d = e.must(t, mgmt, "TerminateResponsibilityTransfer", map[string]any{"Id": rt})["ResponsibilityTransfer"].(map[string]any)
	wantEq(t, "Status", d["Status"], "WITHDRAWN")
	wantEq(t, "EndTimestamp", d["EndTimestamp"], json.Number("1738367999.999")) // 2025-01-31T23:59:59.999Z
	_, err := e.call(t, lone, "TerminateResponsibilityTransfer", map[string]any{"Id": rt})
	apiErr(t, err, "ResponsibilityTransferAlreadyInStatusException")

	// Someone else's transfer does not exist for the caller.
	_, err = e.call(t, invitee, "DescribeResponsibilityTransfer", map[string]any{"Id": rt})
	apiErr(t, err, "AWSOrganizationsNotInUseException")
	_, err = e.call(t, mgmt, "ListInboundResponsibilityTransfers", map[string]any{"Type": "BILLING", "Id": "rt-doesnotexist"})
	apiErr(t, err, "ResponsibilityTransferNotFoundException")
}

// A management account that is not paired with a GovCloud account can't
// create GovCloud accounts.
func TestCreateGovCloudAccountNeedsPairing(t *testing.T) {
	e := newEnv(t)
	e.must(t, mgmt, "CreateOrganization", `{}`)
	_, err := e.call(t, mgmt, "CreateGovCloudAccount", map[string]any{"Email": "gov@example.com", "AccountName": "Gov"})
	if ae := apiErr(t, err, "ConstraintViolationException"); ae.Reason != "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED" {
		t.Errorf("reason %q", ae.Reason)
	}
	_, err = e.call(t, lone, "CreateGovCloudAccount", map[string]any{"Email": "gov@example.com", "AccountName": "Gov"})
	apiErr(t, err, "AWSOrganizationsNotInUseException")
}
