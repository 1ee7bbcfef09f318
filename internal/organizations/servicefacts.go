package organizations

import (
	"context"
	"errors"

	"github.com/accountplane/accountplane/internal/identity"
)

// ServiceFacts are what a service integrated with Organizations needs to
// know of an account's organization: whether it has all features, whether
// the service's principal has trusted access, and the service's delegated
// administrators.
type ServiceFacts struct {
	Org         OrgID
	Management  identity.AccountID
	AllFeatures bool
	// TrustedAccess reports whether trusted access is enabled for the
	// service principal.
	TrustedAccess bool
	// DelegatedAdmins are the accounts registered as delegated
	// administrators for the service principal.
	DelegatedAdmins []identity.AccountID
}

// ServiceFactsOf returns the facts of account id's organization for the
// service principal (e.g. iam.amazonaws.com for IAM's centralized root
// access); ok is false if id is in no organization.
func (s *Service) ServiceFactsOf(ctx context.Context, id identity.AccountID, principal string) (f ServiceFacts, ok bool, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		sc, err := s.orgOf(ctx, tx, id)
		if errors.Is(err, ErrNoOrganization) {
			return nil
		} else if err != nil {
			return err
		}
		f = ServiceFacts{Org: sc.org.ID, Management: sc.org.ManagementAccount, AllFeatures: sc.org.FeatureSet == AllFeatures}
		if f.TrustedAccess, err = s.serviceEnabled(ctx, tx, sc.org.ID, principal); err != nil {
			return err
		}
		admins, err := tx.DelegatedAdmins(ctx, sc.org.ID)
		if err != nil {
			return err
		}
		for _, d := range admins {
			if d.Principal == principal {
				f.DelegatedAdmins = append(f.DelegatedAdmins, d.Account)
			}
		}
		ok = true
		return nil
	})
	return f, ok, err
}
