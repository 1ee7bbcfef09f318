package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/accountplane/accountplane/internal/arn"

	"github.com/accountplane/accountplane/internal/account"
)

var _ account.Events = (*Service)(nil)

// scanBatch is how many completions one scan transaction emits.
const scanBatch = 100

// RegionRequested implements account.Events: in the request's transaction,
// it first completes the transitions already due (so a completion is never
// emitted after a later request's start), then records the transition and
// emits its ENABLING or DISABLING event, then completes it at once if it
// has no delay.
func (s *Service) RegionRequested(ctx context.Context, tx Tx, c account.RegionChange) error {
	now := c.Opt.RequestedAt.UTC()
	if err := s.completeAll(ctx, tx, now); err != nil {
		return err
	}
	tr := &Transition{
		Caller: string(c.Caller), Account: string(c.Account), Region: c.Opt.Region, Target: c.Opt.Target,
		RequestedAt: c.Opt.RequestedAt, DueAt: c.Opt.DueAt,
	}
	if tr.Caller == "" {
		tr.Caller = tr.Account
	}
	if err := tx.AddRegionTransition(ctx, tr); err != nil {
		return err
	}
	status := account.RegionEnabling
	if tr.Target == account.RegionDisabled {
		status = account.RegionDisabling
	}
	if err := s.emit(ctx, tx, regionEvent(tr, status, now)); err != nil {
		return err
	}
	return s.completeAll(ctx, tx, now)
}

// Scan emits the completion events of every transition due on the domain
// clock now, in due-time order, and returns how many it emitted. Each
// batch is one transaction; concurrent scans emit each event once.
func (s *Service) Scan(ctx context.Context) (int, error) {
	total := 0
	defer func() {
		if total > 0 {
			s.changed.notify()
		}
	}()
	for {
		now := s.opts.Now().UTC()
		// Most scans find nothing: look first without taking the writer.
		var due []Transition
		err := s.store.View(ctx, func(tx Tx) (err error) {
			due, err = tx.DueRegionTransitions(ctx, now, 1)
			return err
		})
		if err != nil || len(due) == 0 {
			return total, err
		}
		var n int
		err = s.store.Update(ctx, func(tx Tx) (err error) {
			n, err = s.complete(ctx, tx, now, scanBatch)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < scanBatch {
			return total, nil
		}
	}
}

// completeAll completes every transition due at now, in tx.
func (s *Service) completeAll(ctx context.Context, tx Tx, now time.Time) error {
	for {
		n, err := s.complete(ctx, tx, now, scanBatch)
		if err != nil || n < scanBatch {
			return err
		}
	}
}

// complete emits the completion events of at most limit transitions due at
// now, in tx, and returns how many it looked at.
func (s *Service) complete(ctx context.Context, tx Tx, now time.Time, limit int) (int, error) {
	due, err := tx.DueRegionTransitions(ctx, now, limit)
	if err != nil {
		return 0, err
	}
	for i := range due {
		tr := &due[i]
		ok, err := tx.CompleteRegionTransition(ctx, tr.ID)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		if err := s.emit(ctx, tx, regionEvent(tr, tr.Target, tr.DueAt)); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// regionEvent returns the Region Opt-In Status Change event of tr with
// status at (domain time). Per spec/monitoring.md §2.2 [GUIDANCE], account
// is the calling account and detail.accountId and the resource the target.
func regionEvent(tr *Transition, status account.RegionStatus, at time.Time) *Event {
	return &Event{
		Version:    "0",
		DetailType: DetailTypeRegion, // its ID is the store's (emit)
		Source:     SourceAccount,
		Account:    tr.Caller,
		Time:       at.UTC().Format(TimeFormat),
		Region:     BusRegion,
		Resources:  []string{arn.Account(tr.Account)},
		Detail:     RegionDetail{AccountID: tr.Account, RegionName: tr.Region, Status: string(status)},
	}
}

// emit appends ev to the log and queues it for every active target whose
// pattern matches, in tx.
func (s *Service) emit(ctx context.Context, tx Tx, ev *Event) error {
	seq, id, err := tx.BusReserve(ctx)
	if err != nil {
		return err
	}
	ev.ID = id
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("events: encode event: %w", err)
	}
	t, err := time.Parse(TimeFormat, ev.Time)
	if err != nil {
		return fmt.Errorf("events: event time %q: %w", ev.Time, err)
	}
	now := s.opts.RealNow()
	rec := &Record{
		Seq: seq, ID: ev.ID, Time: t, Account: ev.Account, Source: ev.Source, DetailType: ev.DetailType,
		Body: body, Created: now,
	}
	if err := tx.BusAppend(ctx, rec); err != nil {
		return err
	}
	targets, err := tx.BusTargets(ctx)
	if err != nil {
		return err
	}
	for _, tg := range targets {
		p, err := s.compile(tg.Pattern)
		if err != nil {
			s.log.Error("event target has a bad pattern; it receives nothing", "target", tg.URL, "err", err)
			continue
		}
		if !p.Match(body) {
			continue
		}
		if err := tx.BusAddDelivery(ctx, tg.ID, rec.Seq, now); err != nil {
			return err
		}
	}
	return nil
}

// trimEvery is how often (in real time) the scheduler bounds the log to
// MaxEvents; trimBatch how many events one transaction deletes at most.
const (
	trimEvery = 5 * time.Second
	trimBatch = 10_000
)

// Trim deletes the events older than the newest MaxEvents, but those a
// delivery still needs, and returns how many it deleted (the scheduler
// runs it every trimEvery).
func (s *Service) Trim(ctx context.Context) (int64, error) {
	if s.opts.MaxEvents <= 0 {
		return 0, nil
	}
	var total int64
	for {
		var n int64
		err := s.store.Update(ctx, func(tx Tx) (err error) {
			n, err = tx.BusTrim(ctx, s.opts.MaxEvents, trimBatch)
			return err
		})
		total += n
		if err != nil || n < trimBatch {
			return total, err
		}
	}
}

// schedule scans on a ticker, when kicked and once at start, and trims
// the log every trimEvery.
func (s *Service) schedule() {
	defer s.wg.Done()
	tick := time.NewTicker(s.opts.ScanInterval)
	defer tick.Stop()
	var lastTrim time.Time
	for {
		if _, err := s.Scan(s.ctx); err != nil && !errors.Is(err, context.Canceled) && s.ctx.Err() == nil {
			s.log.Error("emit due region events", "err", err)
		}
		if now := s.opts.RealNow(); now.Sub(lastTrim) >= trimEvery {
			lastTrim = now
			if _, err := s.Trim(s.ctx); err != nil && s.ctx.Err() == nil {
				s.log.Error("trim the event log", "err", err)
			}
		}
		select {
		case <-s.done:
			return
		case <-tick.C:
		case <-s.kick:
		}
	}
}
