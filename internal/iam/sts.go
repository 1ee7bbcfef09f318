package iam

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/accountplane/accountplane/internal/arn"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/policy"
)

// STS session limits.
const (
	MinSessionDuration     = 15 * time.Minute
	DefaultSessionDuration = time.Hour
	// RoleChainingMaxDuration bounds a session assumed with the
	// credentials of another role session.
	RoleChainingMaxDuration = time.Hour
)

// AssumeRoleInput is what AssumeRole takes. The wire binding has already
// checked the model's constraints.
type AssumeRoleInput struct {
	RoleARN     string
	SessionName string
	// Duration is 15m..the role's MaxSessionDuration; 0 means 1h.
	Duration time.Duration
	// Policy is an inline session policy (JSON), or "".
	Policy string
	// PolicyARNs are managed session policies.
	PolicyARNs []string
	Tags       []Tag
	// SerialNumber and TokenCode authenticate the request with an MFA
	// device of the caller (both or neither).
	SerialNumber, TokenCode string
}

// AssumeRoleOutput is a new session and the packed size of its policies
// and tags (percent of the limit; -1 when none were passed).
type AssumeRoleOutput struct {
	Session          *Session
	PackedPolicySize int
}

// AssumedRoleID is the AssumedRoleId of a session: ROLEID:SESSION.
func (s *Session) AssumedRoleID() string { return s.RoleID + ":" + s.SessionName }

// ARN returns the session's ARN,
// arn:aws:sts::ACCT:assumed-role/ROLE/SESSION.
func (s *Session) ARN() string {
	return arn.AssumedRole(string(s.Account), s.RoleName, s.SessionName)
}

// Principal returns the principal that signs with the session's key.
func (s *Session) Principal() identity.Principal {
	p := identity.AssumedRolePrincipal(s.Account, s.RoleName, s.RoleID, s.SessionName, s.AccessKeyID)
	p.MFAAt = s.MFAAt
	return p
}

var (
	reSessionName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]{2,64}$`) })
	reRoleARN     = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})$`)
	})
)

// AssumeRole issues temporary credentials for the role named by in.RoleARN
// to caller, as STS does:
//   - root users may not assume roles (AccessDenied);
//   - the role must exist and its trust policy must allow the caller (a
//     Principal naming the caller's ARN, its account (root ARN or id), or
//     "*"); otherwise AccessDenied "User: … is not authorized to perform:
//     sts:AssumeRole on resource: …";
//   - the duration is 15 minutes up to the role's MaxSessionDuration, and
//     at most one hour when the caller is itself a role session (role
//     chaining): ValidationError otherwise;
//   - the session policy is validated (MalformedPolicyDocument) and
//     limited to 2048 characters with the managed ARNs and tags
//     (PackedPolicyTooLarge);
//   - with SerialNumber and TokenCode, the code must be the current one of
//     an MFA device of the caller (AccessDenied otherwise): the trust
//     policy then sees MFA and the session carries it; a caller's own MFA
//     session passes its MFA on.
//
// The caller's own permission for sts:AssumeRole (identity policies, SCPs)
// is the authorizer's, checked before this call.
func (s *Service) AssumeRole(ctx context.Context, caller identity.Principal, in AssumeRoleInput) (*AssumeRoleOutput, error) {
	denied := accessDenied("User: " + caller.ARN + " is not authorized to perform: sts:AssumeRole on resource: " + in.RoleARN)
	if caller.IsZero() {
		return nil, denied
	}
	if caller.IsRoot() {
		return nil, accessDenied("Roles may not be assumed by root accounts.")
	}
	if !reSessionName().MatchString(in.SessionName) {
		return nil, validation("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", in.SessionName)
	}
	m := reRoleARN().FindStringSubmatch(in.RoleARN)
	if m == nil {
		return nil, validation("%s is invalid", in.RoleARN)
	}
	acct, roleName := identity.AccountID(m[1]), m[2]
	if in.Duration == 0 {
		in.Duration = DefaultSessionDuration
	}
	if in.Duration < MinSessionDuration {
		return nil, validation("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", int(in.Duration/time.Second))
	}
	if caller.Type == identity.AssumedRole && in.Duration > RoleChainingMaxDuration {
		return nil, validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	packed, err := checkSessionPolicies(in)
	if err != nil {
		return nil, err
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
		Account: acct, SessionName: in.SessionName, IssuedAt: now, Expiration: now.Add(in.Duration),
		SessionPolicy: in.Policy, PolicyARNs: in.PolicyARNs, Tags: in.Tags, Source: caller.ARN,
	}
	err = s.update(ctx, func(tx Tx) error {
		r, err := tx.Role(ctx, acct, roleName)
		if notFound(err) {
			return denied
		} else if err != nil {
			return err
		}
		if !strings.EqualFold(r.ARN(), in.RoleARN) {
			return denied // the path in the ARN must be the role's
		}
		// The request carries MFA when it passes a valid code, or when the
		// caller's own session does (it is then passed on to the role
		// session).
		mfaAt := caller.MFAAt
		if in.SerialNumber != "" || in.TokenCode != "" {
			if err := verifyCallerMFA(ctx, tx, caller, in.SerialNumber, in.TokenCode, s.now()); err != nil {
				return err
			}
			mfaAt = now
		}
		if !trusts(r, caller, s.now(), mfaAt) {
			return denied
		}
		sess.MFAAt = mfaAt
		if in.Duration > r.MaxSessionDuration {
			return validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		sess.RoleName, sess.RoleID = r.Name, r.ID
		return tx.PutSession(ctx, sess)
	})
	if err != nil {
		return nil, err
	}
	return &AssumeRoleOutput{Session: sess, PackedPolicySize: packed}, nil
}

// TrustPolicyOf returns the trust policy of the role roleARN names, parsed
// as a resource-based policy of the role, for the authorizer to evaluate
// sts:AssumeRole with (within one account, a trust policy that names the
// caller grants the call without an identity-based policy). It returns nil
// and no error when roleARN is not a role ARN, the role does not exist, or
// the ARN's path is not the role's: AssumeRole then answers AccessDenied
// itself.
func (s *Service) TrustPolicyOf(ctx context.Context, roleARN string) (*policy.Policy, error) {
	m := reRoleARN().FindStringSubmatch(roleARN)
	if m == nil {
		return nil, nil
	}
	var r *Role
	err := s.view(ctx, func(tx Tx) (err error) {
		r, err = tx.Role(ctx, identity.AccountID(m[1]), m[2])
		return err
	})
	if notFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load role %s: %w", roleARN, err)
	}
	if !strings.EqualFold(r.ARN(), roleARN) {
		return nil, nil
	}
	tp, err := policy.Parse([]byte(r.TrustPolicy), policy.Trust)
	if err != nil {
		return nil, fmt.Errorf("parse trust policy of %s: %w", roleARN, err)
	}
	tp.Name = r.ARN()
	return tp, nil
}

// trusts reports whether the role's trust policy allows caller to
// sts:AssumeRole: the resource side of the request, where a Principal
// naming the caller's account trusts every principal of it (whether the
// caller may act on that trust is the authorizer's question). mfaAt is
// when the request was authenticated with MFA (zero: it was not).
func trusts(r *Role, caller identity.Principal, now, mfaAt time.Time) bool {
	tp, err := policy.Parse([]byte(r.TrustPolicy), policy.Trust)
	if err != nil {
		return false
	}
	principalARN := caller.ARN
	if caller.Type == identity.AssumedRole {
		principalARN = arn.IAM(string(caller.Account), "role", "/", caller.Name)
	}
	ctxKeys := map[string][]string{
		"aws:PrincipalArn":     {principalARN},
		"aws:PrincipalAccount": {string(caller.Account)},
		"aws:userid":           {caller.UserID},
	}
	withMFA := caller
	withMFA.MFAAt = mfaAt
	if !mfaAt.IsZero() {
		withMFA.Temporary = true // a request with a valid code carries MFA
	}
	for k, v := range withMFA.MFAConditions(now) {
		ctxKeys[k] = v
	}
	d := policy.EvaluateResource(policy.Request{
		Action: "sts:AssumeRole", Resource: r.ARN(), PrincipalARN: caller.ARN, Now: now, Context: ctxKeys,
	}, []*policy.Policy{tp})
	return d.Allowed()
}

// checkSessionPolicies validates the session policies and tags and
// returns their packed size in percent (-1 if there are none).
func checkSessionPolicies(in AssumeRoleInput) (int, error) {
	if in.Policy == "" && len(in.PolicyARNs) == 0 && len(in.Tags) == 0 {
		return -1, nil
	}
	if in.Policy != "" {
		if _, err := parseDoc(in.Policy, policy.Session); err != nil {
			return 0, err
		}
	}
	if len(in.PolicyARNs) > QuotaSessionPolicyARNs {
		return 0, validation("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to %d", QuotaSessionPolicyARNs)
	}
	for _, a := range in.PolicyARNs {
		if err := checkPolicyARN(a); err != nil {
			return 0, validation("%s is invalid", a)
		}
	}
	if len(in.Tags) > QuotaSessionTags {
		return 0, validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", QuotaSessionTags)
	}
	seen := map[string]bool{}
	size := policySize(in.Policy)
	for _, a := range in.PolicyARNs {
		size += len(a)
	}
	for _, t := range in.Tags {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return 0, validation("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
		size += len(t.Key) + len(t.Value)
	}
	packed := (size*100 + QuotaSessionPolicySize - 1) / QuotaSessionPolicySize
	if packed > 100 {
		return 0, apierr.New(CodePackedPolicyTooLarge, fmt.Sprintf("Packed size of the session policies and tags exceeds the allowed limit by %d%%.", packed-100))
	}
	return packed, nil
}

// Credential is what a signed request's access key resolves to.
type Credential struct {
	Secret       string
	SessionToken string // "" for long-term keys
	Principal    identity.Principal
	// Expiration is the session's; zero for long-term keys.
	Expiration time.Time
}

// Credential resolves an access key id for request verification: an
// active long-term key of a root or IAM user (AKIA…), or an unexpired STS
// session (ASIA…). It returns an error wrapping ErrNotFound for unknown or
// inactive keys and keys of deleted users, and ErrSessionExpired for an
// expired session.
func (s *Service) Credential(ctx context.Context, accessKeyID string) (*Credential, error) {
	var c *Credential
	err := s.view(ctx, func(tx Tx) error {
		if strings.HasPrefix(accessKeyID, "ASIA") {
			sess, err := tx.Session(ctx, accessKeyID)
			if err != nil {
				return err
			}
			if !s.now().Before(sess.Expiration) {
				return ErrSessionExpired
			}
			p := sess.Principal()
			switch sess.Kind {
			case UserSession:
				if p, err = userSessionPrincipal(ctx, tx, sess); err != nil {
					return err
				}
			case RootSession:
				p = rootSessionPrincipal(sess)
			}
			c = &Credential{Secret: sess.Secret, SessionToken: sess.Token, Principal: p, Expiration: sess.Expiration}
			return nil
		}
		k, err := tx.AccessKey(ctx, accessKeyID)
		if err != nil {
			return err
		}
		if !k.Active {
			return ErrNotFound
		}
		if k.User == "" {
			c = &Credential{Secret: k.Secret, Principal: k.Principal()}
			return nil
		}
		u, err := tx.User(ctx, k.Account, k.User)
		if err != nil {
			return err
		}
		c = &Credential{Secret: k.Secret, Principal: k.UserPrincipal(u.ID, u.Path)}
		return nil
	})
	return c, err
}
