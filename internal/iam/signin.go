package iam

import (
	"context"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// Password sign-in of root users and IAM users (the console's, and the
// emulator's POST /_accountplane/signin).

// MFAEnrollmentPeriod is how long the root user of a standalone or
// management account may sign in without MFA after its first sign-in
// attempt (spec/security.md §12.4: "within 35 days of the first sign-in
// attempt").
const MFAEnrollmentPeriod = 35 * 24 * time.Hour

// SignInInput is one password sign-in attempt.
type SignInInput struct {
	// Root chooses the root user's sign-in (by Email) over an IAM user's
	// (by Account, an account id or alias, and UserName).
	Root     bool
	Email    string
	Account  string
	UserName string
	Password string
	// MFACode is the six-digit code of the user's MFA device ("" when
	// the attempt sends none).
	MFACode string
}

// SignInOutcome is how a sign-in attempt ends.
type SignInOutcome uint8

// The outcomes. The zero value is a failure.
const (
	// SignInFailed: unknown user, wrong password or wrong MFA code, or a
	// user without a password.
	SignInFailed SignInOutcome = iota
	// SignedIn: the credentials are right.
	SignedIn
	// SignInNeedsMFA: the password is right and the user has an MFA
	// device, but the attempt sent no code. The attempt is not over: the
	// user is asked for the code.
	SignInNeedsMFA
	// SignInNeedsMFAEnrollment: the credentials are right, but the root
	// user of a standalone or management account has had no MFA device
	// for 35 days since its first sign-in attempt.
	SignInNeedsMFAEnrollment
)

// SignIn is the verdict on a sign-in attempt: CheckSignIn decides it,
// NoteSignIn records it.
type SignIn struct {
	Outcome SignInOutcome
	// Account is the account the attempt is made in; "" when the email
	// or the account id or alias is unknown (nothing is recorded then).
	Account identity.AccountID
	// Principal is the user that signs in (or tried to): the root user,
	// or the IAM user (Name is the name sent when UnknownUser).
	Principal identity.Principal
	// UnknownUser is true when no IAM user has the name sent.
	UnknownUser bool
	// MFAUsed reports whether an MFA code was checked; MFASerial is the
	// device whose code verified.
	MFAUsed   bool
	MFASerial string
	// PasswordResetRequired is an IAM user's obligation to set a new
	// password.
	PasswordResetRequired bool
	// EnrollBy is when the root user of a standalone or management
	// account without MFA must have enrolled a device (zero: the rule
	// does not apply).
	EnrollBy time.Time
}

// CheckSignIn decides a password sign-in attempt without changing
// anything: the account by email (root) or by id or alias, the user, the
// password (a salted hash compared in constant time), the MFA code (the
// current code, one step either side, of any of the user's devices on the
// domain clock) and, for the root user of a standalone or management
// account (not of a member: spec/security.md §12.4), the 35-day MFA
// enrolment rule. Errors are internal failures only; a refused attempt is
// an Outcome.
func (s *Service) CheckSignIn(ctx context.Context, in SignInInput) (*SignIn, error) {
	now := s.now()
	out := &SignIn{}
	err := s.view(ctx, func(tx Tx) error {
		acct, err := signInAccount(ctx, tx, in)
		if err != nil || acct == "" {
			return err
		}
		out.Account = acct
		user := ""
		if in.Root {
			out.Principal = identity.RootPrincipal(acct, "")
		} else {
			u, err := tx.User(ctx, acct, in.UserName)
			if notFound(err) {
				out.UnknownUser = true
				out.Principal = identity.Principal{Type: identity.IAMUser, Account: acct, Name: in.UserName}
				return nil
			} else if err != nil {
				return err
			}
			user = u.Name
			out.Principal = identity.AccessKey{Account: acct, User: u.Name}.UserPrincipal(u.ID, u.Path)
		}
		if in.Root {
			st, err := rootStateOf(ctx, tx, acct)
			if err != nil {
				return err
			}
			first := st.FirstSignInAttempt
			if first.IsZero() {
				first = now
			}
			out.EnrollBy = first.Add(MFAEnrollmentPeriod)
		}
		prof, err := tx.LoginProfile(ctx, acct, user)
		if notFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		if prof.Hash == "" || !passwordMatches(prof.Hash, in.Password) {
			return nil
		}
		out.PasswordResetRequired = prof.ResetRequired
		devices, err := devicesOf(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		if len(devices) > 0 {
			out.EnrollBy = time.Time{}
			if in.MFACode == "" {
				out.Outcome = SignInNeedsMFA
				return nil
			}
			out.MFAUsed = true
			for i := range devices {
				if checkCode(&devices[i], in.MFACode, now) {
					out.MFASerial = devices[i].Serial()
					out.Outcome = SignedIn
					return nil
				}
			}
			return nil
		}
		out.Outcome = SignedIn // a code sent for a user without MFA is ignored
		return nil
	})
	if err != nil || out.Account == "" || !in.Root {
		return out, err
	}
	// The enrolment rule binds standalone and management accounts only.
	f, inOrg, err := s.orgFacts(ctx, out.Account)
	if err != nil {
		return nil, err
	}
	if inOrg && f.IsMember(out.Account) {
		out.EnrollBy = time.Time{}
	}
	if out.Outcome == SignedIn && !out.EnrollBy.IsZero() && now.After(out.EnrollBy) {
		out.Outcome = SignInNeedsMFAEnrollment
	}
	return out, nil
}

// signInAccount finds the account of an attempt: by primary email for the
// root user (case-insensitively, as email addresses are compared), by id
// or alias for an IAM user; "" when there is none.
func signInAccount(ctx context.Context, tx Tx, in SignInInput) (identity.AccountID, error) {
	if in.Root {
		if in.Email == "" {
			return "", nil
		}
		a, err := tx.AccountByEmail(ctx, in.Email)
		if notFound(err) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return a.ID, nil
	}
	if identity.IsAccountID(in.Account) {
		if _, err := tx.Account(ctx, identity.AccountID(in.Account)); notFound(err) {
			return "", nil
		} else if err != nil {
			return "", err
		}
		return identity.AccountID(in.Account), nil
	}
	if in.Account == "" {
		return "", nil
	}
	id, err := tx.AliasOwner(ctx, strings.ToLower(in.Account))
	if notFound(err) {
		return "", nil
	}
	return id, err
}

// NoteSignIn records a decided attempt in the store, in one write
// transaction (which the composition root's unit of work also gives the
// attempt's CloudTrail record): the root user's first sign-in attempt,
// and a successful sign-in's time (the password's last use, the root
// user's last sign-in). An attempt in no known account, or one still
// waiting for its MFA code, changes nothing and is not written.
func (s *Service) NoteSignIn(ctx context.Context, si *SignIn) error {
	if si.Account == "" || si.Outcome == SignInNeedsMFA {
		return nil
	}
	now := s.Now()
	return s.update(ctx, func(tx Tx) error {
		if si.Principal.Type == identity.Root {
			st, err := rootStateOf(ctx, tx, si.Account)
			if err != nil {
				return err
			}
			if st.FirstSignInAttempt.IsZero() {
				st.FirstSignInAttempt = now
			}
			if si.Outcome == SignedIn {
				st.LastSignIn = now
			}
			if err := tx.PutRootState(ctx, st); err != nil {
				return err
			}
		}
		if si.Outcome != SignedIn || si.UnknownUser {
			return nil
		}
		user := ""
		if si.Principal.Type == identity.IAMUser {
			user = si.Principal.Name
		}
		prof, err := tx.LoginProfile(ctx, si.Account, user)
		if notFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		prof.LastUsed = now
		return tx.PutLoginProfile(ctx, prof)
	})
}
