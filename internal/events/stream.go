package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/uuid"
)

// ErrClosed is returned by a Subscription of a closed Service.
var ErrClosed = errors.New("events: the bus is closed")

// BadRequestError is a subscription the caller asked wrongly for.
type BadRequestError struct{ Msg string }

func (e *BadRequestError) Error() string { return e.Msg }

// streamBatch is how many events a subscription reads at a time.
const streamBatch = 200

// Subscription follows the log from a position, keeping the events its
// pattern matches.
type Subscription struct {
	s         *Service
	pattern   *Pattern
	cursor    int64
	notBefore time.Time
}

// Subscribe starts following the events that match pattern (an EventBridge
// event pattern as JSON; "" for all). With since "" it sees only the events
// emitted from now on; since may also be an event id (the events after it)
// or an RFC 3339 time (the events whose time is at or after it).
func (s *Service) Subscribe(ctx context.Context, pattern, since string) (*Subscription, error) {
	p, err := CompilePattern(pattern)
	if err != nil {
		return nil, &BadRequestError{Msg: err.Error()}
	}
	sub := &Subscription{s: s, pattern: p}
	err = s.store.View(ctx, func(tx Tx) error {
		switch {
		case since == "":
			sub.cursor, err = tx.BusLastSeq(ctx)
			return err
		default:
			if t, terr := time.Parse(time.RFC3339Nano, since); terr == nil {
				sub.notBefore = t.UTC()
				return nil
			}
			sub.cursor, err = tx.BusEventSeq(ctx, since)
			if errors.Is(err, kernel.ErrNotFound) && s.opts.MaxEvents > 0 && uuid.Valid(since) {
				// An event the bounded log no longer keeps (a client
				// resuming with Last-Event-ID after a while): resume from
				// the oldest kept, at least once rather than never.
				sub.cursor = 0
				return nil
			}
			if errors.Is(err, kernel.ErrNotFound) {
				return &BadRequestError{Msg: fmt.Sprintf("since: %q is neither an RFC 3339 time nor the id of an event in the log", since)}
			}
			return err
		}
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// Next returns the next matching events, waiting for some until ctx ends
// (its error is then returned) or the Service closes (ErrClosed).
func (sub *Subscription) Next(ctx context.Context) ([]Record, error) {
	s := sub.s
	for {
		changed := s.changed.wait()
		var recs []Record
		err := s.store.View(ctx, func(tx Tx) (err error) {
			recs, err = tx.BusEvents(ctx, sub.cursor, sub.notBefore, streamBatch)
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		var out []Record
		for _, r := range recs {
			sub.cursor = r.Seq
			if sub.pattern.Match(r.Body) {
				out = append(out, r)
			}
		}
		if len(out) > 0 {
			return out, nil
		}
		if len(recs) == streamBatch {
			continue
		}
		t := time.NewTimer(s.opts.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-s.done:
			t.Stop()
			return nil, ErrClosed
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}
