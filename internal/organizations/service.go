package organizations

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/accountplane/accountplane/internal/generation"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// Options are the service's knobs; the zero value is AWS's numbers.
type Options struct {
	// Now is the domain clock (default time.Now).
	Now func() time.Time
	// Rand is the source of ids (default crypto/rand).
	Rand io.Reader
	// CreateAccountDelay is how long CreateAccount stays IN_PROGRESS (default 0).
	CreateAccountDelay time.Duration
	// CloseDelay is how long a closed account stays PENDING_CLOSURE (default 0).
	CloseDelay time.Duration
	// PolicyTypeDelay is how long an enabled or disabled policy type stays
	// PENDING_ENABLE or PENDING_DISABLE (default 0).
	PolicyTypeDelay time.Duration
	// PostClosure is the post-closure period after which a closed member
	// leaves its organization (default 90 days).
	PostClosure time.Duration
	// HandshakeTTL is how long an invitation stays open (default 15 days).
	HandshakeTTL time.Duration
	// HandshakeRetention is how long closed handshakes stay listed (default 30 days).
	HandshakeRetention time.Duration
	// WaitPeriod is how long a created account must wait before it can
	// leave its organization (default 4 days).
	WaitPeriod time.Duration
	// MaxAccounts is the organization's account quota, the management
	// account and open invitations included (default 10).
	MaxAccounts int
	// MaxInvitationsPerDay is the daily invitation limit (default 20).
	MaxInvitationsPerDay int
	// MaxOUDepth is how deep OUs nest below the root (default 5).
	MaxOUDepth int
	// MaxPolicies, if set, replaces every policy type's limit of customer
	// policies in an organization (default: 10,000 SCPs, 1,000 of each
	// other type).
	MaxPolicies int
	// MaxPolicySize, if set, replaces every policy type's size limit in
	// characters (default: each type's, policytypes.go).
	MaxPolicySize int
	// MaxPoliciesPerTarget, if set, replaces every policy type's limit of
	// policies attached to one target (default: each type's).
	MaxPoliciesPerTarget int
	// Roles creates the IAM roles AWS makes in member accounts (nil: none).
	Roles Roles
	// Created, if set, is told of each member account CreateAccount makes
	// in organization org, in the change's own transaction, after its
	// roles (IAM's centralized root access removes the new account's root
	// credentials).
	Created func(ctx context.Context, tx Tx, org OrgID, acct identity.AccountID) error
}

// Roles creates the IAM roles Organizations makes in member accounts, in
// tx, the transaction of the change that makes the member, so that a
// member never exists without its roles (made in transactions of their
// own, after the change, they were missing when the process died or the
// store failed in between).
type Roles interface {
	// AccessRole creates role name in account acct, trusting the management
	// account's root and with administrator access (CreateAccount's
	// OrganizationAccountAccessRole).
	AccessRole(ctx context.Context, tx Tx, acct, management identity.AccountID, name string) error
	// ServiceLinkedRole creates AWSServiceRoleForOrganizations in acct.
	ServiceLinkedRole(ctx context.Context, tx Tx, acct identity.AccountID) error
}

// Service implements the Organizations operations.
type Service struct {
	store Store
	opts  Options
	gen   generation.Counter
	// reads keeps facts read from the store until it changes (nil if the
	// store does not count its commits).
	reads *generation.Reads
}

// NewService returns a Service over store.
func NewService(store Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	defi := func(d *int, v int) {
		if *d == 0 {
			*d = v
		}
	}
	def(&opts.PostClosure, 90*24*time.Hour)
	def(&opts.HandshakeTTL, 15*24*time.Hour)
	def(&opts.HandshakeRetention, 30*24*time.Hour)
	def(&opts.WaitPeriod, 4*24*time.Hour)
	defi(&opts.MaxAccounts, 10)
	defi(&opts.MaxInvitationsPerDay, 20)
	defi(&opts.MaxOUDepth, 5)
	sv := &Service{opts: opts, reads: generation.NewReads(store)}
	sv.store = generation.Wrap[Tx](store, &sv.gen)
	return sv
}

// Invalidate changes the generation, for writes that bypass the service
// (the emulator's reset).
func (s *Service) Invalidate() { s.gen.Bump() }

// Generation changes after every write through the service: a fact read
// at one generation holds until the generation changes (or the clock moves
// far enough to change a derived state).
func (s *Service) Generation() uint64 { return s.gen.Load() }

// Now returns the domain clock.
func (s *Service) Now() time.Time { return s.now() }

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// scope is the caller's organization context inside a transaction.
type scope struct {
	org    *Organization
	member *Member
}

func (sc scope) isManagement(id identity.AccountID) bool { return sc.org.ManagementAccount == id }

// orgOf loads the organization of account id; AWSOrganizationsNotInUse if none.
func (s *Service) orgOf(ctx context.Context, tx Tx, id identity.AccountID) (scope, error) {
	m, err := tx.Member(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return scope{}, errNotInUse()
	} else if err != nil {
		return scope{}, fmt.Errorf("load membership of %s: %w", id, err)
	}
	if ok, err := s.visible(ctx, tx, m); err != nil {
		return scope{}, err
	} else if !ok {
		return scope{}, errNotInUse()
	}
	o, err := tx.Organization(ctx, m.Org)
	if err != nil {
		return scope{}, fmt.Errorf("load organization %s: %w", m.Org, err)
	}
	if err := s.fillPolicyTypeChanges(ctx, tx, o); err != nil {
		return scope{}, err
	}
	return scope{org: o, member: m}, nil
}

// managementScope is orgOf for operations only the management account may call.
func (s *Service) managementScope(ctx context.Context, tx Tx, caller identity.Principal) (scope, error) {
	sc, err := s.orgOf(ctx, tx, caller.Account)
	if err != nil {
		return sc, err
	}
	if !sc.isManagement(caller.Account) {
		return sc, errNotManagement()
	}
	return sc, nil
}

// visible reports whether a membership counts at now: a created account
// joins when its creation completes, and a closed account leaves when its
// post-closure period ends.
func (s *Service) visible(ctx context.Context, tx Tx, m *Member) (bool, error) {
	now := s.now()
	if now.Before(m.JoinedAt) {
		return false, nil
	}
	a, err := tx.Account(ctx, m.Account)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		// A store failure is no answer: it must not read as "no member".
		return false, fmt.Errorf("load account %s: %w", m.Account, err)
	}
	return s.accountState(a, now) != kernel.StateClosed, nil
}

// visibleMember loads the membership of id and reports whether it counts
// in org now (false, without an error, for none).
func (s *Service) visibleMember(ctx context.Context, tx Tx, id identity.AccountID, org OrgID) (*Member, bool, error) {
	m, err := tx.Member(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	if m.Org != org {
		return m, false, nil
	}
	ok, err := s.visible(ctx, tx, m)
	return m, ok, err
}

// AccountState is the Organizations view of an account's state.
type AccountState string

// Organizations account states.
const (
	StatePendingActivation AccountState = "PENDING_ACTIVATION"
	StateActive            AccountState = "ACTIVE"
	StateSuspended         AccountState = "SUSPENDED"
	StatePendingClosure    AccountState = "PENDING_CLOSURE"
	StateClosed            AccountState = "CLOSED"
)

// accountState derives the account's Account-API state at now.
func (s *Service) accountState(a *kernel.Account, now time.Time) kernel.State {
	return a.StateAt(now, s.opts.CloseDelay, s.opts.PostClosure)
}

// orgState derives the Organizations state (with PENDING_CLOSURE).
func (s *Service) orgState(a *kernel.Account, now time.Time) AccountState {
	if !a.ClosedAt.IsZero() && now.Before(a.ClosedAt.Add(s.opts.CloseDelay)) {
		return StatePendingClosure
	}
	return AccountState(s.accountState(a, now))
}

func (s *Service) newID(prefix string, n int) (string, error) {
	r, err := randomString(s.opts.Rand, n)
	if err != nil {
		return "", err
	}
	return prefix + r, nil
}
