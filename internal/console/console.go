package console

import (
	"context"
	"crypto/tls"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/server"
)

// Prefix is where the console is served.
const Prefix = server.ConsolePrefix

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Invoker runs one operation through the server's pipeline for an
// authenticated caller (server.Server.Invoke).
type Invoker interface {
	Invoke(ctx context.Context, caller identity.Principal, service, op string, in operation.Input, meta server.RequestMeta) (any, error)
}

// Keys resolves access key ids as the signature verifier does
// (server.Server.Credential).
type Keys interface {
	Credential(ctx context.Context, accessKeyID string) (server.Credential, error)
}

// PasswordSignIn is the password sign-in of root users and IAM users,
// which the sign-in page's root-user and IAM-user forms and POST
// /_accountplane/signin ([Console.SignInAPI]) use. SignIn checks the
// credentials and returns the principal they sign in; ErrMFARequired asks
// for an MFA code; any other error is shown as the sign-in failure it is
// (an *apierr.Error's Message, or a generic message).
type PasswordSignIn interface {
	SignIn(ctx context.Context, in PasswordCredentials) (identity.Principal, error)
}

// Codes of the sign-in failures a PasswordSignIn answers with (the JSON
// sign-in's __type). Wire contract: do not rename.
const (
	// CodeAuthenticationFailed: unknown user, wrong password or MFA code
	// (401).
	CodeAuthenticationFailed = "AuthenticationFailed"
	// CodeMFAEnrollmentRequired: the root user of a standalone or
	// management account must register an MFA device first (403).
	CodeMFAEnrollmentRequired = "MFAEnrollmentRequired"
)

// PasswordCredentials are what the sign-in forms send.
type PasswordCredentials struct {
	// Root is true for the root-user form (Email), false for the IAM-user
	// form (Account, an id or alias, and UserName).
	Root     bool
	Email    string
	Account  string
	UserName string
	Password string
	// MFACode is the six-digit code of the user's MFA device ("" if the
	// form has not asked for one yet).
	MFACode string
	// SourceIP, UserAgent, TLS and Host describe the client, and LoginTo
	// the console page the sign-in leads to, for the sign-in's CloudTrail
	// record.
	SourceIP  string
	UserAgent string
	TLS       *tls.ConnectionState
	Host      string
	LoginTo   string
}

// ErrMFARequired is returned by PasswordSignIn when the user has an MFA
// device and sent no code.
var ErrMFARequired = errors.New("console: an MFA code is required")

// Config configures the console.
type Config struct {
	// Invoker runs every AWS operation (required).
	Invoker Invoker
	// Keys checks access key sign-ins (required).
	Keys Keys
	// Password is the password sign-in (nil: the page offers access keys
	// only, and SignInAPI answers 501).
	Password PasswordSignIn
	// Posture is the root posture report of the Root posture page (nil:
	// the page says it is not available).
	Posture server.RootPostureReport
	// Admin is the admin API (the server), which the Emulator page calls
	// with the browser's address and Host so that its guard decides as
	// for the API (nil: no Emulator page).
	Admin http.Handler
	// AdminToken reports whether the server requires --admin-token, which
	// the Emulator page then asks for.
	AdminToken bool
	// CanonicalUserID returns an account's canonical user id (s3api's).
	CanonicalUserID func(identity.AccountID) string
	// Log receives the console's errors (default slog.Default()).
	Log *slog.Logger
	// Now is the real clock of sessions (default time.Now).
	Now func() time.Time
	// SessionIdle is how long an unused session lives (default 1h).
	SessionIdle time.Duration
}

// Console is the console's HTTP handler.
type Console struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	sessions *sessions
}

// New returns the console for cfg.
func New(cfg Config) (*Console, error) {
	if cfg.Invoker == nil || cfg.Keys == nil {
		return nil, errors.New("console: an Invoker and Keys are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = time.Hour
	}
	if cfg.CanonicalUserID == nil {
		cfg.CanonicalUserID = func(identity.AccountID) string { return "" }
	}
	c := &Console{cfg: cfg, log: cfg.Log, mux: http.NewServeMux(), sessions: newSessions(cfg.SessionIdle, cfg.Now)}
	c.routes()
	return c, nil
}

// handler is a console page or action: it returns an error only for
// failures it did not answer itself (logged, answered as a generic
// error page).
type handler func(w http.ResponseWriter, r *http.Request, s *session) error

func (c *Console) routes() {
	static, _ := fs.Sub(staticFS, "static")
	c.mux.Handle("GET "+Prefix+"static/", http.StripPrefix(Prefix+"static/", staticHandler(static)))
	c.mux.HandleFunc("GET "+Prefix+"signin", c.signinPage)
	c.mux.HandleFunc("POST "+Prefix+"signin", c.signin)
	c.mux.HandleFunc("GET "+Prefix+"{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"account", http.StatusSeeOther)
	})
	c.page("POST signout", c.signout)
	c.page("POST switch", c.switchAccount)

	c.page("GET account", c.accountPage)
	c.page("GET account/regions", c.regionsFragment)
	c.page("POST account/name", c.putAccountName)
	c.page("POST account/contact", c.putContact)
	c.page("POST account/alternate", c.putAlternate)
	c.page("POST account/alternate/delete", c.deleteAlternate)
	c.page("POST account/regions", c.optRegion)
	c.page("POST account/email/start", c.startEmailUpdate)
	c.page("POST account/email/accept", c.acceptEmailUpdate)
	c.page("POST account/close", c.closeAccount)

	c.page("GET security", c.securityPage)
	c.page("POST security/keys", c.createRootKey)
	c.page("POST security/keys/update", c.updateRootKey)
	c.page("POST security/keys/delete", c.deleteRootKey)
	c.page("POST security/password", c.changeRootPassword)
	c.page("POST security/mfa", c.startRootMFA)
	c.page("POST security/mfa/enable", c.enableRootMFA)
	c.page("POST security/mfa/remove", c.removeRootMFA)
	c.page("POST security/certs", c.uploadRootCert)
	c.page("POST security/certs/update", c.updateRootCert)
	c.page("POST security/certs/delete", c.deleteRootCert)
	c.page("POST security/report", c.credentialReport)

	c.page("GET organizations", c.orgsPage)
	c.page("POST organizations/create", c.createOrganization)
	c.page("POST organizations/ou", c.createOU)
	c.page("POST organizations/ou/rename", c.renameOU)
	c.page("POST organizations/ou/delete", c.deleteOU)
	c.page("POST organizations/move", c.moveAccount)
	c.page("POST organizations/accounts", c.createAccount)
	c.page("POST organizations/accounts/close", c.closeMember)
	c.page("POST organizations/accounts/remove", c.removeMember)
	c.page("GET organizations/invitations", c.invitationsPage)
	c.page("POST organizations/invite", c.invite)
	c.page("POST organizations/handshake", c.handshake)
	c.page("POST organizations/leave", c.leaveOrganization)
	c.page("GET organizations/services", c.servicesPage)
	c.page("POST organizations/services", c.serviceAccess)
	c.page("POST organizations/delegated", c.delegatedAdmin)
	c.page("GET organizations/policies", c.policiesPage)
	c.page("POST organizations/policies/type", c.policyType)
	c.page("POST organizations/policies", c.createPolicy)
	c.page("POST organizations/policies/attach", c.attachPolicy)
	c.page("GET organizations/root-access", c.rootAccessPage)
	c.page("POST organizations/root-access", c.rootAccessFeature)
	c.page("POST organizations/root-access/task", c.rootTask)

	c.page("GET activity", c.activityPage)
	c.page("GET posture", c.posturePage)

	c.page("GET emulator", c.emulatorPage)
	c.page("POST emulator/token", c.emulatorToken)
	c.page("POST emulator/clock", c.emulatorClock)
	c.page("POST emulator/faults", c.emulatorAddFault)
	c.page("POST emulator/faults/delete", c.emulatorDeleteFault)
	c.page("POST emulator/reset", c.emulatorReset)
	c.mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		c.notFound(w, r)
	})
}

// page registers h for "METHOD path" (path under Prefix) behind the
// session check, and for POSTs the origin and CSRF checks.
func (c *Console) page(pattern string, h handler) {
	method, path, _ := strings.Cut(pattern, " ")
	c.mux.HandleFunc(method+" "+Prefix+path, func(w http.ResponseWriter, r *http.Request) {
		s := c.session(r)
		if s == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, Prefix+"signin?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
				return
			}
			c.forbidden(w, r, "Your session has ended. Sign in again.")
			return
		}
		if r.Method == http.MethodPost {
			if !sameOrigin(r) {
				c.forbidden(w, r, "This form was posted from another site, and the console refuses it.")
				return
			}
			if err := r.ParseForm(); err != nil || !sameToken(r.PostForm.Get("csrf"), s.csrf) {
				c.forbidden(w, r, "The form's security token is missing or stale. Reload the page and try again.")
				return
			}
		}
		if err := h(w, r, s); err != nil {
			c.log.ErrorContext(r.Context(), "console", "path", r.URL.Path, "err", err)
			c.renderError(w, r, http.StatusInternalServerError, "Something went wrong", "The console could not answer. The server's log has the details.")
		}
	})
}

// ServeHTTP serves the console with its security headers.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if !strings.HasPrefix(r.URL.Path, Prefix+"static/") {
		h.Set("Cache-Control", "no-store")
	}
	c.mux.ServeHTTP(w, r)
}

// session returns the request's live session, or nil. A session whose
// access key was deleted or deactivated since sign-in ends.
func (c *Console) session(r *http.Request) *session {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s := c.sessions.get(ck.Value)
	if s == nil {
		return nil
	}
	if s.method == methodAccessKey {
		cred, err := c.cfg.Keys.Credential(r.Context(), s.caller.AccessKeyID)
		if err != nil || cred.Principal.ARN != s.caller.ARN {
			c.sessions.end(s.id)
			return nil
		}
	}
	return s
}

// sameOrigin reports whether a POST comes from the console's own pages:
// Sec-Fetch-Site, Origin or, lacking both, Referer must name this
// server (scheme, host and port). A request with none of them (not a
// browser) is let through to the CSRF check.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		ref := r.Header.Get("Referer")
		if ref == "" {
			return true
		}
		u, err := url.Parse(ref)
		if err != nil {
			return false
		}
		origin = u.Scheme + "://" + u.Host
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.EqualFold(origin, scheme+"://"+r.Host)
}

// staticHandler serves the embedded assets, cacheable for an hour.
func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// redirect answers a POST with a redirect to path (under Prefix), the
// page the user returns to.
func redirect(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, Prefix+path, http.StatusSeeOther)
}
