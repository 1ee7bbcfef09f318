package organizations

import (
	"context"
	"errors"

	"github.com/accountplane/accountplane/internal/identity"
)

// CanManage implements the account domain's Directory: the AccountId
// decision table of spec/behaviour.md §2.3. The caller's organization must
// have all features and trusted access for account.amazonaws.com; the
// management account may act on members but never on itself through
// AccountId; the delegated administrator for account.amazonaws.com may act
// on members and on itself (not on the management account); nobody reaches
// an account outside their organization.
func (s *Service) CanManage(ctx context.Context, caller, target identity.AccountID) (bool, error) {
	allowed := false
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.orgOf(ctx, tx, caller)
		if errors.Is(err, ErrNoOrganization) {
			return nil
		} else if err != nil {
			return err
		}
		if sc.org.FeatureSet != AllFeatures {
			return nil
		}
		if ok, err := s.serviceEnabled(ctx, tx, sc.org.ID, AccountServicePrincipal); err != nil || !ok {
			return err
		}
		if _, err := s.memberOf(ctx, tx, sc, target); errors.Is(err, ErrNoMember) {
			return nil
		} else if err != nil {
			return err
		}
		if sc.isManagement(caller) {
			allowed = target != caller
			return nil
		}
		admins, err := tx.DelegatedAdmins(ctx, sc.org.ID)
		if err != nil {
			return err
		}
		for _, d := range admins {
			if d.Account == caller && d.Principal == AccountServicePrincipal {
				allowed = !sc.isManagement(target)
				return nil
			}
		}
		return nil
	})
	return allowed, err
}

// Peers returns every visible member of id's organization (id included), or
// nil if id is in no organization. The account domain counts Region
// requests in flight across them.
func (s *Service) Peers(ctx context.Context, id identity.AccountID) ([]identity.AccountID, error) {
	var out []identity.AccountID
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.orgOf(ctx, tx, id)
		if errors.Is(err, ErrNoOrganization) {
			return nil
		} else if err != nil {
			return err
		}
		members, err := s.visibleMembers(ctx, tx, sc.org.ID)
		if err != nil {
			return err
		}
		for _, m := range members {
			out = append(out, m.Account)
		}
		return nil
	})
	return out, err
}

// MembershipOf reports the organization account id belongs to, and whether
// it is its management account; ok is false if it belongs to none.
func (s *Service) MembershipOf(ctx context.Context, id identity.AccountID) (org OrgID, management, ok bool, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		sc, err := s.orgOf(ctx, tx, id)
		if errors.Is(err, ErrNoOrganization) {
			return nil
		} else if err != nil {
			return err
		}
		org, management, ok = sc.org.ID, sc.isManagement(id), true
		return nil
	})
	return org, management, ok, err
}

// AccountFacts are what authorization needs to know of an account's place
// in its organization.
type AccountFacts struct {
	Org        OrgID
	Management identity.AccountID
	// Path is o-…/r-…/ou-…/ of the account's parent chain (no account id).
	Path string
	Tags []Tag
}

// FactsOf returns the organization facts of account id; ok is false if it
// is in no organization.
func (s *Service) FactsOf(ctx context.Context, id identity.AccountID) (f AccountFacts, ok bool, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		sc, err := s.orgOf(ctx, tx, id)
		if errors.Is(err, ErrNoOrganization) {
			return nil
		} else if err != nil {
			return err
		}
		path, err := s.path(ctx, tx, sc.org, sc.member.Parent)
		if err != nil {
			return err
		}
		tags, err := tx.Tags(ctx, sc.org.ID, string(id))
		if err != nil {
			return err
		}
		f, ok = AccountFacts{Org: sc.org.ID, Management: sc.org.ManagementAccount, Path: path, Tags: tags}, true
		return nil
	})
	return f, ok, err
}

// IsManagementAccount reports whether id is the management account of its
// organization (account.ManagementDirectory: closing it needs every member
// SUSPENDED first).
func (s *Service) IsManagementAccount(ctx context.Context, id identity.AccountID) (bool, error) {
	_, management, ok, err := s.MembershipOf(ctx, id)
	return ok && management, err
}
