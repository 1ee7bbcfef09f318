package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// rootPolicyTypes returns the root's policy types with their status.
func rootPolicyTypes(t *testing.T, c *organizations.Client) map[otypes.PolicyType]otypes.PolicyTypeStatus {
	t.Helper()
	m := map[otypes.PolicyType]otypes.PolicyTypeStatus{}
	for _, pt := range rootOf(t, c).PolicyTypes {
		m[pt.Type] = pt.Status
	}
	return m
}

// bigSCP is a valid SCP of more than 5120 characters.
func bigSCP() string {
	var res []string
	for i := 0; len(strings.Join(res, ",")) < 5200; i++ {
		res = append(res, fmt.Sprintf(`"arn:aws:s3:::bucket-number-%04d/*"`, i))
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":[` + strings.Join(res, ",") + `]}]}`
}

func TestOrgPolicies(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	c := e.mgmt.Org
	org := createOrg(t, c, otypes.OrganizationFeatureSetAll)
	orgID := aws.ToString(org.Id)
	root := aws.ToString(rootOf(t, c).Id)
	ou := aws.ToString(createOU(t, c, root, "Workloads").Id)
	m1 := e.createAccount(t, c, "m1", "pol-m1@example.com")
	moveAccount(t, c, m1, root, ou)
	missingOU := "ou-" + strings.TrimPrefix(root, "r-") + "-zzzzzzzz"

	create := func(name, content string) (*otypes.Policy, error) {
		out, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name: aws.String(name), Description: aws.String(name + " policy"), Content: aws.String(content), Type: scpType,
		})
		if err != nil {
			return nil, err
		}
		return out.Policy, nil
	}
	attach := func(p, target string) error {
		_, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(p), TargetId: aws.String(target)})
		return err
	}
	detach := func(p, target string) error {
		_, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(p), TargetId: aws.String(target)})
		return err
	}

	t.Run("NotEnabledYet", func(t *testing.T) {
		if got := rootPolicyTypes(t, c); len(got) != 0 {
			t.Errorf("root policy types %v, want none", got)
		}
		wantOrgErr[*otypes.PolicyTypeNotEnabledException](t, attach(fullAWSAccess, ou), "PolicyTypeNotEnabledException")
		_, err := c.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(root), PolicyType: scpType})
		wantOrgErr[*otypes.PolicyTypeNotEnabledException](t, err, "PolicyTypeNotEnabledException")
		if got := policiesFor(t, c, ou, scpType); len(got) != 0 {
			t.Errorf("SCPs on the OU before enabling: %v", got)
		}
	})

	t.Run("EnableSCP", func(t *testing.T) {
		out, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: scpType})
		must(t, err, "EnablePolicyType")
		if aws.ToString(out.Root.Id) != root {
			t.Errorf("EnablePolicyType returned root %q", aws.ToString(out.Root.Id))
		}
		if got := rootPolicyTypes(t, c); got[scpType] != otypes.PolicyTypeStatusEnabled {
			t.Errorf("root policy types %v, want SCP ENABLED", got)
		}
		_, err = c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: scpType})
		wantOrgErr[*otypes.PolicyTypeAlreadyEnabledException](t, err, "PolicyTypeAlreadyEnabledException")
		_, err = c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String("r-zzzz"), PolicyType: scpType})
		wantOrgErr[*otypes.RootNotFoundException](t, err, "RootNotFoundException")
		_, err = c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: "NOT_A_TYPE"})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonInvalidEnumPolicyType)
	})

	t.Run("FullAWSAccessEverywhere", func(t *testing.T) {
		for _, target := range []string{root, ou, m1, defaultAccountID} {
			if got := policiesFor(t, c, target, scpType); len(got) != 1 || got[0] != fullAWSAccess {
				t.Errorf("SCPs on %s = %v, want [p-FullAWSAccess]", target, got)
			}
		}
		sameIDs(t, "targets of p-FullAWSAccess", targetsFor(t, c, fullAWSAccess), []string{root, ou, m1, defaultAccountID})
		tout, err := c.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(fullAWSAccess)})
		must(t, err, "ListTargetsForPolicy")
		want := map[string]struct {
			typ  otypes.TargetType
			name string
			arn  string
		}{
			root: {otypes.TargetTypeRoot, "Root", "arn:aws:organizations::000000000000:root/" + orgID + "/" + root},
			ou:   {otypes.TargetTypeOrganizationalUnit, "Workloads", "arn:aws:organizations::000000000000:ou/" + orgID + "/" + ou},
			m1:   {otypes.TargetTypeAccount, "m1", "arn:aws:organizations::000000000000:account/" + orgID + "/" + m1},
		}
		for _, s := range tout.Targets {
			w, ok := want[aws.ToString(s.TargetId)]
			if ok && (s.Type != w.typ || aws.ToString(s.Name) != w.name || aws.ToString(s.Arn) != w.arn) {
				t.Errorf("target %s = %s %q %q, want %s %q %q", aws.ToString(s.TargetId), s.Type, aws.ToString(s.Name), aws.ToString(s.Arn), w.typ, w.name, w.arn)
			}
		}
		out, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(fullAWSAccess)})
		must(t, err, "DescribePolicy p-FullAWSAccess")
		s := out.Policy.PolicySummary
		if aws.ToString(s.Name) != "FullAWSAccess" || !s.AwsManaged || s.Type != scpType ||
			aws.ToString(s.Arn) != "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess" {
			t.Errorf("p-FullAWSAccess = %+v", s)
		}
		// New OUs and accounts get it too, invited ones the moment they join.
		ou2 := aws.ToString(createOU(t, c, root, "Later").Id)
		m2 := e.createAccount(t, c, "m2", "pol-m2@example.com")
		inv := e.signUp(t, "invited", "pol-inv@example.com")
		join(t, e.mgmt, inv)
		for _, target := range []string{ou2, m2, inv.ID} {
			if got := policiesFor(t, c, target, scpType); len(got) != 1 || got[0] != fullAWSAccess {
				t.Errorf("SCPs on new target %s = %v, want [p-FullAWSAccess]", target, got)
			}
		}
	})

	var custom *otypes.Policy
	t.Run("CreatePolicy", func(t *testing.T) {
		var err error
		custom, err = create("DenyLeave", denyLeaveSCP)
		must(t, err, "CreatePolicy")
		s := custom.PolicySummary
		id := aws.ToString(s.Id)
		if !rePolicyID.MatchString(id) || s.AwsManaged || s.Type != scpType || aws.ToString(s.Name) != "DenyLeave" ||
			aws.ToString(s.Description) != "DenyLeave policy" || aws.ToString(custom.Content) != denyLeaveSCP {
			t.Errorf("CreatePolicy = %+v", s)
		}
		if want := "arn:aws:organizations::000000000000:policy/" + orgID + "/service_control_policy/" + id; aws.ToString(s.Arn) != want {
			t.Errorf("Arn = %q, want %q", aws.ToString(s.Arn), want)
		}
		var ids []string
		p := organizations.NewListPoliciesPaginator(c, &organizations.ListPoliciesInput{Filter: scpType, MaxResults: aws.Int32(1)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			must(t, err, "ListPolicies")
			for _, s := range out.Policies {
				ids = append(ids, aws.ToString(s.Id))
			}
		}
		sameIDs(t, "ListPolicies SCP", ids, []string{fullAWSAccess, id})
	})
	if custom == nil {
		t.FailNow()
	}
	customID := aws.ToString(custom.PolicySummary.Id)

	t.Run("CreatePolicyErrors", func(t *testing.T) {
		_, err := create("Broken", `{"Version":"2012-10-17","Statement":[`)
		wantOrgErr[*otypes.MalformedPolicyDocumentException](t, err, "MalformedPolicyDocumentException")
		_, err = create("WithPrincipal", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`)
		wantOrgErr[*otypes.MalformedPolicyDocumentException](t, err, "MalformedPolicyDocumentException")
		_, err = create("NoEffect", `{"Version":"2012-10-17","Statement":[{"Action":"*","Resource":"*"}]}`)
		wantOrgErr[*otypes.MalformedPolicyDocumentException](t, err, "MalformedPolicyDocumentException")
		_, err = create("DenyLeave", allowAllSCP)
		wantOrgErr[*otypes.DuplicatePolicyException](t, err, "DuplicatePolicyException")
		big := bigSCP()
		if len(big) <= 5120 {
			t.Fatalf("bigSCP is only %d characters", len(big))
		}
		_, err = create("Big", big)
		wantConstraint(t, err, otypes.ConstraintViolationExceptionReasonPolicyContentLimitExceeded)
	})

	t.Run("DescribeUpdate", func(t *testing.T) {
		out, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(customID)})
		must(t, err, "DescribePolicy")
		if aws.ToString(out.Policy.Content) != denyLeaveSCP || aws.ToString(out.Policy.PolicySummary.Name) != "DenyLeave" {
			t.Errorf("DescribePolicy = %+v", out.Policy)
		}
		up, err := c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{
			PolicyId: aws.String(customID), Name: aws.String("DenyLeaving"), Description: aws.String("updated"),
		})
		must(t, err, "UpdatePolicy")
		if aws.ToString(up.Policy.PolicySummary.Name) != "DenyLeaving" || aws.ToString(up.Policy.PolicySummary.Description) != "updated" ||
			aws.ToString(up.Policy.Content) != denyLeaveSCP {
			t.Errorf("UpdatePolicy = %+v", up.Policy)
		}
		_, err = c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(customID), Content: aws.String(bigSCP())})
		wantConstraint(t, err, otypes.ConstraintViolationExceptionReasonPolicyContentLimitExceeded)
		_, err = c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(customID), Content: aws.String("nope")})
		wantOrgErr[*otypes.MalformedPolicyDocumentException](t, err, "MalformedPolicyDocumentException")
		_, err = c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-doesnotexist")})
		wantOrgErr[*otypes.PolicyNotFoundException](t, err, "PolicyNotFoundException")
		_, err = c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String("p-doesnotexist"), Name: aws.String("x")})
		wantOrgErr[*otypes.PolicyNotFoundException](t, err, "PolicyNotFoundException")
	})

	t.Run("AttachDetach", func(t *testing.T) {
		must(t, attach(customID, ou), "AttachPolicy to the OU")
		must(t, attach(customID, m1), "AttachPolicy to the account")
		sameIDs(t, "SCPs on the OU", policiesFor(t, c, ou, scpType), []string{fullAWSAccess, customID})
		sameIDs(t, "targets of the custom SCP", targetsFor(t, c, customID), []string{ou, m1})
		wantOrgErr[*otypes.DuplicatePolicyAttachmentException](t, attach(customID, ou), "DuplicatePolicyAttachmentException")
		wantOrgErr[*otypes.PolicyNotAttachedException](t, detach(customID, root), "PolicyNotAttachedException")
		wantOrgErr[*otypes.TargetNotFoundException](t, attach(customID, missingOU), "TargetNotFoundException")
		wantOrgErr[*otypes.TargetNotFoundException](t, attach(customID, "123456789012"), "TargetNotFoundException")
		wantOrgErr[*otypes.PolicyNotFoundException](t, attach("p-doesnotexist", ou), "PolicyNotFoundException")
		wantInvalidInput(t, attach(customID, "nonsense"), otypes.InvalidInputExceptionReasonInvalidPatternTargetId)
		// The last SCP of a target can't go.
		must(t, detach(fullAWSAccess, ou), "DetachPolicy p-FullAWSAccess from the OU")
		wantConstraint(t, detach(customID, ou), otypes.ConstraintViolationExceptionReasonMinPolicyTypeAttachmentLimitExceeded)
		wantConstraint(t, detach(fullAWSAccess, root), otypes.ConstraintViolationExceptionReasonMinPolicyTypeAttachmentLimitExceeded)
		must(t, attach(fullAWSAccess, ou), "re-attach p-FullAWSAccess")
	})

	t.Run("AttachmentLimit", func(t *testing.T) {
		// At most 5 SCPs per target: p-FullAWSAccess, the custom one and 3 more.
		var extra []string
		for i := range 4 {
			p, err := create(fmt.Sprintf("Extra%d", i), allowAllSCP)
			must(t, err, "CreatePolicy")
			extra = append(extra, aws.ToString(p.PolicySummary.Id))
		}
		for _, id := range extra[:3] {
			must(t, attach(id, ou), "AttachPolicy "+id)
		}
		wantConstraint(t, attach(extra[3], ou), otypes.ConstraintViolationExceptionReasonMaxPolicyTypeAttachmentLimitExceeded)
		for _, id := range extra[:3] {
			must(t, detach(id, ou), "DetachPolicy "+id)
		}
		for _, id := range extra {
			_, err := c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(id)})
			must(t, err, "DeletePolicy "+id)
		}
	})

	t.Run("OtherPolicyTypeNotEnabled", func(t *testing.T) {
		out, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name: aws.String("Tags"), Description: aws.String("tag policy"), Type: otypes.PolicyTypeTagPolicy,
			Content: aws.String(`{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}`),
		})
		must(t, err, "CreatePolicy TAG_POLICY")
		wantOrgErr[*otypes.PolicyTypeNotEnabledException](t, attach(aws.ToString(out.Policy.PolicySummary.Id), ou), "PolicyTypeNotEnabledException")
	})

	t.Run("Tags", func(t *testing.T) {
		_, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(customID), Tags: []otypes.Tag{
			{Key: aws.String("owner"), Value: aws.String("security")}, {Key: aws.String("tier"), Value: aws.String("1")},
		}})
		must(t, err, "TagResource")
		if got := tagsOf(t, c, customID); len(got) != 2 || got["owner"] != "security" || got["tier"] != "1" {
			t.Errorf("tags = %v", got)
		}
		_, err = c.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(customID), TagKeys: []string{"tier"}})
		must(t, err, "UntagResource")
		if got := tagsOf(t, c, customID); len(got) != 1 || got["owner"] != "security" {
			t.Errorf("tags after untag = %v", got)
		}
		for _, target := range []string{root, ou, m1} {
			_, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(target), Tags: []otypes.Tag{{Key: aws.String("k"), Value: aws.String(target)}}})
			must(t, err, "TagResource "+target)
			if got := tagsOf(t, c, target); got["k"] != target {
				t.Errorf("tags of %s = %v", target, got)
			}
		}
		_, err = c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(missingOU), Tags: []otypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		wantOrgErr[*otypes.TargetNotFoundException](t, err, "TargetNotFoundException")
		_, err = c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(customID), Tags: []otypes.Tag{
			{Key: aws.String("dup"), Value: aws.String("1")}, {Key: aws.String("dup"), Value: aws.String("2")},
		}})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonDuplicateTagKey)
		var many []otypes.Tag
		for i := range 51 {
			many = append(many, otypes.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
		}
		_, err = c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(m1), Tags: many})
		wantConstraint(t, err, otypes.ConstraintViolationExceptionReasonMaxTagLimitExceeded)
	})

	t.Run("DeleteInUse", func(t *testing.T) {
		_, err := c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(customID)})
		wantOrgErr[*otypes.PolicyInUseException](t, err, "PolicyInUseException")
		must(t, detach(customID, ou), "DetachPolicy from the OU")
		must(t, detach(customID, m1), "DetachPolicy from the account")
		if got := targetsFor(t, c, customID); len(got) != 0 {
			t.Errorf("targets after detaching: %v", got)
		}
		_, err = c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(customID)})
		must(t, err, "DeletePolicy")
		_, err = c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(customID)})
		wantOrgErr[*otypes.PolicyNotFoundException](t, err, "PolicyNotFoundException")
		_, err = c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(customID)})
		wantOrgErr[*otypes.PolicyNotFoundException](t, err, "PolicyNotFoundException")
	})

	t.Run("AWSManagedIsImmutable", func(t *testing.T) {
		_, err := c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(fullAWSAccess)})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonImmutablePolicy)
		_, err = c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(fullAWSAccess), Name: aws.String("Mine")})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonImmutablePolicy)
	})

	t.Run("DisableSCP", func(t *testing.T) {
		p, err := create("Leftover", allowAllSCP)
		must(t, err, "CreatePolicy")
		leftover := aws.ToString(p.PolicySummary.Id)
		must(t, attach(leftover, ou), "AttachPolicy")
		_, err = c.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(root), PolicyType: scpType})
		must(t, err, "DisablePolicyType")
		if got := rootPolicyTypes(t, c); len(got) != 0 {
			t.Errorf("root policy types after disabling: %v", got)
		}
		if got := policiesFor(t, c, ou, scpType); len(got) != 0 {
			t.Errorf("SCPs on the OU after disabling: %v", got)
		}
		wantOrgErr[*otypes.PolicyTypeNotEnabledException](t, attach(leftover, ou), "PolicyTypeNotEnabledException")
		// The policy itself survives and can be deleted now.
		_, err = c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(leftover)})
		must(t, err, "DeletePolicy after disabling")
		// Enabling again attaches p-FullAWSAccess everywhere again.
		_, err = c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: scpType})
		must(t, err, "EnablePolicyType again")
		for _, target := range []string{root, ou, m1} {
			if got := policiesFor(t, c, target, scpType); len(got) != 1 || got[0] != fullAWSAccess {
				t.Errorf("SCPs on %s after re-enabling = %v, want [p-FullAWSAccess]", target, got)
			}
		}
	})

	t.Run("OnlyTheManagementAccount", func(t *testing.T) {
		m := e.credentials(t, m1, "pol-m1@example.com")
		_, err := m.Org.CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name: aws.String("x"), Description: aws.String("x"), Content: aws.String(allowAllSCP), Type: scpType,
		})
		wantOrgAccessDenied(t, err)
		_, err = m.Org.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: scpType})
		wantOrgAccessDenied(t, err)
	})
}
