package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

func errUnknownRegion(name string) error {
	return fieldInvalid("RegionName", fmt.Sprintf("%s is not a valid region name.", name))
}

// Regions lists every Region with its status for the target account, sorted
// by name, keeping only the statuses in filter (all when filter is empty).
func (s *Service) Regions(ctx context.Context, t Target, filter []RegionStatus) ([]Region, error) {
	id, err := s.resolve(ctx, t, "ListRegions")
	if err != nil {
		return nil, err
	}
	opts, err := view(ctx, s, readKey{"region-opts", id, ""}, func(tx Tx) ([]RegionOpt, error) {
		if _, err := loadAccount(ctx, tx, id); err != nil {
			return nil, err
		}
		return tx.RegionOpts(ctx, id)
	})
	if err != nil {
		return nil, err
	}
	byName := make(map[string]*RegionOpt, len(opts))
	for i := range opts {
		byName[opts[i].Region] = &opts[i]
	}
	now := s.now()
	out := make([]Region, 0, len(Catalog))
	for _, r := range Catalog {
		st := regionStatus(r, byName[r.Name], now)
		if len(filter) > 0 && !containsStatus(filter, st) {
			continue
		}
		out = append(out, Region{Name: r.Name, Status: st})
	}
	return out, nil
}

func containsStatus(list []RegionStatus, s RegionStatus) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// RegionStatus returns the status of one Region (GetRegionOptStatus).
// Returns ValidationException for an unknown Region.
func (s *Service) RegionStatus(ctx context.Context, t Target, name string) (RegionStatus, error) {
	id, err := s.resolve(ctx, t, "GetRegionOptStatus")
	if err != nil {
		return "", err
	}
	r, ok := catalogRegion(name)
	if !ok {
		return "", errUnknownRegion(name)
	}
	// The stored request is cached, and the status derived from it now.
	opt, err := view(ctx, s, readKey{"region-opt", id, name}, func(tx Tx) (*RegionOpt, error) {
		if _, err := loadAccount(ctx, tx, id); err != nil {
			return nil, err
		}
		opt, err := tx.RegionOpt(ctx, id, name)
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return opt, err
	})
	if err != nil {
		return "", err
	}
	return regionStatus(r, opt, s.now()), nil
}

// EnableRegion starts DISABLED -> ENABLING -> ENABLED.
// Returns ValidationException (invalidRegionOptTarget) for a default Region
// or one already ENABLED, ConflictException while the Region is ENABLING or
// DISABLING, and TooManyRequestsException when the account already has the
// maximum number of Region requests in flight.
func (s *Service) EnableRegion(ctx context.Context, t Target, name string) error {
	return s.optRegion(ctx, t, name, RegionEnabled, "EnableRegion")
}

// DisableRegion starts ENABLED -> DISABLING -> DISABLED, with the errors of
// EnableRegion mirrored.
func (s *Service) DisableRegion(ctx context.Context, t Target, name string) error {
	return s.optRegion(ctx, t, name, RegionDisabled, "DisableRegion")
}

func (s *Service) optRegion(ctx context.Context, t Target, name string, target RegionStatus, action string) error {
	id, err := s.resolve(ctx, t, action)
	if err != nil {
		return err
	}
	r, ok := catalogRegion(name)
	if !ok {
		return errUnknownRegion(name)
	}
	if r.DefaultEnabled {
		return errRegionOptTarget()
	}
	org, inOrg, err := s.opts.Directory.OrgOf(ctx, id)
	if err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	// The organization's transitions in flight are counted in the
	// transaction, from those of every account (few: the ones in flight);
	// which of those accounts are its members is the directory's to say,
	// outside the transaction. One that meets an account not asked about
	// yet rolls back and runs again once the directory has answered.
	peers := &peerSet{org: org, inOrg: inOrg, known: map[identity.AccountID]bool{id: true}}
	for {
		err = s.store.Update(ctx, func(tx Tx) error {
			return s.requestRegion(ctx, tx, t, id, r, target, action, peers)
		})
		var ask *askDirectory
		if !errors.As(err, &ask) {
			break
		}
		if err := peers.learn(ctx, s.opts.Directory, ask.accounts); err != nil {
			return fmt.Errorf("directory: %w", err)
		}
	}
	if err == nil && s.opts.Events != nil {
		s.opts.Events.Committed()
	}
	return err
}

// peerSet is what the directory said of the accounts with transitions in
// flight: whether each is in the organization of the requesting account
// (inOrg false: it is in none).
type peerSet struct {
	org   string
	inOrg bool
	known map[identity.AccountID]bool
}

func (p *peerSet) learn(ctx context.Context, d Directory, ids []identity.AccountID) error {
	for _, a := range ids {
		org, ok, err := d.OrgOf(ctx, a)
		if err != nil {
			return err
		}
		p.known[a] = ok && org == p.org
	}
	return nil
}

// askDirectory ends a transaction that met accounts with transitions in
// flight that peerSet knows nothing of.
type askDirectory struct{ accounts []identity.AccountID }

func (*askDirectory) Error() string { return "account: ask the directory about accounts in flight" }

// requestRegion stores a Region opt request of account id if the limits on
// transitions in flight, the account's and its organization's, allow it.
func (s *Service) requestRegion(ctx context.Context, tx Tx, t Target, id identity.AccountID, r CatalogRegion, target RegionStatus, action string, peers *peerSet) error {
	if _, err := s.loadWritable(ctx, tx, t, id, action); err != nil {
		return err
	}
	now := s.now()
	opts, err := tx.RegionOpts(ctx, id)
	if err != nil {
		return err
	}
	inFlight := 0
	var cur *RegionOpt
	for i := range opts {
		if opts[i].InFlightAt(now) {
			inFlight++
		}
		if opts[i].Region == r.Name {
			cur = &opts[i]
		}
	}
	switch st := regionStatus(r, cur, now); st {
	case RegionEnabling, RegionDisabling:
		return conflict(fmt.Sprintf("The region %s is currently %s; wait until the request completes.", r.Name, st))
	case target:
		return errRegionOptTarget()
	}
	if inFlight >= s.opts.MaxRegionRequests {
		return tooManyRequests(fmt.Sprintf("The account already has %d region opt requests in progress.", inFlight))
	}
	if peers.inOrg {
		n, err := s.orgInFlight(ctx, tx, now, peers)
		if err != nil {
			return err
		}
		if n >= s.opts.MaxOrgRegionRequests {
			return tooManyRequests(fmt.Sprintf("The organization already has %d region opt requests in progress.", n))
		}
	}
	opt := RegionOpt{Region: r.Name, Target: target, RequestedAt: now, DueAt: now.Add(s.opts.RegionTransitionDelay)}
	if err := tx.PutRegionOpt(ctx, id, &opt); err != nil {
		return err
	}
	if s.opts.Events == nil {
		return nil
	}
	return s.opts.Events.RegionRequested(ctx, tx, RegionChange{Caller: t.Caller.Account, Account: id, Opt: opt})
}

// orgInFlight counts the transitions in flight at now of the accounts of
// peers' organization; an account peers knows nothing of is askDirectory.
func (s *Service) orgInFlight(ctx context.Context, tx Tx, now time.Time, peers *peerSet) (int, error) {
	due, err := tx.RegionOptsDueAfter(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	var unknown []identity.AccountID
	for _, d := range due {
		in, ok := peers.known[d.Account]
		switch {
		case !d.Opt.InFlightAt(now):
		case !ok:
			unknown = append(unknown, d.Account)
		case in:
			n++
		}
	}
	if len(unknown) > 0 {
		return 0, &askDirectory{accounts: unknown}
	}
	return n, nil
}

// RegionChange is an accepted Region opt-in or opt-out request: the start of
// a transition (ENABLING or DISABLING) that completes at Opt.DueAt.
type RegionChange struct {
	// Caller is the calling account; Account the one whose Region changes
	// (they differ in organizations mode).
	Caller, Account identity.AccountID
	Opt             RegionOpt
}

// Events records the events of Region transitions. The service calls
// RegionRequested in the transaction that stores the request (its error
// rolls the request back) and Committed after that transaction commits.
type Events interface {
	RegionRequested(ctx context.Context, tx kernel.BusTx, c RegionChange) error
	Committed()
}
