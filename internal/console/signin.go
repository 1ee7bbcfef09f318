package console

import (
	"crypto/subtle"
	"errors"
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
			d.Error = "Password sign-in arrives with the root-access issue. Sign in with an access key pair."
			c.showSignin(w, r, http.StatusNotImplemented, d)
			return
		}
		in := PasswordCredentials{
			Root: d.Kind == "root", Email: strings.TrimSpace(f.Get("email")), Account: strings.TrimSpace(f.Get("account")),
			UserName: strings.TrimSpace(f.Get("username")), Password: f.Get("password"), MFACode: strings.TrimSpace(f.Get("mfa_code")),
			SourceIP: clientIP(r),
		}
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
