package iam

import (
	"context"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/arn"

	"github.com/accountplane/accountplane/internal/identity"
)

// Role session limits.
const (
	DefaultMaxSessionDuration = time.Hour
	MaxMaxSessionDuration     = 12 * time.Hour
)

// CreateRoleInput is what CreateRole takes.
type CreateRoleInput struct {
	Name        string
	Path        string // "" means "/"
	TrustPolicy string // AssumeRolePolicyDocument
	Description string
	// MaxSessionDuration is 1h..12h; 0 means 1h.
	MaxSessionDuration time.Duration
	Boundary           string
	Tags               []Tag
}

// CreateRole creates a role whose trust policy is validated as a trust
// (resource) policy. Returns EntityAlreadyExists, MalformedPolicyDocument,
// LimitExceeded (trust policy over 2048 characters, role quota),
// ValidationError (MaxSessionDuration) and NoSuchEntity (boundary).
func (s *Service) CreateRole(ctx context.Context, acct identity.AccountID, in CreateRoleInput) (*Role, error) {
	if in.MaxSessionDuration == 0 {
		in.MaxSessionDuration = DefaultMaxSessionDuration
	}
	if in.MaxSessionDuration < DefaultMaxSessionDuration || in.MaxSessionDuration > MaxMaxSessionDuration {
		return nil, validation("The requested MaxSessionDuration %d is not valid. It must be between 3600 and 43200 seconds.", int(in.MaxSessionDuration/time.Second))
	}
	if err := checkTrustPolicy(in.TrustPolicy); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	id, err := s.newID("AROA")
	if err != nil {
		return nil, err
	}
	r := &Role{
		Account: acct, Name: in.Name, Path: orRoot(in.Path), ID: id, CreatedAt: s.Now(),
		Description: in.Description, TrustPolicy: in.TrustPolicy, MaxSessionDuration: in.MaxSessionDuration,
		Boundary: in.Boundary, Tags: in.Tags,
	}
	err = s.update(ctx, func(tx Tx) error {
		if _, err := tx.Role(ctx, acct, in.Name); err == nil {
			return alreadyExists("Role with name %s already exists.", in.Name)
		} else if !notFound(err) {
			return err
		}
		all, err := tx.Roles(ctx, acct)
		if err != nil {
			return err
		}
		if len(all) >= QuotaRoles {
			return limitExceeded("Cannot exceed quota for RolesPerAccount: %d", QuotaRoles)
		}
		if in.Boundary != "" {
			if _, err := s.boundaryPolicy(ctx, tx, acct, in.Boundary); err != nil {
				return err
			}
		}
		return tx.PutRole(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// checkTrustPolicy checks the size quota and the grammar of a trust policy.
func checkTrustPolicy(doc string) error {
	if policySize(doc) > QuotaAssumeRolePolicySize {
		return limitExceeded("Cannot exceed quota for ACLSizePerRole: %d", QuotaAssumeRolePolicySize)
	}
	_, err := parseTrust(doc)
	return err
}

func getRole(ctx context.Context, tx Tx, acct identity.AccountID, name string) (*Role, error) {
	r, err := tx.Role(ctx, acct, name)
	if notFound(err) {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return r, err
}

// modifiableRole is getRole for changes: service-linked roles are
// UnmodifiableEntity.
func modifiableRole(ctx context.Context, tx Tx, acct identity.AccountID, name string) (*Role, error) {
	r, err := getRole(ctx, tx, acct, name)
	if err == nil && r.ServiceLinked {
		return nil, unmodifiable(r.Name)
	}
	return r, err
}

// Role returns the named role, or NoSuchEntity.
func (s *Service) Role(ctx context.Context, acct identity.AccountID, name string) (*Role, error) {
	var r *Role
	err := s.view(ctx, func(tx Tx) (err error) {
		r, err = getRole(ctx, tx, acct, name)
		return err
	})
	return r, err
}

// Roles lists the account's roles whose path starts with pathPrefix.
func (s *Service) Roles(ctx context.Context, acct identity.AccountID, pathPrefix string) ([]Role, error) {
	var out []Role
	err := s.view(ctx, func(tx Tx) error {
		all, err := tx.Roles(ctx, acct)
		for _, r := range all {
			if strings.HasPrefix(r.Path, pathPrefix) {
				out = append(out, r)
			}
		}
		return err
	})
	return out, err
}

// UpdateAssumeRolePolicy replaces a role's trust policy. Returns
// NoSuchEntity, UnmodifiableEntity, MalformedPolicyDocument or
// LimitExceeded.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, acct identity.AccountID, name, doc string) error {
	if err := checkTrustPolicy(doc); err != nil {
		return err
	}
	return s.update(ctx, func(tx Tx) error {
		r, err := modifiableRole(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		r.TrustPolicy = doc
		return tx.PutRole(ctx, r)
	})
}

// DeleteRole deletes a role without inline or attached policies
// (DeleteConflict otherwise). Service-linked roles are UnmodifiableEntity.
// Sessions already issued keep working until they expire, with no
// permissions left, as in AWS.
func (s *Service) DeleteRole(ctx context.Context, acct identity.AccountID, name string) error {
	return s.update(ctx, func(tx Tx) error {
		r, err := modifiableRole(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		if err := checkOwnerEmpty(ctx, tx, acct, KindRole, r.Name); err != nil {
			return err
		}
		return tx.DeleteRole(ctx, acct, r.Name)
	})
}

// OrganizationsServiceRoleName and the other names of the roles the
// Organizations flows create.
const (
	OrganizationsServiceRoleName = "AWSServiceRoleForOrganizations"
	OrganizationsService         = "organizations.amazonaws.com"
	OrganizationAccessRoleName   = "OrganizationAccountAccessRole"
)

// ServiceLinkedRole ensures the service-linked role name exists in acct,
// trusted by trustedService (e.g. organizations.amazonaws.com), at path
// /aws-service-role/SERVICE/, with the service's AWS managed policy attached
// (AWSOrganizationsServiceTrustPolicy for Organizations). It is idempotent
// and returns the role.
func (s *Service) ServiceLinkedRole(ctx context.Context, acct identity.AccountID, name, trustedService string) (*Role, error) {
	var r *Role
	err := s.update(ctx, func(tx Tx) (err error) {
		r, err = s.ServiceLinkedRoleIn(ctx, tx, acct, name, trustedService)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// ServiceLinkedRoleIn is ServiceLinkedRole in tx, the transaction of a
// change of another domain that needs the role to commit with it
// (Organizations makes a new member's roles with the membership). The
// write bypasses the service: its caller calls [Service.Invalidate] once
// tx has ended.
func (s *Service) ServiceLinkedRoleIn(ctx context.Context, tx Tx, acct identity.AccountID, name, trustedService string) (*Role, error) {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + trustedService + `"},"Action":"sts:AssumeRole"}]}`
	var attach string
	if trustedService == OrganizationsService {
		attach = AWSPolicyARNPrefix + "aws-service-role/AWSOrganizationsServiceTrustPolicy"
	}
	return s.ensureRole(ctx, tx, acct, name, "/aws-service-role/"+trustedService+"/", trust, attach, true)
}

// EnsureRole ensures role name exists in acct with trustPolicy, and that
// attachARN (if not "") is attached; an existing role is left as it is
// apart from the attachment. CreateAccount uses it for
// OrganizationAccountAccessRole (trusting arn:aws:iam::MGMT:root, with
// AdministratorAccess attached).
func (s *Service) EnsureRole(ctx context.Context, acct identity.AccountID, name, trustPolicy, attachARN string) (*Role, error) {
	var r *Role
	err := s.update(ctx, func(tx Tx) (err error) {
		r, err = s.EnsureRoleIn(ctx, tx, acct, name, trustPolicy, attachARN)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// EnsureRoleIn is EnsureRole in tx, the transaction of another domain's
// change, as [Service.ServiceLinkedRoleIn].
func (s *Service) EnsureRoleIn(ctx context.Context, tx Tx, acct identity.AccountID, name, trustPolicy, attachARN string) (*Role, error) {
	return s.ensureRole(ctx, tx, acct, name, "/", trustPolicy, attachARN, false)
}

func (s *Service) ensureRole(ctx context.Context, tx Tx, acct identity.AccountID, name, path, trust, attach string, linked bool) (*Role, error) {
	if _, err := parseTrust(trust); err != nil {
		return nil, err
	}
	r, err := tx.Role(ctx, acct, name)
	if notFound(err) {
		id, err := s.newID("AROA")
		if err != nil {
			return nil, err
		}
		r = &Role{
			Account: acct, Name: name, Path: path, ID: id, CreatedAt: s.Now(), TrustPolicy: trust,
			MaxSessionDuration: DefaultMaxSessionDuration, ServiceLinked: linked,
		}
		if err := tx.PutRole(ctx, r); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	if attach != "" {
		if err := s.attach(ctx, tx, acct, KindRole, r.Name, attach, false); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// OrganizationAccessTrustPolicy is the trust policy of
// OrganizationAccountAccessRole in a member account of the organization
// whose management account is mgmt.
func OrganizationAccessTrustPolicy(mgmt identity.AccountID) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + arn.Root(string(mgmt)) + `"},"Action":"sts:AssumeRole"}]}`
}
