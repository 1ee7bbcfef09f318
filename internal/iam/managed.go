package iam

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/accountplane/accountplane/internal/identity"
)

// CreatePolicyInput is what CreatePolicy takes.
type CreatePolicyInput struct {
	Name        string
	Path        string // "" means "/"
	Document    string
	Description string
	Tags        []Tag
}

// PolicyInfo is a managed policy with its usage in the caller's account.
type PolicyInfo struct {
	ManagedPolicy
	AWSManaged bool
	// AttachmentCount counts the users, groups and roles it is attached to.
	AttachmentCount int
	// BoundaryUsageCount counts the users and roles it bounds.
	BoundaryUsageCount int
}

// Policy scopes of ListPolicies.
const (
	ScopeAll   = "All"
	ScopeAWS   = "AWS"
	ScopeLocal = "Local"
)

// Usage filters of ListPolicies.
const (
	UsagePermissionsPolicy   = "PermissionsPolicy"
	UsagePermissionsBoundary = "PermissionsBoundary"
)

// ListPoliciesInput filters ListPolicies.
type ListPoliciesInput struct {
	Scope        string // ScopeAll ("" too), ScopeAWS or ScopeLocal
	OnlyAttached bool
	PathPrefix   string
	UsageFilter  string // "", UsagePermissionsPolicy or UsagePermissionsBoundary
}

// checkManagedDocument checks the size quota and grammar of a managed
// policy document.
func checkManagedDocument(doc string) error {
	if policySize(doc) > QuotaPolicySize {
		return limitExceeded("Cannot exceed quota for PolicySize: %d", QuotaPolicySize)
	}
	_, err := parseIdentity(doc)
	return err
}

// CreatePolicy creates a customer managed policy with version v1 as its
// default. Returns EntityAlreadyExists (names are unique per account
// whatever the path), MalformedPolicyDocument, LimitExceeded and
// InvalidInput.
func (s *Service) CreatePolicy(ctx context.Context, acct identity.AccountID, in CreatePolicyInput) (*PolicyInfo, error) {
	if err := checkManagedDocument(in.Document); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	id, err := s.newID("ANPA")
	if err != nil {
		return nil, err
	}
	now := s.Now()
	path := orRoot(in.Path)
	p := &ManagedPolicy{
		Account: acct, Name: in.Name, Path: path, ID: id, ARN: PolicyARN(acct, path, in.Name),
		Description: in.Description, DefaultVersion: "v1", CreatedAt: now, UpdatedAt: now,
		Versions: []PolicyVersion{{ID: "v1", Document: in.Document, CreatedAt: now}}, Tags: in.Tags,
	}
	err = s.update(ctx, func(tx Tx) error {
		all, err := tx.ManagedPolicies(ctx, acct)
		if err != nil {
			return err
		}
		for _, q := range all {
			if sameName(q.Name, in.Name) {
				return alreadyExists("A policy called %s already exists. Duplicate names are not allowed.", in.Name)
			}
		}
		if len(all) >= QuotaPolicies {
			return limitExceeded("Cannot exceed quota for PoliciesPerAccount: %d", QuotaPolicies)
		}
		return tx.PutManagedPolicy(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return &PolicyInfo{ManagedPolicy: *p}, nil
}

// checkPolicyARN returns InvalidInput unless arn has the shape of a
// managed policy ARN.
func checkPolicyARN(arn string) error {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if ok {
		acct, res, found := strings.Cut(rest, ":")
		name, isPolicy := strings.CutPrefix(res, "policy/")
		if found && isPolicy && (acct == "aws" || identity.IsAccountID(acct)) && name != "" && !strings.HasSuffix(name, "/") {
			return nil
		}
	}
	return invalidInput("ARN %s is not valid.", arn)
}

// findPolicy returns the managed policy arn as seen from acct: an AWS
// managed policy or one of acct's customer managed policies. It returns
// nil (and no error) if there is none; InvalidInput for a malformed ARN.
func findPolicy(ctx context.Context, tx Tx, acct identity.AccountID, arn string) (*ManagedPolicy, error) {
	if err := checkPolicyARN(arn); err != nil {
		return nil, err
	}
	if IsAWSManaged(arn) {
		p, _ := AWSManagedPolicy(arn)
		return p, nil
	}
	if !strings.HasPrefix(arn, "arn:aws:iam::"+string(acct)+":") {
		return nil, nil
	}
	p, err := tx.ManagedPolicy(ctx, arn)
	if notFound(err) {
		return nil, nil
	}
	return p, err
}

// getPolicy is findPolicy that reports absence as NoSuchEntity.
func getPolicy(ctx context.Context, tx Tx, acct identity.AccountID, arn string) (*ManagedPolicy, error) {
	p, err := findPolicy(ctx, tx, acct, arn)
	if err == nil && p == nil {
		return nil, noSuchEntity("Policy %s was not found.", arn)
	}
	return p, err
}

// customerPolicy is getPolicy for changes: AWS managed policies cannot be
// changed.
func customerPolicy(ctx context.Context, tx Tx, acct identity.AccountID, arn string) (*ManagedPolicy, error) {
	p, err := getPolicy(ctx, tx, acct, arn)
	if err == nil && p.Account == "" {
		return nil, accessDenied("Policy " + arn + " is an AWS managed policy and cannot be modified.")
	}
	return p, err
}

// attachablePolicy is findPolicy for attachments and boundaries.
func attachablePolicy(ctx context.Context, tx Tx, acct identity.AccountID, arn string) (*ManagedPolicy, error) {
	p, err := findPolicy(ctx, tx, acct, arn)
	if err == nil && p == nil {
		return nil, noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	return p, err
}

func (s *Service) boundaryPolicy(ctx context.Context, tx Tx, acct identity.AccountID, arn string) (*ManagedPolicy, error) {
	return attachablePolicy(ctx, tx, acct, arn)
}

// boundaryUsage counts, per policy ARN, the users and roles of acct it
// bounds.
func boundaryUsage(ctx context.Context, tx Tx, acct identity.AccountID) (map[string]int, error) {
	m := map[string]int{}
	users, err := tx.Users(ctx, acct)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Boundary != "" {
			m[u.Boundary]++
		}
	}
	roles, err := tx.Roles(ctx, acct)
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		if r.Boundary != "" {
			m[r.Boundary]++
		}
	}
	return m, nil
}

func info(ctx context.Context, tx Tx, acct identity.AccountID, p *ManagedPolicy, bounds map[string]int) (PolicyInfo, error) {
	atts, err := tx.PolicyAttachments(ctx, acct, p.ARN)
	if err != nil {
		return PolicyInfo{}, err
	}
	return PolicyInfo{ManagedPolicy: *p, AWSManaged: p.Account == "", AttachmentCount: len(atts), BoundaryUsageCount: bounds[p.ARN]}, nil
}

// Policy returns the managed policy arn with its usage in acct. Returns
// NoSuchEntity or InvalidInput.
func (s *Service) Policy(ctx context.Context, acct identity.AccountID, arn string) (*PolicyInfo, error) {
	var out PolicyInfo
	err := s.view(ctx, func(tx Tx) error {
		p, err := getPolicy(ctx, tx, acct, arn)
		if err != nil {
			return err
		}
		bounds, err := boundaryUsage(ctx, tx, acct)
		if err != nil {
			return err
		}
		out, err = info(ctx, tx, acct, p, bounds)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Policies lists managed policies visible from acct: AWS managed ones
// (sorted by name) then acct's own (sorted by name), filtered as in.
func (s *Service) Policies(ctx context.Context, acct identity.AccountID, in ListPoliciesInput) ([]PolicyInfo, error) {
	var out []PolicyInfo
	err := s.view(ctx, func(tx Tx) error {
		var all []ManagedPolicy
		if in.Scope != ScopeLocal {
			all = append(all, AWSManagedPolicies()...)
		}
		if in.Scope != ScopeAWS {
			local, err := tx.ManagedPolicies(ctx, acct)
			if err != nil {
				return err
			}
			all = append(all, local...)
		}
		bounds, err := boundaryUsage(ctx, tx, acct)
		if err != nil {
			return err
		}
		for i := range all {
			p := &all[i]
			if !strings.HasPrefix(p.Path, in.PathPrefix) {
				continue
			}
			pi, err := info(ctx, tx, acct, p, bounds)
			if err != nil {
				return err
			}
			if in.OnlyAttached {
				switch in.UsageFilter {
				case UsagePermissionsPolicy:
					if pi.AttachmentCount == 0 {
						continue
					}
				case UsagePermissionsBoundary:
					if pi.BoundaryUsageCount == 0 {
						continue
					}
				default:
					if pi.AttachmentCount == 0 && pi.BoundaryUsageCount == 0 {
						continue
					}
				}
			}
			out = append(out, pi)
		}
		return nil
	})
	return out, err
}

// DeletePolicy deletes a customer managed policy that is attached nowhere,
// bounds nothing and has only its default version (DeleteConflict
// otherwise). Returns NoSuchEntity, InvalidInput, AccessDenied (AWS
// managed).
func (s *Service) DeletePolicy(ctx context.Context, acct identity.AccountID, arn string) error {
	return s.update(ctx, func(tx Tx) error {
		p, err := customerPolicy(ctx, tx, acct, arn)
		if err != nil {
			return err
		}
		atts, err := tx.PolicyAttachments(ctx, acct, p.ARN)
		if err != nil {
			return err
		}
		bounds, err := boundaryUsage(ctx, tx, acct)
		if err != nil {
			return err
		}
		if len(atts) > 0 || bounds[p.ARN] > 0 {
			return deleteConflict("Cannot delete a policy attached to entities.")
		}
		if len(p.Versions) > 1 {
			return deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return tx.DeleteManagedPolicy(ctx, p.ARN)
	})
}

// versionNumber returns n of "vN", or 0.
func versionNumber(id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	if err != nil || !strings.HasPrefix(id, "v") {
		return 0
	}
	return n
}

// CreatePolicyVersion adds a version (numbered after the highest
// existing one) and makes it the default if setDefault. Returns
// LimitExceeded past five versions, MalformedPolicyDocument,
// NoSuchEntity, InvalidInput, AccessDenied (AWS managed).
func (s *Service) CreatePolicyVersion(ctx context.Context, acct identity.AccountID, arn, doc string, setDefault bool) (*PolicyVersion, error) {
	if err := checkManagedDocument(doc); err != nil {
		return nil, err
	}
	var v PolicyVersion
	err := s.update(ctx, func(tx Tx) error {
		p, err := customerPolicy(ctx, tx, acct, arn)
		if err != nil {
			return err
		}
		if len(p.Versions) >= QuotaVersionsPerPolicy {
			return limitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", QuotaVersionsPerPolicy)
		}
		top := 0
		for _, x := range p.Versions {
			top = max(top, versionNumber(x.ID))
		}
		now := s.Now()
		v = PolicyVersion{ID: "v" + strconv.Itoa(top+1), Document: doc, CreatedAt: now}
		p.Versions = append(p.Versions, v)
		if setDefault {
			p.DefaultVersion = v.ID
			p.UpdatedAt = now
		}
		return tx.PutManagedPolicy(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func findVersion(p *ManagedPolicy, id string) (int, error) {
	for i, v := range p.Versions {
		if v.ID == id {
			return i, nil
		}
	}
	return -1, noSuchEntity("Policy %s version %s does not exist or is not attachable.", p.ARN, id)
}

// PolicyVersion returns version id of policy arn and whether it is the
// default. Returns NoSuchEntity or InvalidInput.
func (s *Service) PolicyVersion(ctx context.Context, acct identity.AccountID, arn, id string) (*PolicyVersion, bool, error) {
	var v PolicyVersion
	var isDefault bool
	err := s.view(ctx, func(tx Tx) error {
		p, err := getPolicy(ctx, tx, acct, arn)
		if err != nil {
			return err
		}
		i, err := findVersion(p, id)
		if err != nil {
			return err
		}
		v, isDefault = p.Versions[i], p.DefaultVersion == id
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return &v, isDefault, nil
}

// PolicyVersions lists the versions of policy arn, newest first as IAM
// lists them, and the default version id.
func (s *Service) PolicyVersions(ctx context.Context, acct identity.AccountID, arn string) ([]PolicyVersion, string, error) {
	var out []PolicyVersion
	var def string
	err := s.view(ctx, func(tx Tx) error {
		p, err := getPolicy(ctx, tx, acct, arn)
		if err != nil {
			return err
		}
		out, def = append([]PolicyVersion(nil), p.Versions...), p.DefaultVersion
		sort.SliceStable(out, func(i, j int) bool { return versionNumber(out[i].ID) > versionNumber(out[j].ID) })
		return nil
	})
	return out, def, err
}

// DeletePolicyVersion deletes a non-default version. Returns
// DeleteConflict for the default version, NoSuchEntity, InvalidInput.
func (s *Service) DeletePolicyVersion(ctx context.Context, acct identity.AccountID, arn, id string) error {
	return s.update(ctx, func(tx Tx) error {
		p, err := customerPolicy(ctx, tx, acct, arn)
		if err != nil {
			return err
		}
		i, err := findVersion(p, id)
		if err != nil {
			return err
		}
		if p.DefaultVersion == id {
			return deleteConflict("Cannot delete the default version of a policy.")
		}
		p.Versions = append(p.Versions[:i:i], p.Versions[i+1:]...)
		return tx.PutManagedPolicy(ctx, p)
	})
}

// SetDefaultPolicyVersion makes version id the default. Returns
// NoSuchEntity, InvalidInput.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, acct identity.AccountID, arn, id string) error {
	return s.update(ctx, func(tx Tx) error {
		p, err := customerPolicy(ctx, tx, acct, arn)
		if err != nil {
			return err
		}
		if _, err := findVersion(p, id); err != nil {
			return err
		}
		p.DefaultVersion = id
		p.UpdatedAt = s.Now()
		return tx.PutManagedPolicy(ctx, p)
	})
}

// owner checks that the user, group or role exists (and, for changes to a
// role, that it is not service-linked) and returns its stored name.
func owner(ctx context.Context, tx Tx, acct identity.AccountID, kind PrincipalKind, name string, change bool) (string, error) {
	switch kind {
	case KindUser:
		u, err := getUser(ctx, tx, acct, name)
		if err != nil {
			return "", err
		}
		return u.Name, nil
	case KindGroup:
		g, err := getGroup(ctx, tx, acct, name)
		if err != nil {
			return "", err
		}
		return g.Name, nil
	}
	var r *Role
	var err error
	if change {
		r, err = modifiableRole(ctx, tx, acct, name)
	} else {
		r, err = getRole(ctx, tx, acct, name)
	}
	if err != nil {
		return "", err
	}
	return r.Name, nil
}

// AttachPolicy attaches managed policy arn to a user, group or role
// (idempotent). Returns NoSuchEntity, InvalidInput, UnmodifiableEntity
// (service-linked role) and LimitExceeded past ten attached policies.
func (s *Service) AttachPolicy(ctx context.Context, acct identity.AccountID, kind PrincipalKind, name, arn string) error {
	return s.update(ctx, func(tx Tx) error {
		return s.attach(ctx, tx, acct, kind, name, arn, true)
	})
}

func (s *Service) attach(ctx context.Context, tx Tx, acct identity.AccountID, kind PrincipalKind, name, arn string, change bool) error {
	own, err := owner(ctx, tx, acct, kind, name, change)
	if err != nil {
		return err
	}
	p, err := attachablePolicy(ctx, tx, acct, arn)
	if err != nil {
		return err
	}
	atts, err := tx.Attachments(ctx, acct, kind, own)
	if err != nil {
		return err
	}
	for _, a := range atts {
		if a.PolicyARN == p.ARN {
			return nil
		}
	}
	if quota, name := attachQuota(kind); len(atts) >= quota {
		return limitExceeded("Cannot exceed quota for %s: %d", name, quota)
	}
	return tx.PutAttachment(ctx, &Attachment{Account: acct, Kind: kind, Owner: own, PolicyARN: p.ARN})
}

// DetachPolicy detaches managed policy arn. Returns NoSuchEntity (also if
// it is not attached), InvalidInput, UnmodifiableEntity.
func (s *Service) DetachPolicy(ctx context.Context, acct identity.AccountID, kind PrincipalKind, name, arn string) error {
	return s.update(ctx, func(tx Tx) error {
		own, err := owner(ctx, tx, acct, kind, name, true)
		if err != nil {
			return err
		}
		if err := checkPolicyARN(arn); err != nil {
			return err
		}
		atts, err := tx.Attachments(ctx, acct, kind, own)
		if err != nil {
			return err
		}
		for i := range atts {
			if atts[i].PolicyARN == arn {
				return tx.DeleteAttachment(ctx, &atts[i])
			}
		}
		return noSuchEntity("Policy %s was not found.", arn)
	})
}

// AttachedPolicy names a managed policy attached to an entity.
type AttachedPolicy struct {
	Name string
	ARN  string
}

// AttachedPolicies lists the managed policies attached to a user, group or
// role whose path starts with pathPrefix. Returns NoSuchEntity.
func (s *Service) AttachedPolicies(ctx context.Context, acct identity.AccountID, kind PrincipalKind, name, pathPrefix string) ([]AttachedPolicy, error) {
	var out []AttachedPolicy
	err := s.view(ctx, func(tx Tx) error {
		own, err := owner(ctx, tx, acct, kind, name, false)
		if err != nil {
			return err
		}
		atts, err := tx.Attachments(ctx, acct, kind, own)
		if err != nil {
			return err
		}
		for _, a := range atts {
			p, err := findPolicy(ctx, tx, acct, a.PolicyARN)
			if err != nil {
				return err
			}
			if p == nil || !strings.HasPrefix(p.Path, pathPrefix) {
				continue
			}
			out = append(out, AttachedPolicy{Name: p.Name, ARN: p.ARN})
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// PutPermissionsBoundary sets the permissions boundary of a user or role
// to managed policy arn. Returns NoSuchEntity, InvalidInput,
// UnmodifiableEntity.
func (s *Service) PutPermissionsBoundary(ctx context.Context, acct identity.AccountID, kind PrincipalKind, name, arn string) error {
	return s.setBoundary(ctx, acct, kind, name, arn)
}

// DeletePermissionsBoundary removes the permissions boundary of a user or
// role. Returns NoSuchEntity, UnmodifiableEntity.
func (s *Service) DeletePermissionsBoundary(ctx context.Context, acct identity.AccountID, kind PrincipalKind, name string) error {
	return s.setBoundary(ctx, acct, kind, name, "")
}

func (s *Service) setBoundary(ctx context.Context, acct identity.AccountID, kind PrincipalKind, name, arn string) error {
	return s.update(ctx, func(tx Tx) error {
		if arn != "" {
			if _, err := s.boundaryPolicy(ctx, tx, acct, arn); err != nil {
				return err
			}
		}
		if kind == KindUser {
			u, err := getUser(ctx, tx, acct, name)
			if err != nil {
				return err
			}
			u.Boundary = arn
			return tx.PutUser(ctx, u)
		}
		r, err := modifiableRole(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		r.Boundary = arn
		return tx.PutRole(ctx, r)
	})
}
