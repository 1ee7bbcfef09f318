package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// EventSource is the event bus behind GET /_accountplane/events.
type EventSource interface {
	// Subscribe starts a stream of the events matching pattern (an
	// EventBridge event pattern as JSON, "" for all) from now on, or since
	// an event id or RFC 3339 time. Bad input is an *AdminError.
	Subscribe(ctx context.Context, pattern, since string) (EventStream, error)
}

// EventStream is one subscriber's stream.
type EventStream interface {
	// Next waits for the next events (until ctx ends).
	Next(ctx context.Context) ([]StreamEvent, error)
}

// StreamEvent is one event of a stream: its id and its JSON.
type StreamEvent struct {
	ID   string
	Data []byte
}

// keepAlive is how often an idle stream sends a comment, so proxies and
// clients see the connection alive.
const keepAlive = 15 * time.Second

func (s *Server) routeEvents() {
	s.mux.HandleFunc("GET /_accountplane/events", s.admin(s.streamEvents))
	s.routeWebhooks()
}

// streamEvents serves the events as Server-Sent Events: one "data:" line of
// event JSON per event, with the event id as the SSE id (so a reconnecting
// client's Last-Event-ID resumes after it). ?pattern= filters with an
// EventBridge event pattern; ?since= (an event id or RFC 3339 time) replays
// the log from there, else only new events are sent.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Events == nil {
		writeAdminError(w, http.StatusNotFound, "the event bus is not enabled")
		return
	}
	flush := flusher(w)
	if flush == nil {
		writeAdminError(w, http.StatusInternalServerError, "streaming is not supported here")
		return
	}
	q := r.URL.Query()
	since := q.Get("since")
	if since == "" {
		since = r.Header.Get("Last-Event-ID") // an EventSource reconnecting
	}
	st, err := s.cfg.Events.Subscribe(r.Context(), q.Get("pattern"), since)
	if err != nil {
		s.adminFailure(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, ": accountplane event stream\n\n"); err != nil || flush() != nil {
		return
	}
	for {
		ctx, cancel := context.WithTimeout(r.Context(), keepAlive)
		evs, err := st.Next(ctx)
		cancel()
		if r.Context().Err() != nil {
			return
		}
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case err != nil:
			s.log.InfoContext(r.Context(), "event stream ended", "request_id", requestID(w), "err", err)
			return
		}
		for _, ev := range evs {
			if _, err := fmt.Fprintf(w, "id: %s\ndata: %s\n\n", ev.ID, ev.Data); err != nil {
				return
			}
		}
		if flush() != nil {
			return
		}
	}
}

// flusher finds the http.Flusher under w's wrappers (nil if none).
func flusher(w http.ResponseWriter) func() error {
	for {
		switch x := w.(type) {
		case interface{ FlushError() error }:
			return x.FlushError
		case http.Flusher:
			return func() error { x.Flush(); return nil }
		case *recorder:
			w = x.ResponseWriter
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}
