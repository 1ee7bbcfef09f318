package e2e_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// tfPolicyContents are documents of every policy type, as the provider's
// acceptance tests and AWS's syntax pages write them (the SCP, AI opt-out,
// backup and tag documents are the acceptance tests').
var tfPolicyContents = map[otypes.PolicyType][2]string{
	otypes.PolicyTypeServiceControlPolicy: {
		`{"Version": "2012-10-17", "Statement": { "Effect": "Allow", "Action": "*", "Resource": "*"}}`,
		`{"Version": "2012-10-17", "Statement": { "Effect": "Allow", "Action": "s3:*", "Resource": "*"}}`,
	},
	otypes.PolicyTypeResourceControlPolicy: {
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-aaaaaaaaaa"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":["sts:AssumeRole","s3:*"],"Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}`,
	},
	otypes.PolicyTypeAiservicesOptOutPolicy: {
		`{ "services": { "rekognition": { "opt_out_policy": { "@@assign": "optOut" } }, "lex": { "opt_out_policy": { "@@assign": "optIn" } } } }`,
		`{ "services": { "default": { "opt_out_policy": { "@@assign": "optOut" } } } }`,
	},
	otypes.PolicyTypeBackupPolicy: {
		`{"plans":{"PII_Backup_Plan":{"regions":{"@@assign":["us-west-2","us-east-1"]},"rules":{"Hourly":{"schedule_expression":{"@@assign":"cron(0 5/1 ? * * *)"},` +
			`"start_backup_window_minutes":{"@@assign":"480"},"complete_backup_window_minutes":{"@@assign":"10080"},` +
			`"lifecycle":{"move_to_cold_storage_after_days":{"@@assign":"180"},"delete_after_days":{"@@assign":"270"}},"target_backup_vault_name":{"@@assign":"FortKnox"},` +
			`"copy_actions":{"arn:aws:backup:us-west-2:$account:backup-vault:secondary_vault":{"target_backup_vault_arn":{"@@assign":"arn:aws:backup:us-west-2:$account:backup-vault:secondary_vault"},` +
			`"lifecycle":{"delete_after_days":{"@@assign":"100"},"move_to_cold_storage_after_days":{"@@assign":"10"}}}}}},` +
			`"selections":{"tags":{"datatype":{"iam_role_arn":{"@@assign":"arn:aws:iam::$account:role/MyIamRole"},"tag_key":{"@@assign":"dataType"},"tag_value":{"@@assign":["PII","RED"]}}}}}}}`,
		`{"plans":{"PII_Backup_Plan":{"regions":{"@@append":["eu-west-1"]}}}}`,
	},
	otypes.PolicyTypeTagPolicy: {
		`{ "tags": { "Product": { "tag_key": { "@@assign": "Product" }, "enforced_for": { "@@assign": [ "ec2:instance" ] } } } }`,
		`{ "tags": { "Product": { "tag_key": { "@@assign": "Product" }, "tag_value": { "@@assign": [ "web", "db" ] } } } }`,
	},
	otypes.PolicyTypeChatbotPolicy: {
		`{"chatbot":{"platforms":{"slack":{"client":{"@@assign":"enabled"},"workspaces":{"@@assign":["T0123456"]}}},"default":{"client":{"@@assign":"disabled"}}}}`,
		`{"chatbot":{"platforms":{"chime":{"client":{"@@assign":"disabled"}}}}}`,
	},
	otypes.PolicyTypeDeclarativePolicyEc2: {
		`{"ec2_attributes":{"image_block_public_access":{"state":{"@@assign":"block_new_sharing"}}}}`,
		`{"ec2_attributes":{"serial_console_access":{"status":{"@@assign":"disabled"}}}}`,
	},
	otypes.PolicyTypeSecurityhubPolicy: {
		`{"securityhub":{"enable_in_regions":{"@@append":["ALL_SUPPORTED"]},"disable_in_regions":{"@@append":[]}}}`,
		`{"securityhub":{"enable_in_regions":["us-east-1","us-west-2"],"disable_in_regions":["eu-central-1"]}}`,
	},
	otypes.PolicyTypeInspectorPolicy: {
		`{"inspector":{"enablement":{"ec2_scanning":{"enable_in_regions":{"@@assign":["us-east-1"]}}}}}`,
		`{"inspector":{"enablement":{"ec2_scanning":{"enable_in_regions":{"@@append":["us-west-2"]}}}}}`,
	},
	otypes.PolicyTypeUpgradeRolloutPolicy: {
		`{"upgrade_rollout":{"default":{"patch_order":{"@@assign":"first"}}}}`,
		`{"upgrade_rollout":{"default":{"patch_order":{"@@assign":"last"}}}}`,
	},
	otypes.PolicyTypeBedrockPolicy: {
		`{"bedrock":{"guardrail_inference":{"us-east-1":{"config_1":{"identifier":{"@@assign":"arn:aws:bedrock:us-east-1:$account:guardrail/abc:1"}}}}}}`,
		`{"bedrock":{"guardrail_inference":{"us-east-1":{"config_1":{"identifier":{"@@assign":"arn:aws:bedrock:us-east-1:$account:guardrail/abc:2"}}}}}}`,
	},
	otypes.PolicyTypeS3Policy: {
		`{"s3_attributes":{"public_access_block_configuration":{"@@assign":"all"}}}`,
		`{"s3_attributes":{"public_access_block_configuration":{"@@assign":"none"}}}`,
	},
	otypes.PolicyTypeNetworkSecurityDirectorPolicy: {
		`{"network_security_director":{"scan_settings":{"regions":{"@@assign":["us-east-1"]}}}}`,
		`{"network_security_director":{"scan_settings":{"regions":{"@@append":["us-west-2"]}}}}`,
	},
}

// aws_organizations_policy with every type: Create (CreatePolicy with the
// tags), then Read (findPolicyByID: DescribePolicy; the transparent tagging
// reads ListTagsForResource), Update of content, description and name
// (UpdatePolicy with the changed members only, then Read), and Destroy
// (DeletePolicy; a PolicyNotFoundException counts as gone, and the check
// after destroy expects DescribePolicy to say PolicyNotFoundException).
func TestTerraformPolicy(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	c := e.mgmt.Org
	// resource "aws_organizations_organization" "test" {} (no enabled
	// policy types: policies can exist before their type is enabled).
	createOrg(t, c, otypes.OrganizationFeatureSetAll)

	// The model's 13 types (the SDK may know newer ones).
	var types []otypes.PolicyType
	for typ := range tfPolicyContents {
		types = append(types, typ)
	}
	slices.Sort(types)
	read := func(t *testing.T, id string) *otypes.Policy {
		t.Helper()
		out, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
		must(t, err, "DescribePolicy "+id)
		return out.Policy
	}
	for _, typ := range types {
		t.Run(string(typ), func(t *testing.T) {
			contents := tfPolicyContents[typ]
			name := "tf-" + string(typ)
			out, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{
				Content: aws.String(contents[0]), Description: aws.String(""), Name: aws.String(name), Type: typ,
				Tags: []otypes.Tag{{Key: aws.String("key1"), Value: aws.String("value1")}},
			})
			must(t, err, "CreatePolicy")
			id := aws.ToString(out.Policy.PolicySummary.Id)
			if !rePolicyID.MatchString(id) {
				t.Fatalf("policy id %q", id)
			}

			p := read(t, id)
			s := p.PolicySummary
			if aws.ToString(p.Content) != contents[0] || aws.ToString(s.Name) != name || aws.ToString(s.Description) != "" || s.Type != typ || s.AwsManaged {
				t.Errorf("Read = %+v, content %s", s, aws.ToString(p.Content))
			}
			if got := tagsOf(t, c, id); len(got) != 1 || got["key1"] != "value1" {
				t.Errorf("tags = %v", got)
			}

			_, err = c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(contents[1])})
			must(t, err, "UpdatePolicy content")
			_, err = c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Description: aws.String("description2"), Name: aws.String(name + "-2")})
			must(t, err, "UpdatePolicy description and name")
			p = read(t, id)
			if aws.ToString(p.Content) != contents[1] || aws.ToString(p.PolicySummary.Description) != "description2" || aws.ToString(p.PolicySummary.Name) != name+"-2" {
				t.Errorf("Read after update = %+v, content %s", p.PolicySummary, aws.ToString(p.Content))
			}

			_, err = c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(id)})
			must(t, err, "DeletePolicy")
			_, err = c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
			wantOrgErr[*otypes.PolicyNotFoundException](t, err, "PolicyNotFoundException")
			_, err = c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(id)})
			wantOrgErr[*otypes.PolicyNotFoundException](t, err, "PolicyNotFoundException")
		})
	}

	// Importing an AWS-managed policy: the importer reads it and refuses
	// it because AwsManaged is true.
	t.Run("ImportManaged", func(t *testing.T) {
		for _, id := range []string{fullAWSAccess, "p-RCPFullAWSAccess"} {
			if p := read(t, id); !p.PolicySummary.AwsManaged {
				t.Errorf("%s: AwsManaged false", id)
			}
		}
	})
}

// aws_organizations_policy_attachment with the other policy types: the
// provider attaches (AttachPolicy), reads (ListTargetsForPolicy, the
// target among them) and detaches (DetachPolicy; PolicyNotFoundException
// and TargetNotFoundException count as gone).
func TestTerraformPolicyAttachmentTypes(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	c := e.mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)
	root := aws.ToString(rootOf(t, c).Id)
	ou := aws.ToString(createOU(t, c, root, "workloads").Id)
	acct := e.createAccount(t, c, "tf-pat", "tf-pat@example.com")

	for _, typ := range []otypes.PolicyType{otypes.PolicyTypeTagPolicy, otypes.PolicyTypeBackupPolicy, otypes.PolicyTypeAiservicesOptOutPolicy,
		otypes.PolicyTypeResourceControlPolicy, otypes.PolicyTypeDeclarativePolicyEc2} {
		t.Run(string(typ), func(t *testing.T) {
			enablePolicyType(t, c, root, typ)
			policy := createPolicy(t, c, "tf-att-"+string(typ), typ, tfPolicyContents[typ][0])
			for _, target := range []string{root, ou, acct} {
				must(t, attachPolicyErr(c, policy, target), "AttachPolicy "+target)
				if !slices.Contains(targetsFor(t, c, policy), target) {
					t.Errorf("%s not among the targets of %s", target, policy)
				}
			}
			for _, target := range []string{root, ou, acct} {
				_, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(policy), TargetId: aws.String(target)})
				must(t, err, "DetachPolicy "+target)
				if slices.Contains(targetsFor(t, c, policy), target) {
					t.Errorf("%s still among the targets of %s", target, policy)
				}
			}
			_, err := c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(policy)})
			must(t, err, "DeletePolicy")
		})
	}

	// terraform import aws_organizations_policy_attachment.x
	// r-xxxx:p-RCPFullAWSAccess finds the attachment; destroying it fails.
	t.Run("RCPFullAWSAccess", func(t *testing.T) {
		for _, target := range []string{root, ou, acct} {
			if !slices.Contains(targetsFor(t, c, "p-RCPFullAWSAccess"), target) {
				t.Errorf("p-RCPFullAWSAccess is not attached to %s", target)
			}
		}
		_, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-RCPFullAWSAccess"), TargetId: aws.String(ou)})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonNonDetachablePolicy)
	})

	t.Run("AttachmentLimit", func(t *testing.T) {
		// AI opt-out policies: 5 per target.
		var ids []string
		for i := range 6 {
			ids = append(ids, createPolicy(t, c, "limit-"+string(rune('a'+i)), otypes.PolicyTypeAiservicesOptOutPolicy, tfPolicyContents[otypes.PolicyTypeAiservicesOptOutPolicy][1]))
		}
		for _, id := range ids[:5] {
			must(t, attachPolicyErr(c, id, ou), "AttachPolicy "+id)
		}
		wantConstraint(t, attachPolicyErr(c, ids[5], ou), otypes.ConstraintViolationExceptionReasonMaxPolicyTypeAttachmentLimitExceeded)
	})
}

func attachPolicyErr(c *organizations.Client, policy, target string) error {
	_, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(policy), TargetId: aws.String(target)})
	return err
}
