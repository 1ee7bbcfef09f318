package server

import (
	"net/http"

	"github.com/accountplane/accountplane/internal/identity"
)

// KeyUseRecorder is implemented by Credentials that keep the last use of
// each access key (GetAccessKeyLastUsed, the credential report). KeyUsed
// is called once per authenticated request, on the request path: it must
// not block on storage (batch the writes).
type KeyUseRecorder interface {
	KeyUsed(accessKeyID, service, region string)
}

// noteKeyUse tells the credentials, if they keep track, that the caller's
// access key signed a request to the routed service in the scope's
// Region.
func (s *Server) noteKeyUse(r *http.Request, rt route, caller identity.Principal) {
	rec, ok := s.cfg.Keys.(KeyUseRecorder)
	if !ok || caller.AccessKeyID == "" {
		return
	}
	rec.KeyUsed(caller.AccessKeyID, serviceName(rt), regionOf(r))
}
