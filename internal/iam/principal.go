package iam

import (
	"context"
	"fmt"
	"strings"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/policy"
)

// Policies are the parsed policies that apply to a principal. Its fields
// match authz.Policies exactly, so a value converts with
// authz.Policies(p).
type Policies struct {
	Identity []*policy.Policy
	Boundary *policy.Policy   // nil: none
	Session  []*policy.Policy // nil: not a session, or a session without policies
	// Tags are the principal's tags (aws:PrincipalTag/<key>): an IAM
	// user's, or for a role session the role's overridden by the session
	// tags; nil when it has none.
	Tags map[string]string
}

// Source types of a policy in simulation results (PolicySourceType).
const (
	SourceUser        = "user"
	SourceGroup       = "group"
	SourceRole        = "role"
	SourceAWSManaged  = "aws-managed"
	SourceUserManaged = "user-managed"
	SourceResource    = "resource"
	SourceNone        = "none"
)

// PolicySource describes where a loaded policy came from.
type PolicySource struct {
	// ID is the SourcePolicyId: the inline policy's name or the managed
	// policy's name.
	ID string
	// Type is one of the Source* constants.
	Type string
	// Document is the policy text (for statement positions).
	Document string
}

// loaded is Policies with the source of each policy, in the same order.
type loaded struct {
	Policies
	IdentitySources []PolicySource
	BoundarySource  PolicySource
}

func (l *loaded) add(name string, src PolicySource, kind policy.Kind) error {
	p, err := policy.Parse([]byte(src.Document), kind)
	if err != nil {
		return fmt.Errorf("parse stored policy %s: %w", name, err)
	}
	p.Name = name
	l.Identity = append(l.Identity, p)
	l.IdentitySources = append(l.IdentitySources, src)
	return nil
}

// PrincipalPolicies returns the policies that apply to p: for an IAM user
// its inline and attached policies and those of its groups; for an
// assumed-role session the role's inline and attached policies and the
// session's policies (inline, then managed ARNs); the user's or role's
// permissions boundary. Tags are the user's tags, or the role's tags
// overridden by the session's (a session tag replaces the role tag with
// the same key, compared case-insensitively as IAM compares tag keys). A
// root user or anonymous principal has neither. A principal whose user or
// role no longer exists has no policies (so it is denied everything).
func (s *Service) PrincipalPolicies(ctx context.Context, p identity.Principal) (Policies, error) {
	var out loaded
	err := s.view(ctx, func(tx Tx) (err error) {
		out, err = loadPrincipal(ctx, tx, p)
		return err
	})
	return out.Policies, err
}

func loadPrincipal(ctx context.Context, tx Tx, p identity.Principal) (loaded, error) {
	var l loaded
	switch p.Type {
	case identity.IAMUser:
		u, err := tx.User(ctx, p.Account, p.Name)
		if notFound(err) {
			return l, nil
		} else if err != nil {
			return l, err
		}
		l.Tags = mergeTags(u.Tags, nil)
		return l, loadEntity(ctx, tx, &l, p.Account, KindUser, u.Name, u.Boundary)
	case identity.AssumedRole:
		r, err := tx.Role(ctx, p.Account, p.Name)
		if notFound(err) {
			r = nil
		} else if err != nil {
			return l, err
		}
		if r != nil {
			l.Tags = mergeTags(r.Tags, nil)
			if err := loadEntity(ctx, tx, &l, p.Account, KindRole, r.Name, r.Boundary); err != nil {
				return l, err
			}
		}
		if p.AccessKeyID == "" {
			return l, nil
		}
		sess, err := tx.Session(ctx, p.AccessKeyID)
		if notFound(err) {
			return l, nil
		} else if err != nil {
			return l, err
		}
		var roleTags []Tag
		if r != nil {
			roleTags = r.Tags
		}
		l.Tags = mergeTags(roleTags, sess.Tags)
		return l, loadSession(ctx, tx, &l, sess)
	case identity.Root:
		// An AssumeRoot session has its task policy, as a session policy.
		if !p.AssumedRoot || p.AccessKeyID == "" {
			return l, nil
		}
		sess, err := tx.Session(ctx, p.AccessKeyID)
		if notFound(err) || (err == nil && sess.Kind != RootSession) {
			return l, nil
		} else if err != nil {
			return l, err
		}
		return l, loadSession(ctx, tx, &l, sess)
	}
	return l, nil
}

// mergeTags returns base with over applied on top (a key of over replaces
// the key of base that equals it case-insensitively), or nil if both are
// empty.
func mergeTags(base, over []Tag) map[string]string {
	if len(base)+len(over) == 0 {
		return nil
	}
	m := make(map[string]string, len(base)+len(over))
	for _, t := range base {
		m[t.Key] = t.Value
	}
	for _, t := range over {
		for k := range m {
			if strings.EqualFold(k, t.Key) {
				delete(m, k)
			}
		}
		m[t.Key] = t.Value
	}
	return m
}

// loadEntity loads the inline and attached policies of a user (with its
// groups') or role, and its boundary.
func loadEntity(ctx context.Context, tx Tx, l *loaded, acct identity.AccountID, kind PrincipalKind, name, boundary string) error {
	if err := loadOwn(ctx, tx, l, acct, kind, name); err != nil {
		return err
	}
	if kind == KindUser {
		groups, err := tx.GroupsOf(ctx, acct, name)
		if err != nil {
			return err
		}
		for _, g := range groups {
			if err := loadOwn(ctx, tx, l, acct, KindGroup, g); err != nil {
				return err
			}
		}
	}
	if boundary == "" {
		return nil
	}
	mp, err := findPolicy(ctx, tx, acct, boundary)
	if err != nil || mp == nil {
		// A boundary that no longer resolves allows nothing.
		l.Boundary = &policy.Policy{Name: boundary}
		l.BoundarySource = PolicySource{ID: boundary, Type: SourceNone}
		return err
	}
	doc := mp.defaultDocument()
	b, err := policy.Parse([]byte(doc), policy.Boundary)
	if err != nil {
		return fmt.Errorf("parse boundary %s: %w", boundary, err)
	}
	b.Name = mp.ARN
	l.Boundary = b
	l.BoundarySource = PolicySource{ID: mp.Name, Type: managedSource(mp), Document: doc}
	return nil
}

func managedSource(p *ManagedPolicy) string {
	if p.Account == "" {
		return SourceAWSManaged
	}
	return SourceUserManaged
}

// loadOwn loads the inline and attached policies of one entity.
func loadOwn(ctx context.Context, tx Tx, l *loaded, acct identity.AccountID, kind PrincipalKind, name string) error {
	inline, err := tx.InlinePolicies(ctx, acct, kind, name)
	if err != nil {
		return err
	}
	for _, ip := range inline {
		if err := l.add(ip.Name, PolicySource{ID: ip.Name, Type: string(kind), Document: ip.Document}, policy.Identity); err != nil {
			return err
		}
	}
	atts, err := tx.Attachments(ctx, acct, kind, name)
	if err != nil {
		return err
	}
	for _, a := range atts {
		mp, err := findPolicy(ctx, tx, acct, a.PolicyARN)
		if err != nil {
			return err
		}
		if mp == nil {
			continue
		}
		if err := l.add(mp.ARN, PolicySource{ID: mp.Name, Type: managedSource(mp), Document: mp.defaultDocument()}, policy.Identity); err != nil {
			return err
		}
	}
	return nil
}

// loadSession loads a session's inline and managed session policies. A
// session without any has Session nil (no filter); one whose managed
// policies no longer exist has a non-nil empty slice (allows nothing).
func loadSession(ctx context.Context, tx Tx, l *loaded, sess *Session) error {
	if sess.SessionPolicy == "" && len(sess.PolicyARNs) == 0 {
		return nil
	}
	l.Session = []*policy.Policy{}
	if sess.SessionPolicy != "" {
		p, err := policy.Parse([]byte(sess.SessionPolicy), policy.Session)
		if err != nil {
			return fmt.Errorf("parse session policy: %w", err)
		}
		p.Name = "SessionPolicy"
		l.Session = append(l.Session, p)
	}
	for _, arn := range sess.PolicyARNs {
		mp, err := findPolicy(ctx, tx, sess.Account, arn)
		if err != nil {
			return err
		}
		if mp == nil {
			continue
		}
		p, err := policy.Parse([]byte(mp.defaultDocument()), policy.Session)
		if err != nil {
			return fmt.Errorf("parse session policy %s: %w", arn, err)
		}
		p.Name = arn
		l.Session = append(l.Session, p)
	}
	return nil
}
