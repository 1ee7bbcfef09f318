package e2e_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// Effective management policies: tag, backup and AI services opt-out
// policies attached at the root, an OU and an account, merged with the
// inheritance operators and read back with DescribeEffectivePolicy; a
// forbidden operator reported by the validation operations.

// createPolicy creates a policy of typ through c and returns its id.
func createPolicy(t *testing.T, c *organizations.Client, name string, typ otypes.PolicyType, content string) string {
	t.Helper()
	out, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String(name), Description: aws.String(name), Type: typ, Content: aws.String(content),
	})
	must(t, err, "CreatePolicy "+name)
	return aws.ToString(out.Policy.PolicySummary.Id)
}

func attachPolicy(t *testing.T, c *organizations.Client, policy, target string) {
	t.Helper()
	_, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(policy), TargetId: aws.String(target)})
	must(t, err, "AttachPolicy "+policy+" to "+target)
}

func enablePolicyType(t *testing.T, c *organizations.Client, root string, typ otypes.PolicyType) {
	t.Helper()
	_, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: typ})
	must(t, err, "EnablePolicyType "+string(typ))
}

// effective returns the effective policy of typ for target ("" = the
// caller's own account).
func effective(t *testing.T, c *organizations.Client, typ otypes.EffectivePolicyType, target string) *otypes.EffectivePolicy {
	t.Helper()
	in := &organizations.DescribeEffectivePolicyInput{PolicyType: typ}
	if target != "" {
		in.TargetId = aws.String(target)
	}
	out, err := c.DescribeEffectivePolicy(ctx, in)
	must(t, err, "DescribeEffectivePolicy "+string(typ)+" "+target)
	return out.EffectivePolicy
}

// orgTree is an organization with an OU under the root, a member in the
// OU (with root credentials) and a member directly under the root.
type orgTree struct {
	e                *orgEnv
	c                *organizations.Client
	orgID, root, ou  string
	member           actor
	other            string
	mgmtID, memberID string
}

func newOrgTree(t *testing.T, prefix string) orgTree {
	t.Helper()
	e := startOrgs(t, accountplanetest.Options{})
	c := e.mgmt.Org
	org := createOrg(t, c, otypes.OrganizationFeatureSetAll)
	root := aws.ToString(rootOf(t, c).Id)
	ou := aws.ToString(createOU(t, c, root, "workloads").Id)
	member := e.createMember(t, e.mgmt, prefix+"-member", prefix+"-member@example.com")
	moveAccount(t, c, member.ID, root, ou)
	other := e.createAccount(t, c, prefix+"-other", prefix+"-other@example.com")
	return orgTree{e: e, c: c, orgID: aws.ToString(org.Id), root: root, ou: ou, member: member, other: other,
		mgmtID: e.mgmt.ID, memberID: member.ID}
}

func TestEffectiveTagPolicy(t *testing.T) {
	t.Parallel()
	w := newOrgTree(t, "eff-tag")
	c := w.c

	t.Run("TypeNotEnabled", func(t *testing.T) {
		_, err := c.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: otypes.EffectivePolicyTypeTagPolicy, TargetId: aws.String(w.memberID)})
		wantOrgErr[*otypes.EffectivePolicyNotFoundException](t, err, "EffectivePolicyNotFoundException")
	})

	enablePolicyType(t, c, w.root, otypes.PolicyTypeTagPolicy)
	rootPolicy := createPolicy(t, c, "root-tags", otypes.PolicyTypeTagPolicy,
		`{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]}}}}`)
	ouPolicy := createPolicy(t, c, "ou-tags", otypes.PolicyTypeTagPolicy,
		`{"tags":{"costcenter":{"tag_value":{"@@append":["300"]},"enforced_for":{"@@assign":["secretsmanager:*"]}}}}`)
	acctPolicy := createPolicy(t, c, "acct-tags", otypes.PolicyTypeTagPolicy,
		`{"tags":{"costcenter":{"tag_value":{"@@remove":["200"]}}}}`)
	attachPolicy(t, c, rootPolicy, w.root)
	attachPolicy(t, c, ouPolicy, w.ou)
	attachPolicy(t, c, acctPolicy, w.memberID)

	const merged = `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["100","300"],"enforced_for":["secretsmanager:*"]}}}`
	t.Run("ManagementAboutMember", func(t *testing.T) {
		eff := effective(t, c, otypes.EffectivePolicyTypeTagPolicy, w.memberID)
		sameJSON(t, "effective tag policy", aws.ToString(eff.PolicyContent), merged)
		if aws.ToString(eff.TargetId) != w.memberID || eff.PolicyType != otypes.EffectivePolicyTypeTagPolicy || eff.LastUpdatedTimestamp == nil {
			t.Errorf("effective policy = %+v", eff)
		}
	})
	t.Run("MemberAboutItself", func(t *testing.T) {
		eff := effective(t, w.member.Org, otypes.EffectivePolicyTypeTagPolicy, "")
		sameJSON(t, "effective tag policy", aws.ToString(eff.PolicyContent), merged)
		eff = effective(t, w.member.Org, otypes.EffectivePolicyTypeTagPolicy, w.memberID)
		sameJSON(t, "effective tag policy", aws.ToString(eff.PolicyContent), merged)
	})
	t.Run("RootOnly", func(t *testing.T) {
		want := `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["100","200"]}}}`
		sameJSON(t, "effective tag policy of the other member", aws.ToString(effective(t, c, otypes.EffectivePolicyTypeTagPolicy, w.other).PolicyContent), want)
		sameJSON(t, "effective tag policy of the management account", aws.ToString(effective(t, c, otypes.EffectivePolicyTypeTagPolicy, "").PolicyContent), want)
	})
	t.Run("MemberAboutAnother", func(t *testing.T) {
		_, err := w.member.Org.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: otypes.EffectivePolicyTypeTagPolicy, TargetId: aws.String(w.other)})
		wantOrgAccessDenied(t, err)
	})
	t.Run("OnlyAccounts", func(t *testing.T) {
		for _, target := range []string{w.root, w.ou} {
			_, err := c.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: otypes.EffectivePolicyTypeTagPolicy, TargetId: aws.String(target)})
			wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonTargetNotSupported)
		}
		_, err := c.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: otypes.EffectivePolicyTypeTagPolicy, TargetId: aws.String("999999999999")})
		wantOrgErr[*otypes.TargetNotFoundException](t, err, "TargetNotFoundException")
	})
	t.Run("AuthorizationPoliciesRefused", func(t *testing.T) {
		for _, typ := range []otypes.EffectivePolicyType{"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"} {
			_, err := c.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: typ, TargetId: aws.String(w.memberID)})
			wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonInvalidEnumPolicyType)
		}
	})
	t.Run("NoPolicyOfType", func(t *testing.T) {
		enablePolicyType(t, c, w.root, otypes.PolicyTypeBackupPolicy)
		_, err := c.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: otypes.EffectivePolicyTypeBackupPolicy, TargetId: aws.String(w.memberID)})
		wantOrgErr[*otypes.EffectivePolicyNotFoundException](t, err, "EffectivePolicyNotFoundException")
	})
	t.Run("NoValidationErrors", func(t *testing.T) {
		out, err := c.ListAccountsWithInvalidEffectivePolicy(ctx, &organizations.ListAccountsWithInvalidEffectivePolicyInput{PolicyType: otypes.EffectivePolicyTypeTagPolicy})
		must(t, err, "ListAccountsWithInvalidEffectivePolicy")
		if len(out.Accounts) != 0 || out.PolicyType != otypes.EffectivePolicyTypeTagPolicy {
			t.Errorf("ListAccountsWithInvalidEffectivePolicy = %d accounts, type %s", len(out.Accounts), out.PolicyType)
		}
	})

	// A root policy allows only @@assign below on tag_value; the OU's
	// @@append is ignored and reported.
	t.Run("ForbiddenOperator", func(t *testing.T) {
		locked := `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"],"@@operators_allowed_for_child_policies":["@@assign"]}}}}`
		_, err := c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(rootPolicy), Content: aws.String(locked)})
		must(t, err, "UpdatePolicy")
		_, err = c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(acctPolicy), TargetId: aws.String(w.memberID)})
		must(t, err, "DetachPolicy")

		eff := effective(t, c, otypes.EffectivePolicyTypeTagPolicy, w.memberID)
		sameJSON(t, "effective tag policy", aws.ToString(eff.PolicyContent),
			`{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["100","200"],"enforced_for":["secretsmanager:*"]}}}`)

		out, err := c.ListAccountsWithInvalidEffectivePolicy(ctx, &organizations.ListAccountsWithInvalidEffectivePolicyInput{PolicyType: otypes.EffectivePolicyTypeTagPolicy})
		must(t, err, "ListAccountsWithInvalidEffectivePolicy")
		sameIDs(t, "accounts with an invalid effective tag policy", accountIDsOf(out.Accounts), []string{w.memberID})

		v, err := c.ListEffectivePolicyValidationErrors(ctx, &organizations.ListEffectivePolicyValidationErrorsInput{
			AccountId: aws.String(w.memberID), PolicyType: otypes.EffectivePolicyTypeTagPolicy,
		})
		must(t, err, "ListEffectivePolicyValidationErrors")
		if aws.ToString(v.AccountId) != w.memberID || v.PolicyType != otypes.EffectivePolicyTypeTagPolicy || v.EvaluationTimestamp == nil ||
			aws.ToString(v.Path) != w.orgID+"/"+w.root+"/"+w.ou+"/"+w.memberID+"/" {
			t.Errorf("validation report: account %s type %s path %s at %v", aws.ToString(v.AccountId), v.PolicyType, aws.ToString(v.Path), v.EvaluationTimestamp)
		}
		if len(v.EffectivePolicyValidationErrors) != 1 {
			t.Fatalf("validation errors: %+v, want one", v.EffectivePolicyValidationErrors)
		}
		ve := v.EffectivePolicyValidationErrors[0]
		if aws.ToString(ve.ErrorCode) != "OPERATOR_NOT_ALLOWED" || aws.ToString(ve.PathToError) != "/tags/costcenter/tag_value" ||
			!strings.Contains(aws.ToString(ve.ErrorMessage), "@@append") {
			t.Errorf("validation error = code %s path %s message %q", aws.ToString(ve.ErrorCode), aws.ToString(ve.PathToError), aws.ToString(ve.ErrorMessage))
		}
		sameIDs(t, "contributing policies", ve.ContributingPolicies, []string{ouPolicy, rootPolicy})

		// The other member has nothing to report.
		v, err = c.ListEffectivePolicyValidationErrors(ctx, &organizations.ListEffectivePolicyValidationErrorsInput{
			AccountId: aws.String(w.other), PolicyType: otypes.EffectivePolicyTypeTagPolicy,
		})
		must(t, err, "ListEffectivePolicyValidationErrors of the other member")
		if len(v.EffectivePolicyValidationErrors) != 0 {
			t.Errorf("validation errors of the other member: %+v", v.EffectivePolicyValidationErrors)
		}
		// Members are not delegated administrators.
		_, err = w.member.Org.ListEffectivePolicyValidationErrors(ctx, &organizations.ListEffectivePolicyValidationErrorsInput{
			AccountId: aws.String(w.memberID), PolicyType: otypes.EffectivePolicyTypeTagPolicy,
		})
		wantOrgAccessDenied(t, err)
		_, err = c.ListEffectivePolicyValidationErrors(ctx, &organizations.ListEffectivePolicyValidationErrorsInput{
			AccountId: aws.String("999999999999"), PolicyType: otypes.EffectivePolicyTypeTagPolicy,
		})
		wantOrgErr[*otypes.AccountNotFoundException](t, err, "AccountNotFoundException")
	})
}

func TestEffectiveBackupAndAIOptOutPolicies(t *testing.T) {
	t.Parallel()
	w := newOrgTree(t, "eff-bk")
	c := w.c
	enablePolicyType(t, c, w.root, otypes.PolicyTypeBackupPolicy)
	enablePolicyType(t, c, w.root, otypes.PolicyTypeAiservicesOptOutPolicy)

	t.Run("Backup", func(t *testing.T) {
		plan := createPolicy(t, c, "daily", otypes.PolicyTypeBackupPolicy, `{"plans":{"daily":{
			"regions":{"@@assign":["us-east-1","eu-west-1"]},
			"rules":{"nightly":{"schedule_expression":{"@@assign":"cron(0 5 ? * * *)"},"target_backup_vault_name":{"@@assign":"Default"},
				"lifecycle":{"delete_after_days":{"@@assign":"35"}}}},
			"selections":{"tags":{"all":{"iam_role_arn":{"@@assign":"arn:aws:iam::$account:role/Backup"},"tag_key":{"@@assign":"backup"},"tag_value":{"@@assign":["daily"]}}}}}}}`)
		ou := createPolicy(t, c, "ou-regions", otypes.PolicyTypeBackupPolicy,
			`{"plans":{"daily":{"regions":{"@@append":["ap-south-1"]},"rules":{"nightly":{"lifecycle":{"delete_after_days":{"@@assign":"90"}}}}}}}`)
		acct := createPolicy(t, c, "acct-regions", otypes.PolicyTypeBackupPolicy, `{"plans":{"daily":{"regions":{"@@remove":["eu-west-1"]}}}}`)
		attachPolicy(t, c, plan, w.root)
		attachPolicy(t, c, ou, w.ou)
		attachPolicy(t, c, acct, w.memberID)
		sameJSON(t, "effective backup policy", aws.ToString(effective(t, c, otypes.EffectivePolicyTypeBackupPolicy, w.memberID).PolicyContent),
			`{"plans":{"daily":{"regions":["us-east-1","ap-south-1"],
				"rules":{"nightly":{"schedule_expression":"cron(0 5 ? * * *)","target_backup_vault_name":"Default","lifecycle":{"delete_after_days":"90"}}},
				"selections":{"tags":{"all":{"iam_role_arn":"arn:aws:iam::$account:role/Backup","tag_key":"backup","tag_value":["daily"]}}}}}}`)
		sameJSON(t, "effective backup policy of the other member", aws.ToString(effective(t, w.member.Org, otypes.EffectivePolicyTypeBackupPolicy, "").PolicyContent),
			aws.ToString(effective(t, c, otypes.EffectivePolicyTypeBackupPolicy, w.memberID).PolicyContent))
	})

	t.Run("AIOptOut", func(t *testing.T) {
		// Opt out of everything at the root and let no one change it;
		// the OU opts in to Lex anyway, which is ignored and reported.
		all := createPolicy(t, c, "opt-out-all", otypes.PolicyTypeAiservicesOptOutPolicy,
			`{"services":{"@@operators_allowed_for_child_policies":["@@none"],"default":{"@@operators_allowed_for_child_policies":["@@none"],"opt_out_policy":{"@@operators_allowed_for_child_policies":["@@none"],"@@assign":"optOut"}}}}`)
		lex := createPolicy(t, c, "lex-in", otypes.PolicyTypeAiservicesOptOutPolicy, `{"services":{"lex":{"opt_out_policy":{"@@assign":"optIn"}}}}`)
		attachPolicy(t, c, all, w.root)
		attachPolicy(t, c, lex, w.ou)
		want := `{"services":{"default":{"opt_out_policy":"optOut"}}}`
		sameJSON(t, "effective AI opt-out policy", aws.ToString(effective(t, c, otypes.EffectivePolicyTypeAiservicesOptOutPolicy, w.memberID).PolicyContent), want)
		sameJSON(t, "effective AI opt-out policy of the other", aws.ToString(effective(t, c, otypes.EffectivePolicyTypeAiservicesOptOutPolicy, w.other).PolicyContent), want)
		out, err := c.ListAccountsWithInvalidEffectivePolicy(ctx, &organizations.ListAccountsWithInvalidEffectivePolicyInput{PolicyType: otypes.EffectivePolicyTypeAiservicesOptOutPolicy})
		must(t, err, "ListAccountsWithInvalidEffectivePolicy")
		sameIDs(t, "accounts with an invalid AI opt-out policy", accountIDsOf(out.Accounts), []string{w.memberID})
		v, err := c.ListEffectivePolicyValidationErrors(ctx, &organizations.ListEffectivePolicyValidationErrorsInput{
			AccountId: aws.String(w.memberID), PolicyType: otypes.EffectivePolicyTypeAiservicesOptOutPolicy,
		})
		must(t, err, "ListEffectivePolicyValidationErrors")
		if len(v.EffectivePolicyValidationErrors) != 1 || aws.ToString(v.EffectivePolicyValidationErrors[0].PathToError) != "/services/lex/opt_out_policy" {
			t.Errorf("validation errors = %+v", v.EffectivePolicyValidationErrors)
		}
	})

	t.Run("Syntax", func(t *testing.T) {
		create := func(typ otypes.PolicyType, content string) error {
			_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("bad"), Description: aws.String(""), Type: typ, Content: aws.String(content)})
			return err
		}
		wantOrgErr[*otypes.MalformedPolicyDocumentException](t, create(otypes.PolicyTypeAiservicesOptOutPolicy, `{"services":{"default":{"opt_out_policy":{"@@assign":"never"}}}}`), "MalformedPolicyDocumentException")
		wantOrgErr[*otypes.MalformedPolicyDocumentException](t, create(otypes.PolicyTypeBackupPolicy, `{"plans":{"daily":{"regions":{"@@merge":["us-east-1"]}}}}`), "MalformedPolicyDocumentException")
		wantOrgErr[*otypes.MalformedPolicyDocumentException](t, create(otypes.PolicyTypeTagPolicy, `{"tag":{}}`), "MalformedPolicyDocumentException")
		big := `{"services":{"default":{"opt_out_policy":{"@@assign":"optOut"}}},"x":"` + strings.Repeat("a", 2500) + `"}`
		wantConstraint(t, create(otypes.PolicyTypeAiservicesOptOutPolicy, big), otypes.ConstraintViolationExceptionReasonPolicyContentLimitExceeded)
		// The same size is fine for a tag policy (10,000 characters).
		tag := `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["` + strings.Repeat("a", 2600) + `"]}}}}`
		_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("big-tags"), Description: aws.String(""), Type: otypes.PolicyTypeTagPolicy, Content: aws.String(tag)})
		must(t, err, "CreatePolicy of a 2,600-character tag policy")
	})
}
