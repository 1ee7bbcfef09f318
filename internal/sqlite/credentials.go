package sqlite

import (
	"context"
	"encoding/base32"
	"fmt"

	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
)

// The iam.CredentialTx methods (passwords, password policies, virtual MFA
// devices, signing certificates, access key uses, credential reports), on
// the tables of migration 0007. Same conventions as iam.go: getters and
// deletes return an error wrapping iam.ErrNotFound for an absent row, Put
// methods insert or replace the whole record, user and device names are
// matched case-insensitively through their *_key columns.

// Login profiles.

const loginProfileColumns = `account_id, user_name, password_hash, created_at, changed_at, reset_required, last_used, history`

func scanLoginProfile(sc scanner, p *iam.LoginProfile) error {
	var history string
	if err := sc.Scan(&p.Account, &p.User, &p.Hash, scanTime{&p.CreatedAt}, scanTime{&p.ChangedAt},
		&p.ResetRequired, scanTime{&p.LastUsed}, &history); err != nil {
		return err
	}
	var err error
	p.History, err = decodeStrings(history)
	return err
}

// LoginProfile implements iam.Tx.
func (x iamTx) LoginProfile(ctx context.Context, acct identity.AccountID, user string) (*iam.LoginProfile, error) {
	var p iam.LoginProfile
	err := scanLoginProfile(x.queryRow(ctx, `SELECT `+loginProfileColumns+` FROM login_profiles
		WHERE account_id = ? AND user_key = ?`, string(acct), nameKey(user)), &p)
	if err != nil {
		return nil, rowErr(err, fmt.Sprintf("login profile %s %q", acct, user))
	}
	return &p, nil
}

// PutLoginProfile implements iam.Tx. Errors never carry the hash.
func (x iamTx) PutLoginProfile(ctx context.Context, p *iam.LoginProfile) error {
	if p == nil {
		return errNil("put login profile")
	}
	what := fmt.Sprintf("put login profile %s %q", p.Account, p.User)
	history, err := encodeStrings(p.History)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	_, err = x.exec(ctx, what, `INSERT INTO login_profiles (user_key, `+loginProfileColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, user_key) DO UPDATE SET user_name = excluded.user_name,
			password_hash = excluded.password_hash, created_at = excluded.created_at,
			changed_at = excluded.changed_at, reset_required = excluded.reset_required,
			last_used = excluded.last_used, history = excluded.history`,
		nameKey(p.User), string(p.Account), p.User, p.Hash, nanos(p.CreatedAt), nanos(p.ChangedAt),
		p.ResetRequired, nanos(p.LastUsed), history)
	return err
}

// DeleteLoginProfile implements iam.Tx.
func (x iamTx) DeleteLoginProfile(ctx context.Context, acct identity.AccountID, user string) error {
	return x.deleteOne(ctx, fmt.Sprintf("delete login profile %s %q", acct, user),
		`DELETE FROM login_profiles WHERE account_id = ? AND user_key = ?`, string(acct), nameKey(user))
}

// LoginProfiles implements iam.Tx: the root user's first (its empty name
// sorts first), then the users' by name.
func (x iamTx) LoginProfiles(ctx context.Context, acct identity.AccountID) ([]iam.LoginProfile, error) {
	return queryList(ctx, x.tx, "login profiles of "+string(acct), scanLoginProfile,
		`SELECT `+loginProfileColumns+` FROM login_profiles WHERE account_id = ? ORDER BY user_key, user_name`, string(acct))
}

// Password policies.

// PasswordPolicy implements iam.Tx.
func (x iamTx) PasswordPolicy(ctx context.Context, acct identity.AccountID) (*iam.PasswordPolicy, error) {
	p := iam.PasswordPolicy{Account: acct}
	err := x.queryRow(ctx, `SELECT minimum_length, require_symbols, require_numbers, require_upper, require_lower,
		allow_change, max_age, reuse_prevention, hard_expiry FROM password_policies WHERE account_id = ?`, string(acct)).
		Scan(&p.MinimumLength, &p.RequireSymbols, &p.RequireNumbers, &p.RequireUppercaseCharacters,
			&p.RequireLowercaseCharacters, &p.AllowUsersToChangePassword, &p.MaxAge, &p.ReusePrevention, &p.HardExpiry)
	if err != nil {
		return nil, rowErr(err, "password policy of "+string(acct))
	}
	return &p, nil
}

// PutPasswordPolicy implements iam.Tx.
func (x iamTx) PutPasswordPolicy(ctx context.Context, p *iam.PasswordPolicy) error {
	if p == nil {
		return errNil("put password policy")
	}
	_, err := x.exec(ctx, "put password policy of "+string(p.Account), `INSERT INTO password_policies
		(account_id, minimum_length, require_symbols, require_numbers, require_upper, require_lower,
		allow_change, max_age, reuse_prevention, hard_expiry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET minimum_length = excluded.minimum_length,
			require_symbols = excluded.require_symbols, require_numbers = excluded.require_numbers,
			require_upper = excluded.require_upper, require_lower = excluded.require_lower,
			allow_change = excluded.allow_change, max_age = excluded.max_age,
			reuse_prevention = excluded.reuse_prevention, hard_expiry = excluded.hard_expiry`,
		string(p.Account), p.MinimumLength, p.RequireSymbols, p.RequireNumbers, p.RequireUppercaseCharacters,
		p.RequireLowercaseCharacters, p.AllowUsersToChangePassword, p.MaxAge, p.ReusePrevention, p.HardExpiry)
	return err
}

// DeletePasswordPolicy implements iam.Tx.
func (x iamTx) DeletePasswordPolicy(ctx context.Context, acct identity.AccountID) error {
	return x.deleteOne(ctx, "delete password policy of "+string(acct),
		`DELETE FROM password_policies WHERE account_id = ?`, string(acct))
}

// Virtual MFA devices.

const mfaDeviceColumns = `account_id, name, path, seed, user_name, root, created_at, enabled_at, drift, tags`

var seedEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func scanMFADevice(sc scanner, d *iam.MFADevice) error {
	var seed, tags string
	if err := sc.Scan(&d.Account, &d.Name, &d.Path, &seed, &d.User, &d.Root, scanTime{&d.CreatedAt},
		scanTime{&d.EnabledAt}, &d.Drift, &tags); err != nil {
		return err
	}
	var err error
	if d.Seed, err = seedEncoding.DecodeString(seed); err != nil {
		return fmt.Errorf("decode seed: %w", err)
	}
	d.Tags, err = decodeTags(tags)
	return err
}

// MFADevice implements iam.Tx.
func (x iamTx) MFADevice(ctx context.Context, acct identity.AccountID, name string) (*iam.MFADevice, error) {
	var d iam.MFADevice
	err := scanMFADevice(x.queryRow(ctx, `SELECT `+mfaDeviceColumns+` FROM mfa_devices
		WHERE account_id = ? AND name_key = ?`, string(acct), nameKey(name)), &d)
	if err != nil {
		return nil, rowErr(err, fmt.Sprintf("mfa device %s %q", acct, name))
	}
	return &d, nil
}

// PutMFADevice implements iam.Tx. Errors never carry the seed.
func (x iamTx) PutMFADevice(ctx context.Context, d *iam.MFADevice) error {
	if d == nil {
		return errNil("put mfa device")
	}
	what := fmt.Sprintf("put mfa device %s %q", d.Account, d.Name)
	tags, err := encodeTags(d.Tags)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	_, err = x.exec(ctx, what, `INSERT INTO mfa_devices (name_key, user_key, `+mfaDeviceColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, name_key) DO UPDATE SET name = excluded.name, path = excluded.path,
			seed = excluded.seed, user_key = excluded.user_key, user_name = excluded.user_name,
			root = excluded.root, created_at = excluded.created_at, enabled_at = excluded.enabled_at,
			drift = excluded.drift, tags = excluded.tags`,
		nameKey(d.Name), nameKey(d.User), string(d.Account), d.Name, d.Path, seedEncoding.EncodeToString(d.Seed),
		d.User, d.Root, nanos(d.CreatedAt), nanos(d.EnabledAt), d.Drift, tags)
	return err
}

// DeleteMFADevice implements iam.Tx.
func (x iamTx) DeleteMFADevice(ctx context.Context, acct identity.AccountID, name string) error {
	return x.deleteOne(ctx, fmt.Sprintf("delete mfa device %s %q", acct, name),
		`DELETE FROM mfa_devices WHERE account_id = ? AND name_key = ?`, string(acct), nameKey(name))
}

// MFADevices implements iam.Tx.
func (x iamTx) MFADevices(ctx context.Context, acct identity.AccountID) ([]iam.MFADevice, error) {
	return queryList(ctx, x.tx, "mfa devices of "+string(acct), scanMFADevice,
		`SELECT `+mfaDeviceColumns+` FROM mfa_devices WHERE account_id = ? ORDER BY name_key, name`, string(acct))
}

// Signing certificates.

const certColumns = `account_id, user_name, id, body, active, uploaded_at`

func scanCert(sc scanner, c *iam.SigningCertificate) error {
	return sc.Scan(&c.Account, &c.User, &c.ID, &c.Body, &c.Active, scanTime{&c.UploadedAt})
}

// SigningCertificate implements iam.Tx.
func (x iamTx) SigningCertificate(ctx context.Context, acct identity.AccountID, id string) (*iam.SigningCertificate, error) {
	var c iam.SigningCertificate
	err := scanCert(x.queryRow(ctx, `SELECT `+certColumns+` FROM signing_certificates
		WHERE account_id = ? AND id = ?`, string(acct), id), &c)
	if err != nil {
		return nil, rowErr(err, fmt.Sprintf("signing certificate %s %s", acct, id))
	}
	return &c, nil
}

// PutSigningCertificate implements iam.Tx.
func (x iamTx) PutSigningCertificate(ctx context.Context, c *iam.SigningCertificate) error {
	if c == nil {
		return errNil("put signing certificate")
	}
	_, err := x.exec(ctx, fmt.Sprintf("put signing certificate %s %s", c.Account, c.ID),
		`INSERT INTO signing_certificates (user_key, `+certColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, id) DO UPDATE SET user_key = excluded.user_key, user_name = excluded.user_name,
			body = excluded.body, active = excluded.active, uploaded_at = excluded.uploaded_at`,
		nameKey(c.User), string(c.Account), c.User, c.ID, c.Body, c.Active, nanos(c.UploadedAt))
	return err
}

// DeleteSigningCertificate implements iam.Tx.
func (x iamTx) DeleteSigningCertificate(ctx context.Context, acct identity.AccountID, id string) error {
	return x.deleteOne(ctx, fmt.Sprintf("delete signing certificate %s %s", acct, id),
		`DELETE FROM signing_certificates WHERE account_id = ? AND id = ?`, string(acct), id)
}

// SigningCertificates implements iam.Tx, sorted by id.
func (x iamTx) SigningCertificates(ctx context.Context, acct identity.AccountID, user string) ([]iam.SigningCertificate, error) {
	return queryList(ctx, x.tx, fmt.Sprintf("signing certificates of %s %q", acct, user), scanCert,
		`SELECT `+certColumns+` FROM signing_certificates WHERE account_id = ? AND user_key = ? ORDER BY id`,
		string(acct), nameKey(user))
}

// Access key uses.

// KeyUse implements iam.Tx.
func (x iamTx) KeyUse(ctx context.Context, accessKeyID string) (*iam.KeyUse, error) {
	u := iam.KeyUse{AccessKeyID: accessKeyID}
	err := x.queryRow(ctx, `SELECT used_at, service, region FROM access_key_uses WHERE access_key_id = ?`, accessKeyID).
		Scan(scanTime{&u.At}, &u.Service, &u.Region)
	if err != nil {
		return nil, rowErr(err, "use of access key "+accessKeyID)
	}
	return &u, nil
}

// PutKeyUses implements iam.Tx. A use older than the stored one (written
// by another replica) does not replace it.
func (x iamTx) PutKeyUses(ctx context.Context, uses []iam.KeyUse) error {
	for _, u := range uses {
		_, err := x.exec(ctx, "put use of access key "+u.AccessKeyID, `INSERT INTO access_key_uses
			(access_key_id, used_at, service, region) VALUES (?, ?, ?, ?)
			ON CONFLICT (access_key_id) DO UPDATE SET used_at = excluded.used_at,
				service = excluded.service, region = excluded.region
			WHERE access_key_uses.used_at IS NULL OR access_key_uses.used_at <= excluded.used_at`,
			u.AccessKeyID, nanos(u.At), u.Service, u.Region)
		if err != nil {
			return err
		}
	}
	return nil
}

// Credential reports.

// CredentialReport implements iam.Tx.
func (x iamTx) CredentialReport(ctx context.Context, acct identity.AccountID) (*iam.CredentialReport, error) {
	r := iam.CredentialReport{Account: acct}
	var content string
	err := x.queryRow(ctx, `SELECT generated_at, ready_at, content FROM credential_reports WHERE account_id = ?`, string(acct)).
		Scan(scanTime{&r.GeneratedAt}, scanTime{&r.ReadyAt}, &content)
	if err != nil {
		return nil, rowErr(err, "credential report of "+string(acct))
	}
	r.Content = []byte(content)
	return &r, nil
}

// PutCredentialReport implements iam.Tx.
func (x iamTx) PutCredentialReport(ctx context.Context, r *iam.CredentialReport) error {
	if r == nil {
		return errNil("put credential report")
	}
	_, err := x.exec(ctx, "put credential report of "+string(r.Account), `INSERT INTO credential_reports
		(account_id, generated_at, ready_at, content) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET generated_at = excluded.generated_at,
			ready_at = excluded.ready_at, content = excluded.content`,
		string(r.Account), nanos(r.GeneratedAt), nanos(r.ReadyAt), string(r.Content))
	return err
}

// Root users (migration 0015).

// RootState implements iam.Tx.
func (x iamTx) RootState(ctx context.Context, acct identity.AccountID) (*iam.RootState, error) {
	st := iam.RootState{Account: acct}
	err := x.queryRow(ctx, `SELECT first_signin_attempt, last_signin, recovery_disabled FROM root_users WHERE account_id = ?`, string(acct)).
		Scan(scanTime{&st.FirstSignInAttempt}, scanTime{&st.LastSignIn}, &st.RecoveryDisabled)
	if err != nil {
		return nil, rowErr(err, "root user of "+string(acct))
	}
	return &st, nil
}

// PutRootState implements iam.Tx.
func (x iamTx) PutRootState(ctx context.Context, st *iam.RootState) error {
	if st == nil {
		return errNil("put root user")
	}
	_, err := x.exec(ctx, "put root user of "+string(st.Account), `INSERT INTO root_users
		(account_id, first_signin_attempt, last_signin, recovery_disabled) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET first_signin_attempt = excluded.first_signin_attempt,
			last_signin = excluded.last_signin, recovery_disabled = excluded.recovery_disabled`,
		string(st.Account), nanos(st.FirstSignInAttempt), nanos(st.LastSignIn), st.RecoveryDisabled)
	return err
}

// OrgFeatures implements iam.Tx.
func (x iamTx) OrgFeatures(ctx context.Context, org string) (*iam.OrgFeatures, error) {
	f := iam.OrgFeatures{Org: org}
	err := x.queryRow(ctx, `SELECT root_credentials_management, root_sessions, updated_at FROM org_root_features WHERE org_id = ?`, org).
		Scan(&f.RootCredentialsManagement, &f.RootSessions, scanTime{&f.UpdatedAt})
	if err != nil {
		return nil, rowErr(err, "centralized root access of "+org)
	}
	return &f, nil
}

// PutOrgFeatures implements iam.Tx.
func (x iamTx) PutOrgFeatures(ctx context.Context, f *iam.OrgFeatures) error {
	if f == nil {
		return errNil("put centralized root access")
	}
	_, err := x.exec(ctx, "put centralized root access of "+f.Org, `INSERT INTO org_root_features
		(org_id, root_credentials_management, root_sessions, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET root_credentials_management = excluded.root_credentials_management,
			root_sessions = excluded.root_sessions, updated_at = excluded.updated_at`,
		f.Org, f.RootCredentialsManagement, f.RootSessions, nanos(f.UpdatedAt))
	return err
}
