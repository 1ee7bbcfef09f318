package organizations

import (
	"context"
	"errors"
	"fmt"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// CreateOrganization makes the caller's account the management account of a
// new organization with one root. fs "" means ALL. Returns
// AlreadyInOrganizationException if the account is already in one.
func (s *Service) CreateOrganization(ctx context.Context, caller identity.Principal, fs FeatureSet) (*Organization, error) {
	if fs == "" {
		fs = AllFeatures
	}
	orgSuffix, err := randomString(s.opts.Rand, 10)
	if err != nil {
		return nil, err
	}
	rootSuffix, err := randomString(s.opts.Rand, 4)
	if err != nil {
		return nil, err
	}
	var o *Organization
	err = s.store.Update(ctx, func(tx Tx) error {
		if _, err := s.orgOf(ctx, tx, caller.Account); err == nil {
			return e(CodeAlreadyInOrganization, "The provided account is already a member of an organization.")
		} else if !errors.Is(err, ErrNoOrganization) {
			return err
		}
		// A membership that is no longer visible (a closed account) is stale.
		if err := tx.DeleteMember(ctx, caller.Account); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		now := s.now()
		o = &Organization{
			ID: OrgID("o-" + orgSuffix), FeatureSet: fs, ManagementAccount: caller.Account,
			RootID: RootID("r-" + rootSuffix), CreatedAt: now,
		}
		if err := tx.PutOrganization(ctx, o); err != nil {
			return err
		}
		return tx.PutMember(ctx, &Member{Account: caller.Account, Org: o.ID, Parent: string(o.RootID), Method: Created, JoinedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// OrganizationView is an organization with its management account's email.
type OrganizationView struct {
	Organization
	ManagementEmail string
}

// DescribeOrganization returns the caller's organization.
func (s *Service) DescribeOrganization(ctx context.Context, caller identity.Principal) (*OrganizationView, error) {
	var v *OrganizationView
	err := kernel.ViewRepeatable[Tx](ctx, s.store, func(tx Tx) error { // v is set afresh
		v = nil
		sc, err := s.orgOf(ctx, tx, caller.Account)
		if err != nil {
			return err
		}
		mgmt, err := tx.Account(ctx, sc.org.ManagementAccount)
		if err != nil {
			return fmt.Errorf("load management account: %w", err)
		}
		v = &OrganizationView{Organization: *sc.org, ManagementEmail: mgmt.Email}
		return nil
	})
	return v, err
}

// DeleteOrganization deletes the caller's organization, which must have no
// members but the management account. Returns OrganizationNotEmptyException
// otherwise.
func (s *Service) DeleteOrganization(ctx context.Context, caller identity.Principal) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		members, err := s.visibleMembers(ctx, tx, sc.org.ID)
		if err != nil {
			return err
		}
		if len(members) > 1 {
			return e(CodeOrganizationNotEmpty, "To delete an organization you must first remove all member accounts (except the management account).")
		}
		if err := s.checkNoTransferInProgress(ctx, tx, sc.org); err != nil {
			return err
		}
		return tx.DeleteOrganization(ctx, sc.org.ID)
	})
}

// visibleMembers lists the memberships that count at now.
func (s *Service) visibleMembers(ctx context.Context, tx Tx, org OrgID) ([]Member, error) {
	all, err := tx.Members(ctx, org)
	if err != nil {
		return nil, err
	}
	if memo, ok := tx.(*accountMemo); ok { // read the accounts in a few queries
		if err := memo.prefetch(ctx, all); err != nil {
			return nil, err
		}
	}
	out := all[:0:0]
	for i := range all {
		ok, err := s.visible(ctx, tx, &all[i])
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, all[i])
		}
	}
	return out, nil
}
