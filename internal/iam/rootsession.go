package iam

import (
	"context"
	"encoding/base64"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/arn"
	"github.com/accountplane/accountplane/internal/identity"
)

// Privileged root sessions: STS AssumeRoot and what a session does with
// the member account's root credentials
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html).

// RootSession is the kind of the sessions STS AssumeRoot issues.
const RootSession SessionKind = "root"

// MaxRootSessionDuration is AssumeRoot's limit and default (900 seconds).
const MaxRootSessionDuration = 900 * time.Second

// CodeRootCredentialsRemoved is the emulator's answer (its admin API and
// console only; 409) to making a root password, access key or MFA device
// for a root user whose credentials centralized root access removed. Wire
// contract of the admin API: do not rename.
const CodeRootCredentialsRemoved = "RootCredentialsRemoved"

// AssumeRootInput is what AssumeRoot takes; the wire binding has checked
// the model's constraints and CheckAssumeRoot.
type AssumeRootInput struct {
	// TargetPrincipal is the member account's id or its root user's ARN.
	TargetPrincipal string
	// TaskPolicyARN is one of the five task policies.
	TaskPolicyARN string
	// Duration is 1 second to 15 minutes; 0 means 15 minutes.
	Duration time.Duration
}

// RootTarget returns the account TargetPrincipal names: a 12-digit account
// id, or the root user's ARN arn:aws:iam::ID:root.
func RootTarget(target string) (identity.AccountID, bool) {
	if identity.IsAccountID(target) {
		return identity.AccountID(target), true
	}
	rest, ok := strings.CutPrefix(target, "arn:aws:iam::")
	if !ok {
		return "", false
	}
	if id, ok := strings.CutSuffix(rest, ":root"); ok && identity.IsAccountID(id) {
		return identity.AccountID(id), true
	}
	return "", false
}

// CheckAssumeRoot returns the ValidationError of an AssumeRoot request
// whose members are well-formed for the model but not for the operation:
// a target that is no account id or root ARN, a task policy that is not
// one of the five, a duration outside 1 to 900 seconds.
// TODO(fidelity): AWS's code and message for these are not pinned.
func CheckAssumeRoot(in AssumeRootInput) error {
	if _, ok := RootTarget(in.TargetPrincipal); !ok {
		return validation("The target principal %s is not valid: specify the 12-digit id of a member account or its root user's ARN (arn:aws:iam::ACCOUNT:root).", in.TargetPrincipal)
	}
	if !IsTaskPolicy(in.TaskPolicyARN) {
		return validation("The task policy ARN %s is not valid: specify one of %s.", in.TaskPolicyARN, strings.Join(TaskPolicies, ", "))
	}
	if in.Duration < 0 || in.Duration > MaxRootSessionDuration {
		return validation("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 900", int(in.Duration/time.Second))
	}
	return nil
}

// AssumeRoot starts a privileged root session in a member account for
// caller, as STS does: the session's principal is the member's root user
// (its requests carry aws:AssumedRoot "true" and are bound by the member's
// SCPs), limited by the task policy, for at most 15 minutes. The request
// must pass CheckAssumeRoot (ValidationError). It answers AccessDenied
// when:
//   - the caller is a root user (AWS: "You cannot use root user
//     credentials to make this call");
//   - the caller's account is neither the management account nor an IAM
//     delegated administrator of an organization;
//   - the organization does not have RootSessions in force (all features,
//     trusted access for iam.amazonaws.com, the feature enabled);
//   - the target is not a member account of the caller's organization
//     (another organization's account, a standalone one, the management
//     account).
//
// TODO(fidelity): the codes of these refusals are not modelled (only
// RegionDisabledException and ExpiredTokenException are); AccessDenied is
// our choice, and the messages are ours.
//
// The caller's own permission for sts:AssumeRoot (identity policies,
// SCPs) is the authorizer's, checked before this call.
func (s *Service) AssumeRoot(ctx context.Context, caller identity.Principal, in AssumeRootInput) (*Session, error) {
	if err := CheckAssumeRoot(in); err != nil {
		return nil, err
	}
	target, _ := RootTarget(in.TargetPrincipal)
	denied := func(why string) error {
		return accessDenied("User: " + caller.ARN + " is not authorized to perform: sts:AssumeRoot on resource: " + arn.Root(string(target)) + " because " + why)
	}
	switch {
	case caller.IsZero():
		return nil, denied("the caller is anonymous")
	case caller.IsRoot():
		return nil, accessDenied("You cannot use root user credentials to call AssumeRoot: use an IAM user or role of the management account or of the delegated administrator for centralized root access.")
	}
	f, feats, ok, err := s.featuresOf(ctx, caller.Account)
	switch {
	case err != nil:
		return nil, err
	case !ok || !f.manages(caller.Account):
		return nil, denied("the account " + string(caller.Account) + " is neither the management account nor the delegated administrator for centralized root access of an organization")
	case !feats.RootSessions:
		return nil, denied("centralized root access does not have RootSessions enabled in the organization " + f.Org)
	}
	tf, inOrg, err := s.orgFacts(ctx, target)
	switch {
	case err != nil:
		return nil, err
	case !inOrg || tf.Org != f.Org || !tf.IsMember(target):
		return nil, denied("the target principal " + in.TargetPrincipal + " is not a member account of the organization " + f.Org)
	}
	d := in.Duration
	if d == 0 {
		d = MaxRootSessionDuration
	}
	id, secret, err := s.newKeyPair("ASIA")
	if err != nil {
		return nil, err
	}
	tok, err := s.randomBytes(225)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	sess := &Session{
		AccessKeyID: id, Secret: secret, Token: "IQoJb3JpZ2luX2Vj" + base64.StdEncoding.EncodeToString(tok),
		Account: target, IssuedAt: now, Expiration: now.Add(d), Kind: RootSession,
		PolicyARNs: []string{in.TaskPolicyARN}, Source: caller.ARN,
	}
	err = s.update(ctx, func(tx Tx) error {
		if _, err := tx.Account(ctx, target); notFound(err) {
			return denied("the target principal " + in.TargetPrincipal + " does not exist")
		} else if err != nil {
			return err
		}
		return tx.PutSession(ctx, sess)
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// rootSessionPrincipal is the principal of an AssumeRoot session: the
// member account's root user, signing with temporary credentials.
func rootSessionPrincipal(sess *Session) identity.Principal {
	p := identity.RootPrincipal(sess.Account, sess.AccessKeyID)
	p.Temporary, p.AssumedRoot = true, true
	return p
}

// The root user's credentials in a root session. The IAM operations that
// omit UserName act on them (the model: "When you make this request with
// root user credentials, you must use an AssumeRoot session to omit the
// user name").

func noRootLoginProfile() *apierr.Error {
	// TODO(fidelity): AWS's message for the root user is not pinned.
	return noSuchEntity("Login Profile for the root user cannot be found.")
}

// RootLoginProfile returns the root user's login profile (GetLoginProfile
// in a root session), or NoSuchEntity.
func (s *Service) RootLoginProfile(ctx context.Context, acct identity.AccountID) (*LoginProfile, error) {
	var out *LoginProfile
	err := s.view(ctx, func(tx Tx) (err error) {
		out, err = tx.LoginProfile(ctx, acct, "")
		if notFound(err) {
			return noRootLoginProfile()
		}
		return err
	})
	return out, err
}

// DeleteRootLoginProfile deletes the root user's password
// (DeleteLoginProfile in a root session): the root user can no longer sign
// in, nor recover its password, until a root session allows recovery.
// Returns NoSuchEntity when it has none.
func (s *Service) DeleteRootLoginProfile(ctx context.Context, acct identity.AccountID) error {
	return s.update(ctx, func(tx Tx) error {
		if err := tx.DeleteLoginProfile(ctx, acct, ""); notFound(err) {
			return noRootLoginProfile()
		} else if err != nil {
			return err
		}
		st, err := rootStateOf(ctx, tx, acct)
		if err != nil {
			return err
		}
		st.RecoveryDisabled = true
		return tx.PutRootState(ctx, st)
	})
}

// AllowRootPasswordRecovery gives the root user a login profile without a
// password (CreateLoginProfile without a password in a root session): the
// root user's email owner may then set one through password recovery
// (here the admin API's PUT .../root/password). Returns
// EntityAlreadyExists when the root user has a login profile.
func (s *Service) AllowRootPasswordRecovery(ctx context.Context, acct identity.AccountID) (*LoginProfile, error) {
	now := s.Now()
	out := &LoginProfile{Account: acct, CreatedAt: now}
	err := s.update(ctx, func(tx Tx) error {
		if _, err := tx.LoginProfile(ctx, acct, ""); err == nil {
			return alreadyExists("Login Profile for the root user already exists.")
		} else if !notFound(err) {
			return err
		}
		st, err := rootStateOf(ctx, tx, acct)
		if err != nil {
			return err
		}
		st.RecoveryDisabled = false
		if err := tx.PutRootState(ctx, st); err != nil {
			return err
		}
		return tx.PutLoginProfile(ctx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeactivateRootMFADevice unassigns the root user's MFA device serial
// (DeactivateMFADevice in a root session, or the console's removal); the
// device is kept, unassigned, for DeleteVirtualMFADevice. Returns
// NoSuchEntity when serial is not a device of the root user.
func (s *Service) DeactivateRootMFADevice(ctx context.Context, acct identity.AccountID, serial string) error {
	return s.update(ctx, func(tx Tx) error {
		d, err := findDevice(ctx, tx, acct, serial)
		if err != nil {
			return err
		}
		if !d.Root {
			return noSuchEntity("MFA Device with serial number %s does not exist.", serial)
		}
		d.Root, d.EnabledAt, d.Drift = false, time.Time{}, 0
		return tx.PutMFADevice(ctx, d)
	})
}

// rootStateOf returns the stored state of acct's root user, or a new one.
func rootStateOf(ctx context.Context, tx Tx, acct identity.AccountID) (*RootState, error) {
	st, err := tx.RootState(ctx, acct)
	if notFound(err) {
		return &RootState{Account: acct}, nil
	}
	return st, err
}

// checkRootCredentialsAllowed refuses to make root credentials for a root
// user whose credentials centralized root access removed.
func checkRootCredentialsAllowed(ctx context.Context, tx Tx, acct identity.AccountID) error {
	st, err := tx.RootState(ctx, acct)
	if notFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if st.RecoveryDisabled {
		return &apierr.Error{Code: CodeRootCredentialsRemoved, Fault: apierr.Client, Message: "The root user of account " + string(acct) +
			" has no root credentials: its organization manages root credentials centrally, and its password cannot be recovered. " +
			"From the management account (or the IAM delegated administrator), start a privileged root session with sts assume-root " +
			"--target-principal " + string(acct) + " --task-policy-arn arn=" + IAMCreateRootUserPasswordARN +
			" and call iam create-login-profile with it to allow password recovery."}
	}
	return nil
}

// RootCredentialsRemoved reports whether centralized root access removed
// the root credentials of acct (see RootState.RecoveryDisabled).
func (s *Service) RootCredentialsRemoved(ctx context.Context, acct identity.AccountID) (bool, error) {
	var removed bool
	err := s.view(ctx, func(tx Tx) error {
		err := checkRootCredentialsAllowed(ctx, tx, acct)
		if apierr.HasCode(err, CodeRootCredentialsRemoved) {
			removed = true
			return nil
		}
		return err
	})
	return removed, err
}

// Root user tasks of the console (AWS offers them in its console only).

// EnableRootMFADevice assigns virtual MFA device serial (made by
// CreateVirtualMFADevice) to the root user of acct, proving possession with
// two consecutive codes as EnableMFADevice does: the console's root MFA
// enrolment. Returns NoSuchEntity for an unknown device,
// EntityAlreadyExists for a device in use, LimitExceeded past eight
// devices, InvalidAuthenticationCode, and RootCredentialsRemoved.
func (s *Service) EnableRootMFADevice(ctx context.Context, acct identity.AccountID, serial, code1, code2 string) error {
	now := s.Now()
	return s.update(ctx, func(tx Tx) error {
		if err := checkRootCredentialsAllowed(ctx, tx, acct); err != nil {
			return err
		}
		d, err := findDevice(ctx, tx, acct, serial)
		if err != nil {
			return err
		}
		if d.Assigned() {
			return alreadyExists("MFA Device is already in use.")
		}
		mine, err := devicesOf(ctx, tx, acct, "")
		if err != nil {
			return err
		}
		if len(mine) >= QuotaMFADevicesPerUser {
			return limitExceeded("Cannot exceed quota for MFADevicesPerUser: %d", QuotaMFADevicesPerUser)
		}
		cur := stepOf(now)
		n, ok := consecutiveStep(d.Seed, code1, code2, cur-enableWindow, cur)
		if !ok {
			return invalidCodes()
		}
		d.User, d.Root, d.EnabledAt, d.Drift = "", true, now, int(n+1-cur)
		return tx.PutMFADevice(ctx, d)
	})
}

// ChangeRootPassword changes the root user's password of acct from old
// (the console asks for the current one) to pw, checked with
// CheckRootPassword. Returns AccessDenied when old is not the current
// password (or there is none) and PasswordPolicyViolation.
// TODO(fidelity): the console's wording is not pinned.
func (s *Service) ChangeRootPassword(ctx context.Context, acct identity.AccountID, old, pw string) error {
	ok := false
	err := s.view(ctx, func(tx Tx) error {
		p, err := tx.LoginProfile(ctx, acct, "")
		if notFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		ok = p.Hash != "" && passwordMatches(p.Hash, old)
		return nil
	})
	if err != nil {
		return err
	}
	if !ok {
		return accessDenied("The current password is incorrect.")
	}
	return s.SetRootPassword(ctx, acct, pw)
}
