package iam

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
)

// CodePasswordPolicyViolation is IAM's answer to a password that breaks
// the rules (400). Wire contract: do not rename.
const CodePasswordPolicyViolation = "PasswordPolicyViolation"

// CodeInvalidUserType is IAM's answer to an operation the kind of caller
// cannot perform (ChangePassword by a root user or a role session; 400).
const CodeInvalidUserType = "InvalidUserType"

// Password limits. AWS: 8..128 characters for root and (by default) IAM
// user passwords; a custom policy's minimum is 6..128.
const (
	MinPasswordLength     = 8
	MaxPasswordLength     = 128
	MinPolicyLength       = 6
	DefaultPolicyLength   = 8
	MaxPasswordAge        = 1095
	MaxPasswordReuse      = 24
	defaultPBKDF2Rounds   = DefaultPasswordHashRounds
	passwordHashAlgorithm = "pbkdf2-sha256"
)

// passwordSymbols are the characters IAM counts as symbols, in the
// account password policy and the root password rules
// (spec/security.md §12.3): ! @ # $ % ^ & * ( ) < > [ ] { } | _ + - = '.
const passwordSymbols = "!@#$%^&*()<>[]{}|_+-='"

// DefaultPasswordHashRounds is the PBKDF2 round count of new password
// hashes unless Options.PasswordHashRounds says otherwise.
const DefaultPasswordHashRounds = 100_000

// PasswordHashMatches reports whether hash, as hashPassword makes them
// (and login profiles keep them), is pw's.
func PasswordHashMatches(hash, pw string) bool { return passwordMatches(hash, pw) }

func passwordViolation(format string, args ...any) *apierr.Error {
	return apierr.New(CodePasswordPolicyViolation, fmt.Sprintf(format, args...))
}

// passwordClasses counts the character classes of pw: upper-case,
// lower-case, digits, symbols.
func passwordClasses(pw string) (upper, lower, digit, symbol bool) {
	for _, r := range pw {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case r < utf8.RuneSelf && strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	return
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// checkAccountWords refuses a password identical to the account's name or
// primary email address (compared case-insensitively).
func checkAccountWords(pw, name, email string) error {
	if (name != "" && strings.EqualFold(pw, name)) || (email != "" && strings.EqualFold(pw, email)) {
		return passwordViolation("Password can not be the account name or the email address of the account.")
	}
	return nil
}

// CheckRootPassword applies AWS's rules for root user passwords: 8 to 128
// characters, at least three of upper-case letters, lower-case letters,
// digits and symbols, and not the account's name or email address. It
// returns PasswordPolicyViolation. (The account password policy does not
// apply to the root user.)
func CheckRootPassword(pw, accountName, email string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength {
		return passwordViolation("Password should have a minimum length of %d.", MinPasswordLength)
	}
	if n > MaxPasswordLength {
		return passwordViolation("Password should have a maximum length of %d.", MaxPasswordLength)
	}
	if countTrue(passwordClasses(pw)) < 3 {
		return passwordViolation("Password should include at least three of the following: upper-case letters, lower-case letters, numbers and symbols.")
	}
	return checkAccountWords(pw, accountName, email)
}

// checkUserPassword applies the account password policy p (nil: AWS's
// default policy, which is the root user's rules) to an IAM user's new
// password.
func checkUserPassword(pw string, p *PasswordPolicy, accountName, email string) error {
	if p == nil {
		return CheckRootPassword(pw, accountName, email)
	}
	n := utf8.RuneCountInString(pw)
	if n < p.MinimumLength {
		return passwordViolation("Password should have a minimum length of %d.", p.MinimumLength)
	}
	if n > MaxPasswordLength {
		return passwordViolation("Password should have a maximum length of %d.", MaxPasswordLength)
	}
	upper, lower, digit, symbol := passwordClasses(pw)
	switch {
	case p.RequireUppercaseCharacters && !upper:
		return passwordViolation("Password should have at least one uppercase letter.")
	case p.RequireLowercaseCharacters && !lower:
		return passwordViolation("Password should have at least one lowercase letter.")
	case p.RequireNumbers && !digit:
		return passwordViolation("Password should have at least one number.")
	case p.RequireSymbols && !symbol:
		return passwordViolation("Password should have at least one symbol.")
	}
	return checkAccountWords(pw, accountName, email)
}

// hashPassword returns pw's salted PBKDF2-HMAC-SHA256 hash as
// "pbkdf2-sha256$ROUNDS$SALT$HASH" (salt and hash in unpadded base64), so
// that a change of the round count keeps older hashes verifiable.
func (s *Service) hashPassword(pw string) (string, error) {
	if h, ok := s.knownHashes[pw]; ok && strings.HasPrefix(h, passwordHashAlgorithm+"$"+strconv.Itoa(s.pwRounds)+"$") {
		return h, nil
	}
	salt, err := s.randomBytes(16)
	if err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, pw, salt, s.pwRounds, 32)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	enc := base64.RawStdEncoding
	return passwordHashAlgorithm + "$" + strconv.Itoa(s.pwRounds) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key), nil
}

// passwordMatches reports whether pw is the password hash was made from.
// A malformed hash matches nothing.
func passwordMatches(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != passwordHashAlgorithm {
		return false
	}
	rounds, err := strconv.Atoi(parts[1])
	if err != nil || rounds < 1 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pw, salt, rounds, len(want))
	return err == nil && hmac.Equal(got, want)
}

// accountWords returns the account's name and primary email, which no
// password may be.
func accountWords(ctx context.Context, tx Tx, acct identity.AccountID) (name, email string, err error) {
	a, err := tx.Account(ctx, acct)
	if notFound(err) {
		return "", "", nil
	} else if err != nil {
		return "", "", err
	}
	return a.Name, a.Email, nil
}

// Root user password (the emulator's admin API; AWS offers it in the
// console only).

// SetRootPassword sets the root user's password of acct, checked with
// CheckRootPassword; it also stands for the root user's password recovery,
// which fills a login profile a root session made without a password.
// Returns NoSuchEntity for an unknown account, PasswordPolicyViolation,
// and RootCredentialsRemoved for a root user whose credentials
// centralized root access removed.
func (s *Service) SetRootPassword(ctx context.Context, acct identity.AccountID, pw string) error {
	if utf8.RuneCountInString(pw) > MaxPasswordLength {
		return passwordViolation("Password should have a maximum length of %d.", MaxPasswordLength)
	}
	hash, err := s.hashPassword(pw)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.update(ctx, func(tx Tx) error {
		a, err := tx.Account(ctx, acct)
		if notFound(err) {
			return noSuchEntity("The account %s cannot be found.", acct)
		} else if err != nil {
			return err
		}
		if err := CheckRootPassword(pw, a.Name, a.Email); err != nil {
			return err
		}
		if err := checkRootCredentialsAllowed(ctx, tx, acct); err != nil {
			return err
		}
		p, err := tx.LoginProfile(ctx, acct, "")
		if notFound(err) {
			p = &LoginProfile{Account: acct, CreatedAt: now}
		} else if err != nil {
			return err
		}
		p.Hash, p.ChangedAt = hash, now
		return tx.PutLoginProfile(ctx, p)
	})
}

// DeleteRootPassword removes the root user's password of acct. Returns
// NoSuchEntity if it has none.
func (s *Service) DeleteRootPassword(ctx context.Context, acct identity.AccountID) error {
	return s.update(ctx, func(tx Tx) error {
		err := tx.DeleteLoginProfile(ctx, acct, "")
		if notFound(err) {
			return noSuchEntity("The root user of account %s has no password.", acct)
		}
		return err
	})
}

// HasRootPassword reports whether the root user of acct has a password
// (a login profile a root session made for recovery has none yet).
func (s *Service) HasRootPassword(ctx context.Context, acct identity.AccountID) (bool, error) {
	var ok bool
	err := s.view(ctx, func(tx Tx) error {
		p, err := tx.LoginProfile(ctx, acct, "")
		if notFound(err) {
			return nil
		}
		ok = err == nil && p.Hash != ""
		return err
	})
	return ok, err
}

// Login profiles of IAM users.

func noLoginProfile(user string) *apierr.Error {
	return noSuchEntity("Login Profile for User %s cannot be found.", user)
}

// policyOf returns the account's password policy, or nil if it has none.
func policyOf(ctx context.Context, tx Tx, acct identity.AccountID) (*PasswordPolicy, error) {
	p, err := tx.PasswordPolicy(ctx, acct)
	if notFound(err) {
		return nil, nil
	}
	return p, err
}

// checkNewPassword checks pw against the account's policy and, for an
// existing profile, its reuse prevention.
func checkNewPassword(ctx context.Context, tx Tx, acct identity.AccountID, pw string, prof *LoginProfile) error {
	pol, err := policyOf(ctx, tx, acct)
	if err != nil {
		return err
	}
	name, email, err := accountWords(ctx, tx, acct)
	if err != nil {
		return err
	}
	if err := checkUserPassword(pw, pol, name, email); err != nil {
		return err
	}
	if prof == nil || pol == nil || pol.ReusePrevention == 0 {
		return nil
	}
	prev := append([]string{prof.Hash}, prof.History...)
	if len(prev) > pol.ReusePrevention {
		prev = prev[:pol.ReusePrevention]
	}
	for _, h := range prev {
		if passwordMatches(h, pw) {
			return passwordViolation("Password should not be one of your last %d passwords.", pol.ReusePrevention)
		}
	}
	return nil
}

// setPassword gives prof the new hash, keeping the old one in its history
// (as long as reuse prevention can ask for).
func setPassword(prof *LoginProfile, hash string, now time.Time) {
	if prof.Hash != "" {
		prof.History = append([]string{prof.Hash}, prof.History...)
		if len(prof.History) > MaxPasswordReuse {
			prof.History = prof.History[:MaxPasswordReuse]
		}
	}
	prof.Hash, prof.ChangedAt = hash, now
}

// CreateLoginProfile gives IAM user a console password. Returns
// NoSuchEntity for an unknown user, EntityAlreadyExists if it has one and
// PasswordPolicyViolation.
func (s *Service) CreateLoginProfile(ctx context.Context, acct identity.AccountID, user, pw string, resetRequired bool) (*LoginProfile, error) {
	hash, err := s.hashPassword(pw)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var out *LoginProfile
	err = s.update(ctx, func(tx Tx) error {
		u, err := getUser(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		if _, err := tx.LoginProfile(ctx, acct, u.Name); err == nil {
			return alreadyExists("Login Profile for user %s already exists.", u.Name)
		} else if !notFound(err) {
			return err
		}
		if err := checkNewPassword(ctx, tx, acct, pw, nil); err != nil {
			return err
		}
		out = &LoginProfile{Account: acct, User: u.Name, Hash: hash, CreatedAt: now, ChangedAt: now, ResetRequired: resetRequired}
		return tx.PutLoginProfile(ctx, out)
	})
	return out, err
}

// LoginProfile returns IAM user's login profile, or NoSuchEntity.
func (s *Service) LoginProfile(ctx context.Context, acct identity.AccountID, user string) (*LoginProfile, error) {
	var out *LoginProfile
	err := s.view(ctx, func(tx Tx) error {
		u, err := getUser(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		out, err = tx.LoginProfile(ctx, acct, u.Name)
		if notFound(err) {
			return noLoginProfile(u.Name)
		}
		return err
	})
	return out, err
}

// UpdateLoginProfile changes IAM user's password (pw nil: unchanged) and
// whether it must be reset at the next sign-in (reset nil: unchanged).
// Returns NoSuchEntity and PasswordPolicyViolation.
func (s *Service) UpdateLoginProfile(ctx context.Context, acct identity.AccountID, user string, pw *string, reset *bool) error {
	var hash string
	if pw != nil {
		var err error
		if hash, err = s.hashPassword(*pw); err != nil {
			return err
		}
	}
	now := s.Now()
	return s.update(ctx, func(tx Tx) error {
		u, err := getUser(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		prof, err := tx.LoginProfile(ctx, acct, u.Name)
		if notFound(err) {
			return noLoginProfile(u.Name)
		} else if err != nil {
			return err
		}
		if pw != nil {
			if err := checkNewPassword(ctx, tx, acct, *pw, prof); err != nil {
				return err
			}
			setPassword(prof, hash, now)
		}
		if reset != nil {
			prof.ResetRequired = *reset
		}
		return tx.PutLoginProfile(ctx, prof)
	})
}

// DeleteLoginProfile removes IAM user's password. Returns NoSuchEntity.
func (s *Service) DeleteLoginProfile(ctx context.Context, acct identity.AccountID, user string) error {
	return s.update(ctx, func(tx Tx) error {
		u, err := getUser(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		if err := tx.DeleteLoginProfile(ctx, acct, u.Name); notFound(err) {
			return noLoginProfile(u.Name)
		} else if err != nil {
			return err
		}
		return nil
	})
}

// ChangePassword changes the calling IAM user's own password. Returns
// InvalidUserType for callers other than IAM users, NoSuchEntity when the
// user has no password, AccessDenied when old is not its password
// (TODO(fidelity): AWS's code for a wrong old password is not pinned) and
// PasswordPolicyViolation.
func (s *Service) ChangePassword(ctx context.Context, caller identity.Principal, old, pw string) error {
	if caller.Type != identity.IAMUser {
		return apierr.New(CodeInvalidUserType, "Only IAM users can change their own password; the root user changes its password in the console.")
	}
	hash, err := s.hashPassword(pw)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.update(ctx, func(tx Tx) error {
		prof, err := tx.LoginProfile(ctx, caller.Account, caller.Name)
		if notFound(err) {
			return noLoginProfile(caller.Name)
		} else if err != nil {
			return err
		}
		if !passwordMatches(prof.Hash, old) {
			return accessDenied("The old password is incorrect.")
		}
		if err := checkNewPassword(ctx, tx, caller.Account, pw, prof); err != nil {
			return err
		}
		setPassword(prof, hash, now)
		prof.ResetRequired = false
		return tx.PutLoginProfile(ctx, prof)
	})
}

// Account password policy.

// UpdatePasswordPolicy sets the account's password policy. Fields the
// request leaves out take AWS's defaults (minimum length 6 when it is not
// given, everything else off). Returns ValidationError for values out of
// range.
func (s *Service) UpdatePasswordPolicy(ctx context.Context, p PasswordPolicy) error {
	if p.MinimumLength == 0 {
		p.MinimumLength = MinPolicyLength
	}
	if p.MinimumLength < MinPolicyLength || p.MinimumLength > MaxPasswordLength {
		return validation("1 validation error detected: Value '%d' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value between %d and %d", p.MinimumLength, MinPolicyLength, MaxPasswordLength)
	}
	return s.update(ctx, func(tx Tx) error { return tx.PutPasswordPolicy(ctx, &p) })
}

// PasswordPolicy returns the account's password policy, or NoSuchEntity
// if it has none.
func (s *Service) PasswordPolicy(ctx context.Context, acct identity.AccountID) (*PasswordPolicy, error) {
	var out *PasswordPolicy
	err := s.view(ctx, func(tx Tx) (err error) {
		out, err = tx.PasswordPolicy(ctx, acct)
		if notFound(err) {
			return noSuchEntity("The Password Policy with domain name %s cannot be found.", acct)
		}
		return err
	})
	return out, err
}

// DeletePasswordPolicy removes the account's password policy. Returns
// NoSuchEntity if it has none.
func (s *Service) DeletePasswordPolicy(ctx context.Context, acct identity.AccountID) error {
	return s.update(ctx, func(tx Tx) error {
		err := tx.DeletePasswordPolicy(ctx, acct)
		if notFound(err) {
			return noSuchEntity("The account policy with name PasswordPolicy cannot be found.")
		}
		return err
	})
}

// PasswordExpiry returns when prof's password expires under policy p
// (zero when it does not).
func PasswordExpiry(prof *LoginProfile, p *PasswordPolicy) time.Time {
	if p == nil || p.MaxAge == 0 || prof == nil || prof.User == "" {
		return time.Time{}
	}
	return prof.ChangedAt.Add(time.Duration(p.MaxAge) * 24 * time.Hour)
}
