package organizations

import (
	"slices"
	"testing"

	"github.com/accountplane/accountplane/internal/apierr"
)

// The merge of management policies is an unexported algorithm; its cases
// are here. The operations around it are tested end to end.

func mustManagement(t *testing.T, typ PolicyType, doc string) *mnode {
	t.Helper()
	n, err := parseManagement(typ, doc)
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	return n
}

func TestMerge(t *testing.T) {
	t.Parallel()
	type pol struct {
		id  PolicyID
		doc string
	}
	tests := []struct {
		name   string
		typ    PolicyType
		levels [][]pol
		want   string
		errs   []PolicyValidationError
	}{
		{
			name: "assign at the root, append at an OU, remove at the account",
			typ:  TagPolicy,
			levels: [][]pol{
				{{"p-root", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]}}}}`}},
				{{"p-ou", `{"tags":{"costcenter":{"tag_value":{"@@append":["300","100"]}}}}`}},
				{{"p-acct", `{"tags":{"costcenter":{"tag_value":{"@@remove":["200","999"]},"enforced_for":{"@@assign":["ec2:instance"]}}}}`}},
			},
			want: `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["100","300"],"enforced_for":["ec2:instance"]}}}`,
		},
		{
			name: "assign replaces inherited values",
			typ:  TagPolicy,
			levels: [][]pol{
				{{"p-root", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["Development","Support"]}}}}`}},
				{{"p-ou", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["Sandbox"]}}}}`}},
			},
			want: `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["Sandbox"]}}}`,
		},
		{
			name: "a forbidden operator is ignored and reported",
			typ:  TagPolicy,
			levels: [][]pol{
				{{"p-root", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100"],"@@operators_allowed_for_child_policies":["@@assign"]}}}}`}},
				{{"p-ou", `{"tags":{"costcenter":{"tag_value":{"@@append":["300"]}}}}`}},
				{{"p-acct", `{"tags":{"costcenter":{"tag_value":{"@@assign":["400"]}}}}`}},
			},
			want: `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["400"]}}}`,
			errs: []PolicyValidationError{{Code: ValidationOperatorNotAllowed, Path: "/tags/costcenter/tag_value", Policies: []PolicyID{"p-ou", "p-root"}}},
		},
		{
			name: "@@none above applies to every setting below",
			typ:  AIOptOutPolicy,
			levels: [][]pol{
				{{"p-root", `{"services":{"@@operators_allowed_for_child_policies":["@@none"],"default":{"opt_out_policy":{"@@assign":"optOut"}}}}`}},
				{{"p-ou", `{"services":{"rekognition":{"opt_out_policy":{"@@assign":"optIn"}}}}`}},
			},
			want: `{"services":{"default":{"opt_out_policy":"optOut"}}}`,
			errs: []PolicyValidationError{{Code: ValidationOperatorNotAllowed, Path: "/services/rekognition/opt_out_policy", Policies: []PolicyID{"p-ou", "p-root"}}},
		},
		{
			name: "a restriction binds the levels below, not its own",
			typ:  TagPolicy,
			levels: [][]pol{
				{
					{"p-a", `{"tags":{"team":{"tag_value":{"@@assign":["a"],"@@operators_allowed_for_child_policies":["@@append","@@remove"]}}}}`},
					{"p-b", `{"tags":{"team":{"tag_value":{"@@assign":["b"],"@@operators_allowed_for_child_policies":["@@append"]}}}}`},
				},
				{
					{"p-c", `{"tags":{"team":{"tag_value":{"@@append":["c"]}}}}`},
					{"p-d", `{"tags":{"team":{"tag_value":{"@@remove":["b"]}}}}`},
				},
			},
			// p-b (after p-a, by id) assigns last at the root; the
			// intersection leaves @@append only for the OU.
			want: `{"tags":{"team":{"tag_value":["b","c"]}}}`,
			errs: []PolicyValidationError{{Code: ValidationOperatorNotAllowed, Path: "/tags/team/tag_value", Policies: []PolicyID{"p-d", "p-a", "p-b"}}},
		},
		{
			name: "append to an inherited single value does not apply",
			typ:  BackupPolicy,
			levels: [][]pol{
				{{"p-root", `{"plans":{"daily":{"target_backup_vault_name":{"@@assign":"Default"}}}}`}},
				{{"p-acct", `{"plans":{"daily":{"target_backup_vault_name":{"@@append":["Other"]},"regions":{"@@append":["us-east-1"]}}}}`}},
			},
			want: `{"plans":{"daily":{"target_backup_vault_name":"Default","regions":["us-east-1"]}}}`,
			errs: []PolicyValidationError{{Code: ValidationOperatorNotApplicable, Path: "/plans/daily/target_backup_vault_name", Policies: []PolicyID{"p-acct"}}},
		},
		{
			name: "bare values are assignments",
			typ:  SecurityHubPolicy,
			levels: [][]pol{
				{{"p-root", `{"securityhub":{"enable_in_regions":["us-east-1","us-west-2"],"disable_in_regions":[]}}`}},
				{{"p-acct", `{"securityhub":{"enable_in_regions":{"@@remove":["us-west-2"]}}}`}},
			},
			want: `{"securityhub":{"enable_in_regions":["us-east-1"],"disable_in_regions":[]}}`,
		},
		{
			name:   "nothing but restrictions",
			typ:    TagPolicy,
			levels: [][]pol{{{"p-root", `{"tags":{"@@operators_allowed_for_child_policies":["@@none"]}}`}}},
			want:   `{}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var levels [][]levelPolicy
			for _, l := range tt.levels {
				var level []levelPolicy
				for _, p := range l {
					level = append(level, levelPolicy{id: p.id, node: mustManagement(t, tt.typ, p.doc)})
				}
				levels = append(levels, level)
			}
			root, errs := merge(levels)
			if got := root.document(); got != tt.want {
				t.Errorf("effective policy:\n got %s\nwant %s", got, tt.want)
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("validation errors: got %+v, want %+v", errs, tt.errs)
			}
			for i, w := range tt.errs {
				g := errs[i]
				if g.Code != w.Code || g.Path != w.Path || !slices.Equal(g.Policies, w.Policies) || g.Message == "" {
					t.Errorf("validation error %d: got %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestParseManagementRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		typ  PolicyType
		doc  string
	}{
		{"not JSON", TagPolicy, `{"tags":`},
		{"not an object", TagPolicy, `["tags"]`},
		{"unknown operator", TagPolicy, `{"tags":{"a":{"tag_key":{"@@set":"A"}}}}`},
		{"two value operators", TagPolicy, `{"tags":{"a":{"tag_value":{"@@assign":["x"],"@@append":["y"]}}}}`},
		{"settings beside an operator", BackupPolicy, `{"plans":{"@@assign":"x","daily":{}}}`},
		{"append of a single value", TagPolicy, `{"tags":{"a":{"tag_value":{"@@append":"x"}}}}`},
		{"object operand", BackupPolicy, `{"plans":{"p":{"@@assign":{"a":1}}}}`},
		{"bad child control list", TagPolicy, `{"tags":{"@@operators_allowed_for_child_policies":["@@none","@@assign"]}}`},
		{"unknown child control operator", TagPolicy, `{"tags":{"@@operators_allowed_for_child_policies":["@@merge"]}}`},
		{"wrong top-level key", TagPolicy, `{"tag":{}}`},
		{"second top-level key", BackupPolicy, `{"plans":{},"other":{}}`},
		{"tag_key of another tag", TagPolicy, `{"tags":{"costcenter":{"tag_key":{"@@assign":"Owner"}}}}`},
		{"unknown tag setting", TagPolicy, `{"tags":{"costcenter":{"tag_keys":{"@@assign":"CostCenter"}}}}`},
		{"AI opt-out value", AIOptOutPolicy, `{"services":{"default":{"opt_out_policy":{"@@assign":"maybe"}}}}`},
		{"AI opt-out setting", AIOptOutPolicy, `{"services":{"default":{"opt_in":{"@@assign":"optIn"}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseManagement(tt.typ, tt.doc)
			if !apierr.HasCode(err, CodeMalformedPolicyDocument) {
				t.Errorf("parse %s: got %v, want MalformedPolicyDocumentException", tt.doc, err)
			}
		})
	}
}

func TestCheckContentAuthorizationPolicies(t *testing.T) {
	t.Parallel()
	s := &Service{}
	tests := []struct {
		name string
		typ  PolicyType
		doc  string
		code string // "" accepted
	}{
		{"SCP", SCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`, ""},
		{"SCP without Resource", SCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*"}}`, CodeMalformedPolicyDocument},
		{"SCP with a Principal", SCP, `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`, CodeMalformedPolicyDocument},
		{"RCP deny", RCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-aaaaaaaaaa"}}}}`, ""},
		{"RCP allow", RCP, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, CodeMalformedPolicyDocument},
		{"RCP principal", RCP, `{"Statement":{"Effect":"Deny","Principal":{"AWS":"111111111111"},"Action":"s3:*","Resource":"*"}}`, CodeMalformedPolicyDocument},
		{"RCP without principal", RCP, `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`, CodeMalformedPolicyDocument},
		{"RCP NotAction", RCP, `{"Statement":{"Effect":"Deny","Principal":"*","NotAction":"s3:*","Resource":"*"}}`, CodeMalformedPolicyDocument},
		{"RCP NotResource", RCP, `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":"arn:aws:s3:::keep/*"}}`, ""},
		{"AI opt-out too large", AIOptOutPolicy, `{"services":{"default":{"opt_out_policy":{"@@assign":"optOut"}}},"pad":"` + string(make([]byte, 2500)) + `"}`, CodeConstraintViolation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := s.checkContent(tt.typ, tt.doc)
			if tt.code == "" && err != nil {
				t.Errorf("got %v, want accepted", err)
			}
			if tt.code != "" && !apierr.HasCode(err, tt.code) {
				t.Errorf("got %v, want %s", err, tt.code)
			}
		})
	}
}

func TestCheckDelegationPolicy(t *testing.T) {
	t.Parallel()
	stmt := func(body string) string { return `{"Version":"2012-10-17","Statement":[` + body + `]}` }
	tests := []struct {
		name   string
		doc    string
		reason string // "" accepted
	}{
		{"policy management", stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["organizations:CreatePolicy","organizations:Describe*","organizations:List*"],"Resource":"*","Condition":{"StringEquals":{"organizations:PolicyType":"BACKUP_POLICY"}}}`), ""},
		{"role principal and ARN resource", stmt(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:role/Admin","333333333333"]},"Action":"organizations:AttachPolicy","Resource":"arn:aws:organizations::111111111111:policy/*/service_control_policy/*"}`), ""},
		{"not JSON", `{"Statement":`, InputReasonInvalidResourcePolicyJSON},
		{"no principal", stmt(`{"Effect":"Allow","Action":"organizations:ListRoots","Resource":"*"}`), InputReasonInvalidResourcePolicyJSON},
		{"star principal", stmt(`{"Effect":"Allow","Principal":"*","Action":"organizations:ListRoots","Resource":"*"}`), InputReasonInvalidPrincipal},
		{"service principal", stmt(`{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"organizations:ListRoots","Resource":"*"}`), InputReasonInvalidPrincipal},
		{"not an organizations action", stmt(`{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"s3:GetObject","Resource":"*"}`), InputReasonUnsupportedActionInResourcePolicy},
		{"management-only action", stmt(`{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"organizations:CreateAccount","Resource":"*"}`), InputReasonUnsupportedActionInResourcePolicy},
		{"foreign resource", stmt(`{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"organizations:ListRoots","Resource":"arn:aws:s3:::bucket"}`), InputReasonUnsupportedResourceInResourcePolicy},
		{"unknown policy type", stmt(`{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"organizations:CreatePolicy","Resource":"*","Condition":{"StringEquals":{"organizations:PolicyType":"COOKIE_POLICY"}}}`), InputReasonUnsupportedPolicyTypeInResPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkDelegationPolicy(tt.doc)
			if tt.reason == "" {
				if err != nil {
					t.Errorf("got %v, want accepted", err)
				}
				return
			}
			var ae *apierr.Error
			if !apiErrAs(err, &ae) || ae.Code != CodeInvalidInput || ae.Reason != tt.reason {
				t.Errorf("got %v, want InvalidInputException %s", err, tt.reason)
			}
		})
	}
}

func TestWildcardFold(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "ListRoots", true},
		{"list*", "ListRoots", true},
		{"Describe*Policy", "DescribeEffectivePolicy", true},
		{"Describe*Policy", "DescribeAccount", false},
		{"List?oots", "ListRoots", true},
		{"ListRoots", "ListRoot", false},
	} {
		if got := wildcardFold(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardFold(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func apiErrAs(err error, target **apierr.Error) bool {
	e, ok := err.(*apierr.Error)
	if ok {
		*target = e
	}
	return ok
}
