package iam

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
)

// checkUserCredentials returns DeleteConflict while an IAM user still has
// a password, an MFA device or a signing certificate: IAM deletes none of
// them with the user.
func checkUserCredentials(ctx context.Context, tx Tx, acct identity.AccountID, user string) error {
	if _, err := tx.LoginProfile(ctx, acct, user); err == nil {
		return deleteConflict("Cannot delete entity, must delete login profile first.")
	} else if !notFound(err) {
		return err
	}
	devices, err := devicesOf(ctx, tx, acct, user)
	if err != nil {
		return err
	}
	if len(devices) > 0 {
		return deleteConflict("Cannot delete entity, must remove MFA devices first.")
	}
	certs, err := tx.SigningCertificates(ctx, acct, user)
	if err != nil {
		return err
	}
	if len(certs) > 0 {
		return deleteConflict("Cannot delete entity, must delete signing certificates first.")
	}
	return nil
}

// renameUserCredentials moves an IAM user's password, MFA devices and
// signing certificates to its new name.
func renameUserCredentials(ctx context.Context, tx Tx, acct identity.AccountID, old, name string) error {
	if p, err := tx.LoginProfile(ctx, acct, old); err == nil {
		if err := tx.DeleteLoginProfile(ctx, acct, old); err != nil {
			return err
		}
		p.User = name
		if err := tx.PutLoginProfile(ctx, p); err != nil {
			return err
		}
	} else if !notFound(err) {
		return err
	}
	devices, err := devicesOf(ctx, tx, acct, old)
	if err != nil {
		return err
	}
	for i := range devices {
		devices[i].User = name
		if err := tx.PutMFADevice(ctx, &devices[i]); err != nil {
			return err
		}
	}
	certs, err := tx.SigningCertificates(ctx, acct, old)
	if err != nil {
		return err
	}
	for i := range certs {
		certs[i].User = name
		if err := tx.PutSigningCertificate(ctx, &certs[i]); err != nil {
			return err
		}
	}
	return nil
}

// rootCredentialSummary fills the SummaryMap entries that describe MFA
// devices and the root user's password and signing certificates.
func rootCredentialSummary(ctx context.Context, tx Tx, acct identity.AccountID, m map[string]int) error {
	devices, err := tx.MFADevices(ctx, acct)
	if err != nil {
		return err
	}
	inUse, rootMFA := 0, 0
	for _, d := range devices {
		if d.Assigned() {
			inUse++
		}
		if d.Root {
			rootMFA = 1
		}
	}
	m["MFADevices"], m["MFADevicesInUse"], m["AccountMFAEnabled"] = len(devices), inUse, rootMFA
	m["AccountPasswordPresent"] = 0
	if p, err := tx.LoginProfile(ctx, acct, ""); err == nil && p.Hash != "" {
		m["AccountPasswordPresent"] = 1
	} else if err != nil && !notFound(err) {
		return err
	}
	certs, err := tx.SigningCertificates(ctx, acct, "")
	if err != nil {
		return err
	}
	m["AccountSigningCertificatesPresent"] = min(len(certs), 1)
	return nil
}
