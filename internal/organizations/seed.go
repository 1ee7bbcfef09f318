package organizations

import (
	"context"
	"errors"
	"fmt"

	"github.com/accountplane/accountplane/internal/identity"
)

// AdmitMember makes account id a member of mgmt's organization under
// parent, as if it had been invited (method INVITED) or created (CREATED),
// without a handshake. It is for seed files: it does nothing if the account
// already belongs to an organization, and reports whether it admitted it.
//
// An admitted member gets the roles AWS makes in a member account, as the
// join it stands for would (in the same transaction, through
// Options.Roles): AWSServiceRoleForOrganizations always, and for CREATED
// also OrganizationAccountAccessRole, trusting the management account with
// administrator access, as CreateAccount makes it.
func (s *Service) AdmitMember(ctx context.Context, mgmt, id identity.AccountID, parent string, method JoinedMethod) (bool, error) {
	admitted := false
	err := s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.orgOf(ctx, tx, mgmt)
		if err != nil {
			return err
		}
		if _, err := s.orgOf(ctx, tx, id); err == nil {
			return nil
		} else if !errors.Is(err, ErrNoOrganization) {
			return err
		}
		if _, err := tx.Account(ctx, id); errors.Is(err, ErrNotFound) {
			return errAccountNotFound()
		} else if err != nil {
			return err
		}
		if parent == "" {
			parent = string(sc.org.RootID)
		}
		if err := s.checkParent(ctx, tx, sc.org, parent, errParentNotFound()); err != nil {
			return err
		}
		if err := tx.DeleteMember(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if method == "" {
			method = Invited
		}
		if err := tx.PutMember(ctx, &Member{Account: id, Org: sc.org.ID, Parent: parent, Method: method, JoinedAt: s.now()}); err != nil {
			return err
		}
		if err := s.attachDefaultPolicies(ctx, tx, sc.org, string(id)); err != nil {
			return err
		}
		accessRole := ""
		if method == Created {
			accessRole = ManagedRoleName
		}
		admitted = true
		return s.memberRoles(ctx, tx, mgmt, id, accessRole)
	})
	return admitted && err == nil, err
}

// memberRoles creates the roles of a new member id in tx, the transaction
// of the change that admits it: accessRole (if not "") trusting the
// management account mgmt with administrator access, then
// AWSServiceRoleForOrganizations. mgmt is used only for accessRole.
func (s *Service) memberRoles(ctx context.Context, tx Tx, mgmt, id identity.AccountID, accessRole string) error {
	if s.opts.Roles == nil {
		return nil
	}
	if accessRole != "" {
		if err := s.opts.Roles.AccessRole(ctx, tx, id, mgmt, accessRole); err != nil {
			return fmt.Errorf("create %s in %s: %w", accessRole, id, err)
		}
	}
	if err := s.opts.Roles.ServiceLinkedRole(ctx, tx, id); err != nil {
		return fmt.Errorf("create service-linked role in %s: %w", id, err)
	}
	return nil
}

// EnsureOU returns the OU named name directly under parent, creating it if
// missing (for seed files).
func (s *Service) EnsureOU(ctx context.Context, mgmt identity.Principal, parent, name string) (OUID, error) {
	ous, err := s.ListOUs(ctx, mgmt, parent)
	if err != nil {
		return "", err
	}
	for _, o := range ous {
		if o.OU.Name == name {
			return o.OU.ID, nil
		}
	}
	ou, err := s.CreateOU(ctx, mgmt, parent, name, nil)
	if err != nil {
		return "", err
	}
	return ou.ID, nil
}
