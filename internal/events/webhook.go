package events

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// NewTarget checks a webhook target and returns it with its pattern
// compacted and its ID derived from URL and pattern.
func NewTarget(rawURL, pattern string) (Target, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Target{}, fmt.Errorf("event target %q: the URL must be absolute http or https", rawURL)
	}
	p, err := CompilePattern(pattern)
	if err != nil {
		return Target{}, fmt.Errorf("event target %s: %w", rawURL, err)
	}
	t := Target{URL: rawURL, Pattern: p.String()}
	h := sha256.Sum256([]byte(t.URL + "\n" + t.Pattern))
	t.ID = hex.EncodeToString(h[:8])
	return t, nil
}

// SetTargets makes ts the webhook targets: it records them (targets no
// longer listed stop receiving events but keep their pending deliveries,
// resumed if they come back) and, once started, delivers to them.
func (s *Service) SetTargets(ctx context.Context, ts []Target) error {
	seen := map[string]bool{}
	var list []Target
	for _, t := range ts {
		if t.ID == "" {
			nt, err := NewTarget(t.URL, t.Pattern)
			if err != nil {
				return err
			}
			t = nt
		}
		if !seen[t.ID] {
			seen[t.ID] = true
			list = append(list, t)
		}
	}
	err := s.store.Update(ctx, func(tx Tx) error { return tx.BusSetTargets(ctx, list, s.opts.RealNow()) })
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, stop := range s.dispatchers {
		if !seen[id] {
			stop()
			delete(s.dispatchers, id)
		}
	}
	s.targets = map[string]Target{}
	for _, t := range list {
		s.targets[t.ID] = t
		if s.started && !s.closed {
			s.startDispatcher(t)
		}
	}
	return nil
}

// startDispatcher starts delivering to t unless it already is; s.mu is held.
func (s *Service) startDispatcher(t Target) {
	if _, ok := s.dispatchers[t.ID]; ok {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.dispatchers[t.ID] = cancel
	s.wg.Add(1)
	go s.deliver(ctx, t)
}

// backoff is the delay after the n-th failed attempt.
func (s *Service) backoff(n int) time.Duration {
	d := s.opts.MinBackoff
	for i := 1; i < n && d < s.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.opts.MaxBackoff)
}

// deliver posts t's pending deliveries one at a time, oldest first (so a
// target sees its events in order), until ctx ends. The first attempt after
// a start is immediate whatever the stored schedule.
func (s *Service) deliver(ctx context.Context, t Target) {
	defer s.wg.Done()
	immediate := true
	for ctx.Err() == nil {
		changed := s.changed.wait()
		var d *Delivery
		err := s.store.View(ctx, func(tx Tx) (err error) {
			d, err = tx.BusNextDelivery(ctx, t.ID)
			return err
		})
		var wait time.Duration
		switch {
		case errors.Is(err, kernel.ErrNotFound):
			wait = s.opts.PollInterval
		case err != nil:
			if ctx.Err() == nil {
				s.log.Error("read event deliveries", "target", t.URL, "err", err)
			}
			wait = s.opts.PollInterval
		default:
			if !immediate {
				wait = d.NextAttempt.Sub(s.opts.RealNow())
				changed = nil // a backoff is not cut short by new events
			}
			if immediate || wait <= 0 {
				immediate = false
				claimed, err := s.claim(ctx, t, d)
				if err != nil && ctx.Err() == nil {
					s.log.Error("claim event delivery", "target", t.URL, "err", err)
				}
				if claimed {
					s.attempt(ctx, t, d)
					continue
				}
				// Another replica holds it: look again when its lease ends.
				wait = max(min(d.ClaimedUntil.Sub(s.opts.RealNow()), claimLease), s.opts.PollInterval)
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-changed:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// claimLease is how long a replica holds a delivery it is posting: a
// replica that dies mid-delivery gives it up to the others this long after
// claiming it.
const claimLease = 8 * time.Second

// claim takes d for this replica until the lease ends, unless another
// replica's lease on it is still running.
func (s *Service) claim(ctx context.Context, t Target, d *Delivery) (bool, error) {
	now := s.opts.RealNow()
	var ok bool
	err := s.store.Update(ctx, func(tx Tx) (err error) {
		ok, err = tx.BusClaimDelivery(ctx, t.ID, d.Seq, s.opts.ReplicaID, now, now.Add(claimLease))
		return err
	})
	return ok, err
}

// attempt posts d once and records the outcome. A delivery that fails
// DeadAfter or more (domain time) after its first failed attempt is dead:
// kept, listed by [Service.DeadDeliveries], no longer attempted.
func (s *Service) attempt(ctx context.Context, t Target, d *Delivery) {
	at := s.opts.Now()
	err := s.post(ctx, t, d.Event.Body)
	if ctx.Err() != nil {
		return // shutting down: the delivery stays pending as it was
	}
	// The outcome is recorded even if ctx ends meanwhile.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err == nil {
		s.delivered.Add(1)
		if err := s.store.Update(wctx, func(tx Tx) error { return tx.BusDelivered(wctx, t.ID, d.Seq) }); err != nil {
			s.log.Error("record event delivery", "target", t.URL, "event", d.Event.ID, "err", err)
		}
		return
	}
	s.failed.Add(1)
	f := DeliveryFailure{At: at, Err: err.Error()}
	first := d.FirstAttempt
	if first.IsZero() {
		first = at
	}
	if now := s.opts.Now(); now.Sub(first) >= s.opts.DeadAfter {
		f.Dead = now
		s.dead.Add(1)
		s.log.Error("event delivery failed for too long; it is dead until retried", "target", t.URL,
			"event", d.Event.ID, "delivery", d.ID().String(), "attempts", d.Attempts+1, "first_attempt", first, "err", err)
	} else {
		f.Next = s.opts.RealNow().Add(s.backoff(d.Attempts + 1))
		s.log.Warn("event delivery failed; will retry", "target", t.URL, "event", d.Event.ID,
			"attempts", d.Attempts+1, "next_attempt", f.Next, "err", err)
	}
	if err := s.store.Update(wctx, func(tx Tx) error {
		return tx.BusDeliveryFailed(wctx, t.ID, d.Seq, f)
	}); err != nil {
		s.log.Error("record event delivery failure", "target", t.URL, "event", d.Event.ID, "err", err)
	}
}

// DeadDeliveries returns at most limit dead deliveries (those that kept
// failing for Options.DeadAfter), oldest event first.
func (s *Service) DeadDeliveries(ctx context.Context, limit int) ([]Delivery, error) {
	var out []Delivery
	err := s.store.View(ctx, func(tx Tx) (err error) {
		out, err = tx.BusDeadDeliveries(ctx, limit)
		return err
	})
	return out, err
}

// RetryDelivery puts the dead delivery id back into delivery: it is
// attempted again at once (if its target is still configured; else when the
// target comes back), with a new DeadAfter period. It returns an error
// wrapping account.ErrNotFound if there is no such dead delivery.
//
// The other deliveries of the target have gone on meanwhile, so the target
// sees this event after later ones.
func (s *Service) RetryDelivery(ctx context.Context, id DeliveryID) error {
	err := s.store.Update(ctx, func(tx Tx) error { return tx.BusRetryDelivery(ctx, id.Target, id.Seq) })
	if err != nil {
		return err
	}
	s.changed.notify()
	return nil
}

// noRedirects returns a copy of c that does not follow redirects: a 3xx
// answer is the webhook's answer, a failed delivery. Following one would
// post the event somewhere nobody configured (and, with 301/302/303, as a
// GET without the event).
func noRedirects(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

// post sends one event; any answer but 2xx is a failure (redirects are not
// followed).
func (s *Service) post(ctx context.Context, t Target, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "accountplane-events")
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// Metrics returns the delivery gauges and counters (a server.MetricSource).
func (s *Service) Metrics() map[string]float64 {
	out := map[string]float64{
		"accountplane_event_deliveries_total":            float64(s.delivered.Load()),
		"accountplane_event_delivery_failures_total":     float64(s.failed.Load()),
		"accountplane_event_deliveries_dead_total":       float64(s.dead.Load()),
		"accountplane_event_deliveries_pending":          0,
		"accountplane_event_deliveries_dead":             0,
		"accountplane_event_delivery_oldest_age_seconds": 0,
		"accountplane_region_transitions_pending":        0,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var st OutboxStats
	var transitions int
	err := s.store.View(ctx, func(tx Tx) (err error) {
		if st, err = tx.BusOutboxStats(ctx); err != nil {
			return err
		}
		transitions, err = tx.PendingRegionTransitions(ctx)
		return err
	})
	if err != nil {
		s.log.Error("read pending event deliveries", "err", err)
		return out
	}
	out["accountplane_event_deliveries_pending"] = float64(st.Pending)
	out["accountplane_event_deliveries_dead"] = float64(st.Dead)
	out["accountplane_region_transitions_pending"] = float64(transitions)
	if !st.Oldest.IsZero() {
		out["accountplane_event_delivery_oldest_age_seconds"] = max(0, s.opts.RealNow().Sub(st.Oldest).Seconds())
	}
	return out
}
