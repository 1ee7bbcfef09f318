package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
)

// FaultRule injects an error (and optionally latency) into matching AWS
// calls, so clients' retry logic can be tested. Empty match fields match
// anything.
type FaultRule struct {
	ID        string `json:"id"`
	Service   string `json:"service,omitempty"`   // signing name: account, organizations, iam, sts
	Operation string `json:"operation,omitempty"` // e.g. GetContactInformation
	Account   string `json:"account,omitempty"`   // the caller's account
	ErrorCode string `json:"errorCode,omitempty"` // "" injects latency only
	Message   string `json:"message,omitempty"`
	// Probability (0..1] applies the rule to that share of matching calls;
	// 0 means every call.
	Probability float64 `json:"probability,omitempty"`
	// Count, if positive, is how many more calls the rule applies to.
	Count     int `json:"count,omitempty"`
	LatencyMs int `json:"latencyMs,omitempty"`
	// Injected counts the calls the rule hit.
	Injected int `json:"injected"`
}

// faults holds the rules: in memory, or, for replicas, in a FaultStore
// that every replica reads (cached here for at most a second).
type faults struct {
	mu    sync.Mutex
	rules []*FaultRule
	store FaultStore
	// loaded is when rules were last read from the store (zero: stale).
	loaded time.Time
}

// FaultStore keeps fault rules that replicas share. Count in a stored rule
// is the calls it may still hit (0: unlimited).
type FaultStore interface {
	Faults(ctx context.Context) ([]FaultRule, error)
	AddFault(ctx context.Context, r FaultRule) error
	// DeleteFaults deletes rule id ("": all) and returns how many.
	DeleteFaults(ctx context.Context, id string) (int, error)
	// HitFault counts a hit and takes one of a counted rule's calls,
	// atomically across replicas; false when none is left.
	HitFault(ctx context.Context, id string) (bool, error)
}

// faultsMaxAge is how long a replica serves its copy of shared rules.
const faultsMaxAge = time.Second

// current returns the rules to match against (refreshing a shared copy
// older than faultsMaxAge). f.mu must be held.
func (f *faults) current(ctx context.Context) []*FaultRule {
	if f.store == nil || time.Since(f.loaded) < faultsMaxAge {
		return f.rules
	}
	rules, err := f.store.Faults(ctx)
	if err != nil {
		return f.rules
	}
	f.rules = f.rules[:0]
	for i := range rules {
		f.rules = append(f.rules, &rules[i])
	}
	f.loaded = time.Now()
	return f.rules
}

// serverFaultCodes are codes that are server faults (HTTP 500).
var serverFaultCodes = []string{"InternalServerException", "ServiceException", "ServiceFailure", "InternalFailure", "ServiceUnavailable"}

// match returns the error and latency to inject into a call, if any rule
// applies.
func (f *faults) match(ctx context.Context, service, operation string, acct identity.AccountID) (*apierr.Error, time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.current(ctx) {
		if (r.Service != "" && r.Service != service) || (r.Operation != "" && r.Operation != operation) ||
			(r.Account != "" && r.Account != string(acct)) {
			continue
		}
		if r.Probability > 0 && r.Probability < 1 && !chance(r.Probability) {
			continue
		}
		if f.store != nil {
			if ok, err := f.store.HitFault(ctx, r.ID); err != nil || !ok {
				continue // another replica took its last call
			}
		}
		r.Injected++
		if r.Count > 0 {
			r.Count--
			if r.Count == 0 {
				f.rules = append(f.rules[:i:i], f.rules[i+1:]...)
			}
		}
		latency := time.Duration(r.LatencyMs) * time.Millisecond
		if r.ErrorCode == "" {
			return nil, latency, true
		}
		msg := r.Message
		if msg == "" {
			msg = "Injected fault (accountplane fault rule " + r.ID + ")."
		}
		e := apierr.New(r.ErrorCode, msg)
		for _, c := range serverFaultCodes {
			if r.ErrorCode == c {
				e.Fault = apierr.Server
			}
		}
		return e, latency, true
	}
	return nil, 0, false
}

func chance(p float64) bool {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return err == nil && float64(n.Int64()) < p*1_000_000
}

// injectFault applies the fault rules to a call: it sleeps for the rule's
// latency and returns the error to answer with, if any.
func (s *Server) injectFault(ctx context.Context, requestID, service, operation string, acct identity.AccountID) error {
	e, latency, hit := s.faults.match(ctx, service, operation, acct)
	if !hit {
		return nil
	}
	s.log.WarnContext(ctx, "fault injected", "request_id", requestID, "service", service, "operation", operation,
		"error_code", errorCode(e), "latency_ms", latency.Milliseconds())
	s.metrics.faultInjected()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-ctx.Done():
		}
	}
	if e == nil {
		return nil
	}
	return e
}

func errorCode(e *apierr.Error) string {
	if e == nil {
		return ""
	}
	return e.Code
}

func (s *Server) routeFaults() {
	s.mux.HandleFunc("GET /_accountplane/faults", s.admin(s.listFaults))
	s.mux.HandleFunc("POST /_accountplane/faults", s.admin(s.addFault))
	s.mux.HandleFunc("DELETE /_accountplane/faults", s.admin(s.clearFaults))
	s.mux.HandleFunc("DELETE /_accountplane/faults/{id}", s.admin(s.deleteFault))
}

func (s *Server) listFaults(w http.ResponseWriter, r *http.Request) {
	s.faults.mu.Lock()
	s.faults.loaded = time.Time{} // the store's rules as they are now
	rules := s.faults.current(r.Context())
	out := make([]FaultRule, 0, len(rules))
	for _, f := range rules {
		out = append(out, *f)
	}
	s.faults.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"faults": out})
}

func (s *Server) addFault(w http.ResponseWriter, r *http.Request) {
	var rule FaultRule
	if err := decodeAdmin(r, &rule); err != nil {
		s.adminFailure(w, r, err)
		return
	}
	if rule.Probability < 0 || rule.Probability > 1 || rule.Count < 0 || rule.LatencyMs < 0 || rule.LatencyMs > 600_000 {
		writeAdminError(w, http.StatusBadRequest, "probability must be in [0,1], count and latencyMs non-negative (latencyMs at most 600000)")
		return
	}
	if rule.ErrorCode == "" && rule.LatencyMs == 0 {
		writeAdminError(w, http.StatusBadRequest, "a fault needs an errorCode, a latencyMs, or both")
		return
	}
	if strings.ContainsAny(rule.ErrorCode, " <>\"") {
		writeAdminError(w, http.StatusBadRequest, "errorCode must be an exception name")
		return
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	rule.ID, rule.Injected = "f-"+hex.EncodeToString(b[:]), 0
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if s.faults.store != nil {
		if err := s.faults.store.AddFault(r.Context(), rule); err != nil {
			s.adminFailure(w, r, err)
			return
		}
		s.faults.loaded = time.Time{}
	} else {
		s.faults.rules = append(s.faults.rules, &rule)
	}
	writeJSON(w, http.StatusCreated, rule)
}

func (s *Server) clearFaults(w http.ResponseWriter, r *http.Request) {
	s.faults.mu.Lock()
	n := len(s.faults.rules)
	s.faults.rules = nil
	if s.faults.store != nil {
		var err error
		if n, err = s.faults.store.DeleteFaults(r.Context(), ""); err != nil {
			s.faults.mu.Unlock()
			s.adminFailure(w, r, err)
			return
		}
		s.faults.loaded = time.Time{}
	}
	s.faults.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]int{"cleared": n})
}

func (s *Server) deleteFault(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if s.faults.store != nil {
		n, err := s.faults.store.DeleteFaults(r.Context(), id)
		if err != nil {
			s.adminFailure(w, r, err)
			return
		}
		s.faults.loaded = time.Time{}
		if n > 0 {
			writeJSON(w, http.StatusOK, map[string]string{"deleted": id})
			return
		}
	}
	for i, f := range s.faults.rules {
		if f.ID == id {
			s.faults.rules = append(s.faults.rules[:i:i], s.faults.rules[i+1:]...)
			writeJSON(w, http.StatusOK, map[string]string{"deleted": id})
			return
		}
	}
	writeAdminError(w, http.StatusNotFound, "no fault "+id)
}
