package organizations

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
)

// Effective management policies
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_mgmt.html).
//
// The policies of one type that apply to an account are merged top-down:
// the root's, then each OU's on the path, then the account's own. Choices
// where AWS's pages do not pin the behaviour:
//
//   - Several policies attached at one level are applied one after the
//     other in the order of their policy ids.
//   - @@operators_allowed_for_child_policies restricts the policies of the
//     levels below the one whose policy says it (not the other policies of
//     its own level); several at one level restrict together (the
//     intersection), and a restriction is never lifted below.
//   - A value-setting operator that a restriction forbids is ignored and
//     reported as a validation error (code OPERATOR_NOT_ALLOWED), as is an
//     @@append or @@remove whose inherited value is not a list (code
//     OPERATOR_NOT_APPLICABLE); the account then has an invalid effective
//     policy.
//   - @@append adds the values the list does not hold yet, in order;
//     @@remove of values that are not there does nothing; a setting whose
//     values are all removed stays, as an empty list.
//   - The effective policy is the merged document with the operators
//     resolved: settings keep the order in which the policies first name
//     them, leaves are plain values, objects left without a value are
//     dropped, and it is written as compact JSON.

// EffectivePolicy is the merged management policy of one type for an
// account.
type EffectivePolicy struct {
	Target  identity.AccountID
	Type    PolicyType
	Content string
	// LastUpdated is the latest change of what went into it: the last
	// update of a contributing policy or the last attachment of one.
	LastUpdated time.Time
}

// Validation error codes of effective policies (ours: AWS's catalogue is
// not published).
const (
	// ValidationOperatorNotAllowed: a policy uses a value-setting operator
	// that a policy above it forbids.
	ValidationOperatorNotAllowed = "OPERATOR_NOT_ALLOWED"
	// ValidationOperatorNotApplicable: @@append or @@remove of an
	// inherited value that is not a list.
	ValidationOperatorNotApplicable = "OPERATOR_NOT_APPLICABLE"
	// ValidationMalformedPolicy: a stored policy that does not follow its
	// type's syntax (one created before accountplane checked it); it is
	// left out of the merge.
	ValidationMalformedPolicy = "MALFORMED_POLICY_DOCUMENT"
)

// PolicyValidationError is one problem found while merging an account's
// effective policy.
type PolicyValidationError struct {
	Code    string
	Message string
	// Path is where in the effective policy, as /key/key/... .
	Path string
	// Policies are the contributing policies: the one whose operator was
	// ignored first, then those that forbade it.
	Policies []PolicyID
}

// ValidationReport is ListEffectivePolicyValidationErrors' answer.
type ValidationReport struct {
	Account identity.AccountID
	Type    PolicyType
	// Path is the account's path: o-…/r-…/ou-…/ACCOUNT/.
	Path        string
	EvaluatedAt time.Time
	Errors      []PolicyValidationError
}

// enode is one object of an effective policy while it is merged.
type enode struct {
	keys     []string
	children map[string]*enode
	set      bool // a value-setting operator gave it a value
	value    any
	// locked holds the operators the levels below may use here and below
	// (nil: all), from the child control operators of the levels merged
	// so far; lockedBy names the policies that restricted it.
	locked   opSet
	lockedBy []PolicyID
	// pending is the restriction of the level being merged.
	pending   opSet
	pendingBy []PolicyID
}

func newEnode() *enode { return &enode{children: map[string]*enode{}} }

func (n *enode) child(k string) *enode {
	c, ok := n.children[k]
	if !ok {
		c = newEnode()
		n.children[k] = c
		n.keys = append(n.keys, k)
	}
	return c
}

// levelPolicy is a parsed policy attached at one level.
type levelPolicy struct {
	id   PolicyID
	node *mnode
}

// merge merges the policies of each level, root first, into an effective
// policy and reports what it had to ignore.
func merge(levels [][]levelPolicy) (*enode, []PolicyValidationError) {
	root := newEnode()
	var errs []PolicyValidationError
	for _, level := range levels {
		for _, p := range level {
			apply(p.node, root, nil, nil, "", p.id, &errs)
		}
		root.commit()
	}
	return root, errs
}

// apply merges policy node pn into en. allowed is the restriction
// inherited from en's ancestors (nil: none) and by the policies behind it.
func apply(pn *mnode, en *enode, allowed opSet, by []PolicyID, path string, id PolicyID, errs *[]PolicyValidationError) {
	if en.locked != nil {
		if allowed == nil {
			allowed = en.locked
		} else {
			allowed = allowed.intersect(en.locked)
		}
		by = appendIDs(by, en.lockedBy...)
	}
	where := path
	if where == "" {
		where = "/"
	}
	if pn.op != "" {
		if allowed != nil && !allowed[pn.op] {
			*errs = append(*errs, PolicyValidationError{
				Code:     ValidationOperatorNotAllowed,
				Message:  fmt.Sprintf("The operator %s at %s isn't allowed: a parent policy limits the operators of child policies with %s.", pn.op, where, opChildren),
				Path:     where,
				Policies: appendIDs([]PolicyID{id}, by...),
			})
		} else if !en.setValue(pn.op, pn.value) {
			*errs = append(*errs, PolicyValidationError{
				Code:     ValidationOperatorNotApplicable,
				Message:  fmt.Sprintf("The operator %s at %s needs an inherited list of values.", pn.op, where),
				Path:     where,
				Policies: []PolicyID{id},
			})
		}
	}
	if pn.allowed != nil {
		if en.pending == nil {
			en.pending = allOps()
		}
		en.pending = en.pending.intersect(pn.allowed)
		en.pendingBy = appendIDs(en.pendingBy, id)
	}
	for _, k := range pn.keys {
		if en.set {
			// Settings below a value replace it.
			en.set, en.value = false, nil
		}
		apply(pn.children[k], en.child(k), allowed, by, path+"/"+k, id, errs)
	}
}

// setValue applies a value-setting operator; false if it does not apply
// to the inherited value.
func (n *enode) setValue(op string, v any) bool {
	list, isList := v.([]any)
	switch op {
	case opAssign:
		if isList {
			v = slices.Clone(list)
		}
		n.set, n.value = true, v
		return true
	case opAppend:
		if !n.set {
			n.set, n.value = true, appendNew(nil, list)
			return true
		}
		cur, ok := n.value.([]any)
		if !ok {
			return false
		}
		n.value = appendNew(cur, list)
		return true
	case opRemove:
		if !n.set {
			return true
		}
		cur, ok := n.value.([]any)
		if !ok {
			return false
		}
		drop := map[string]bool{}
		for _, x := range list {
			drop[scalarKey(x)] = true
		}
		kept := []any{}
		for _, x := range cur {
			if !drop[scalarKey(x)] {
				kept = append(kept, x)
			}
		}
		n.value = kept
		return true
	}
	return false
}

// appendNew returns cur followed by the values of add it does not hold.
func appendNew(cur, add []any) []any {
	out := append([]any{}, cur...)
	seen := map[string]bool{}
	for _, x := range out {
		seen[scalarKey(x)] = true
	}
	for _, x := range add {
		if k := scalarKey(x); !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}

// commit makes the restrictions of the level just merged bind the levels
// below.
func (n *enode) commit() {
	if n.pending != nil {
		if n.locked == nil {
			n.locked = n.pending
		} else {
			n.locked = n.locked.intersect(n.pending)
		}
		n.lockedBy = appendIDs(n.lockedBy, n.pendingBy...)
		n.pending, n.pendingBy = nil, nil
	}
	for _, c := range n.children {
		c.commit()
	}
}

// render returns the effective document of n; ok is false when n holds no
// value.
func (n *enode) render() (any, bool) {
	if n.set {
		return n.value, true
	}
	m := &omap{vals: map[string]any{}}
	for _, k := range n.keys {
		if v, ok := n.children[k].render(); ok {
			m.keys = append(m.keys, k)
			m.vals[k] = v
		}
	}
	if len(m.keys) == 0 {
		return nil, false
	}
	return m, true
}

// document is the effective policy as compact JSON.
func (n *enode) document() string {
	v, ok := n.render()
	if !ok {
		return "{}"
	}
	var b bytes.Buffer
	encodeOrdered(&b, v)
	return b.String()
}

func appendIDs(to []PolicyID, ids ...PolicyID) []PolicyID {
	for _, id := range ids {
		if !slices.Contains(to, id) {
			to = append(to, id)
		}
	}
	return to
}

// chainOf returns the targets from the root down to member m: the root,
// each OU on its path, the account.
func (s *Service) chainOf(ctx context.Context, tx Tx, org *Organization, m *Member) ([]string, error) {
	chain := []string{string(m.Account)}
	for p := m.Parent; ; {
		chain = append(chain, p)
		if p == string(org.RootID) {
			break
		}
		ou, err := tx.OU(ctx, OUID(p))
		if err != nil {
			return nil, fmt.Errorf("load OU %s: %w", p, err)
		}
		p = ou.Parent
	}
	slices.Reverse(chain)
	return chain, nil
}

// effectiveOf merges the policies of type t that apply to member m. found
// is false when none applies.
func (s *Service) effectiveOf(ctx context.Context, tx Tx, org *Organization, m *Member, t PolicyType) (eff *EffectivePolicy, errs []PolicyValidationError, found bool, err error) {
	chain, err := s.chainOf(ctx, tx, org, m)
	if err != nil {
		return nil, nil, false, err
	}
	var last time.Time
	var levels [][]levelPolicy
	var bad []PolicyValidationError
	for _, target := range chain {
		atts, err := s.attachmentsOf(ctx, tx, org.ID, target, t)
		if err != nil {
			return nil, nil, false, err
		}
		sort.Slice(atts, func(i, j int) bool { return atts[i].Policy < atts[j].Policy })
		var level []levelPolicy
		for _, a := range atts {
			p, err := loadPolicy(ctx, tx, org.ID, a.Policy)
			if err != nil {
				return nil, nil, false, err
			}
			found = true
			last = latest(last, p.UpdatedAt, a.AttachedAt)
			n, err := parseManagement(t, p.Content)
			if err != nil {
				msg := "The policy does not follow the syntax of its type."
				if ae, ok := err.(*apierr.Error); ok {
					msg = ae.Message
				}
				bad = append(bad, PolicyValidationError{Code: ValidationMalformedPolicy, Message: msg, Path: "/", Policies: []PolicyID{p.ID}})
				continue
			}
			level = append(level, levelPolicy{id: p.ID, node: n})
		}
		levels = append(levels, level)
	}
	if !found {
		return nil, nil, false, nil
	}
	root, errs := merge(levels)
	errs = append(bad, errs...)
	return &EffectivePolicy{Target: m.Account, Type: t, Content: root.document(), LastUpdated: last}, errs, true, nil
}

func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

func errEffectivePolicyNotFound() error {
	return e(CodeEffectivePolicyNotFound, "No effective policy of this type applies to the account: the policy type isn't enabled, or no policy of this type is attached to the account or above it.")
}

func errNotManagementType(t PolicyType) error {
	return InvalidInput(InputReasonInvalidEnumPolicyType, "Effective policies exist only for management policy types, not for "+string(t)+".")
}

// DescribeEffectivePolicy returns the effective policy of type t for
// account target ("" = the caller's account). Any account of the
// organization may ask about itself; the management account, and accounts
// the delegation policy grants organizations:DescribeEffectivePolicy on
// the target, about any account. Returns InvalidInputException for an
// authorization policy type (INVALID_ENUM_POLICY_TYPE) or a root or OU
// target (TARGET_NOT_SUPPORTED), AccessDeniedException,
// TargetNotFoundException, and EffectivePolicyNotFoundException when the
// type is not enabled or no policy of it applies.
func (s *Service) DescribeEffectivePolicy(ctx context.Context, caller identity.Principal, t PolicyType, target string) (*EffectivePolicy, error) {
	var out *EffectivePolicy
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.orgOf(ctx, tx, caller.Account)
		if err != nil {
			return err
		}
		if !t.Management() {
			return errNotManagementType(t)
		}
		acct := caller.Account
		if target != "" {
			if IsRootID(target) || IsOUID(target) {
				return InvalidInput(InputReasonTargetNotSupported, "You can view the effective policy of an account only, not of a root or an organizational unit (OU).")
			}
			acct = identity.AccountID(target)
		}
		if acct != caller.Account && !sc.isManagement(caller.Account) {
			ok, err := s.delegated(ctx, tx, sc, caller, ask("DescribeEffectivePolicy", string(acct)).with(keyPolicyType, string(t)))
			if err != nil {
				return err
			}
			if !ok {
				return errNotManagement()
			}
		}
		m, err := s.memberOf(ctx, tx, sc, acct)
		if errors.Is(err, ErrNoMember) {
			return errTargetNotFound()
		} else if err != nil {
			return err
		}
		if !sc.org.PolicyTypeEnabled(t) {
			return errEffectivePolicyNotFound()
		}
		eff, _, found, err := s.effectiveOf(ctx, tx, sc.org, m, t)
		if err != nil {
			return err
		}
		if !found {
			return errEffectivePolicyNotFound()
		}
		out = eff
		return nil
	})
	return out, err
}

// ListAccountsWithInvalidEffectivePolicy lists the accounts whose
// effective policy of type t has validation errors, by account id. For the
// management account and delegated administrators. Returns
// EffectivePolicyNotFoundException when the type is not enabled.
func (s *Service) ListAccountsWithInvalidEffectivePolicy(ctx context.Context, caller identity.Principal, t PolicyType) ([]AccountView, error) {
	var out []AccountView
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.readScope(ctx, tx, caller, ask("ListAccountsWithInvalidEffectivePolicy").with(keyPolicyType, string(t)))
		if err != nil {
			return err
		}
		if !t.Management() {
			return errNotManagementType(t)
		}
		if !sc.org.PolicyTypeEnabled(t) {
			return errEffectivePolicyNotFound()
		}
		members, err := s.visibleMembers(ctx, tx, sc.org.ID)
		if err != nil {
			return err
		}
		for i := range members {
			_, errs, _, err := s.effectiveOf(ctx, tx, sc.org, &members[i], t)
			if err != nil {
				return err
			}
			if len(errs) == 0 {
				continue
			}
			v, err := s.view(ctx, tx, sc.org, &members[i])
			if err != nil {
				return err
			}
			out = append(out, *v)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Account.ID < out[j].Account.ID })
		return nil
	})
	return out, err
}

// ListEffectivePolicyValidationErrors reports the validation errors of
// account id's effective policy of type t (none when no policy applies).
// For the management account and delegated administrators. Returns
// AccountNotFoundException and EffectivePolicyNotFoundException (the type
// is not enabled).
func (s *Service) ListEffectivePolicyValidationErrors(ctx context.Context, caller identity.Principal, id identity.AccountID, t PolicyType) (*ValidationReport, error) {
	var out *ValidationReport
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.readScope(ctx, tx, caller, ask("ListEffectivePolicyValidationErrors", string(id)).with(keyPolicyType, string(t)))
		if err != nil {
			return err
		}
		if !t.Management() {
			return errNotManagementType(t)
		}
		m, err := s.memberOf(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if !sc.org.PolicyTypeEnabled(t) {
			return errEffectivePolicyNotFound()
		}
		_, errs, _, err := s.effectiveOf(ctx, tx, sc.org, m, t)
		if err != nil {
			return err
		}
		v, err := s.view(ctx, tx, sc.org, m)
		if err != nil {
			return err
		}
		out = &ValidationReport{Account: id, Type: t, Path: v.Path, EvaluatedAt: s.now(), Errors: errs}
		return nil
	})
	return out, err
}
