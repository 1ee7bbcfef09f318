package organizations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/accountplane/accountplane/internal/generation"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// CanManage implements the account domain's Directory: the AccountId
// decision table of spec/behaviour.md §2.3. The caller's organization must
// have all features and trusted access for account.amazonaws.com; the
// management account may act on members but never on itself through
// AccountId; the delegated administrator for account.amazonaws.com may act
// on members and on itself (not on the management account); nobody reaches
// an account outside their organization.
//
// The stored facts it decides on are read once per store generation (see
// generation.Reads); the decision, which moves with the clock (a member
// that joins later, an account that closes), is made on every call.
func (s *Service) CanManage(ctx context.Context, caller, target identity.AccountID) (bool, error) {
	f, err := generation.View(ctx, s.reads, s.store, manageKey{caller, target}, func(tx Tx) (manageFacts, error) {
		return s.loadManageFacts(ctx, tx, caller, target)
	})
	if err != nil {
		return false, err
	}
	now := s.now()
	switch {
	case !s.visibleAt(f.caller, now), f.org.FeatureSet != AllFeatures, !f.accountService,
		f.target.member.Org != f.org.ID, !s.visibleAt(f.target, now):
		return false, nil
	case f.org.ManagementAccount == caller:
		return target != caller, nil
	case f.callerIsAdmin:
		return target != f.org.ManagementAccount, nil
	}
	return false, nil
}

// manageKey names the facts of one (caller, target) pair.
type manageKey struct{ caller, target identity.AccountID }

// manageFacts are the stored facts CanManage decides on.
type manageFacts struct {
	caller, target memberFacts
	// org is the caller's organization; accountService says whether it
	// trusts account.amazonaws.com, callerIsAdmin whether the caller is its
	// delegated administrator for it.
	org                           Organization
	accountService, callerIsAdmin bool
}

// memberFacts are an account's membership and account record, as stored.
type memberFacts struct {
	member               Member
	account              kernel.Account
	isMember, hasAccount bool
}

func (s *Service) loadManageFacts(ctx context.Context, tx Tx, caller, target identity.AccountID) (manageFacts, error) {
	var f manageFacts
	var err error
	if f.caller, err = loadMemberFacts(ctx, tx, caller); err != nil || !f.caller.isMember {
		return f, err
	}
	o, err := tx.Organization(ctx, f.caller.member.Org)
	if err != nil {
		return f, fmt.Errorf("load organization %s: %w", f.caller.member.Org, err)
	}
	f.org = *o
	if f.accountService, err = s.serviceEnabled(ctx, tx, o.ID, AccountServicePrincipal); err != nil {
		return f, err
	}
	if f.target, err = loadMemberFacts(ctx, tx, target); err != nil {
		return f, err
	}
	admins, err := tx.DelegatedAdmins(ctx, o.ID)
	if err != nil {
		return f, err
	}
	for _, d := range admins {
		f.callerIsAdmin = f.callerIsAdmin || (d.Account == caller && d.Principal == AccountServicePrincipal)
	}
	return f, nil
}

func loadMemberFacts(ctx context.Context, tx Tx, id identity.AccountID) (memberFacts, error) {
	var f memberFacts
	m, err := tx.Member(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return f, nil
	} else if err != nil {
		return f, fmt.Errorf("load membership of %s: %w", id, err)
	}
	f.member, f.isMember = *m, true
	a, err := tx.Account(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return f, nil
	} else if err != nil {
		return f, fmt.Errorf("load account %s: %w", id, err)
	}
	f.account, f.hasAccount = *a, true
	return f, nil
}

// visibleAt is visible for stored facts: a member counts once it has
// joined, while its account exists and is not closed.
func (s *Service) visibleAt(f memberFacts, now time.Time) bool {
	return f.isMember && !now.Before(f.member.JoinedAt) && f.hasAccount && s.accountState(&f.account, now) != kernel.StateClosed
}

// Peers returns every visible member of id's organization (id included), or
// nil if id is in no organization. The account domain counts Region
// requests in flight across them.
func (s *Service) Peers(ctx context.Context, id identity.AccountID) ([]identity.AccountID, error) {
	var out []identity.AccountID
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.orgOf(ctx, tx, id)
		if errors.Is(err, ErrNoOrganization) {
			return nil
		} else if err != nil {
			return err
		}
		members, err := s.visibleMembers(ctx, tx, sc.org.ID)
		if err != nil {
			return err
		}
		for _, m := range members {
			out = append(out, m.Account)
		}
		return nil
	})
	return out, err
}

// OrgOf reports the organization account id belongs to (account.Directory).
func (s *Service) OrgOf(ctx context.Context, id identity.AccountID) (string, bool, error) {
	org, _, ok, err := s.MembershipOf(ctx, id)
	return string(org), ok, err
}

// MembershipOf reports the organization account id belongs to, and whether
// it is its management account; ok is false if it belongs to none.
func (s *Service) MembershipOf(ctx context.Context, id identity.AccountID) (org OrgID, management, ok bool, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		sc, err := s.orgOf(ctx, tx, id)
		if errors.Is(err, ErrNoOrganization) {
			return nil
		} else if err != nil {
			return err
		}
		org, management, ok = sc.org.ID, sc.isManagement(id), true
		return nil
	})
	return org, management, ok, err
}

// AccountFacts are what authorization needs to know of an account's place
// in its organization.
type AccountFacts struct {
	Org        OrgID
	Management identity.AccountID
	// Path is o-…/r-…/ou-…/ of the account's parent chain (no account id).
	Path string
	Tags []Tag
}

// FactsOf returns the organization facts of account id; ok is false if it
// is in no organization.
func (s *Service) FactsOf(ctx context.Context, id identity.AccountID) (AccountFacts, bool, error) {
	type stored struct {
		member memberFacts
		facts  AccountFacts
	}
	st, err := generation.View(ctx, s.reads, s.store, factsKey(id), func(tx Tx) (stored, error) {
		var st stored
		var err error
		if st.member, err = loadMemberFacts(ctx, tx, id); err != nil || !st.member.isMember {
			return st, err
		}
		o, err := tx.Organization(ctx, st.member.member.Org)
		if err != nil {
			return st, fmt.Errorf("load organization %s: %w", st.member.member.Org, err)
		}
		path, err := s.path(ctx, tx, o, st.member.member.Parent)
		if err != nil {
			return st, err
		}
		tags, err := tx.Tags(ctx, o.ID, string(id))
		if err != nil {
			return st, err
		}
		st.facts = AccountFacts{Org: o.ID, Management: o.ManagementAccount, Path: path, Tags: tags}
		return st, nil
	})
	if err != nil || !s.visibleAt(st.member, s.now()) {
		return AccountFacts{}, false, err
	}
	f := st.facts
	f.Tags = append([]Tag(nil), f.Tags...) // the caller's own
	return f, true, nil
}

// factsKey names the stored facts FactsOf decides on.
type factsKey identity.AccountID

// IsManagementAccount reports whether id is the management account of its
// organization (account.ManagementDirectory: closing it needs every member
// SUSPENDED first).
func (s *Service) IsManagementAccount(ctx context.Context, id identity.AccountID) (bool, error) {
	_, management, ok, err := s.MembershipOf(ctx, id)
	return ok && management, err
}

// ReadStats returns how many reads were answered from memory and how many
// went to the store.
func (s *Service) ReadStats() (hits, misses uint64) { return s.reads.Stats() }
