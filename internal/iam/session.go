package iam

import (
	"context"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// GetSessionToken durations: an IAM user's sessions last 15 minutes to 36
// hours (default 12), the root user's at most one hour (default one; a
// longer request is cut to one hour, as STS does).
const (
	DefaultUserSessionDuration = 12 * time.Hour
	MaxUserSessionDuration     = 36 * time.Hour
	RootSessionDuration        = time.Hour
)

// GetSessionTokenInput is what GetSessionToken takes; the wire binding
// has checked the model's constraints.
type GetSessionTokenInput struct {
	// Duration is 0 for the default.
	Duration time.Duration
	// SerialNumber and TokenCode authenticate the session with the
	// caller's MFA device; both or neither.
	SerialNumber, TokenCode string
}

// GetSessionToken issues temporary credentials (ASIA…) for an IAM user or
// the root user, with the caller's own permissions. With SerialNumber and
// TokenCode, the code must be the current one of an MFA device of the
// caller, and the session carries MFA (aws:MultiFactorAuthPresent "true",
// aws:MultiFactorAuthAge); otherwise AccessDenied. Role sessions and
// sessions of GetSessionToken cannot call it (AccessDenied).
func (s *Service) GetSessionToken(ctx context.Context, caller identity.Principal, in GetSessionTokenInput) (*Session, error) {
	switch {
	case caller.Type == identity.AssumedRole || caller.Temporary:
		return nil, accessDenied("Cannot call GetSessionToken with session credentials")
	case caller.Type != identity.IAMUser && caller.Type != identity.Root:
		return nil, accessDenied("User: " + caller.ARN + " is not authorized to perform: sts:GetSessionToken")
	}
	d := in.Duration
	if caller.Type == identity.Root {
		if d == 0 || d > RootSessionDuration {
			d = RootSessionDuration
		}
	} else if d == 0 {
		d = DefaultUserSessionDuration
	}
	if d < MinSessionDuration || d > MaxUserSessionDuration {
		return nil, validation("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 129600", int(d/time.Second))
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
		Account: caller.Account, IssuedAt: now, Expiration: now.Add(d),
		Kind: UserSession, User: caller.Name, Source: caller.ARN,
	}
	err = s.update(ctx, func(tx Tx) error {
		if caller.Type == identity.IAMUser {
			u, err := tx.User(ctx, caller.Account, caller.Name)
			if notFound(err) {
				return accessDenied("User: " + caller.ARN + " is not authorized to perform: sts:GetSessionToken")
			} else if err != nil {
				return err
			}
			sess.User = u.Name
		}
		if in.SerialNumber != "" || in.TokenCode != "" {
			if err := verifyCallerMFA(ctx, tx, caller, in.SerialNumber, in.TokenCode, s.now()); err != nil {
				return err
			}
			sess.MFAAt = now
		}
		return tx.PutSession(ctx, sess)
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// userSessionPrincipal is the principal of a GetSessionToken session: the
// IAM user (or root user) itself, signing with temporary credentials.
func userSessionPrincipal(ctx context.Context, tx Tx, sess *Session) (identity.Principal, error) {
	k := identity.AccessKey{ID: sess.AccessKeyID, Account: sess.Account, User: sess.User}
	var p identity.Principal
	if sess.User == "" {
		p = k.Principal()
	} else {
		u, err := tx.User(ctx, sess.Account, sess.User)
		if err != nil {
			return identity.Principal{}, err // a deleted user's sessions sign nothing
		}
		p = k.UserPrincipal(u.ID, u.Path)
	}
	p.Temporary, p.MFAAt = true, sess.MFAAt
	return p, nil
}

// AccessKeyAccount returns the account that owns access key id: a
// long-term key's or an STS session's, as stored; for a key id this
// emulator never issued, the account AWS encodes in its key ids
// (decodeKeyAccount). Returns ValidationError for an id that is neither.
func (s *Service) AccessKeyAccount(ctx context.Context, id string) (identity.AccountID, error) {
	var acct identity.AccountID
	err := s.view(ctx, func(tx Tx) error {
		if k, err := tx.AccessKey(ctx, id); err == nil {
			acct = k.Account
			return nil
		} else if !notFound(err) {
			return err
		}
		if sess, err := tx.Session(ctx, id); err == nil {
			acct = sess.Account
			return nil
		} else if !notFound(err) {
			return err
		}
		return nil
	})
	if err != nil || acct != "" {
		return acct, err
	}
	if a, ok := decodeKeyAccount(id); ok {
		return a, nil
	}
	return "", validation("The access key ID %s is not valid.", id)
}

// decodeKeyAccount reads the account id AWS encodes in the access key ids
// it has issued since 2019: the 16 characters after the AKIA/ASIA prefix
// are Base32, and of the first 48 bits they decode to, the 40 that follow
// the first bit (masked with 0x7fffffffff80, shifted right by 7) are the
// account number.
func decodeKeyAccount(id string) (identity.AccountID, bool) {
	if len(id) != 20 || (!strings.HasPrefix(id, "AKIA") && !strings.HasPrefix(id, "ASIA")) {
		return "", false
	}
	b, err := base32.StdEncoding.DecodeString(id[4:])
	if err != nil || len(b) < 6 {
		return "", false
	}
	var z uint64
	for _, c := range b[:6] {
		z = z<<8 | uint64(c)
	}
	n := (z & 0x7fffffffff80) >> 7
	a := fmt.Sprintf("%012d", n)
	if !identity.IsAccountID(a) {
		return "", false
	}
	return identity.AccountID(a), true
}
