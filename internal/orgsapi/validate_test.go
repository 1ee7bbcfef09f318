package orgsapi_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/apierr"
)

const (
	reqd        = "INPUT_REQUIRED"
	minLen      = "MIN_LENGTH_EXCEEDED"
	maxLen      = "MAX_LENGTH_EXCEEDED"
	minVal      = "MIN_VALUE_EXCEEDED"
	maxVal      = "MAX_VALUE_EXCEEDED"
	badPattern  = "INVALID_PATTERN"
	badTargetID = "INVALID_PATTERN_TARGET_ID"
	badPolicyID = "INVALID_SYNTAX_POLICY_ID"
	badEnum     = "INVALID_ENUM"
	badPolType  = "INVALID_ENUM_POLICY_TYPE"
	badListElem = "INVALID_LIST_MEMBER"
	badRoleName = "INVALID_ROLE_NAME"
	twoFilters  = "MAX_LIMIT_EXCEEDED_FILTER"
	badToken    = "INVALID_NEXT_TOKEN"
	badEmail    = "INVALID_EMAIL_ADDRESS_TARGET"
)

// TestValidation covers representative members of every operation: each
// request must fail with InvalidInputException and the reason given,
// before the domain sees it (the caller is in no organization, so a request
// that got through would fail differently).
func TestValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		op, body, reason string
	}{
		{"CreateOrganization", `{"FeatureSet":"SOME"}`, badEnum},
		{"ListRoots", `{"MaxResults":0}`, minVal},
		{"ListRoots", `{"MaxResults":21}`, maxVal},
		{"ListRoots", `{"NextToken":"` + long(100001) + `"}`, maxLen},
		{"CreateOrganizationalUnit", `{"Name":"x"}`, reqd},
		{"CreateOrganizationalUnit", `{"ParentId":"r-ab","Name":"x"}`, badTargetID},
		{"CreateOrganizationalUnit", `{"ParentId":"r-abcd"}`, reqd},
		{"CreateOrganizationalUnit", `{"ParentId":"r-abcd","Name":""}`, minLen},
		{"CreateOrganizationalUnit", `{"ParentId":"r-abcd","Name":"` + long(129) + `"}`, maxLen},
		{"CreateOrganizationalUnit", `{"ParentId":"r-abcd","Name":"x","Tags":[{"Key":"k"}]}`, reqd},
		{"CreateOrganizationalUnit", `{"ParentId":"r-abcd","Name":"x","Tags":[{"Key":"","Value":"v"}]}`, minLen},
		{"CreateOrganizationalUnit", `{"ParentId":"r-abcd","Name":"x","Tags":[{"Key":"k","Value":"<script>"}]}`, badPattern},
		{"DescribeOrganizationalUnit", `{}`, reqd},
		{"DescribeOrganizationalUnit", `{"OrganizationalUnitId":"ou-abcd"}`, badPattern},
		{"UpdateOrganizationalUnit", `{"OrganizationalUnitId":"ou-abcd-abcdefgh","Name":""}`, minLen},
		{"DeleteOrganizationalUnit", `{"OrganizationalUnitId":"` + long(69) + `"}`, maxLen},
		{"ListOrganizationalUnitsForParent", `{"ParentId":"111111111111"}`, badTargetID},
		{"ListChildren", `{"ParentId":"r-abcd","ChildType":"ROOT"}`, badEnum},
		{"ListChildren", `{"ParentId":"r-abcd"}`, reqd},
		{"ListParents", `{"ChildId":"r-abcd"}`, badTargetID},
		{"MoveAccount", `{"AccountId":"111111111111","SourceParentId":"r-abcd"}`, reqd},
		{"MoveAccount", `{"AccountId":"11111111111","SourceParentId":"r-abcd","DestinationParentId":"r-abcd"}`, badPattern},
		{"ListAccounts", `{"MaxResults":-1}`, minVal},
		{"ListAccountsForParent", `{"ParentId":"ou-x"}`, badTargetID},
		{"DescribeAccount", `{}`, reqd},
		{"DescribeAccount", `{"AccountId":null}`, reqd},
		{"DescribeAccount", `{"AccountId":"12345678901"}`, badPattern},
		{"DescribeAccount", `{"AccountId":"1234567890123"}`, maxLen},
		{"DescribeAccount", `{"AccountId":""}`, badPattern},
		{"CreateAccount", `{"AccountName":"n"}`, reqd},
		{"CreateAccount", `{"Email":"a@b.c","AccountName":"n"}`, minLen},
		{"CreateAccount", `{"Email":"` + long(60) + `@b.cc","AccountName":"n"}`, maxLen},
		{"CreateAccount", `{"Email":"not-an-email","AccountName":"n"}`, badPattern},
		{"CreateAccount", `{"Email":"new@example.com","AccountName":""}`, minLen},
		{"CreateAccount", `{"Email":"new@example.com","AccountName":"caf\u00e9"}`, badPattern},
		{"CreateAccount", `{"Email":"new@example.com","AccountName":"n","RoleName":"bad name"}`, badRoleName},
		{"CreateAccount", `{"Email":"new@example.com","AccountName":"n","RoleName":""}`, badRoleName},
		{"CreateAccount", `{"Email":"new@example.com","AccountName":"n","RoleName":"AWSServiceRoleForX"}`, badRoleName},
		{"CreateAccount", `{"Email":"new@example.com","AccountName":"n","RoleName":"` + long(65) + `"}`, maxLen},
		{"CreateAccount", `{"Email":"new@example.com","AccountName":"n","IamUserAccessToBilling":"MAYBE"}`, badEnum},
		{"DescribeCreateAccountStatus", `{"CreateAccountRequestId":"car-1"}`, badPattern},
		{"ListCreateAccountStatus", `{"States":["DONE"]}`, badListElem},
		{"ListCreateAccountStatus", `{"States":[null]}`, badListElem},
		{"CloseAccount", `{"AccountId":"abc"}`, badPattern},
		{"RemoveAccountFromOrganization", `{}`, reqd},
		{"TagResource", `{"ResourceId":"111111111111"}`, reqd},
		{"TagResource", `{"ResourceId":"o-abcdefghij","Tags":[]}`, badPattern},
		{"TagResource", `{"ResourceId":"111111111111","Tags":[{"Key":"` + long(129) + `","Value":"v"}]}`, maxLen},
		{"TagResource", `{"ResourceId":"111111111111","Tags":[{"Key":"k","Value":"` + long(257) + `"}]}`, maxLen},
		{"UntagResource", `{"ResourceId":"111111111111"}`, reqd},
		{"UntagResource", `{"ResourceId":"111111111111","TagKeys":[null]}`, badListElem},
		{"UntagResource", `{"ResourceId":"111111111111","TagKeys":[""]}`, minLen},
		{"ListTagsForResource", `{"ResourceId":"h-abcdefgh"}`, badPattern},
		{"ListTagsForResource", `{"ResourceId":"111111111111","NextToken":"forged"}`, badToken},
		{"InviteAccountToOrganization", `{}`, reqd},
		{"InviteAccountToOrganization", `{"Target":{"Type":"ACCOUNT"}}`, reqd},
		{"InviteAccountToOrganization", `{"Target":{"Id":"222222222222"}}`, reqd},
		{"InviteAccountToOrganization", `{"Target":{"Id":"","Type":"ACCOUNT"}}`, minLen},
		{"InviteAccountToOrganization", `{"Target":{"Id":"222222222222","Type":"PHONE"}}`, badEnum},
		{"InviteAccountToOrganization", `{"Target":{"Id":"not-an-email","Type":"EMAIL"}}`, badEmail},
		{"InviteAccountToOrganization", `{"Target":{"Id":"222222222222","Type":"ACCOUNT"},"Notes":"` + long(1025) + `"}`, maxLen},
		{"AcceptHandshake", `{}`, reqd},
		{"AcceptHandshake", `{"HandshakeId":"h-1"}`, badPattern},
		{"DeclineHandshake", `{"HandshakeId":"H-ABCDEFGH"}`, badPattern},
		{"CancelHandshake", `{"HandshakeId":"` + long(35) + `"}`, maxLen},
		{"DescribeHandshake", `{"HandshakeId":""}`, badPattern},
		{"ListHandshakesForAccount", `{"Filter":{"ActionType":"INVITE","ParentHandshakeId":"h-abcdefgh"}}`, twoFilters},
		{"ListHandshakesForAccount", `{"Filter":{"ActionType":"JOIN"}}`, badEnum},
		{"ListHandshakesForOrganization", `{"Filter":{"ParentHandshakeId":"x"}}`, badPattern},
		{"ListHandshakesForOrganization", `{"MaxResults":100}`, maxVal},
		{"EnableAWSServiceAccess", `{}`, reqd},
		{"EnableAWSServiceAccess", `{"ServicePrincipal":""}`, minLen},
		{"DisableAWSServiceAccess", `{"ServicePrincipal":"a b"}`, badPattern},
		{"ListAWSServiceAccessForOrganization", `{"MaxResults":0}`, minVal},
		{"RegisterDelegatedAdministrator", `{"AccountId":"222222222222"}`, reqd},
		{"DeregisterDelegatedAdministrator", `{"AccountId":"2","ServicePrincipal":"account.amazonaws.com"}`, badPattern},
		{"ListDelegatedAdministrators", `{"ServicePrincipal":"` + long(129) + `"}`, maxLen},
		{"ListDelegatedServicesForAccount", `{}`, reqd},
		{"CreatePolicy", `{"Description":"d","Name":"n","Type":"SERVICE_CONTROL_POLICY"}`, reqd},
		{"CreatePolicy", `{"Content":"","Description":"d","Name":"n","Type":"SERVICE_CONTROL_POLICY"}`, minLen},
		{"CreatePolicy", `{"Content":"{}","Description":"` + long(513) + `","Name":"n","Type":"SERVICE_CONTROL_POLICY"}`, maxLen},
		{"CreatePolicy", `{"Content":"{}","Description":"d","Name":"n","Type":"SCP"}`, badPolType},
		{"DescribePolicy", `{"PolicyId":"p-1"}`, badPolicyID},
		{"UpdatePolicy", `{"PolicyId":"p-abcdefgh","Name":""}`, minLen},
		{"DeletePolicy", `{}`, reqd},
		{"ListPolicies", `{}`, reqd},
		{"ListPolicies", `{"Filter":"service_control_policy"}`, badPolType},
		{"AttachPolicy", `{"PolicyId":"p-abcdefgh","TargetId":"o-abcdefghij"}`, badTargetID},
		{"AttachPolicy", `{"PolicyId":"policy","TargetId":"r-abcd"}`, badPolicyID},
		{"DetachPolicy", `{"PolicyId":"p-abcdefgh"}`, reqd},
		{"ListPoliciesForTarget", `{"TargetId":"r-abcd"}`, reqd},
		{"ListPoliciesForTarget", `{"TargetId":"r-abcd","Filter":"TAG_POLICY","MaxResults":21}`, maxVal},
		{"ListTargetsForPolicy", `{"PolicyId":"p-FullAWSAccess","NextToken":"MQ.forged"}`, badToken},
		{"EnablePolicyType", `{"RootId":"r-abcd","PolicyType":"NOPE"}`, badPolType},
		{"DisablePolicyType", `{"RootId":"ou-abcd-abcdefgh","PolicyType":"TAG_POLICY"}`, badPattern},
		{"DescribeEffectivePolicy", `{}`, reqd},
		{"DescribeEffectivePolicy", `{"PolicyType":"SERVICE_CONTROL_POLICY"}`, badPolType},
		{"DescribeEffectivePolicy", `{"PolicyType":"RESOURCE_CONTROL_POLICY"}`, badPolType},
		{"DescribeEffectivePolicy", `{"PolicyType":"TAG_POLICY","TargetId":"o-abcdefghij"}`, badTargetID},
		{"ListAccountsWithInvalidEffectivePolicy", `{"PolicyType":"TAG_POLICY","MaxResults":21}`, maxVal},
		{"ListEffectivePolicyValidationErrors", `{"PolicyType":"TAG_POLICY"}`, reqd},
		{"ListEffectivePolicyValidationErrors", `{"PolicyType":"SERVICE_CONTROL_POLICY","AccountId":"222222222222"}`, badPolType},
		{"PutResourcePolicy", `{}`, reqd},
		{"PutResourcePolicy", `{"Content":"` + long(40001) + `"}`, maxLen},
	}
	tests = append(tests, transferValidationCases...)
	e := newEnv(t)
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.op] = true
		t.Run(tt.op+"/"+tt.reason, func(t *testing.T) {
			_, err := e.call(t, lone, tt.op, tt.body)
			ae := apiErr(t, err, "InvalidInputException")
			if ae.Reason != tt.reason {
				t.Errorf("%s %s: reason %q (%s), want %q", tt.op, tt.body, ae.Reason, ae.Message, tt.reason)
			}
			if ae.Message == "" || ae.Fault != apierr.Client {
				t.Errorf("message %q fault %v, want a message and a client fault", ae.Message, ae.Fault)
			}
		})
	}
	for name := range e.ops {
		if !covered[name] && !slices.Contains([]string{"DescribeOrganization", "DeleteOrganization", "LeaveOrganization", "EnableAllFeatures", "DescribeResourcePolicy", "DeleteResourcePolicy"}, name) {
			t.Errorf("no validation case for %s", name)
		}
	}
}

// Messages never echo the value of a member: emails, names and notes are
// sensitive.
func TestValidationMessagesHideValues(t *testing.T) {
	e := newEnv(t)
	secret := "s3cr3t-value"
	for _, tc := range []struct{ op, body string }{
		{"CreateAccount", `{"Email":"` + secret + `","AccountName":"n"}`},
		{"CreateAccount", `{"Email":"a@example.com","AccountName":"` + secret + "\u00e9" + `"}`},
		{"InviteAccountToOrganization", `{"Target":{"Id":"` + secret + `","Type":"EMAIL"}}`},
		{"InviteAccountToOrganization", `{"Target":{"Id":"222222222222","Type":"ACCOUNT"},"Notes":"` + secret + strings.Repeat("x", 1024) + `"}`},
		{"CreateOrganizationalUnit", `{"ParentId":"r-abcd","Name":"` + secret + strings.Repeat("x", 128) + `"}`},
	} {
		_, err := e.call(t, lone, tc.op, tc.body)
		ae := apiErr(t, err, "InvalidInputException")
		if strings.Contains(ae.Message, secret) {
			t.Errorf("%s: message %q echoes the value", tc.op, ae.Message)
		}
	}
}

func TestSerialization(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ op, body string }{
		{"DescribeAccount", `{"AccountId":1}`},
		{"DescribeAccount", `[]`},
		{"DescribeAccount", `{"AccountId":"111111111111"`},
		{"ListAccounts", `{"MaxResults":1.5}`},
		{"ListAccounts", `{"MaxResults":"1"}`},
		{"TagResource", `{"ResourceId":"111111111111","Tags":{"Key":"k"}}`},
		{"DescribeOrganization", `null`},
	} {
		_, err := e.call(t, mgmt, tc.op, tc.body)
		apiErr(t, err, "SerializationException")
	}
	// Member names are case-sensitive: "accountid" is unknown, so
	// AccountId is missing.
	_, err := e.call(t, lone, "DescribeAccount", `{"accountid":"111111111111"}`)
	if ae := apiErr(t, err, "InvalidInputException"); ae.Reason != reqd {
		t.Errorf("reason %q, want %s", ae.Reason, reqd)
	}
}

// ---------------------------------------------------------------------------
// The model-derived oracle: for every implemented operation and every
// top-level input member, the violations the model's constraints imply,
// and a request with every member set to a valid value that validation
// must let through.

// samples are valid values of the model's shapes.
var samples = map[string]any{
	"AccountId":              "222222222222",
	"ChildId":                "222222222222",
	"ParentId":               "r-abcd",
	"PolicyTargetId":         "r-abcd",
	"RootId":                 "r-abcd",
	"OrganizationalUnitId":   "ou-abcd-abcdefgh",
	"OrganizationalUnitName": "Engineering",
	"HandshakeId":            "h-abcdefgh",
	"PolicyId":               "p-abcdefgh",
	"CreateAccountRequestId": "car-abcdefgh",
	"TaggableResourceId":     "222222222222",
	"Email":                  "new@example.com",
	"CreateAccountName":      "New account",
	"RoleName":               "OrganizationAccountAccessRole",
	"ServicePrincipal":       "account.amazonaws.com",
	"PolicyContent":          `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	"ResourcePolicyContent":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"organizations:ListRoots","Resource":"*"}]}`,
	"PolicyDescription":      "a description",
	"PolicyName":             "Policy",
	"HandshakeNotes":         "welcome",
	"MaxResults":             json.Number("5"),
	"Tags":                   []any{map[string]any{"Key": "team", "Value": "core"}},
	"TagKeys":                []any{"team"},
	"CreateAccountStates":    []any{"SUCCEEDED"},
	"HandshakeParty":         map[string]any{"Id": "222222222222", "Type": "ACCOUNT"},
	"HandshakeFilter":        map[string]any{"ActionType": "INVITE"},
}

// patternReasons are the reasons a pattern mismatch reports, by shape.
var patternReasons = map[string]string{
	"PolicyTargetId": badTargetID,
	"ParentId":       badTargetID,
	"ChildId":        badTargetID,
	"PolicyId":       badPolicyID,
	"RoleName":       badRoleName,
}

// goPattern translates a model pattern to Go syntax, as a full match.
func goPattern(p string) *regexp.Regexp {
	p = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`).ReplaceAllString(p, `\x{$1}`)
	return regexp.MustCompile(`^(?:` + p + `)$`)
}

type violation struct {
	name   string
	value  any // nil: member left out
	reason string
}

func violations(tb testing.TB, m *model, shapeName string, required bool) []violation {
	s := m.shape(tb, shapeName)
	var out []violation
	if required {
		out = append(out, violation{"missing", nil, reqd})
	}
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			reason := badEnum
			if shapeName == "PolicyType" || shapeName == "EffectivePolicyType" {
				reason = badPolType
			}
			out = append(out, violation{"enum", "NOT_A_VALUE", reason})
			return out
		}
		min := 0
		if s.Min != nil {
			min = int(*s.Min)
		}
		if min > 0 {
			out = append(out, violation{"short", strings.Repeat("a", min-1), minLen})
		}
		if s.Max != nil {
			out = append(out, violation{"long", strings.Repeat("a", int(*s.Max)+1), maxLen})
		}
		if s.Pattern != "" {
			v := strings.Repeat("\t", max(min, 1))
			if !goPattern(s.Pattern).MatchString(v) {
				reason := patternReasons[shapeName]
				if reason == "" {
					reason = badPattern
				}
				out = append(out, violation{"pattern", v, reason})
			}
		}
	case "integer":
		if s.Min != nil {
			out = append(out, violation{"below-min", json.Number(itoa(*s.Min - 1)), minVal})
		}
		if s.Max != nil {
			out = append(out, violation{"above-max", json.Number(itoa(*s.Max + 1)), maxVal})
		}
	}
	return out
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// validBody returns a body with every member of the input (all: optional
// ones too; NextToken never) set to a sample.
func validBody(tb testing.TB, m *model, in *shapeDef, all bool) map[string]any {
	tb.Helper()
	body := map[string]any{}
	for name, ref := range in.Members {
		if name == "NextToken" || (!all && !slices.Contains(in.Required, name)) {
			continue
		}
		v, ok := samples[ref.Shape]
		if !ok {
			if s := m.shape(tb, ref.Shape); s.Type == "string" && len(s.Enum) > 0 {
				v = s.Enum[0]
			} else {
				tb.Fatalf("no sample for shape %s (member %s)", ref.Shape, name)
			}
		}
		body[name] = v
	}
	return body
}

var validationReasons = []string{reqd, minLen, maxLen, minVal, maxVal, badPattern, badTargetID, badPolicyID, badEnum, badPolType, badListElem, badRoleName, twoFilters, badToken}

func TestValidationFromModel(t *testing.T) {
	m := loadModel(t)
	e := newEnv(t)
	names := make([]string, 0, len(e.ops))
	for n := range e.ops {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		def := m.Operations[name]
		if def.Input == nil {
			continue
		}
		in := m.shape(t, def.Input.Shape)
		for _, all := range []bool{false, true} {
			// A valid request passes validation (it may fail in the domain).
			body := validBody(t, m, in, all)
			_, err := e.call(t, lone, name, body)
			if ae, ok := apierr.As(err); ok && (ae.Code == "SerializationException" ||
				ae.Code == "InvalidInputException" && slices.Contains(validationReasons, ae.Reason)) {
				t.Errorf("%s all=%v: valid body %v rejected: %v (%s)", name, all, body, err, ae.Reason)
			}
		}
		members := make([]string, 0, len(in.Members))
		for n := range in.Members {
			members = append(members, n)
		}
		sort.Strings(members)
		for _, member := range members {
			ref := in.Members[member]
			for _, v := range violations(t, m, ref.Shape, slices.Contains(in.Required, member)) {
				t.Run(name+"/"+member+"/"+v.name, func(t *testing.T) {
					body := validBody(t, m, in, false)
					if v.value == nil {
						delete(body, member)
					} else {
						body[member] = v.value
					}
					_, err := e.call(t, lone, name, body)
					ae := apiErr(t, err, "InvalidInputException")
					if ae.Reason != v.reason {
						t.Errorf("reason %q (%s), want %q", ae.Reason, ae.Message, v.reason)
					}
				})
			}
		}
	}
}
