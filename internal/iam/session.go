package iam

import (
	"context"
	"encoding/base64"
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
