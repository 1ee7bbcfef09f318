package organizations

import (
	"context"
	"time"
)

// Policy types are enabled and disabled in the background in AWS: the root
// lists the type as PENDING_ENABLE or PENDING_DISABLE for a while, and
// another EnablePolicyType or DisablePolicyType of that type meanwhile is
// refused with PolicyChangesInProgressException. Here the change takes
// Options.PolicyTypeDelay on the domain clock; the type's attachments
// change at once (policies of a type being enabled can be attached).

// CodePolicyChangesInProgress is the exception of a policy type change
// (or an effective policy read) while a change of the type is pending.
const CodePolicyChangesInProgress = "PolicyChangesInProgressException"

// Policy type statuses in a root (PolicyTypeStatus).
const (
	PolicyTypeEnabled        = "ENABLED"
	PolicyTypePendingEnable  = "PENDING_ENABLE"
	PolicyTypePendingDisable = "PENDING_DISABLE"
)

// PolicyTypeChange is the latest enabling or disabling of a policy type in
// an organization's root, pending until DueAt.
type PolicyTypeChange struct {
	Org    OrgID
	Type   PolicyType
	Enable bool
	DueAt  time.Time
}

// Status is the type's status while the change is pending.
func (c *PolicyTypeChange) Status() string {
	if c.Enable {
		return PolicyTypePendingEnable
	}
	return PolicyTypePendingDisable
}

// PolicyTypeChangeTx holds the pending policy type changes.
type PolicyTypeChangeTx interface {
	// PolicyTypeChanges lists the organization's changes, by type.
	PolicyTypeChanges(ctx context.Context, org OrgID) ([]PolicyTypeChange, error)
	// PutPolicyTypeChange records c, replacing the change of its type.
	PutPolicyTypeChange(ctx context.Context, c *PolicyTypeChange) error
}

// PolicyTypeStatus is the status of policy type t in the root: ENABLED,
// PENDING_ENABLE or PENDING_DISABLE, or "" when t is neither enabled nor
// being disabled.
func (o *Organization) PolicyTypeStatus(t PolicyType) string {
	for i := range o.PendingPolicyTypes {
		if c := &o.PendingPolicyTypes[i]; c.Type == t {
			return c.Status()
		}
	}
	if o.PolicyTypeEnabled(t) {
		return PolicyTypeEnabled
	}
	return ""
}

// PolicyTypeDisabling lists the types being disabled, which the root still
// lists (as PENDING_DISABLE).
func (o *Organization) PolicyTypeDisabling() []PolicyType {
	var out []PolicyType
	for _, c := range o.PendingPolicyTypes {
		if !c.Enable {
			out = append(out, c.Type)
		}
	}
	return out
}

// PolicyTypePending reports whether a change of t is in progress; callers
// that read effective policies answer [ErrPolicyChangesInProgress] then.
func (o *Organization) PolicyTypePending(t PolicyType) bool {
	for _, c := range o.PendingPolicyTypes {
		if c.Type == t {
			return true
		}
	}
	return false
}

// ErrPolicyChangesInProgress returns PolicyChangesInProgressException.
func ErrPolicyChangesInProgress() error {
	return e(CodePolicyChangesInProgress, "Changes to the effective policy are in progress, and its contents can't be returned. Try the operation again later.")
}

// fillPolicyTypeChanges sets o.PendingPolicyTypes to the changes still
// pending at now.
func (s *Service) fillPolicyTypeChanges(ctx context.Context, tx Tx, o *Organization) error {
	all, err := tx.PolicyTypeChanges(ctx, o.ID)
	if err != nil {
		return err
	}
	now := s.now()
	o.PendingPolicyTypes = nil
	for _, c := range all {
		if now.Before(c.DueAt) {
			o.PendingPolicyTypes = append(o.PendingPolicyTypes, c)
		}
	}
	return nil
}

// beginPolicyTypeChange starts enabling (enable) or disabling policy type
// t in org's root, which the caller then changes in the same transaction:
// PolicyChangesInProgressException while an earlier change of t is
// pending. With a zero PolicyTypeDelay nothing is ever pending.
func (s *Service) beginPolicyTypeChange(ctx context.Context, tx Tx, org *Organization, t PolicyType, enable bool) error {
	if org.PolicyTypePending(t) {
		return errf(CodePolicyChangesInProgress, "The policy type %s is being enabled or disabled in the root. Try the operation again later.", t)
	}
	if s.opts.PolicyTypeDelay <= 0 {
		return nil
	}
	c := PolicyTypeChange{Org: org.ID, Type: t, Enable: enable, DueAt: s.now().Add(s.opts.PolicyTypeDelay)}
	if err := tx.PutPolicyTypeChange(ctx, &c); err != nil {
		return err
	}
	org.PendingPolicyTypes = append(org.PendingPolicyTypes, c)
	return nil
}
