package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pages are the parsed templates: each page is the layout, the partials
// and its own file.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"epoch":     fmtEpoch,
	"when":      fmtTime,
	"lower":     strings.ToLower,
	"statusTag": statusTag,
	"indent":    indentJSON,
	"join":      strings.Join,
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"add":  func(a, b int) int { return a + b },
	"list": func(xs ...string) []string { return xs },
}

// parsedPages parses the templates once, when the first page is rendered
// (parsing them took a sixth of the server's start-up).
var parsedPages = sync.OnceValues(parsePages)

func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("console: parse %s: %w", n, err)
		}
		p.byName[base] = t
	}
	return p, nil
}

// view is what every page's template gets.
type view struct {
	Title   string
	Section string // the navigation entry to mark current
	User    *userView
	CSRF    string
	Flashes []flash
	// Target is the account the Account pages act on ("" for the
	// caller's own); Switch the accounts the switcher offers.
	Target string
	Switch []switchOption
	// Password reports whether password sign-in is available.
	Password bool
	Data     any
}

type userView struct {
	Display string // what the top bar shows
	ARN     string
	Account string
	Type    string // Root, IAMUser, AssumedRole
	Root    bool
	Method  string
}

type switchOption struct {
	ID, Name string
	Current  bool
}

// newView returns the view of a page for s.
func (c *Console) newView(s *session, title, section string, data any) *view {
	v := &view{Title: title, Section: section, Data: data, Password: c.cfg.Password != nil}
	if s != nil {
		p := s.caller
		u := &userView{ARN: p.ARN, Account: string(p.Account), Type: p.Type.String(), Root: p.IsRoot(), Method: s.method}
		switch {
		case p.IsRoot():
			u.Display = "Root user @ " + string(p.Account)
		case p.Name != "" && p.SessionName != "":
			u.Display = p.Name + "/" + p.SessionName + " @ " + string(p.Account)
		default:
			u.Display = p.Name + " @ " + string(p.Account)
		}
		v.User, v.CSRF, v.Flashes, v.Target = u, s.csrf, s.takeFlashes(), string(s.getTarget())
	}
	return v
}

// render writes page name with v.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) error {
	p, err := parsedPages()
	if err != nil {
		return err
	}
	t := p.byName[name]
	if t == nil {
		return fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	tmpl := "layout"
	if strings.HasSuffix(name, "_fragment") {
		tmpl = "fragment"
	}
	if err := t.ExecuteTemplate(&buf, tmpl, v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err = buf.WriteTo(w)
	return err
}

type errorPage struct{ Heading, Message string }

func (c *Console) renderError(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	s := c.session(r)
	v := c.newView(s, heading, "", errorPage{heading, msg})
	if err := c.render(w, r, status, "error", v); err != nil {
		c.log.ErrorContext(r.Context(), "console: render error page", "err", err)
		http.Error(w, msg, status)
	}
}

func (c *Console) forbidden(w http.ResponseWriter, r *http.Request, msg string) {
	c.renderError(w, r, http.StatusForbidden, "Request refused", msg)
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	c.renderError(w, r, http.StatusNotFound, "Page not found", "There is no console page at "+r.URL.Path+".")
}

// fmtEpoch formats awsJson epoch seconds.
func fmtEpoch(v any) string {
	var f float64
	switch x := v.(type) {
	case json.Number:
		f, _ = x.Float64()
	case float64:
		f = x
	case string:
		f, _ = strconv.ParseFloat(x, 64)
	}
	if f == 0 {
		return ""
	}
	return time.Unix(int64(f), 0).UTC().Format("2006-01-02 15:04:05 UTC")
}

// fmtTime formats a time or an RFC 3339 string.
func fmtTime(v any) string {
	switch x := v.(type) {
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.UTC().Format("2006-01-02 15:04:05 UTC")
	case string:
		if t, err := time.Parse(time.RFC3339, x); err == nil {
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		}
		return x
	}
	return fmt.Sprint(v)
}

// statusTag is the CSS class of a status badge.
func statusTag(status string) string {
	switch status {
	case "ENABLED", "ENABLED_BY_DEFAULT", "ACTIVE", "SUCCEEDED", "ACCEPTED", "VERIFIED":
		return "ok"
	case "ENABLING", "DISABLING", "IN_PROGRESS", "OPEN", "REQUESTED", "PENDING", "PENDING_CLOSURE", "PENDING_ACTIVATION":
		return "busy"
	case "SUSPENDED", "CLOSED", "FAILED", "DECLINED", "CANCELED", "EXPIRED":
		return "bad"
	}
	return "neutral"
}

// indentJSON pretty-prints a JSON document.
func indentJSON(s string) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(s), "", "  "); err != nil {
		return s
	}
	return buf.String()
}
