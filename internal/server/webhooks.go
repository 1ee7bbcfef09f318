package server

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// Webhooks is the dead-letter side of the event bus's webhook outbox. An
// EventSource that also implements it gets the admin endpoints
// GET /_accountplane/webhooks/dead and
// POST /_accountplane/webhooks/dead/{id}/retry.
type Webhooks interface {
	// DeadDeliveries returns at most limit dead deliveries, oldest event
	// first.
	DeadDeliveries(ctx context.Context, limit int) ([]DeadDelivery, error)
	// RetryDelivery puts the dead delivery id back into delivery. An
	// unknown id is an *AdminError with status 404.
	RetryDelivery(ctx context.Context, id string) error
}

// DeadDelivery is one row of GET /_accountplane/webhooks/dead: a delivery
// to a webhook that kept failing and was given up.
type DeadDelivery struct {
	ID         string `json:"id"`
	TargetURL  string `json:"targetUrl"`
	EventID    string `json:"eventId"`
	DetailType string `json:"detailType"`
	// FirstAttempt and Dead are domain times.
	FirstAttempt time.Time `json:"firstAttempt"`
	Dead         time.Time `json:"deadAt"`
	Attempts     int       `json:"attempts"`
	LastError    string    `json:"lastError"`
}

func (s *Server) routeWebhooks() {
	s.mux.HandleFunc("GET /_accountplane/webhooks/dead", s.admin(s.deadDeliveries))
	s.mux.HandleFunc("POST /_accountplane/webhooks/dead/{id}/retry", s.admin(s.retryDelivery))
}

// webhooks returns the bus's Webhooks, or answers 404 and returns nil.
func (s *Server) webhooks(w http.ResponseWriter) Webhooks {
	if wh, ok := s.cfg.Events.(Webhooks); ok {
		return wh
	}
	writeAdminError(w, http.StatusNotFound, "the event bus has no webhooks")
	return nil
}

// deadDeliveries lists the dead deliveries; ?limit= (1 to 1000, default
// 100) caps how many.
func (s *Server) deadDeliveries(w http.ResponseWriter, r *http.Request) {
	wh := s.webhooks(w)
	if wh == nil {
		return
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeAdminError(w, http.StatusBadRequest, "limit must be a number from 1 to 1000")
			return
		}
		limit = n
	}
	list, err := wh.DeadDeliveries(r.Context(), limit)
	if err != nil {
		s.adminFailure(w, r, err)
		return
	}
	if list == nil {
		list = []DeadDelivery{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": list})
}

// retryDelivery puts a dead delivery back into delivery: 202, as it is
// sent later by the target's dispatcher.
func (s *Server) retryDelivery(w http.ResponseWriter, r *http.Request) {
	wh := s.webhooks(w)
	if wh == nil {
		return
	}
	id := r.PathValue("id")
	if err := wh.RetryDelivery(r.Context(), id); err != nil {
		s.adminFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": id, "status": "queued"})
}
