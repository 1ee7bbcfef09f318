package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// Cookie names. The session cookie holds only a random id; everything
// else stays on the server.
const (
	sessionCookie = "accountplane_console"
	signinCookie  = "accountplane_console_signin" // the sign-in form's CSRF token
)

// session is one signed-in user.
type session struct {
	id      string
	csrf    string
	caller  identity.Principal
	method  string // "access key" or "password"
	created time.Time

	mu       sync.Mutex
	lastSeen time.Time
	// target is the account the Account pages act on through AccountId
	// (organization mode); "" for the caller's own.
	target identity.AccountID
	// adminToken is the --admin-token the user typed on the Emulator
	// page, sent as the admin API's bearer token.
	adminToken string
	flashes    []flash
}

// flash is a one-time notice shown on the next page.
type flash struct {
	Kind    string // "success", "error" or "info"
	Title   string
	Message string
	// RequestID is the request id of the call that failed, for explain.
	RequestID string
}

func (s *session) addFlash(f flash) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flashes = append(s.flashes, f)
}

func (s *session) takeFlashes() []flash {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flashes
	s.flashes = nil
	return f
}

func (s *session) getTarget() identity.AccountID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.target
}

func (s *session) setTarget(id identity.AccountID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.target = id
}

func (s *session) token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.adminToken
}

func (s *session) setToken(t string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.adminToken = t
}

// sessions are the signed-in users, in memory.
type sessions struct {
	mu   sync.Mutex
	byID map[string]*session
	ttl  time.Duration // idle timeout
	max  time.Duration // absolute lifetime
	now  func() time.Time
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{byID: map[string]*session{}, ttl: ttl, max: 12 * time.Hour, now: now}
}

// create starts a session for caller.
func (ss *sessions) create(caller identity.Principal, method string) *session {
	now := ss.now()
	s := &session{id: randomToken(32), csrf: randomToken(32), caller: caller, method: method, created: now, lastSeen: now}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for id, old := range ss.byID { // drop the expired ones now and then
		if ss.expired(old, now) {
			delete(ss.byID, id)
		}
	}
	ss.byID[s.id] = s
	return s
}

func (ss *sessions) expired(s *session, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return now.Sub(s.lastSeen) > ss.ttl || now.Sub(s.created) > ss.max
}

// get returns the live session of id, or nil.
func (ss *sessions) get(id string) *session {
	ss.mu.Lock()
	s := ss.byID[id]
	ss.mu.Unlock()
	if s == nil {
		return nil
	}
	now := ss.now()
	if ss.expired(s, now) {
		ss.end(id)
		return nil
	}
	s.mu.Lock()
	s.lastSeen = now
	s.mu.Unlock()
	return s
}

func (ss *sessions) end(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.byID, id)
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("console: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// sameToken compares two tokens in constant time.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// setCookie sets a console cookie: HttpOnly, SameSite=Strict, Secure over
// TLS, scoped to the console's path.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
}
