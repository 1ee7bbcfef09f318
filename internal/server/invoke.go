package server

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/trail"
)

// RequestMeta describes where an in-process call comes from, for the
// authorizer's request-level condition keys (aws:SourceIp,
// aws:SecureTransport, aws:RequestedRegion) and the call's CloudTrail
// record.
type RequestMeta struct {
	// RequestID is the call's request id, under which its decision is
	// kept for explain ("": a new one).
	RequestID string
	// SourceIP is the address of the client the call is made for (the
	// browser's, for the console).
	SourceIP string
	// UserAgent is the record's userAgent.
	UserAgent string
	// Region stands for the credential scope's Region ("": none, which
	// records the global Region).
	Region string
	// TLS is the client's connection state (nil: not over TLS) and Host
	// the Host it addressed: aws:SecureTransport and the record's
	// tlsDetails.
	TLS  *tls.ConnectionState
	Host string
	// FromConsole marks the record sessionCredentialFromConsole, as AWS
	// marks calls its console makes for a signed-in user.
	FromConsole bool
}

// ErrUnknownOperation is Invoke's error for a service or operation the
// server does not serve.
var ErrUnknownOperation = errors.New("server: unknown service or operation")

// Invoke runs one operation for caller in process, without HTTP and
// without a signature: the caller has already been authenticated by the
// edge that calls Invoke (the console's sign-in). Everything else is the
// pipeline's, as for a signed request: decode and validate in against the
// model, resolve the resources, authorize (the decision is kept for
// explain under meta.RequestID), quotas and injected faults, invoke, and
// the CloudTrail record.
//
// in is the operation's wire input: the JSON body for REST-JSON and
// awsJson services, the form parameters for query services (Action and
// Version are not needed). The output is the operation's wire output
// value, as the service's codec would encode it (nil for an empty
// output). A failure is an *apierr.Error, as the client would be told
// (internal failures are logged and answered as the service's internal
// failure); an unknown service or operation is ErrUnknownOperation.
func (s *Server) Invoke(ctx context.Context, caller identity.Principal, service, op string, in operation.Input, meta RequestMeta) (any, error) {
	rt, ok := s.routes.invocable[service+"/"+op]
	if !ok {
		return nil, ErrUnknownOperation
	}
	svc := rt.svc
	if caller.IsZero() {
		return nil, errors.New("server: Invoke needs an authenticated caller")
	}
	if meta.RequestID == "" {
		meta.RequestID = newRequestID()
	}
	rt.params = in.Params
	m := callMeta{
		requestID: meta.RequestID, region: meta.Region, sourceIP: meta.SourceIP, userAgent: meta.UserAgent,
		secure: meta.TLS != nil, tls: trail.TLSDetailsOf(meta.TLS, meta.Host), console: meta.FromConsole,
	}
	start := time.Now()
	out, e := s.execute(ctx, rt, caller, in, m)
	status := http.StatusOK
	if e != nil {
		status = statusOf(svc, e)
	}
	s.metrics.observe(svc.Name, op, status, time.Since(start))
	if e != nil {
		return nil, e
	}
	return out, nil
}

// statusOf is the HTTP status the service's codec would answer e with.
func statusOf(svc *service, e *apierr.Error) int {
	if svc.Status != nil {
		if st := svc.Status(e.Code); st != 0 {
			return st
		}
	}
	if e.Fault == apierr.Server {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// HandleConsole serves h at /_accountplane/console/ (the console edge: it
// authenticates its users itself and calls Invoke). It must be called
// before the server serves.
func (s *Server) HandleConsole(h http.Handler) {
	s.mux.Handle(ConsolePrefix, h)
}

// ConsolePrefix is where the console is served.
const ConsolePrefix = AdminPrefix + "console/"

// Credential resolves an access key id as the signature verifier does
// (the console's access-key sign-in checks the secret against it).
func (s *Server) Credential(ctx context.Context, accessKeyID string) (Credential, error) {
	return s.cfg.Keys.Credential(ctx, accessKeyID)
}
