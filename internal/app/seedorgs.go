package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

// applyOrganizations creates what is missing of the seed's organizations.
func (s *Seed) applyOrganizations(ctx context.Context, orgs *organizations.Service) error {
	for _, o := range s.Organizations {
		mgmtID := identity.AccountID(o.ManagementAccount)
		mgmt := identity.RootPrincipal(mgmtID, "")
		if _, _, ok, err := orgs.MembershipOf(ctx, mgmtID); err != nil {
			return err
		} else if !ok {
			if _, err := orgs.CreateOrganization(ctx, mgmt, organizations.FeatureSet(o.FeatureSet)); err != nil {
				return fmt.Errorf("seed: create organization of %s: %w", mgmtID, err)
			}
		}
		for _, p := range o.TrustedServices {
			if err := orgs.EnableServiceAccess(ctx, mgmt, p); err != nil {
				return fmt.Errorf("seed: trusted access for %s: %w", p, err)
			}
		}
		org, err := orgs.ListRoots(ctx, mgmt)
		if err != nil {
			return err
		}
		for _, t := range o.PolicyTypes {
			if org.PolicyTypeEnabled(organizations.PolicyType(t)) {
				continue
			}
			if _, err := orgs.EnablePolicyType(ctx, mgmt, org.RootID, organizations.PolicyType(t)); err != nil {
				return fmt.Errorf("seed: enable policy type %s: %w", t, err)
			}
		}
		paths := append([]string(nil), o.OrganizationalUnits...)
		for _, m := range o.Members {
			paths = append(paths, m.OU)
		}
		ouIDs := map[string]string{"": string(org.RootID)}
		for _, p := range paths {
			if _, err := ensureOUPath(ctx, orgs, mgmt, string(org.RootID), p, ouIDs); err != nil {
				return err
			}
		}
		for _, m := range o.Members {
			if m.Account == o.ManagementAccount {
				continue
			}
			if _, err := orgs.AdmitMember(ctx, mgmtID, identity.AccountID(m.Account), ouIDs[strings.Trim(m.OU, "/")], organizations.JoinedMethod(m.Joined)); err != nil {
				return fmt.Errorf("seed: member %s: %w", m.Account, err)
			}
		}
		for _, d := range o.DelegatedAdmins {
			err := orgs.RegisterDelegatedAdmin(ctx, mgmt, identity.AccountID(d.Account), d.ServicePrincipal)
			if err != nil && !apierr.HasCode(err, organizations.CodeAccountAlreadyRegistered) {
				return fmt.Errorf("seed: delegated administrator %s for %s: %w", d.Account, d.ServicePrincipal, err)
			}
		}
	}
	return nil
}

// ensureOUPath creates every OU of a path of names ("A/B/C") and records
// their ids in ids by path.
func ensureOUPath(ctx context.Context, orgs *organizations.Service, mgmt identity.Principal, root, path string, ids map[string]string) (string, error) {
	path = strings.Trim(path, "/")
	if id, ok := ids[path]; ok {
		return id, nil
	}
	parent, name := root, path
	if i := strings.LastIndex(path, "/"); i >= 0 {
		p, err := ensureOUPath(ctx, orgs, mgmt, root, path[:i], ids)
		if err != nil {
			return "", err
		}
		parent, name = p, path[i+1:]
	}
	id, err := orgs.EnsureOU(ctx, mgmt, parent, name)
	if err != nil {
		return "", fmt.Errorf("seed: OU %s: %w", path, err)
	}
	ids[path] = string(id)
	return string(id), nil
}
