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
	peers, err := s.opts.Directory.Peers(ctx, id)
	if err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	err = s.store.Update(ctx, func(tx Tx) error {
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
			if opts[i].Region == name {
				cur = &opts[i]
			}
		}
		switch st := regionStatus(r, cur, now); st {
		case RegionEnabling, RegionDisabling:
			return conflict(fmt.Sprintf("The region %s is currently %s; wait until the request completes.", name, st))
		case target:
			return errRegionOptTarget()
		}
		if inFlight >= s.opts.MaxRegionRequests {
			return tooManyRequests(fmt.Sprintf("The account already has %d region opt requests in progress.", inFlight))
		}
		if len(peers) > 0 {
			orgInFlight, err := s.inFlight(ctx, tx, peers, now)
			if err != nil {
				return err
			}
			if orgInFlight >= s.opts.MaxOrgRegionRequests {
				return tooManyRequests(fmt.Sprintf("The organization already has %d region opt requests in progress.", orgInFlight))
			}
		}
		opt := RegionOpt{Region: name, Target: target, RequestedAt: now, DueAt: now.Add(s.opts.RegionTransitionDelay)}
		if err := tx.PutRegionOpt(ctx, id, &opt); err != nil {
			return err
		}
		if s.opts.Events == nil {
			return nil
		}
		return s.opts.Events.RegionRequested(ctx, tx, RegionChange{Caller: t.Caller.Account, Account: id, Opt: opt})
	})
	if err == nil && s.opts.Events != nil {
		s.opts.Events.Committed()
	}
	return err
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

// inFlight counts the Region requests in flight across accounts.
func (s *Service) inFlight(ctx context.Context, tx Tx, accounts []identity.AccountID, now time.Time) (int, error) {
	n := 0
	for _, a := range accounts {
		opts, err := tx.RegionOpts(ctx, a)
		if err != nil {
			return 0, err
		}
		for i := range opts {
			if opts[i].InFlightAt(now) {
				n++
			}
		}
	}
	return n, nil
}
