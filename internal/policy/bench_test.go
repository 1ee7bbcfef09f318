package policy_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/policy"
)

// BenchmarkEvaluate measures a typical member-account request: an IAM user
// with two managed policies and an inline one, a permissions boundary, and
// SCPs at three levels, with the request context authz builds.
func BenchmarkEvaluate(b *testing.B) {
	full := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.SCP)
	regionDeny := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Sid":"DenyCapeTown","Effect":"Deny","Action":"account:EnableRegion","Resource":"*",
		"Condition":{"StringEquals":{"account:TargetRegion":"af-south-1"}}}]}`, policy.SCP)
	contactsDeny := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Sid":"Statement1","Effect":"Deny",
		"Action":["account:PutAlternateContact","account:DeleteAlternateContact"],"Resource":["arn:aws:account::*:account"],
		"Condition":{"ForAnyValue:StringLike":{"account:AccountResourceOrgPaths":["o-aa111bb222/r-a1b2/ou-a1b2-f6g7h111/*"]}}}]}`, policy.SCP)
	readOnly := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["account:Get*","account:List*"],"Resource":"*"}]}`, policy.Identity)
	inline := policy.MustParse(`{"Version":"2012-10-17","Statement":[
		{"Sid":"OwnAccount","Effect":"Allow","Action":"account:*AlternateContact","Resource":"arn:aws:account::${aws:PrincipalAccount}:account",
		 "Condition":{"ForAllValues:StringEquals":{"account:AlternateContactTypes":["SECURITY","OPERATIONS"]},"Bool":{"aws:SecureTransport":"true"}}},
		{"Sid":"DenyOutsideOffice","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}}]}`, policy.Identity)
	orgs := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"}]}`, policy.Identity)
	boundary := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["account:*","organizations:*","sts:*"],"Resource":"*"}]}`, policy.Boundary)

	set := policy.PolicySet{
		Identity: []*policy.Policy{readOnly, inline, orgs},
		Boundary: boundary,
		SCPs:     [][]*policy.Policy{{full}, {full, regionDeny}, {full, contactsDeny}},
	}
	req := benchRequest()
	if d := policy.Evaluate(req, set); d.Effect != policy.Allow {
		b.Fatalf("benchmark request is not allowed: %+v", d)
	}
	b.ReportAllocs()
	for b.Loop() {
		policy.Evaluate(req, set)
	}
}

// BenchmarkEvaluateTenPoliciesOfTwenty evaluates a request against 10
// identity policies of 20 statements each that it must all read: in each
// policy, 15 Allow statements of other actions, 4 Deny statements whose
// action matches and whose condition (a string, an IP range, a date, an
// ARN) does not, and one Allow of another Region's name; the request is
// allowed by the last statement of the last policy.
func BenchmarkEvaluateTenPoliciesOfTwenty(b *testing.B) {
	var identity []*policy.Policy
	for i := range 10 {
		var st []string
		for j := range 20 {
			switch {
			case i == 9 && j == 19:
				st = append(st, `{"Sid":"Allowed","Effect":"Allow","Action":"account:PutAlternateContact","Resource":"arn:aws:account::${aws:PrincipalAccount}:account",
					"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-aa111bb222"}}}`)
			case j%5 == 0:
				conds := []string{
					`{"StringNotEquals":{"aws:PrincipalAccount":["111111111111","222222222222"]}}`,
					`{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","198.51.100.0/24"]}}`,
					`{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`,
					`{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:user/*"}}`,
				}
				st = append(st, fmt.Sprintf(`{"Sid":"Deny%d%d","Effect":"Deny","Action":["account:*","organizations:*"],"Resource":"*","Condition":%s}`, i, j, conds[j/5]))
			case j == 19:
				st = append(st, fmt.Sprintf(`{"Effect":"Allow","Action":"account:EnableRegion","Resource":"*","Condition":{"StringEquals":{"account:TargetRegion":"region-%d"}}}`, i))
			default:
				st = append(st, fmt.Sprintf(`{"Effect":"Allow","Action":["service%d:Get%d*","service%d:List%d*"],"Resource":"arn:aws:service%d:*:*:thing/%d/*"}`, i, j, i, j, i, j))
			}
		}
		identity = append(identity, policy.MustParse(`{"Version":"2012-10-17","Statement":[`+strings.Join(st, ",")+`]}`, policy.Identity))
	}
	req := benchRequest()
	set := policy.PolicySet{Identity: identity}
	if d := policy.Evaluate(req, set); d.Effect != policy.Allow {
		b.Fatalf("benchmark request is not allowed: %+v", d)
	}
	other := req
	other.Action = "account:GetAlternateContact"
	if d := policy.Evaluate(other, set); d.Effect == policy.Allow {
		b.Fatalf("an action no statement allows was allowed: %+v", d)
	}
	b.ReportAllocs()
	for b.Loop() {
		policy.Evaluate(req, set)
	}
}

// benchRequest is a member account's user's PutAlternateContact with the
// request context authz builds.
func benchRequest() policy.Request {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	return policy.Request{
		Action:       "account:PutAlternateContact",
		Resource:     "arn:aws:account::111111111111:account",
		PrincipalARN: "arn:aws:iam::111111111111:user/alice",
		Context: map[string][]string{
			"aws:PrincipalArn":              {"arn:aws:iam::111111111111:user/alice"},
			"aws:PrincipalAccount":          {"111111111111"},
			"aws:PrincipalType":             {"User"},
			"aws:userid":                    {"AIDAEXAMPLE"},
			"aws:username":                  {"alice"},
			"aws:CurrentTime":               {now.Format(time.RFC3339)},
			"aws:EpochTime":                 {"1717243200"},
			"aws:MultiFactorAuthPresent":    {"false"},
			"aws:SecureTransport":           {"true"},
			"aws:SourceIp":                  {"203.0.113.7"},
			"aws:ViaAWSService":             {"false"},
			"aws:PrincipalOrgID":            {"o-aa111bb222"},
			"aws:PrincipalOrgPaths":         {"o-aa111bb222/r-a1b2/ou-a1b2-f6g7h222/"},
			"account:AlternateContactTypes": {"SECURITY"},
		},
		Now: now,
	}
}
