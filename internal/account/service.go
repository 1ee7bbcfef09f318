package account

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/accountplane/accountplane/internal/generation"
	"github.com/accountplane/accountplane/internal/identity"
)

// Directory answers the organization facts that the AccountId rules need.
// app satisfies it with the Organizations domain; until that exists,
// [Standalone] says no account is in an organization.
type Directory interface {
	// CanManage reports whether caller's account may act on target in
	// organizations mode (management account or delegated administrator for
	// account.amazonaws.com acting on a member of the same organization with
	// all features and trusted access).
	CanManage(ctx context.Context, caller, target identity.AccountID) (bool, error)
	// OrgOf returns the organization id belongs to; ok is false if none.
	OrgOf(ctx context.Context, id identity.AccountID) (org string, ok bool, err error)
	// Peers returns every member of id's organization (nil if none); only
	// the close of a management account reads them.
	Peers(ctx context.Context, id identity.AccountID) ([]identity.AccountID, error)
}

// Standalone is the Directory of a world without organizations.
type Standalone struct{}

// CanManage always reports false: a standalone account reaches no other
// account, and not itself through AccountId either (spec/behaviour.md §2.3).
func (Standalone) CanManage(context.Context, identity.AccountID, identity.AccountID) (bool, error) {
	return false, nil
}

// OrgOf reports none: no account is in an organization.
func (Standalone) OrgOf(context.Context, identity.AccountID) (string, bool, error) {
	return "", false, nil
}

// Peers returns nil: no account is in an organization.
func (Standalone) Peers(context.Context, identity.AccountID) ([]identity.AccountID, error) {
	return nil, nil
}

// Options are the service's knobs; the zero value is usable.
type Options struct {
	// Now is the domain clock (default time.Now).
	Now func() time.Time
	// Rand is the source of one-time codes and ids (default crypto/rand).
	Rand io.Reader
	// RegionTransitionDelay is how long ENABLING and DISABLING last.
	RegionTransitionDelay time.Duration
	// MaxRegionRequests is the per-account limit of Region requests in
	// flight (default 6).
	MaxRegionRequests int
	// CodeTTL is how long a primary-email one-time code is valid (default 24h).
	CodeTTL time.Duration
	// PhoneCodeTTL is how long a phone verification code is valid (default 10m).
	PhoneCodeTTL time.Duration
	// Directory answers organization facts (default Standalone).
	Directory Directory
	// MaxOrgRegionRequests is the organization-wide limit of Region
	// requests in flight (default 20).
	MaxOrgRegionRequests int
	// CloseDelay and PostClosure shape a closed account's states (see
	// [Account.StateAt]); PostClosure defaults to 90 days.
	CloseDelay, PostClosure time.Duration
	// Events records the events of Region transitions in the transaction of
	// the request (nil: none).
	Events Events
}

// Service implements the Account Management operations.
type Service struct {
	store Store
	opts  Options
	// reads keeps the results of the reads below at the store's
	// generation (nil if the store does not count its commits).
	reads *generation.Reads
}

// readKey names a cached read: what it reads, of which account, with
// which argument.
type readKey struct {
	what string
	id   identity.AccountID
	arg  string
}

// view runs fn in a View of the store, or returns its result from memory
// if nothing was committed since it was last read (see generation.View:
// V must be a value the callers do not change).
func view[V any](ctx context.Context, s *Service, key readKey, fn func(Tx) (V, error)) (V, error) {
	return generation.View(ctx, s.reads, s.store, key, fn)
}

// NewService returns a Service over store.
func NewService(store Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.MaxRegionRequests == 0 {
		opts.MaxRegionRequests = 6
	}
	if opts.CodeTTL == 0 {
		opts.CodeTTL = 24 * time.Hour
	}
	if opts.PhoneCodeTTL == 0 {
		opts.PhoneCodeTTL = 10 * time.Minute
	}
	if opts.MaxOrgRegionRequests == 0 {
		opts.MaxOrgRegionRequests = 20
	}
	if opts.PostClosure == 0 {
		opts.PostClosure = 90 * 24 * time.Hour
	}
	if opts.Directory == nil {
		opts.Directory = Standalone{}
	}
	return &Service{store: store, opts: opts, reads: generation.NewReads(store)}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Target says who calls and which account the call acts on: a zero
// AccountID means the caller's own account (standalone mode).
type Target struct {
	Caller    identity.Principal
	AccountID identity.AccountID
	// resolved is the account the call acts on, once [Service.Resolve]
	// decided it (only this package can set it).
	resolved identity.AccountID
}

// Resolve applies the AccountId decision table for action and returns t
// with the account it acts on decided, so that the call it is passed to
// does not decide it again. The request pipeline resolves the target
// before authorizing (the resource ARN names it).
func (s *Service) Resolve(ctx context.Context, t Target, action string) (Target, error) {
	id, err := s.resolve(ctx, t, action)
	if err != nil {
		return t, err
	}
	t.resolved = id
	return t, nil
}

// Account returns the account t acts on: the resolved one, AccountId, or
// the caller's own.
func (t Target) Account() identity.AccountID {
	switch {
	case !t.resolved.IsZero():
		return t.resolved
	case !t.AccountID.IsZero():
		return t.AccountID
	}
	return t.Caller.Account
}

// resolve applies the AccountId decision table (spec/behaviour.md §2.3) and
// returns the account the call acts on. This is the only place that decides
// whether AccountId may be used.
func (s *Service) resolve(ctx context.Context, t Target, action string) (identity.AccountID, error) {
	if t.Caller.IsZero() {
		return "", accessDenied("anonymous", action)
	}
	if t.AccountID.IsZero() {
		return t.Caller.Account, nil
	}
	if !t.resolved.IsZero() {
		return t.resolved, nil
	}
	ok, err := s.opts.Directory.CanManage(ctx, t.Caller.Account, t.AccountID)
	if err != nil {
		return "", fmt.Errorf("directory: %w", err)
	}
	if !ok {
		return "", accessDenied(t.Caller.ARN, action)
	}
	return t.AccountID, nil
}

// loadWritable is loadAccount for operations that change the account: a
// closed (SUSPENDED) account can still be read but not changed.
// TODO(fidelity): AWS does not document the answer; AccessDenied is the
// spec's guidance (behaviour.md §13.4).
func (s *Service) loadWritable(ctx context.Context, tx Tx, t Target, id identity.AccountID, action string) (*Account, error) {
	a, err := loadAccount(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if st := s.stateOf(a); st == StateSuspended || st == StateClosed {
		return nil, accessDenied(t.Caller.ARN, action)
	}
	return a, nil
}

// StateOf derives a's state now.
func (s *Service) StateOf(a *Account) State { return s.stateOf(a) }

// stateOf derives a's state now.
func (s *Service) stateOf(a *Account) State {
	return a.StateAt(s.now(), s.opts.CloseDelay, s.opts.PostClosure)
}

// loadAccount reads id, mapping absence to an internal error: a resolved
// target always exists.
func loadAccount(ctx context.Context, tx Tx, id identity.AccountID) (*Account, error) {
	a, err := tx.Account(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, notFound("The account " + string(id) + " was not found.")
	}
	if err != nil {
		return nil, fmt.Errorf("load account %s: %w", id, err)
	}
	return a, nil
}

const codeAlphabet = "0123456789"

// newCode returns a 6-character one-time code.
func (s *Service) newCode() (string, error) {
	var b [6]byte
	if _, err := io.ReadFull(s.opts.Rand, b[:]); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b[:]), nil
}

// newID returns a random 32-hex-digit id.
func (s *Service) newID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.opts.Rand, b[:]); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return fmt.Sprintf("%x", b[:]), nil
}

// ReadStats returns how many reads were answered from memory and how many
// went to the store.
func (s *Service) ReadStats() (hits, misses uint64) { return s.reads.Stats() }
