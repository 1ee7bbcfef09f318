package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/accountplane/accountplane/internal/clock"
	"github.com/accountplane/accountplane/internal/identity"
)

// Admin is what the admin API does that only AWS's sign-up page and
// support can do.
type Admin interface {
	// SignUp creates a standalone account with a root access key.
	SignUp(ctx context.Context, name, email string) (identity.AccountID, identity.AccessKey, error)
	// Accounts lists every account.
	Accounts(ctx context.Context) ([]AccountSummary, error)
	// NewAccessKey issues a root access key for an account.
	NewAccessKey(ctx context.Context, id identity.AccountID) (identity.AccessKey, error)
	// SetPaymentMethod records whether the account has a payment method.
	SetPaymentMethod(ctx context.Context, id identity.AccountID, on bool) error
}

// AccountSummary is one row of GET /_accountplane/accounts.
type AccountSummary struct {
	AccountID     string `json:"AccountId"`
	Name          string `json:"Name"`
	Email         string `json:"Email"`
	State         string `json:"State"`
	Origin        string `json:"Origin"`
	Organization  string `json:"Organization,omitempty"`
	Management    bool   `json:"Management,omitempty"`
	PaymentMethod bool   `json:"PaymentMethod"`
	// Partition is the account's partition, when not the commercial one;
	// GovCloudAccountID the GovCloud account paired with it, if any.
	Partition         string `json:"Partition,omitempty"`
	GovCloudAccountID string `json:"GovCloudAccountId,omitempty"`
}

// AdminError is an admin-API failure with its HTTP status.
type AdminError struct {
	Status  int
	Message string
}

func (e *AdminError) Error() string { return e.Message }

func (s *Server) routeAdminOps() {
	s.mux.HandleFunc("POST /_accountplane/accounts", s.admin(s.signUp))
	s.mux.HandleFunc("GET /_accountplane/accounts", s.admin(s.listAccounts))
	s.mux.HandleFunc("POST /_accountplane/accounts/{id}/credentials", s.admin(s.newCredentials))
	s.mux.HandleFunc("PUT /_accountplane/accounts/{id}/payment-method", s.admin(s.paymentMethod))
	s.routeRootCredentials() // adminroot.go
	s.routeRootPosture()     // posture.go
	s.mux.HandleFunc("POST /_accountplane/accounts/{id}/govcloud", s.admin(s.pairGovCloud))
}

func (s *Server) adminFailure(w http.ResponseWriter, r *http.Request, err error) {
	var ae *AdminError
	if errors.As(err, &ae) {
		writeAdminError(w, ae.Status, ae.Message)
		return
	}
	s.log.ErrorContext(r.Context(), "admin request failed", "request_id", requestID(w), "err", err)
	writeAdminError(w, http.StatusInternalServerError, "internal error")
}

func decodeAdmin(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return &AdminError{http.StatusBadRequest, "cannot read the body"}
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return &AdminError{http.StatusBadRequest, "the body must be a JSON object: " + err.Error()}
	}
	return nil
}

type keyAnswer struct {
	AccountID       string `json:"AccountId"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

func (s *Server) signUp(w http.ResponseWriter, r *http.Request) {
	// Password is the optional root password (adminroot.go).
	var in struct{ Name, Email, Password string }
	if err := decodeAdmin(r, &in); err != nil {
		s.adminFailure(w, r, err)
		return
	}
	if err := s.checkSignUpPassword(in.Name, in.Email, in.Password); err != nil {
		s.rootFailure(w, r, err)
		return
	}
	id, k, err := s.cfg.Admin.SignUp(r.Context(), in.Name, in.Email)
	if err != nil {
		s.adminFailure(w, r, err)
		return
	}
	if err := s.setSignUpPassword(r.Context(), id, in.Password); err != nil {
		s.rootFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, keyAnswer{AccountID: string(id), AccessKeyID: k.ID, SecretAccessKey: k.Secret})
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Admin.Accounts(r.Context())
	if err != nil {
		s.adminFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"Accounts": list})
}

func (s *Server) pathAccount(w http.ResponseWriter, r *http.Request) (identity.AccountID, bool) {
	id, err := identity.ParseAccountID(r.PathValue("id"))
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, "the account id must be 12 digits")
		return "", false
	}
	return id, true
}

func (s *Server) newCredentials(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathAccount(w, r)
	if !ok {
		return
	}
	k, err := s.cfg.Admin.NewAccessKey(r.Context(), id)
	if err != nil {
		s.adminFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, keyAnswer{AccountID: string(id), AccessKeyID: k.ID, SecretAccessKey: k.Secret})
}

func (s *Server) paymentMethod(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathAccount(w, r)
	if !ok {
		return
	}
	in := struct {
		PaymentMethod *bool `json:"PaymentMethod"`
	}{}
	if err := decodeAdmin(r, &in); err != nil {
		s.adminFailure(w, r, err)
		return
	}
	on := in.PaymentMethod == nil || *in.PaymentMethod
	if err := s.cfg.Admin.SetPaymentMethod(r.Context(), id, on); err != nil {
		s.adminFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"AccountId": id, "PaymentMethod": on})
}

// Clock is the emulator's movable domain clock.
type Clock interface {
	Now() time.Time
	Offset() time.Duration
	Advance(d time.Duration) (time.Duration, error)
}

// Resetter returns the emulator to its default world.
type Resetter interface {
	Reset(ctx context.Context) error
}

func (s *Server) routeClock() {
	s.mux.HandleFunc("GET /_accountplane/clock", s.admin(s.showClock))
	s.mux.HandleFunc("POST /_accountplane/clock", s.admin(s.advanceClock))
	s.mux.HandleFunc("POST /_accountplane/reset", s.admin(s.reset))
}

type clockAnswer struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
	// OffsetSeconds is Offset as a number, for scripts.
	OffsetSeconds float64 `json:"offsetSeconds"`
}

func (s *Server) clockAnswer() clockAnswer {
	off := s.cfg.Clock.Offset()
	return clockAnswer{Now: s.cfg.Clock.Now().UTC(), Offset: off.String(), OffsetSeconds: off.Seconds()}
}

func (s *Server) showClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.clockAnswer())
}

func (s *Server) advanceClock(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Advance string `json:"advance"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		s.adminFailure(w, r, err)
		return
	}
	d, err := clock.ParseDuration(in.Advance)
	if err != nil || d < 0 {
		writeAdminError(w, http.StatusBadRequest, `"advance" must be a duration such as "15d", "360h" or "90m"`)
		return
	}
	if _, err := s.cfg.Clock.Advance(d); err != nil {
		s.adminFailure(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "clock advanced", "by", d.String(), "offset", s.cfg.Clock.Offset().String())
	writeJSON(w, http.StatusOK, s.clockAnswer())
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Resetter.Reset(r.Context()); err != nil {
		s.adminFailure(w, r, err)
		return
	}
	s.log.WarnContext(r.Context(), "state reset to the default world")
	writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
}

// StateStore exports and imports the whole state as one JSON document.
type StateStore interface {
	ExportState(ctx context.Context) ([]byte, error)
	// ImportState reads the document from doc, ideally as it decodes it, so
	// that memory does not grow with the document. A read error of doc is
	// returned wrapped, or as an *AdminError.
	ImportState(ctx context.Context, doc io.Reader) error
}

// DefaultMaxStateBytes is the default limit on the size of a state document
// PUT /_accountplane/state accepts.
const DefaultMaxStateBytes = 256 << 20

func (s *Server) routeState() {
	s.mux.HandleFunc("GET /_accountplane/state", s.admin(s.exportState))
	s.mux.HandleFunc("PUT /_accountplane/state", s.admin(s.importState))
}

func (s *Server) exportState(w http.ResponseWriter, r *http.Request) {
	s.DrainTrail() // the records of the calls answered so far belong in it
	doc, err := s.cfg.State.ExportState(r.Context())
	if err != nil {
		s.adminFailure(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(doc)
}

func (s *Server) importState(w http.ResponseWriter, r *http.Request) {
	limit := s.cfg.MaxStateBytes
	if limit <= 0 {
		limit = DefaultMaxStateBytes
	}
	body := &bodyReader{r: http.MaxBytesReader(w, r.Body, limit)}
	if err := s.cfg.State.ImportState(r.Context(), body); err != nil {
		// The body's own failures come first: however the store reported
		// them, they are not the document's fault.
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(body.err, &tooLarge):
			writeAdminError(w, http.StatusRequestEntityTooLarge, "the state document is larger than "+strconv.FormatInt(limit, 10)+" bytes")
		case body.err != nil:
			writeAdminError(w, http.StatusBadRequest, "cannot read the body")
		default:
			s.adminFailure(w, r, err)
		}
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "imported"})
}

// bodyReader remembers the first error, other than io.EOF, of the reader it
// wraps.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}
