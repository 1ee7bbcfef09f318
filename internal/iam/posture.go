package iam

import (
	"context"
	"sort"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// The root posture of an account (the emulator's report beyond AWS): its
// root user's credentials and sign-ins, and the verdicts of the AWS Config
// managed rules root-account-mfa-enabled and iam-root-access-key-check.

// Verdicts of the AWS Config rules (ComplianceType).
const (
	Compliant     = "COMPLIANT"
	NonCompliant  = "NON_COMPLIANT"
	NotApplicable = "NOT_APPLICABLE"
)

// RootKey is a root access key with its last use (nil: never used).
type RootKey struct {
	identity.AccessKey
	LastUsed *KeyUse
}

// RootPosture is what an account leaves open through its root user.
type RootPosture struct {
	Account identity.AccountID
	// MFADevices are the root user's MFA devices, in the order they were
	// enabled.
	MFADevices []MFADevice
	// AccessKeys are the root user's access keys, oldest first.
	AccessKeys []RootKey
	// PasswordPresent reports a root password (a login profile made for
	// recovery has none yet).
	PasswordPresent bool
	// SigningCertificates are the root user's, oldest first.
	SigningCertificates []SigningCertificate
	// RecoveryDisabled reports that centralized root access removed the
	// root credentials (see RootState); CredentialsRemoved that none is
	// left either: no password, access key, signing certificate or MFA
	// device.
	RecoveryDisabled   bool
	CredentialsRemoved bool
	// LastSignIn is the root user's last successful sign-in (zero: none).
	LastSignIn time.Time
	// RootAccountMFAEnabled and RootAccessKeyCheck are the verdicts of the
	// AWS Config rules root-account-mfa-enabled (the root user has an MFA
	// device) and iam-root-access-key-check (the root user has no access
	// key): NOT_APPLICABLE for accounts whose root credentials centralized
	// root access removed (spec/security.md §12.12).
	RootAccountMFAEnabled string
	RootAccessKeyCheck    string
}

// RootPostureOf returns the root posture of acct.
func (s *Service) RootPostureOf(ctx context.Context, acct identity.AccountID) (*RootPosture, error) {
	p := &RootPosture{Account: acct}
	err := s.view(ctx, func(tx Tx) error {
		var err error
		if p.MFADevices, err = devicesOf(ctx, tx, acct, ""); err != nil {
			return err
		}
		keys, err := tx.AccessKeys(ctx, acct, "")
		if err != nil {
			return err
		}
		sort.SliceStable(keys, func(i, j int) bool { return keys[i].CreatedAt.Before(keys[j].CreatedAt) })
		for _, k := range keys {
			use, err := s.lastUse(ctx, tx, k.ID)
			if err != nil {
				return err
			}
			p.AccessKeys = append(p.AccessKeys, RootKey{AccessKey: k, LastUsed: use})
		}
		if prof, err := tx.LoginProfile(ctx, acct, ""); err == nil {
			p.PasswordPresent = prof.Hash != ""
		} else if !notFound(err) {
			return err
		}
		if p.SigningCertificates, err = tx.SigningCertificates(ctx, acct, ""); err != nil {
			return err
		}
		st, err := rootStateOf(ctx, tx, acct)
		if err != nil {
			return err
		}
		p.RecoveryDisabled, p.LastSignIn = st.RecoveryDisabled, st.LastSignIn
		return nil
	})
	if err != nil {
		return nil, err
	}
	p.CredentialsRemoved = p.RecoveryDisabled && !p.PasswordPresent && len(p.AccessKeys) == 0 &&
		len(p.SigningCertificates) == 0 && len(p.MFADevices) == 0
	switch {
	case p.CredentialsRemoved:
		p.RootAccountMFAEnabled, p.RootAccessKeyCheck = NotApplicable, NotApplicable
	default:
		p.RootAccountMFAEnabled, p.RootAccessKeyCheck = NonCompliant, Compliant
		if len(p.MFADevices) > 0 {
			p.RootAccountMFAEnabled = Compliant
		}
		if len(p.AccessKeys) > 0 {
			p.RootAccessKeyCheck = NonCompliant
		}
	}
	return p, nil
}
