package policy_test

import (
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
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	req := policy.Request{
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
	if d := policy.Evaluate(req, set); d.Effect != policy.Allow {
		b.Fatalf("benchmark request is not allowed: %+v", d)
	}
	b.ReportAllocs()
	for b.Loop() {
		policy.Evaluate(req, set)
	}
}
