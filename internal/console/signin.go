package console

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
)

// Sign-in methods.
const (
	methodAccessKey = "access key"
	methodPassword  = "password"
)

type signinData struct {
	Next    string
	Kind    string // the form shown: key, root or iam
	Error   string
	MFA     bool // ask for the MFA code
	Token   string
	Values  map[string]string
	Enabled bool // password sign-in available
}

func (c *Console) signinPage(w http.ResponseWriter, r *http.Request) {
	if s := c.session(r); s != nil {
		redirect(w, r, "account")
		return
	}
	kind := r.URL.Query().Get("kind")
	if kind != "root" && kind != "iam" {
		kind = "key"
	}
	c.showSignin(w, r, http.StatusOK, &signinData{Next: safeNext(r.URL.Query().Get("next")), Kind: kind})
}

func (c *Console) showSignin(w http.ResponseWriter, r *http.Request, status int, d *signinData) {
	d.Token = randomToken(24)
	d.Enabled = c.cfg.Password != nil
	if d.Values == nil {
		d.Values = map[string]string{}
	}
	setCookie(w, r, signinCookie, d.Token, 600)
	v := c.newView(nil, "Sign in", "signin", d)
	if err := c.render(w, r, status, "signin", v); err != nil {
		c.log.ErrorContext(r.Context(), "console: render sign-in", "err", err)
	}
}

// signin checks an access key pair, or a password and MFA code through
// PasswordSignIn, and starts a session.
func (c *Console) signin(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		c.forbidden(w, r, "This form was posted from another site, and the console refuses it.")
		return
	}
	if err := r.ParseForm(); err != nil {
		c.forbidden(w, r, "The sign-in form could not be read.")
		return
	}
	ck, err := r.Cookie(signinCookie)
	if err != nil || !sameToken(r.PostForm.Get("csrf"), ck.Value) {
		c.forbidden(w, r, "The sign-in form's security token is missing or stale. Reload the page and try again.")
		return
	}
	f := r.PostForm
	d := &signinData{Next: safeNext(f.Get("next")), Kind: f.Get("kind"), Values: map[string]string{}}
	var caller identity.Principal
	var method string
	switch d.Kind {
	case "key":
		id, secret := strings.TrimSpace(f.Get("access_key_id")), f.Get("secret_access_key")
		d.Values["access_key_id"] = id
		cred, err := c.cfg.Keys.Credential(r.Context(), id)
		// The secret is compared in constant time, and an unknown key
		// is answered as a wrong secret.
		if id == "" || err != nil || cred.SessionToken != "" || subtle.ConstantTimeCompare([]byte(cred.Secret), []byte(secret)) != 1 {
			d.Error = "The access key ID or secret access key is incorrect, or the key is inactive. Temporary (session) credentials cannot sign in."
			c.showSignin(w, r, http.StatusUnauthorized, d)
			return
		}
		caller, method = cred.Principal, methodAccessKey
	case "root", "iam":
		if c.cfg.Password == nil {
			d.Error = "Password sign-in is not available on this server. Sign in with an access key pair."
			c.showSignin(w, r, http.StatusNotImplemented, d)
			return
		}
		in := PasswordCredentials{
			Root: d.Kind == "root", Email: strings.TrimSpace(f.Get("email")), Account: strings.TrimSpace(f.Get("account")),
			UserName: strings.TrimSpace(f.Get("username")), Password: f.Get("password"), MFACode: strings.TrimSpace(f.Get("mfa_code")),
		}
		clientOf(r, &in)
		d.Values["email"], d.Values["account"], d.Values["username"] = in.Email, in.Account, in.UserName
		p, err := c.cfg.Password.SignIn(r.Context(), in)
		switch {
		case errors.Is(err, ErrMFARequired):
			d.MFA = true
			c.showSignin(w, r, http.StatusOK, d)
			return
		case err != nil:
			d.Error = "Your authentication information is incorrect. Please try again."
			if e, ok := apierr.As(err); ok {
				d.Error = e.Message
			}
			d.MFA = in.MFACode != ""
			c.showSignin(w, r, http.StatusUnauthorized, d)
			return
		}
		caller, method = p, methodPassword
	default:
		c.forbidden(w, r, "Unknown sign-in form.")
		return
	}
	s := c.sessions.create(caller, method)
	setCookie(w, r, sessionCookie, s.id, 0)
	setCookie(w, r, signinCookie, "", -1)
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func (c *Console) signout(w http.ResponseWriter, r *http.Request, s *session) error {
	c.sessions.end(s.id)
	setCookie(w, r, sessionCookie, "", -1)
	redirect(w, r, "signin")
	return nil
}

// safeNext returns next if it is a console page, else the Account page:
// sign-in never redirects elsewhere.
func safeNext(next string) string {
	if strings.HasPrefix(next, Prefix) && !strings.HasPrefix(next, Prefix+"signin") && !strings.Contains(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return Prefix + "account"
}

// clientOf fills in what the sign-in's record says of the client.
func clientOf(r *http.Request, in *PasswordCredentials) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	in.SourceIP, in.UserAgent, in.TLS, in.Host = clientIP(r), r.UserAgent(), r.TLS, r.Host
	in.LoginTo = scheme + "://" + r.Host + Prefix
}

// SignInAPI returns the handler of POST /_accountplane/signin, the
// password sign-in as JSON: {"Email", "Password", "MFACode"} for the root
// user, {"AccountId" (an id or alias), "UserName", "Password", "MFACode"}
// for an IAM user. It answers 200 {"Arn", "AccountId", "UserId", "Type"}
// with a console session cookie (HttpOnly, SameSite=Strict, Secure over
// TLS), or {"__type": code, "message"}: 401 AuthenticationFailed (with
// "MFARequired": true when the user has an MFA device and sent no code),
// 403 MFAEnrollmentRequired. It authenticates by password, so the admin
// API's loopback and token rule does not apply; a request must be a POST
// (405) of Content-Type application/json (415), and one whose Origin (or
// Sec-Fetch-Site, or Referer) names another site is refused (403), so
// that no web page can sign a browser in.
func (c *Console) SignInAPI() http.Handler {
	return http.HandlerFunc(c.signinAPI)
}

// signInRequest is the JSON sign-in's body.
type signInRequest struct {
	Email     string `json:"Email"`
	AccountID string `json:"AccountId"`
	UserName  string `json:"UserName"`
	Password  string `json:"Password"`
	MFACode   string `json:"MFACode"`
}

// maxSignInBody bounds the JSON sign-in's body.
const maxSignInBody = 16 << 10

func (c *Console) signinAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	fail := func(status int, code, msg string, extra ...any) {
		body := map[string]any{"__type": code, "message": msg}
		for i := 0; i+1 < len(extra); i += 2 {
			body[extra[i].(string)] = extra[i+1]
		}
		writeJSON(w, status, body)
	}
	switch {
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		fail(http.StatusMethodNotAllowed, "MethodNotAllowed", "Sign in with POST.")
		return
	case !isJSON(r.Header.Get("Content-Type")):
		fail(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "The sign-in body must be JSON (Content-Type: application/json).")
		return
	case !sameOrigin(r):
		fail(http.StatusForbidden, "AccessDenied", "Sign-in requests from another site are refused.")
		return
	case c.cfg.Password == nil:
		fail(http.StatusNotImplemented, "NotImplemented", "Password sign-in is not available on this server.")
		return
	}
	var req signInRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSignInBody))
	if err := dec.Decode(&req); err != nil {
		fail(http.StatusBadRequest, "ValidationError", "The body must be a JSON object of Email or AccountId and UserName, Password and MFACode.")
		return
	}
	in := PasswordCredentials{Root: req.Email != "", Email: strings.TrimSpace(req.Email), Account: strings.TrimSpace(req.AccountID),
		UserName: strings.TrimSpace(req.UserName), Password: req.Password, MFACode: strings.TrimSpace(req.MFACode)}
	if !in.Root && (in.Account == "" || in.UserName == "") {
		fail(http.StatusBadRequest, "ValidationError", "Send Email (the root user), or AccountId and UserName (an IAM user).")
		return
	}
	clientOf(r, &in)
	p, err := c.cfg.Password.SignIn(r.Context(), in)
	if errors.Is(err, ErrMFARequired) {
		fail(http.StatusUnauthorized, CodeAuthenticationFailed, "An MFA code is required: send the current code of your MFA device as MFACode.", "MFARequired", true)
		return
	}
	if err != nil {
		if e, ok := apierr.As(err); ok {
			status := http.StatusUnauthorized
			if e.Code == CodeMFAEnrollmentRequired {
				status = http.StatusForbidden
			}
			fail(status, e.Code, e.Message)
			return
		}
		c.log.ErrorContext(r.Context(), "console: sign-in", "err", err)
		fail(http.StatusInternalServerError, "InternalFailure", "An internal error occurred.")
		return
	}
	s := c.sessions.create(p, methodPassword)
	setCookie(w, r, sessionCookie, s.id, 0)
	writeJSON(w, http.StatusOK, map[string]string{"Arn": p.ARN, "AccountId": string(p.Account), "UserId": p.UserID, "Type": p.Type.String()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// isJSON reports whether a Content-Type is application/json.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}
