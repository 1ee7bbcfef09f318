package iam

import (
	"context"
	"errors"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// ValidAlias reports whether alias satisfies the model's pattern
// ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$: 3..63 lower-case letters,
// digits and single hyphens, not at either end.
func ValidAlias(alias string) bool {
	n := len(alias)
	if n < 3 || n > 63 || alias[0] == '-' || alias[n-1] == '-' {
		return false
	}
	for i := 0; i < n; i++ {
		c := alias[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if alias[i+1] == '-' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// CreateAccountAlias gives acct the alias. An account has at most one
// alias: a new one replaces the old, as IAM does. Aliases are unique
// across all accounts: EntityAlreadyExists if another account holds it.
// Returns ValidationError for an alias off the pattern.
func (s *Service) CreateAccountAlias(ctx context.Context, acct identity.AccountID, alias string) error {
	if !ValidAlias(alias) {
		return validation("The specified value for accountAlias is invalid. It must contain only lowercase letters, digits and hyphens, and can't begin or end with a hyphen.")
	}
	if identity.IsAccountID(alias) {
		// An alias stands in for the account id in sign-in URLs, so it can't
		// look like one (spec/behaviour.md §9).
		return validation("The specified value for accountAlias is invalid. It can't be a 12-digit number.")
	}
	return s.update(ctx, func(tx Tx) error {
		holder, err := tx.AliasOwner(ctx, alias)
		switch {
		case err == nil && holder == acct:
			return nil
		case err == nil:
			return alreadyExists("The account alias %s already exists.", alias)
		case !notFound(err):
			return err
		}
		if err := tx.PutAlias(ctx, acct, alias); errors.Is(err, ErrExists) {
			return alreadyExists("The account alias %s already exists.", alias)
		} else if err != nil {
			return err
		}
		return nil
	})
}

// DeleteAccountAlias removes acct's alias, which must be alias
// (NoSuchEntity otherwise).
func (s *Service) DeleteAccountAlias(ctx context.Context, acct identity.AccountID, alias string) error {
	return s.update(ctx, func(tx Tx) error {
		cur, err := tx.Alias(ctx, acct)
		if notFound(err) || (err == nil && cur != alias) {
			return noSuchEntity("The account alias %s cannot be found.", alias)
		} else if err != nil {
			return err
		}
		return tx.DeleteAlias(ctx, acct)
	})
}

// AccountAliases lists acct's alias (none or one).
func (s *Service) AccountAliases(ctx context.Context, acct identity.AccountID) ([]string, error) {
	var out []string
	err := s.view(ctx, func(tx Tx) error {
		a, err := tx.Alias(ctx, acct)
		if notFound(err) || (err == nil && a == "") {
			return nil
		} else if err != nil {
			return err
		}
		out = []string{a}
		return nil
	})
	return out, err
}

// AccountSummary returns GetAccountSummary's SummaryMap: the account's
// entity counts, IAM's default quotas, and the state of the root user's
// credentials (AccountMFAEnabled, AccountAccessKeysPresent,
// AccountPasswordPresent, AccountSigningCertificatesPresent: 1 or 0).
func (s *Service) AccountSummary(ctx context.Context, acct identity.AccountID) (map[string]int, error) {
	m := map[string]int{
		"UsersQuota":                        QuotaUsers,
		"GroupsQuota":                       QuotaGroups,
		"RolesQuota":                        QuotaRoles,
		"PoliciesQuota":                     QuotaPolicies,
		"GroupsPerUserQuota":                QuotaGroupsPerUser,
		"AccessKeysPerUserQuota":            QuotaAccessKeysPerUser,
		"AttachedPoliciesPerUserQuota":      QuotaAttachedPoliciesPerUser,
		"AttachedPoliciesPerGroupQuota":     QuotaAttachedPoliciesPerGroup,
		"AttachedPoliciesPerRoleQuota":      QuotaAttachedPoliciesPerRole,
		"VersionsPerPolicyQuota":            QuotaVersionsPerPolicy,
		"UserPolicySizeQuota":               QuotaUserPolicySize,
		"GroupPolicySizeQuota":              QuotaGroupPolicySize,
		"RolePolicySizeQuota":               QuotaRolePolicySize,
		"PolicySizeQuota":                   QuotaPolicySize,
		"AssumeRolePolicySizeQuota":         QuotaAssumeRolePolicySize,
		"PolicyVersionsInUseQuota":          QuotaPolicyVersionsInUse,
		"ServerCertificatesQuota":           QuotaServerCertificates,
		"SigningCertificatesPerUserQuota":   QuotaSigningCertsPerUser,
		"InstanceProfilesQuota":             QuotaInstanceProfiles,
		"ServerCertificates":                0,
		"InstanceProfiles":                  0,
		"Providers":                         0,
		"MFADevices":                        0,
		"MFADevicesInUse":                   0,
		"AccountMFAEnabled":                 0,
		"AccountPasswordPresent":            0,
		"AccountSigningCertificatesPresent": 0,
		"GlobalEndpointTokenVersion":        1,
	}
	err := s.view(ctx, func(tx Tx) error {
		users, err := tx.Users(ctx, acct)
		if err != nil {
			return err
		}
		groups, err := tx.Groups(ctx, acct)
		if err != nil {
			return err
		}
		roles, err := tx.Roles(ctx, acct)
		if err != nil {
			return err
		}
		pols, err := tx.ManagedPolicies(ctx, acct)
		if err != nil {
			return err
		}
		rootKeys, err := tx.AccessKeys(ctx, acct, "")
		if err != nil {
			return err
		}
		m["Users"], m["Groups"], m["Roles"], m["Policies"] = len(users), len(groups), len(roles), len(pols)
		if len(rootKeys) > 0 {
			m["AccountAccessKeysPresent"] = 1
		} else {
			m["AccountAccessKeysPresent"] = 0
		}
		inUse := 0
		count := func(kind PrincipalKind, name string) error {
			atts, err := tx.Attachments(ctx, acct, kind, name)
			inUse += len(atts)
			return err
		}
		for _, u := range users {
			if err := count(KindUser, u.Name); err != nil {
				return err
			}
		}
		for _, g := range groups {
			if err := count(KindGroup, g.Name); err != nil {
				return err
			}
		}
		for _, r := range roles {
			if err := count(KindRole, r.Name); err != nil {
				return err
			}
		}
		m["PolicyVersionsInUse"] = inUse
		return rootCredentialSummary(ctx, tx, acct, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// RootUser returns the root user of acct as GetUser reports it without a
// UserName: Name "", ID the account id, CreatedAt the account's creation
// (now if the account is unknown).
func (s *Service) RootUser(ctx context.Context, acct identity.AccountID) (*User, error) {
	u := &User{Account: acct, ID: string(acct), CreatedAt: s.Now()}
	err := s.view(ctx, func(tx Tx) error {
		a, err := tx.Account(ctx, acct)
		if notFound(err) || (err == nil && a.CreatedAt.IsZero()) {
			return nil
		} else if err != nil {
			return err
		}
		u.CreatedAt = a.CreatedAt.UTC().Truncate(time.Second)
		return nil
	})
	return u, err
}
