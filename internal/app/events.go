package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/clock"
	"github.com/accountplane/accountplane/internal/events"
	"github.com/accountplane/accountplane/internal/server"
)

// SeedEventTarget is a webhook target of a Seed: every event its pattern
// matches is POSTed to URL (the event JSON as the body), retried with
// backoff until the target answers 2xx, in order, across restarts.
type SeedEventTarget struct {
	URL string `yaml:"url"`
	// Pattern is an EventBridge event pattern, as an object or as a JSON
	// string (none: every event).
	Pattern any `yaml:"pattern"`
}

// newEvents returns the event bus over the store.
func newEvents(a *App, cfg Config) *events.Service {
	return events.New(a.db.Events(), events.Options{Now: cfg.Now, Log: cfg.Log, ReplicaID: a.replicaID(), MaxEvents: a.eventLogMax()})
}

// eventTargets returns the webhook targets of the seed and of
// Config.EventWebhooks (which receive every event).
func (a *App) eventTargets() ([]events.Target, error) {
	var out []events.Target
	if a.seed != nil {
		for i, st := range a.seed.EventTargets {
			pattern, err := seedPattern(st.Pattern)
			if err != nil {
				return nil, fmt.Errorf("seed: eventTargets %d: %w", i+1, err)
			}
			t, err := events.NewTarget(st.URL, pattern)
			if err != nil {
				return nil, fmt.Errorf("seed: eventTargets %d: %w", i+1, err)
			}
			out = append(out, t)
		}
	}
	for _, u := range a.cfg.EventWebhooks {
		t, err := events.NewTarget(u, "")
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// seedPattern returns a seed pattern as JSON.
func seedPattern(p any) (string, error) {
	switch v := p.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("pattern: %w", err)
	}
	return string(b), nil
}

// syncEventTargets records the configured webhook targets (after start, a
// reset or an import).
func (a *App) syncEventTargets(ctx context.Context) error {
	ts, err := a.eventTargets()
	if err != nil {
		return err
	}
	return a.events.SetTargets(ctx, ts)
}

// eventSource is the bus as the server's EventSource.
type eventSource struct{ bus *events.Service }

func (e eventSource) Subscribe(ctx context.Context, pattern, since string) (server.EventStream, error) {
	sub, err := e.bus.Subscribe(ctx, pattern, since)
	var bad *events.BadRequestError
	if errors.As(err, &bad) {
		return nil, &server.AdminError{Status: http.StatusBadRequest, Message: bad.Msg}
	}
	if err != nil {
		return nil, err
	}
	return eventStream{sub}, nil
}

var _ server.Webhooks = eventSource{}

// DeadDeliveries implements server.Webhooks.
func (e eventSource) DeadDeliveries(ctx context.Context, limit int) ([]server.DeadDelivery, error) {
	ds, err := e.bus.DeadDeliveries(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]server.DeadDelivery, len(ds))
	for i, d := range ds {
		out[i] = server.DeadDelivery{
			ID: d.ID().String(), TargetURL: d.TargetURL, EventID: d.Event.ID, DetailType: d.Event.DetailType,
			FirstAttempt: d.FirstAttempt, Dead: d.Dead, Attempts: d.Attempts, LastError: d.LastError,
		}
	}
	return out, nil
}

// RetryDelivery implements server.Webhooks.
func (e eventSource) RetryDelivery(ctx context.Context, id string) error {
	notFound := &server.AdminError{Status: http.StatusNotFound, Message: "no dead delivery " + id}
	did, err := events.ParseDeliveryID(id)
	if err != nil {
		return notFound
	}
	err = e.bus.RetryDelivery(ctx, did)
	if errors.Is(err, account.ErrNotFound) {
		return notFound
	}
	return err
}

type eventStream struct{ sub *events.Subscription }

func (e eventStream) Next(ctx context.Context) ([]server.StreamEvent, error) {
	recs, err := e.sub.Next(ctx)
	out := make([]server.StreamEvent, len(recs))
	for i, r := range recs {
		out[i] = server.StreamEvent{ID: r.ID, Data: r.Body}
	}
	return out, err
}

// eventClock is the domain clock whose Advance also emits the events of the
// transitions it makes due before returning.
type eventClock struct {
	*clock.Clock
	bus *events.Service
}

func (c eventClock) Advance(d time.Duration) (time.Duration, error) {
	off, err := c.Clock.Advance(d)
	if err != nil {
		return off, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.bus.Scan(ctx); err != nil {
		c.bus.Kick() // the scheduler retries
		return off, fmt.Errorf("emit the events of due transitions: %w", err)
	}
	return off, nil
}
