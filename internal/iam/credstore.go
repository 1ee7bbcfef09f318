package iam

import (
	"context"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// LoginProfile is the password of an IAM user, or (User "") of the
// account's root user. Only a salted hash of the password is kept.
type LoginProfile struct {
	Account identity.AccountID
	// User is the IAM user name; "" for the root user.
	User string
	// Hash is the password's hash in the form passwordHash writes.
	Hash      string
	CreatedAt time.Time
	// ChangedAt is when the password was last set (password_last_changed).
	ChangedAt time.Time
	// ResetRequired makes the user set a new password at the next sign-in.
	ResetRequired bool
	// LastUsed is the last sign-in with the password (zero: never).
	LastUsed time.Time
	// History holds the hashes of earlier passwords, newest first, as many
	// as the password policy's PasswordReusePrevention asks for.
	History []string
}

// PasswordPolicy is an account's password policy for IAM users (it does
// not apply to the root user).
type PasswordPolicy struct {
	Account                    identity.AccountID
	MinimumLength              int // 6..128
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	// MaxAge is the password lifetime in days; 0 means passwords never
	// expire.
	MaxAge int
	// ReusePrevention is how many earlier passwords may not be reused; 0
	// for none.
	ReusePrevention int
	// HardExpiry keeps users with an expired password from setting a new
	// one (an administrator must).
	HardExpiry bool
}

// MFADevice is a virtual MFA device: made by CreateVirtualMFADevice (or
// for the root user by the emulator's admin API), assigned to an IAM user
// by EnableMFADevice.
type MFADevice struct {
	Account identity.AccountID
	Name    string
	Path    string
	// Seed is the TOTP secret (RFC 6238: HMAC-SHA1, 30-second steps, six
	// digits). Verifying a code needs it in the clear.
	Seed []byte
	// User is the IAM user the device is assigned to; "" when it is
	// unassigned or assigned to the root user.
	User string
	// Root is true when the device is the root user's.
	Root      bool
	CreatedAt time.Time
	// EnabledAt is when the device was assigned (zero: unassigned).
	EnabledAt time.Time
	// Drift is the device's clock offset in 30-second steps, learnt by
	// ResyncMFADevice.
	Drift int
	Tags  []Tag
}

// SigningCertificate is an X.509 signing certificate of an IAM user or
// (User "") the root user.
type SigningCertificate struct {
	Account    identity.AccountID
	User       string
	ID         string
	Body       string // PEM
	Active     bool
	UploadedAt time.Time
}

// KeyUse is the last use of an access key to sign a request.
type KeyUse struct {
	AccessKeyID string
	At          time.Time
	// Service is the signing name of the service called (iam, sts, ...);
	// Region the Region of the credential scope.
	Service, Region string
}

// CredentialReport is the account's latest credential report.
type CredentialReport struct {
	Account identity.AccountID
	// GeneratedAt is when it was started; ReadyAt when its content can be
	// read (GetCredentialReport answers ReportInProgress until then).
	GeneratedAt, ReadyAt time.Time
	// Content is the CSV document.
	Content []byte
}

// CredentialTx is the part of Tx that keeps the credentials of root users
// and IAM users besides access keys. Getters return ErrNotFound for absent
// rows, and so do the deletes when there was nothing to delete.
type CredentialTx interface {
	// LoginProfile returns the password of user ("" for the root user).
	LoginProfile(ctx context.Context, acct identity.AccountID, user string) (*LoginProfile, error)
	PutLoginProfile(ctx context.Context, p *LoginProfile) error
	DeleteLoginProfile(ctx context.Context, acct identity.AccountID, user string) error
	// LoginProfiles lists the account's passwords, the root user's first.
	LoginProfiles(ctx context.Context, acct identity.AccountID) ([]LoginProfile, error)

	PasswordPolicy(ctx context.Context, acct identity.AccountID) (*PasswordPolicy, error)
	PutPasswordPolicy(ctx context.Context, p *PasswordPolicy) error
	DeletePasswordPolicy(ctx context.Context, acct identity.AccountID) error

	// MFADevice finds a virtual MFA device by name, case-insensitively.
	MFADevice(ctx context.Context, acct identity.AccountID, name string) (*MFADevice, error)
	PutMFADevice(ctx context.Context, d *MFADevice) error
	DeleteMFADevice(ctx context.Context, acct identity.AccountID, name string) error
	// MFADevices lists the account's virtual MFA devices by name.
	MFADevices(ctx context.Context, acct identity.AccountID) ([]MFADevice, error)

	SigningCertificate(ctx context.Context, acct identity.AccountID, id string) (*SigningCertificate, error)
	PutSigningCertificate(ctx context.Context, c *SigningCertificate) error
	DeleteSigningCertificate(ctx context.Context, acct identity.AccountID, id string) error
	// SigningCertificates lists the certificates of user ("" for the root
	// user), oldest first.
	SigningCertificates(ctx context.Context, acct identity.AccountID, user string) ([]SigningCertificate, error)

	// KeyUse returns the recorded last use of an access key.
	KeyUse(ctx context.Context, accessKeyID string) (*KeyUse, error)
	// PutKeyUses records last uses, replacing earlier ones (a use older
	// than the stored one is dropped).
	PutKeyUses(ctx context.Context, uses []KeyUse) error

	CredentialReport(ctx context.Context, acct identity.AccountID) (*CredentialReport, error)
	PutCredentialReport(ctx context.Context, r *CredentialReport) error

	// RootState returns what IAM keeps of the root user of acct besides
	// its credentials.
	RootState(ctx context.Context, acct identity.AccountID) (*RootState, error)
	PutRootState(ctx context.Context, st *RootState) error
	// OrgFeatures returns the centralized root access features of
	// organization org.
	OrgFeatures(ctx context.Context, org string) (*OrgFeatures, error)
	PutOrgFeatures(ctx context.Context, f *OrgFeatures) error
}

// RootState is what IAM keeps of an account's root user besides its
// credentials: its sign-ins and whether centralized root access removed
// its credentials.
type RootState struct {
	Account identity.AccountID
	// FirstSignInAttempt is the root user's first password sign-in
	// attempt, successful or not (zero: none yet); the MFA enrolment rule
	// of standalone and management accounts counts 35 days from it.
	FirstSignInAttempt time.Time
	// LastSignIn is the last successful sign-in (zero: none).
	LastSignIn time.Time
	// RecoveryDisabled is set when centralized root access removed the
	// root credentials: the account was created while its organization
	// had RootCredentialsManagement, or a root session deleted the root
	// password. No root password, access key or MFA device may then be
	// made for it and its password cannot be recovered, until a root
	// session allows recovery (CreateLoginProfile without a password).
	RecoveryDisabled bool
}
