package policy_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/policy"
)

// stmt wraps statement JSON in a 2012-10-17 document.
func stmt(s string) string { return `{"Version":"2012-10-17","Statement":` + s + `}` }

const (
	listBucket = `"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"`
)

// TestParseMalformed checks the MalformedPolicyDocument message for each
// kind of defect. Most cases and messages come from the IAM validators of
// moto and LocalStack, whose tables were recorded against IAM.
func TestParseMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		kind policy.Kind
		doc  string
		want string
	}{
		// Stage 1: grammar.
		{"not JSON", policy.Identity, `This is not a json document`, "Syntax errors in policy."},
		{"empty document", policy.Identity, ``, "Syntax errors in policy."},
		{"JSON array", policy.Identity, `[]`, "Syntax errors in policy."},
		{"trailing garbage", policy.Identity, stmt(`{`+listBucket+`}`) + `x`, "Syntax errors in policy."},
		{"two documents", policy.Identity, stmt(`{`+listBucket+`}`) + stmt(`{`+listBucket+`}`), "Syntax errors in policy."},
		{"unknown version", policy.Identity, `{"Version":"2013-10-17","Statement":{` + listBucket + `}}`, "Syntax errors in policy."},
		{"version not a string", policy.Identity, `{"Version":2012,"Statement":{` + listBucket + `}}`, "Syntax errors in policy."},
		{"no Statement", policy.Identity, `{"Version":"2012-10-17"}`, "Syntax errors in policy."},
		{"empty Statement list", policy.Identity, stmt(`[]`), "Syntax errors in policy."},
		{"Statement is a string", policy.Identity, stmt(`"afd"`), "Syntax errors in policy."},
		{"Statement list of strings", policy.Identity, stmt(`["afd"]`), "Syntax errors in policy."},
		{"null Statement", policy.Identity, stmt(`null`), "Syntax errors in policy."},
		{"extra top-level element", policy.Identity, `{"Version":"2012-10-17","Statement":{` + listBucket + `},"Extra field":"value"}`, "Syntax errors in policy."},
		{"element names are case-sensitive", policy.Identity, `{"version":"2012-10-17","Statement":{` + listBucket + `}}`, "Syntax errors in policy."},
		{"extra statement element", policy.Identity, stmt(`{` + listBucket + `,"Extra field":"value"}`), "Syntax errors in policy."},
		{"Id is a list", policy.Identity, `{"Version":"2012-10-17","Id":["x"],"Statement":{` + listBucket + `}}`, "Syntax errors in policy."},
		{"Id is an object", policy.Identity, `{"Version":"2012-10-17","Id":{},"Statement":{` + listBucket + `}}`, "Syntax errors in policy."},
		{"invalid Effect", policy.Identity, stmt(`{"Effect":"invalid","Action":"s3:ListBucket","Resource":"*"}`), "Syntax errors in policy."},
		{"missing Effect", policy.Identity, stmt(`{"Action":"s3:ListBucket","Resource":"*"}`), "Syntax errors in policy."},
		{"Effect not a string", policy.Identity, stmt(`{"Effect":true,"Action":"s3:ListBucket","Resource":"*"}`), "Syntax errors in policy."},
		{"Resource is an object", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":{"a":"b"}}`), "Syntax errors in policy."},
		{"Resource list with an object", policy.Identity, stmt(`{"Effect":"Deny","Action":"s3:ListBucket","Resource":["adfdf",{}]}`), "Syntax errors in policy."},
		{"Resource and NotResource", policy.Identity, stmt(`{"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"*","NotResource":[]}`), "Syntax errors in policy."},
		{"Action list of lists", policy.Identity, stmt(`{"Effect":"Deny","Action":[[]],"Resource":"*"}`), "Syntax errors in policy."},
		{"Action and NotAction", policy.Identity, stmt(`{"Effect":"Allow","NotAction":"s3:ListBucket","Action":[],"Resource":"*"}`), "Syntax errors in policy."},
		{"Action is an object", policy.Identity, stmt(`{"Effect":"Allow","Action":{},"Resource":"*"}`), "Syntax errors in policy."},
		{"Action is null", policy.Identity, stmt(`{"Effect":"Allow","Action":null,"Resource":"*"}`), "Syntax errors in policy."},
		{"Condition is a list", policy.Identity, stmt(`{` + listBucket + `,"Condition":[]}`), "Syntax errors in policy."},
		{"Condition is a string", policy.Identity, stmt(`{` + listBucket + `,"Condition":"a"}`), "Syntax errors in policy."},
		{"Condition operator body is a string", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"a":"b"}}`), "Syntax errors in policy."},
		{"Condition known operator body is a string", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateGreaterThan":"b"}}`), "Syntax errors in policy."},
		{"Condition operator body is a list", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateGreaterThan":[]}}`), "Syntax errors in policy."},
		{"Condition value is an object", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateGreaterThan":{"a":{}}}}`), "Syntax errors in policy."},
		{"Condition value is null", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"StringEquals":{"a":null}}}`), "Syntax errors in policy."},
		{"Condition value list with a list", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"StringEquals":{"a":[["b"]]}}}`), "Syntax errors in policy."},
		{"unknown operator with a body", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"x":{"a":"1"}}}`), "Syntax errors in policy."},
		{"operator with a double colon", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}}`), "Syntax errors in policy."},
		{"operator names are case-sensitive", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"stringequals":{"a":"asf"}}}`), "Syntax errors in policy."},
		{"Condition list of operators", policy.Identity, stmt(`{` + listBucket + `,"Condition":[{"ForAllValues:StringEquals":{"aws:TagKeys":"Department"}}]}`), "Syntax errors in policy."},
		{"Sid is an object", policy.Identity, stmt(`{"Sid":{},` + listBucket + `}`), "Syntax errors in policy."},
		{"Sid is a list", policy.Identity, stmt(`{"Sid":[],` + listBucket + `}`), "Syntax errors in policy."},
		{"Principal and NotPrincipal", policy.Resource, stmt(`{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"s3:GetObject","Resource":"*"}`), "Syntax errors in policy."},
		{"Principal bare ARN string", policy.Resource, stmt(`{"Effect":"Allow","Principal":"arn:aws:iam::123456789012:root","Action":"s3:GetObject","Resource":"*"}`), "Syntax errors in policy."},
		{"Principal unknown type", policy.Resource, stmt(`{"Effect":"Allow","Principal":{"User":"x"},"Action":"s3:GetObject","Resource":"*"}`), "Syntax errors in policy."},
		{"Principal value is a number", policy.Resource, stmt(`{"Effect":"Allow","Principal":{"AWS":123456789012},"Action":"s3:GetObject","Resource":"*"}`), "Syntax errors in policy."},
		{"Principal is a list", policy.Resource, stmt(`{"Effect":"Allow","Principal":["*"],"Action":"s3:GetObject","Resource":"*"}`), "Syntax errors in policy."},

		// Stage 2: version, for IAM identity documents.
		{"no Version", policy.Identity, `{"Statement":{` + listBucket + `}}`, "Policy document must be version 2012-10-17 or greater."},
		{"2008 Version", policy.Identity, `{"Version":"2008-10-17","Statement":{` + listBucket + `}}`, "Policy document must be version 2012-10-17 or greater."},
		{"2008 boundary", policy.Boundary, `{"Version":"2008-10-17","Statement":{` + listBucket + `}}`, "Policy document must be version 2012-10-17 or greater."},
		{"no Version session", policy.Session, `{"Statement":{` + listBucket + `}}`, "Policy document must be version 2012-10-17 or greater."},
		{"version before legacy parsing", policy.Identity, `{"Statement":{"Effect":"denY","Action":"s3:ListBucket","Resource":"*"}}`, "Policy document must be version 2012-10-17 or greater."},
		{"version before Sid uniqueness", policy.Identity, `{"Statement":[{"Sid":"sdf",` + listBucket + `},{"Sid":"sdf","Effect":"Allow"}]}`, "Policy document must be version 2012-10-17 or greater."},

		// Stage 3: legacy parsing.
		{"Effect in wrong case", policy.Identity, stmt(`{"Effect":"denY","Action":"s3:ListBucket","Resource":"*"}`), "The policy failed legacy parsing"},
		{"Effect lower case before missing actions", policy.Identity, stmt(`{"Effect":"allow","Resource":"arn:aws:s3:us-east-1::example_bucket"}`), "The policy failed legacy parsing"},
		{"Effect case before Sid uniqueness", policy.Identity, stmt(`[{"Sid":"sdf","Effect":"aLLow","Action":"s3:ListBucket","Resource":"*"},{"Sid":"sdf","Effect":"Allow"}]`), "The policy failed legacy parsing"},
		{"bad date", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}`), "The policy failed legacy parsing"},
		{"bad date before missing actions", policy.Identity, stmt(`{"Effect":"Allow","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}`), "The policy failed legacy parsing"},
		{"bad date with IfExists", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"ForAnyValue:DateLessThanIfExists":{"a":["2020-01-01","x"]}}}`), "The policy failed legacy parsing"},
		{"month 13", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateLessThanEquals":{"a":"234-13"}}}`), "The policy failed legacy parsing"},
		{"one-digit zone", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+1"}}}`), "The policy failed legacy parsing"},
		{"ten fraction digits", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.1999999999+10:59"}}}`), "The policy failed legacy parsing"},
		{"epoch overflow", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateLessThan":{"a":"9223372036854775808"}}}`), "The policy failed legacy parsing"},
		{"short ARN with empty part", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3::example_bucket"}`), "The policy failed legacy parsing"},
		{"short ARN before missing actions", policy.Identity, stmt(`{"Effect":"Allow","Resource":"arn:aws:s3::example_bucket"}`), "The policy failed legacy parsing"},
		{"empty service", policy.Identity, stmt(`{"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"arn:aws::::example_bucket"}`), "The policy failed legacy parsing"},
		{"short NotResource", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","NotResource":"arn:aws:s3::example_bucket"}`), "The policy failed legacy parsing"},
		{"empty service short", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws::fdsasf"}`), "The policy failed legacy parsing"},
		{"bad date before bad partition", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:error:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}`), "The policy failed legacy parsing"},
		{"legacy parsing in SCPs", policy.SCP, stmt(`{"Effect":"allow","Action":"*","Resource":"*"}`), "The policy failed legacy parsing"},

		// Stage 4: statement IDs.
		{"duplicate Sid", policy.Identity, stmt(`[{"Sid":"sdf",` + listBucket + `},{"Sid":"sdf","Effect":"Allow"}]`), "Statement IDs (SID) in a single policy must be unique."},
		{"duplicate Sid in a trust policy", policy.Trust, stmt(`[{"Sid":"a","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Sid":"a","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]`), "Statement IDs (SID) in a single policy must be unique."},
		{"Sid with a space", policy.Identity, stmt(`{"Sid":"my statement",` + listBucket + `}`), "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"},

		// Stage 5: actions.
		{"no Action", policy.Identity, stmt(`{"Effect":"Allow","Resource":"arn:aws:s3:::example_bucket"}`), "Policy statement must contain actions."},
		{"only Effect", policy.Identity, stmt(`{"Effect":"Allow"}`), "Policy statement must contain actions."},
		{"empty Action list", policy.Identity, stmt(`{"Effect":"Allow","Action":[],"Resource":"*"}`), "Policy statement must contain actions."},
		{"second statement has no Action", policy.Identity, stmt(`[{"Effect":"Deny"},{` + listBucket + `}]`), "Policy statement must contain actions."},
		{"trust without Action", policy.Trust, stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"}}`), "Policy statement must contain actions."},

		// Stage 6: resource format.
		{"resource not an ARN", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"invalid resource"}`), `Resource invalid resource must be in ARN format or "*".`},
		{"empty resource", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":""}`), `Resource  must be in ARN format or "*".`},
		{"resource list entry not an ARN", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":["adf"]}`), `Resource adf must be in ARN format or "*".`},
		{"resource format before action vendor", policy.Identity, stmt(`{"Effect":"Allow","Action":"s:3:ListBucket","Resource":"sdfsadf"}`), `Resource sdfsadf must be in ARN format or "*".`},
		{"bad partition", policy.Identity, stmt(`{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:bsdfdsafsad"}`), `Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".`},
		{"bad partition two parts", policy.Identity, stmt(`{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:cadfsdf"}`), `Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".`},
		{"bad partition many parts", policy.Identity, stmt(`{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:c:d:e:f:g:h"}`), `Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".`},
		{"missing arn prefix", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"aws:s3:::example_bucket"}`), `Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".`},
		{"first bad partition reported", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:error:s3:::example_bucket","arn:error:s3::example_bucket"]}`), `Partition "error" is not valid for resource "arn:error:s3:::example_bucket".`},
		{"no service part", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws"}`), "Resource vendor must be fully qualified and cannot contain regexes."},

		// Stage 7: action vendors.
		{"action without vendor", policy.Identity, stmt(`{"Effect":"Allow","Action":"invalid","Resource":"arn:aws:s3:::example_bucket"}`), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"empty NotAction", policy.Identity, stmt(`{"Effect":"Allow","NotAction":"","Resource":"arn:aws:s3:::example_bucket"}`), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"vendor with a space", policy.Identity, stmt(`{"Effect":"Allow","Action":"a a:ListBucket","Resource":"arn:aws:s3:::example_bucket"}`), "Vendor a a is not valid"},
		{"vendor with a wildcard", policy.Identity, stmt(`{"Effect":"Allow","Action":"acc*:Get*","Resource":"*"}`), "Vendor acc* is not valid"},
		{"two colons", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:List:Bucket","Resource":"arn:aws:s3:::example_bucket"}`), "Actions/Condition can contain only one colon."},
		{"two colons in a later statement", policy.Identity, stmt(`[{"Effect":"Allow","Action":"s3s:ListBucket","Resource":"*"},{"Effect":"Allow","Action":"s:3s:ListBucket","Resource":"*"}]`), "Actions/Condition can contain only one colon."},
		{"the spec's account>DeleteAlternateContact artifact", policy.Identity, stmt(`{"Effect":"Allow","Action":["account:PutAlternateContact","account>DeleteAlternateContact"],"Resource":"*"}`), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},

		// Stage 8: per kind.
		{"no Resource", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket"}`), "Policy statement must contain resources."},
		{"empty Resource list", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":[]}`), "Policy statement must contain resources."},
		{"no Resource before bad action", policy.Identity, stmt(`{"Effect":"Allow","Action":"invalid"}`), "Policy statement must contain resources."},
		{"no Resource before bad resource format", policy.Identity, stmt(`[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"bad"},{"Effect":"Allow","Action":"s3:ListBucket"}]`), "Policy statement must contain resources."},
		{"SCP without Resource", policy.SCP, stmt(`{"Effect":"Deny","Action":"account:*"}`), "Policy statement must contain resources."},
		{"identity with Principal", policy.Identity, stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"*"}`), "Policy document should not specify a principal."},
		{"identity with NotPrincipal", policy.Identity, stmt(`{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:ListBucket","Resource":"*"}`), "Policy document should not specify a principal."},
		{"boundary with Principal", policy.Boundary, stmt(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:ListBucket","Resource":"*"}`), "Policy document should not specify a principal."},
		{"session with Principal", policy.Session, stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"*"}`), "Policy document should not specify a principal."},
		{"SCP with Principal", policy.SCP, stmt(`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}`), "Policy document should not specify a principal."},
		{"trust with Resource", policy.Trust, stmt(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Resource":"*"}`), "Has prohibited field Resource."},
		{"trust with NotResource", policy.Trust, stmt(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","NotResource":"*"}`), "Has prohibited field Resource."},
		{"trust without Principal", policy.Trust, stmt(`{"Effect":"Allow","Action":"sts:AssumeRole"}`), "Missing required field Principal"},
		{"trust with a non-STS action", policy.Trust, stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole","s3:GetObject"]}`), "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity"},
		{"resource policy without Principal", policy.Resource, stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "Missing required field Principal"},
		{"resource policy without Resource", policy.Resource, stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}`), "Missing required field Resource"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := policy.Parse([]byte(tt.doc), tt.kind)
			if err == nil {
				t.Fatalf("Parse succeeded (%d statements), want %q", len(p.Sids()), tt.want)
			}
			var pe *policy.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if pe.Message != tt.want {
				t.Errorf("message: got %q, want %q", pe.Message, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Error() = %q does not carry the message", err.Error())
			}
		})
	}
}

// TestParseValid checks documents IAM accepts.
func TestParseValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		kind policy.Kind
		doc  string
	}{
		{"resource list", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::example_bucket"]}`)},
		{"odd but valid action", policy.Identity, stmt(`{"Effect":"Allow","Action":"iam: asdf safdsf af ","Resource":"arn:aws:s3:::example_bucket"}`)},
		{"star in a resource list", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::example_bucket","*"]}`)},
		{"star action", policy.Identity, stmt(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::example_bucket"}`)},
		{"dates", policy.Identity, stmt(`{"Effect":"Allow","Action":"service-prefix:action-name","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2017-07-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2017-12-31T23:59:59Z"}}}`)},
		{"unknown service in resource", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:invalid-service:us-east-1::example_bucket"}`)},
		{"three-part resource", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:fdsasf"}`)},
		{"star partition", policy.Identity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:*:s3:::bucket"}`)},
		{"empty Condition", policy.Identity, stmt(`{` + listBucket + `,"Condition":{}}`)},
		{"empty operator body", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateGreaterThan":{}}}`)},
		{"empty value list", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateGreaterThan":{"a":[]}}}`)},
		{"unknown operators with empty bodies", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"x":{},"y":{}}}`)},
		{"ForAllValues", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":"Department"}}}`)},
		{"ForAnyValue IfExists", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"ForAnyValue:StringEqualsIfExists":{"a":"asf"}}}`)},
		{"partial date", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateGreaterThan":{"a":"01T"}}}`)},
		{"date with fraction and offset", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateLessThanEquals":{"a":"2016-12-13T21:20:37.593194+00:00"}}}`)},
		{"lower-case t and short zone", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+23"}}}`)},
		{"negative year", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateLessThan":{"a":"-292275054"}}}`)},
		{"epoch as JSON number", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"DateLessThan":{"aws:EpochTime":1700000000}}}`)},
		{"Null with a JSON boolean", policy.Identity, stmt(`{` + listBucket + `,"Condition":{"Null":{"aws:TokenIssueTime":true}}}`)},
		{"NotAction and NotResource", policy.Identity, stmt(`{"Effect":"Allow","NotAction":"s3:ListBucket","NotResource":"*"}`)},
		{"Id", policy.Identity, `{"Version":"2012-10-17","Id":"sdfsdfsdf","Statement":{"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`},
		{"vendor characters", policy.Identity, stmt(`[{"Effect":"Allow","Action":"s3-s:ListBucket","Resource":"*"},{"Effect":"Allow","Action":"s3.s:ListBucket","Resource":"*"},{"Effect":"Allow","Action":"*:ListBucket","Resource":"*"}]`)},
		{"one Sid and none", policy.Identity, stmt(`[{"Sid":"sdf",` + listBucket + `},{` + listBucket + `}]`)},
		{"two empty Sids", policy.Identity, stmt(`[{"Sid":"",` + listBucket + `},{"Sid":"",` + listBucket + `}]`)},
		{"variables", policy.Identity, stmt(`{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/${aws:username}"}`)},
		{"UTF-8 and escapes", policy.Identity, stmt(`{"Sid":"A1","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/\u00e9t\u00e9/*"}`)},
		{"whitespace around the document", policy.Identity, "\n\t " + stmt(`{`+listBucket+`}`) + " \n"},
		{"SCP without Version", policy.SCP, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`},
		{"SCP with NotResource and a condition", policy.SCP, stmt(`{"Effect":"Deny","Action":"account:*","NotResource":"arn:aws:account::*:account","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-aa111bb222"}}}`)},
		{"trust policy 2008", policy.Trust, `{"Version":"2008-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
		{"trust policy for several principals", policy.Trust, stmt(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","444444444444"],"Service":"ec2.amazonaws.com","Federated":"cognito-identity.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":["sts:AssumeRole","sts:TagSession"]}`)},
		{"trust Sid with spaces", policy.Trust, stmt(`{"Sid":"Let EC2 in","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`)},
		{"trust NotAction", policy.Trust, stmt(`{"Effect":"Deny","Principal":"*","NotAction":"sts:AssumeRole"}`)},
		{"resource policy without Version", policy.Resource, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`},
		{"resource policy with NotPrincipal", policy.Resource, stmt(`{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:user/admin"]},"Action":"*","Resource":"*"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := policy.Parse([]byte(tt.doc), tt.kind); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
}

func TestParseAccessors(t *testing.T) {
	t.Parallel()
	p, err := policy.Parse([]byte(`{"Version":"2012-10-17","Id":"doc-1","Statement":[
		{"Sid":"One","Effect":"Allow","Action":"account:Get*","Resource":"*"},
		{"Effect":"Deny","Action":"account:CloseAccount","Resource":"*"}]}`), policy.Boundary)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Kind(), policy.Boundary; got != want {
		t.Errorf("Kind: got %v, want %v", got, want)
	}
	if got, want := p.Version(), "2012-10-17"; got != want {
		t.Errorf("Version: got %q, want %q", got, want)
	}
	if got, want := p.ID(), "doc-1"; got != want {
		t.Errorf("ID: got %q, want %q", got, want)
	}
	if got, want := p.Sids(), []string{"One", ""}; !slices.Equal(got, want) {
		t.Errorf("Sids: got %q, want %q", got, want)
	}
	if p.Name != "" {
		t.Errorf("Name: got %q, want empty", p.Name)
	}
	noVersion := policy.MustParse(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`, policy.Resource)
	if got := noVersion.Version(); got != "" {
		t.Errorf("Version without element: got %q, want empty", got)
	}
}

func TestParseInvalidKind(t *testing.T) {
	t.Parallel()
	for _, k := range []policy.Kind{policy.NoKind, policy.RCP + 1} {
		_, err := policy.Parse([]byte(stmt(`{`+listBucket+`}`)), k)
		var pe *policy.ParseError
		if err == nil || errors.As(err, &pe) {
			t.Errorf("Parse with kind %d: got %v, want a plain error", k, err)
		}
	}
}

func TestMustParsePanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("MustParse of a malformed document did not panic")
		}
	}()
	policy.MustParse(`{}`, policy.Identity)
}

func TestKindAndEffectStrings(t *testing.T) {
	t.Parallel()
	kinds := map[policy.Kind]string{
		policy.NoKind:   "",
		policy.Identity: "identity-based policy",
		policy.Resource: "resource-based policy",
		policy.Trust:    "role trust policy",
		policy.SCP:      "service control policy",
		policy.Boundary: "permissions boundary",
		policy.Session:  "session policy",
		policy.RCP:      "resource control policy",
		policy.Kind(99): "Kind(99)",
	}
	for k, want := range kinds {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
	effects := map[policy.Effect]string{
		policy.ImplicitDeny: "ImplicitDeny",
		policy.Allow:        "Allow",
		policy.ExplicitDeny: "ExplicitDeny",
		policy.Effect(9):    "Effect(9)",
	}
	for e, want := range effects {
		if got := e.String(); got != want {
			t.Errorf("Effect(%d).String() = %q, want %q", e, got, want)
		}
	}
	var d policy.Decision
	if d.Effect != policy.ImplicitDeny || d.Allowed() {
		t.Error("the zero Decision is not an implicit deny")
	}
}
