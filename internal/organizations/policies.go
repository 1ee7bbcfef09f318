package organizations

import (
	"context"
	"errors"
	"sort"

	"github.com/accountplane/accountplane/internal/identity"
)

// FullAWSAccessID is the id of the AWS-managed SCP attached by default.
const FullAWSAccessID PolicyID = "p-FullAWSAccess"

// FullAWSAccess is the AWS-managed SCP that allows everything.
var FullAWSAccess = Policy{
	ID: FullAWSAccessID, Type: SCP, Name: "FullAWSAccess", AWSManaged: true,
	Description: "Allows access to every operation",
	Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
}

// RCPFullAWSAccessID is the id of the AWS-managed RCP attached to every
// root, OU and account while RCPs are enabled.
const RCPFullAWSAccessID PolicyID = "p-RCPFullAWSAccess"

// RCPFullAWSAccess is the AWS-managed RCP that allows everything. It
// can't be detached.
var RCPFullAWSAccess = Policy{
	ID: RCPFullAWSAccessID, Type: RCP, Name: "RCPFullAWSAccess", AWSManaged: true,
	Description: "Allows access to every resource",
	Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`,
}

// awsManaged returns the AWS-managed policy with id, if any.
func awsManaged(id PolicyID) (Policy, bool) {
	switch id {
	case FullAWSAccessID:
		return FullAWSAccess, true
	case RCPFullAWSAccessID:
		return RCPFullAWSAccess, true
	}
	return Policy{}, false
}

// defaultPolicy is the AWS-managed policy attached everywhere while type t
// is enabled, if t has one.
func defaultPolicy(t PolicyType) (PolicyID, bool) {
	switch t {
	case SCP:
		return FullAWSAccessID, true
	case RCP:
		return RCPFullAWSAccessID, true
	}
	return "", false
}

// loadPolicy returns a policy visible to org, or PolicyNotFoundException.
func loadPolicy(ctx context.Context, tx Tx, org OrgID, id PolicyID) (*Policy, error) {
	if p, ok := awsManaged(id); ok {
		return &p, nil
	}
	p, err := tx.Policy(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && p.Org != org) {
		return nil, errPolicyNotFound()
	}
	return p, err
}

// attachDefaultPolicies attaches FullAWSAccess (RCPFullAWSAccess) to a new
// target when SCPs (RCPs) are enabled, as AWS does for every root, OU and
// account.
func (s *Service) attachDefaultPolicies(ctx context.Context, tx Tx, org *Organization, target string) error {
	for _, t := range []PolicyType{SCP, RCP} {
		id, _ := defaultPolicy(t)
		if !org.PolicyTypeEnabled(t) {
			continue
		}
		if err := tx.PutAttachment(ctx, &Attachment{Org: org.ID, Policy: id, Target: target, AttachedAt: s.now()}); err != nil {
			return err
		}
	}
	return nil
}

// detachAll removes every policy attachment of target.
func (s *Service) detachAll(ctx context.Context, tx Tx, org OrgID, target string) error {
	atts, err := tx.Attachments(ctx, org)
	if err != nil {
		return err
	}
	for _, a := range atts {
		if a.Target == target {
			if err := tx.DeleteAttachment(ctx, org, a.Policy, a.Target); err != nil {
				return err
			}
		}
	}
	return nil
}

// EnablePolicyType enables t in the root. Enabling SCPs (RCPs) attaches
// FullAWSAccess (RCPFullAWSAccess) to the root, every OU and every
// account.
func (s *Service) EnablePolicyType(ctx context.Context, caller identity.Principal, root RootID, t PolicyType) (*Organization, error) {
	var org *Organization
	err := s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.delegableScope(ctx, tx, caller, ask("EnablePolicyType", string(root)).with(keyPolicyType, string(t)))
		if err != nil {
			return err
		}
		org = sc.org
		if root != org.RootID {
			return errRootNotFound()
		}
		if err := s.beginPolicyTypeChange(ctx, tx, org, t, true); err != nil {
			return err
		}
		if org.FeatureSet != AllFeatures {
			return e("PolicyTypeNotAvailableForOrganizationException", "You can't use policies until the organization has all features enabled.")
		}
		if org.PolicyTypeEnabled(t) {
			return e(CodePolicyTypeAlreadyEnabled, "The specified policy type is already enabled.")
		}
		org.EnabledPolicyTypes = append(org.EnabledPolicyTypes, t)
		if err := tx.PutOrganization(ctx, org); err != nil {
			return err
		}
		id, ok := defaultPolicy(t)
		if !ok {
			return nil
		}
		targets, err := s.allTargets(ctx, tx, org)
		if err != nil {
			return err
		}
		for _, target := range targets {
			if err := tx.PutAttachment(ctx, &Attachment{Org: org.ID, Policy: id, Target: target, AttachedAt: s.now()}); err != nil {
				return err
			}
		}
		return nil
	})
	return org, err
}

// DisablePolicyType disables t in the root and detaches every policy of type t.
func (s *Service) DisablePolicyType(ctx context.Context, caller identity.Principal, root RootID, t PolicyType) (*Organization, error) {
	var org *Organization
	err := s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.delegableScope(ctx, tx, caller, ask("DisablePolicyType", string(root)).with(keyPolicyType, string(t)))
		if err != nil {
			return err
		}
		org = sc.org
		if root != org.RootID {
			return errRootNotFound()
		}
		if err := s.beginPolicyTypeChange(ctx, tx, org, t, false); err != nil {
			return err
		}
		if !org.PolicyTypeEnabled(t) {
			return e(CodePolicyTypeNotEnabled, "This operation can be performed only for enabled policy types.")
		}
		kept := org.EnabledPolicyTypes[:0:0]
		for _, x := range org.EnabledPolicyTypes {
			if x != t {
				kept = append(kept, x)
			}
		}
		org.EnabledPolicyTypes = kept
		if err := tx.PutOrganization(ctx, org); err != nil {
			return err
		}
		atts, err := tx.Attachments(ctx, org.ID)
		if err != nil {
			return err
		}
		for _, a := range atts {
			p, err := loadPolicy(ctx, tx, org.ID, a.Policy)
			if err != nil {
				return err
			}
			if p.Type == t {
				if err := tx.DeleteAttachment(ctx, org.ID, a.Policy, a.Target); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return org, err
}

// allTargets lists the root, every OU and every visible member.
func (s *Service) allTargets(ctx context.Context, tx Tx, org *Organization) ([]string, error) {
	out := []string{string(org.RootID)}
	ous, err := tx.OUs(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	for _, ou := range ous {
		out = append(out, string(ou.ID))
	}
	members, err := tx.Members(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		out = append(out, string(m.Account))
	}
	return out, nil
}

// NewPolicy is the input of CreatePolicy.
type NewPolicy struct {
	Name, Description, Content string
	Type                       PolicyType
	Tags                       []Tag
}

// CreatePolicy creates a customer policy. The management account may, and
// principals the delegation policy grants it. Returns
// MalformedPolicyDocument, DuplicatePolicy, ConstraintViolation
// (POLICY_CONTENT_LIMIT_EXCEEDED, POLICY_NUMBER_LIMIT_EXCEEDED).
func (s *Service) CreatePolicy(ctx context.Context, caller identity.Principal, in NewPolicy) (*Policy, error) {
	suffix, err := randomString(s.opts.Rand, 8)
	if err != nil {
		return nil, err
	}
	var p *Policy
	err = s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.delegableScope(ctx, tx, caller, ask("CreatePolicy").with(keyPolicyType, string(in.Type)).withTags(in.Tags))
		if err != nil {
			return err
		}
		if sc.org.FeatureSet != AllFeatures {
			return e("PolicyTypeNotAvailableForOrganizationException", "You can't use policies until the organization has all features enabled.")
		}
		if err := s.checkContent(in.Type, in.Content); err != nil {
			return err
		}
		if err := s.checkTags(in.Tags); err != nil {
			return err
		}
		existing, err := tx.Policies(ctx, sc.org.ID)
		if err != nil {
			return err
		}
		n := 0
		for _, x := range existing {
			if x.Type != in.Type {
				continue
			}
			n++
			if x.Name == in.Name {
				return e(CodeDuplicatePolicy, "A policy with the same name already exists.")
			}
		}
		if n >= s.maxPolicies(in.Type) {
			return constraint(ReasonPolicyNumberLimitExceeded, "You have reached the maximum number of policies of this type.")
		}
		p = &Policy{ID: PolicyID("p-" + suffix), Org: sc.org.ID, Type: in.Type, Name: in.Name, Description: in.Description, Content: in.Content, UpdatedAt: s.now()}
		if err := tx.PutPolicy(ctx, p); err != nil {
			return err
		}
		if len(in.Tags) > 0 {
			return tx.PutTags(ctx, sc.org.ID, string(p.ID), in.Tags)
		}
		return nil
	})
	return p, err
}

// DescribePolicy returns a policy of the caller's organization or an
// AWS-managed one.
func (s *Service) DescribePolicy(ctx context.Context, caller identity.Principal, id PolicyID) (*Policy, error) {
	var p *Policy
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.readScope(ctx, tx, caller, ask("DescribePolicy", string(id)))
		if err != nil {
			return err
		}
		p, err = loadPolicy(ctx, tx, sc.org.ID, id)
		return err
	})
	return p, err
}

// PolicyUpdate carries UpdatePolicy's optional members (nil: unchanged).
type PolicyUpdate struct {
	Name, Description, Content *string
}

// UpdatePolicy changes a customer policy. AWS-managed ones are immutable.
func (s *Service) UpdatePolicy(ctx context.Context, caller identity.Principal, id PolicyID, u PolicyUpdate) (*Policy, error) {
	var p *Policy
	err := s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.delegableScope(ctx, tx, caller, ask("UpdatePolicy", string(id)))
		if err != nil {
			return err
		}
		p, err = loadPolicy(ctx, tx, sc.org.ID, id)
		if err != nil {
			return err
		}
		if p.AWSManaged {
			return InvalidInput(InputReasonImmutablePolicy, "You can't change an AWS managed policy.")
		}
		p.UpdatedAt = s.now()
		if u.Content != nil {
			if err := s.checkContent(p.Type, *u.Content); err != nil {
				return err
			}
			p.Content = *u.Content
		}
		if u.Description != nil {
			p.Description = *u.Description
		}
		if u.Name != nil && *u.Name != p.Name {
			others, err := tx.Policies(ctx, sc.org.ID)
			if err != nil {
				return err
			}
			for _, x := range others {
				if x.Type == p.Type && x.Name == *u.Name {
					return e(CodeDuplicatePolicy, "A policy with the same name already exists.")
				}
			}
			p.Name = *u.Name
		}
		return tx.PutPolicy(ctx, p)
	})
	return p, err
}

// DeletePolicy deletes a customer policy that is attached nowhere.
func (s *Service) DeletePolicy(ctx context.Context, caller identity.Principal, id PolicyID) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.delegableScope(ctx, tx, caller, ask("DeletePolicy", string(id)))
		if err != nil {
			return err
		}
		p, err := loadPolicy(ctx, tx, sc.org.ID, id)
		if err != nil {
			return err
		}
		if p.AWSManaged {
			return InvalidInput(InputReasonImmutablePolicy, "You can't delete an AWS managed policy.")
		}
		atts, err := tx.Attachments(ctx, sc.org.ID)
		if err != nil {
			return err
		}
		for _, a := range atts {
			if a.Policy == id {
				return e(CodePolicyInUse, "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
			}
		}
		if err := tx.PutTags(ctx, sc.org.ID, string(id), nil); err != nil {
			return err
		}
		return tx.DeletePolicy(ctx, id)
	})
}

// ListPolicies lists the policies of type t (AWS-managed included).
func (s *Service) ListPolicies(ctx context.Context, caller identity.Principal, t PolicyType) ([]Policy, error) {
	var out []Policy
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.readScope(ctx, tx, caller, ask("ListPolicies").with(keyPolicyType, string(t)))
		if err != nil {
			return err
		}
		out, err = s.policiesOfType(ctx, tx, sc.org.ID, t)
		return err
	})
	return out, err
}

func (s *Service) policiesOfType(ctx context.Context, tx Tx, org OrgID, t PolicyType) ([]Policy, error) {
	var out []Policy
	if id, ok := defaultPolicy(t); ok {
		p, _ := awsManaged(id)
		out = append(out, p)
	}
	all, err := tx.Policies(ctx, org)
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if p.Type == t {
			out = append(out, p)
		}
	}
	return out, nil
}

// TargetType is ROOT, ORGANIZATIONAL_UNIT or ACCOUNT.
type TargetType string

// Target types.
const (
	TargetRoot    TargetType = "ROOT"
	TargetOU      TargetType = "ORGANIZATIONAL_UNIT"
	TargetAccount TargetType = "ACCOUNT"
)

// Target is a root, OU or account a policy can be attached to.
type Target struct {
	ID   string
	Type TargetType
	Name string
}

// resolveTarget finds a root, OU or visible member of org by id.
func (s *Service) resolveTarget(ctx context.Context, tx Tx, org *Organization, id string) (*Target, error) {
	switch {
	case id == string(org.RootID):
		return &Target{ID: id, Type: TargetRoot, Name: "Root"}, nil
	case IsOUID(id):
		ou, err := tx.OU(ctx, OUID(id))
		if errors.Is(err, ErrNotFound) || (err == nil && ou.Org != org.ID) {
			return nil, errTargetNotFound()
		} else if err != nil {
			return nil, err
		}
		return &Target{ID: id, Type: TargetOU, Name: ou.Name}, nil
	case identity.IsAccountID(id):
		m, ok, err := s.visibleMember(ctx, tx, identity.AccountID(id), org.ID)
		if err != nil {
			return nil, err
		} else if !ok {
			return nil, errTargetNotFound()
		}
		a, err := tx.Account(ctx, m.Account)
		if err != nil {
			return nil, err
		}
		return &Target{ID: id, Type: TargetAccount, Name: a.Name}, nil
	}
	return nil, errTargetNotFound()
}

// AttachPolicy attaches a policy to a root, OU or account.
func (s *Service) AttachPolicy(ctx context.Context, caller identity.Principal, id PolicyID, target string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.delegableScope(ctx, tx, caller, ask("AttachPolicy", string(id), target))
		if err != nil {
			return err
		}
		p, err := loadPolicy(ctx, tx, sc.org.ID, id)
		if err != nil {
			return err
		}
		if _, err := s.resolveTarget(ctx, tx, sc.org, target); err != nil {
			return err
		}
		if !sc.org.PolicyTypeEnabled(p.Type) {
			return e(CodePolicyTypeNotEnabled, "This operation can be performed only for enabled policy types.")
		}
		atts, err := s.attachmentsOf(ctx, tx, sc.org.ID, target, p.Type)
		if err != nil {
			return err
		}
		n := 0
		for _, a := range atts {
			if a.Policy == id {
				return e(CodeDuplicatePolicyAttachment, "The selected policy is already attached to the specified target.")
			}
			n++
		}
		if n >= s.maxPerTarget(p.Type) {
			return constraint(ReasonMaxPolicyTypeAttachmentLimitExceeded, "You have attached the maximum number of policies of this type to the target.")
		}
		return tx.PutAttachment(ctx, &Attachment{Org: sc.org.ID, Policy: id, Target: target, AttachedAt: s.now()})
	})
}

// attachmentsOf lists the attachments of policies of type t to target.
func (s *Service) attachmentsOf(ctx context.Context, tx Tx, org OrgID, target string, t PolicyType) ([]Attachment, error) {
	atts, err := tx.Attachments(ctx, org)
	if err != nil {
		return nil, err
	}
	var out []Attachment
	for _, a := range atts {
		if a.Target != target {
			continue
		}
		p, err := loadPolicy(ctx, tx, org, a.Policy)
		if err != nil {
			return nil, err
		}
		if p.Type == t {
			out = append(out, a)
		}
	}
	return out, nil
}

// DetachPolicy detaches a policy. The last SCP of a target can't be
// detached while SCPs are enabled (ConstraintViolationException
// MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED), and RCPFullAWSAccess can't
// be detached at all (InvalidInputException NON_DETACHABLE_POLICY).
func (s *Service) DetachPolicy(ctx context.Context, caller identity.Principal, id PolicyID, target string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.delegableScope(ctx, tx, caller, ask("DetachPolicy", string(id), target))
		if err != nil {
			return err
		}
		p, err := loadPolicy(ctx, tx, sc.org.ID, id)
		if err != nil {
			return err
		}
		if id == RCPFullAWSAccessID {
			return InvalidInput(InputReasonNonDetachablePolicy, "You can't detach this AWS Managed Policy.")
		}
		if _, err := s.resolveTarget(ctx, tx, sc.org, target); err != nil {
			return err
		}
		atts, err := s.attachmentsOf(ctx, tx, sc.org.ID, target, p.Type)
		if err != nil {
			return err
		}
		found := false
		for _, a := range atts {
			found = found || a.Policy == id
		}
		if !found {
			return e(CodePolicyNotAttached, "The policy isn't attached to the specified target.")
		}
		if p.Type == SCP && len(atts) == 1 {
			return constraint(ReasonMinPolicyTypeAttachmentLimitExceeded, "You can't detach the last service control policy from a target.")
		}
		return tx.DeleteAttachment(ctx, sc.org.ID, id, target)
	})
}

// ListPoliciesForTarget lists the policies of type t attached to target.
func (s *Service) ListPoliciesForTarget(ctx context.Context, caller identity.Principal, target string, t PolicyType) ([]Policy, error) {
	var out []Policy
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.readScope(ctx, tx, caller, ask("ListPoliciesForTarget", target).with(keyPolicyType, string(t)))
		if err != nil {
			return err
		}
		if _, err := s.resolveTarget(ctx, tx, sc.org, target); err != nil {
			return err
		}
		atts, err := s.attachmentsOf(ctx, tx, sc.org.ID, target, t)
		if err != nil {
			return err
		}
		for _, a := range atts {
			p, err := loadPolicy(ctx, tx, sc.org.ID, a.Policy)
			if err != nil {
				return err
			}
			out = append(out, *p)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		return nil
	})
	return out, err
}

// ListTargetsForPolicy lists the targets a policy is attached to.
func (s *Service) ListTargetsForPolicy(ctx context.Context, caller identity.Principal, id PolicyID) ([]Target, error) {
	var out []Target
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.readScope(ctx, tx, caller, ask("ListTargetsForPolicy", string(id)))
		if err != nil {
			return err
		}
		if _, err := loadPolicy(ctx, tx, sc.org.ID, id); err != nil {
			return err
		}
		atts, err := tx.Attachments(ctx, sc.org.ID)
		if err != nil {
			return err
		}
		for _, a := range atts {
			if a.Policy != id {
				continue
			}
			t, err := s.resolveTarget(ctx, tx, sc.org, a.Target)
			if errors.Is(err, ErrNoTarget) {
				continue // a member that has left or closed
			} else if err != nil {
				return err
			}
			out = append(out, *t)
		}
		return nil
	})
	return out, err
}

// EffectiveSCPs returns, for account id, the SCP documents that apply at
// every level from the root down to the account (one list per level), and
// whether the account is the management account (SCPs do not apply). ok is
// false if the account is in no organization or SCPs are not enabled.
func (s *Service) EffectiveSCPs(ctx context.Context, id identity.AccountID) (levels [][]Policy, management, ok bool, err error) {
	return s.authorizationLevels(ctx, id, SCP)
}

// EffectiveRCPs returns, for account id, the RCP documents that apply to
// its resources at every level from the root down to the account, and
// whether the account is the management account (whose resources RCPs do
// not affect). ok is false if the account is in no organization or RCPs
// are not enabled.
func (s *Service) EffectiveRCPs(ctx context.Context, id identity.AccountID) (levels [][]Policy, management, ok bool, err error) {
	return s.authorizationLevels(ctx, id, RCP)
}

func (s *Service) authorizationLevels(ctx context.Context, id identity.AccountID, t PolicyType) (levels [][]Policy, management, ok bool, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		sc, err := s.orgOf(ctx, tx, id)
		if errors.Is(err, ErrNoOrganization) {
			return nil
		} else if err != nil {
			return err
		}
		if !sc.org.PolicyTypeEnabled(t) {
			return nil
		}
		ok, management = true, sc.isManagement(id)
		chain, err := s.chainOf(ctx, tx, sc.org, sc.member)
		if err != nil {
			return err
		}
		for _, target := range chain {
			level := []Policy{}
			atts, err := s.attachmentsOf(ctx, tx, sc.org.ID, target, t)
			if err != nil {
				return err
			}
			for _, a := range atts {
				p, err := loadPolicy(ctx, tx, sc.org.ID, a.Policy)
				if err != nil {
					return err
				}
				level = append(level, *p)
			}
			levels = append(levels, level)
		}
		return nil
	})
	return levels, management, ok, err
}
