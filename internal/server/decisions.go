package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/accountplane/accountplane/internal/authz"
)

// DecisionRecord is what the authorizer decided about one call, and why:
// GET /_accountplane/requests/{requestId}/decision and
// `accountplane explain REQUEST_ID` answer it. AWS never tells you this.
type DecisionRecord struct {
	RequestID string    `json:"requestId"`
	Time      time.Time `json:"time"`
	Principal string    `json:"principal"`
	Service   string    `json:"service"`
	Operation string    `json:"operation"`
	Action    string    `json:"action"`
	Allowed   bool      `json:"allowed"`
	// Message is the AccessDenied message the caller got.
	Message string `json:"message,omitempty"`
	// Public is true for calls that need no permission.
	Public bool `json:"public,omitempty"`
	// Refused is the authorizer's reason for refusing the call without
	// evaluating policies (an AlternateContactType outside the enum).
	Refused string `json:"refused,omitempty"`
	// Error is set when the decision could not be made.
	Error string `json:"error,omitempty"`
	// Checks are the decisions per resource, in order; the first denial
	// ends them.
	Checks []DecisionCheck `json:"checks,omitempty"`
}

// DecisionCheck is the decision about one resource.
type DecisionCheck struct {
	Resource string `json:"resource"`
	Allowed  bool   `json:"allowed"`
	// DeniedBy is the kind of policy that decided a denial: the one holding
	// the explicit Deny, or the first kind that did not allow.
	DeniedBy string `json:"deniedBy,omitempty"`
	Explicit bool   `json:"explicitDeny,omitempty"`
	// Reasons are every statement that matched, allowing or denying; none
	// on an implicit deny means nothing allowed.
	Reasons []authz.Reason `json:"reasons"`
}

func checkOf(resource string, d authz.Decision) DecisionCheck {
	rs := d.Reasons
	if rs == nil {
		rs = []authz.Reason{}
	}
	return DecisionCheck{Resource: resource, Allowed: d.Allowed, DeniedBy: d.DeniedBy, Explicit: d.Explicit, Reasons: rs}
}

// DefaultDecisionLogSize is how many decisions a replica keeps.
const DefaultDecisionLogSize = 10000

// decisionLog keeps the last decisions in memory. Every call puts one;
// a look-up (an admin asking why) reads the ring from the newest back,
// which costs less in all than keeping an index by request id.
type decisionLog struct {
	mu   sync.Mutex
	ring []*DecisionRecord
	next int
}

func newDecisionLog(size int) *decisionLog {
	if size <= 0 {
		size = DefaultDecisionLogSize
	}
	return &decisionLog{ring: make([]*DecisionRecord, size)}
}

func (l *decisionLog) put(r *DecisionRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring[l.next] = r
	l.next = (l.next + 1) % len(l.ring)
}

func (l *decisionLog) get(id string) (*DecisionRecord, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range len(l.ring) {
		r := l.ring[(l.next-1-i+len(l.ring))%len(l.ring)]
		if r == nil {
			break
		}
		if r.RequestID == id {
			return r, true
		}
	}
	return nil, false
}

func (s *Server) routeDecisions() {
	s.mux.HandleFunc("GET /_accountplane/requests/{requestId}/decision", s.admin(func(w http.ResponseWriter, r *http.Request) {
		rec, ok := s.decisions.get(r.PathValue("requestId"))
		if !ok {
			writeAdminError(w, http.StatusNotFound, "no decision is kept for request "+r.PathValue("requestId")+
				" (this replica keeps its last "+itoa(len(s.decisions.ring))+" decisions; unsigned, unauthenticated and invalid calls reach no decision)")
			return
		}
		writeJSON(w, http.StatusOK, rec)
	}))
}
