package server

import (
	"crypto/subtle"
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AdminPrefix is where everything the emulator adds beyond AWS lives.
const AdminPrefix = "/_accountplane/"

func (s *Server) routeAdmin() {
	s.mux.HandleFunc("GET /_accountplane/health", s.health)
	s.mux.HandleFunc("GET /_accountplane/outbox", s.admin(s.outbox))
	s.mux.HandleFunc("/_accountplane/", s.admin(func(w http.ResponseWriter, r *http.Request) {
		writeAdminError(w, http.StatusNotFound, "no such admin endpoint: "+r.Method+" "+r.URL.Path)
	}))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeAdminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version, "store": s.cfg.Store, "replica": s.cfg.ReplicaID})
}

// admin guards an admin endpoint. With a configured AdminToken the bearer
// token alone decides, from any client and any Host. Without one the admin
// API must be safe from the browsers on the same machine as well as from
// other machines, so a request must:
//
//   - come from a loopback client (the outbox shows one-time codes);
//   - be addressed to a loopback Host (localhost, *.localhost, 127.0.0.0/8,
//     [::1]) or to one of AllowedHosts, which defeats DNS rebinding: a page
//     of evil.example whose name now resolves to 127.0.0.1 still sends
//     Host: evil.example;
//   - carry no Origin header but the server's own (scheme and Host), which
//     refuses cross-site requests from pages, simple ones included;
//   - when it changes state (POST, PUT, PATCH, DELETE), have Content-Type
//     application/json, which a page cannot send cross-site without a
//     CORS preflight, and the admin API answers no preflight.
//
// The first three failures answer 403, the last 415.
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.AdminToken != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.AdminToken)) != 1 {
				writeAdminError(w, http.StatusUnauthorized, "admin token required")
				return
			}
			h(w, r)
			return
		}
		switch {
		case !isLoopback(r.RemoteAddr):
			writeAdminError(w, http.StatusForbidden, "the admin API answers loopback clients only; start the server with --admin-token to allow others")
		case !s.adminHostAllowed(r.Host):
			writeAdminError(w, http.StatusForbidden, "the admin API answers requests for a loopback host name only, not "+strconv.Quote(r.Host)+
				"; start the server with --allowed-hosts or --admin-token to allow other names")
		case !sameOrigin(r):
			writeAdminError(w, http.StatusForbidden, "the admin API refuses cross-origin requests (Origin "+strconv.Quote(r.Header.Get("Origin"))+")")
		case changesState(r.Method) && !isJSON(r.Header.Get("Content-Type")):
			writeAdminError(w, http.StatusUnsupportedMediaType, "admin API requests that change state must have Content-Type: application/json")
		default:
			h(w, r)
		}
	}
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// adminHostAllowed reports whether the Host header hostport names this
// machine's loopback interface or one of the configured AllowedHosts. The
// port, if any, is ignored; names compare without case and without a
// trailing dot.
func (s *Server) adminHostAllowed(hostport string) bool {
	host := hostName(hostport)
	if host == "" {
		return false
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, a := range s.cfg.AllowedHosts {
		if hostName(a) == host {
			return true
		}
	}
	return false
}

// hostName returns the lower-case host of a Host header value without its
// port, IPv6 brackets and trailing dot.
func hostName(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

// sameOrigin reports whether r has no Origin header or one naming the
// server as the request addressed it: the same scheme and host and port
// (default ports may be left out on either side).
func sameOrigin(r *http.Request) bool {
	origins := r.Header.Values("Origin")
	if len(origins) == 0 {
		return true
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Scheme, scheme) || u.Host == "" || u.User != nil ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" ||
			!strings.EqualFold(withPort(u.Host, scheme), withPort(r.Host, scheme)) {
			return false
		}
	}
	return true
}

// withPort returns hostport with the scheme's default port if it has none.
func withPort(hostport, scheme string) string {
	if _, _, err := net.SplitHostPort(hostport); err == nil {
		return hostport
	}
	port := "80"
	if scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]"), port)
}

func changesState(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// isJSON reports whether a Content-Type value is application/json, with or
// without parameters such as charset.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

type outboxMessage struct {
	ID      string    `json:"id"`
	Time    time.Time `json:"time"`
	Account string    `json:"account"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	Code    string    `json:"code,omitempty"`
}

func (s *Server) outbox(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeAdminError(w, http.StatusBadRequest, "limit must be a number from 1 to 1000")
			return
		}
		limit = n
	}
	msgs, err := s.cfg.Outbox.Messages(r.Context(), limit)
	if err != nil {
		s.log.ErrorContext(r.Context(), "read outbox", "err", err)
		writeAdminError(w, http.StatusInternalServerError, "internal error")
		return
	}
	to := r.URL.Query().Get("to")
	out := make([]outboxMessage, 0, len(msgs))
	for _, m := range msgs {
		if to != "" && !strings.EqualFold(m.To, to) {
			continue
		}
		out = append(out, outboxMessage{ID: m.ID, Time: m.Time, Account: m.Account, To: m.To, Subject: m.Subject, Body: m.Body, Code: m.Code})
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out})
}

// cors answers browsers: the allowed origin is echoed with the headers the
// AWS SDKs send and read.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" || strings.HasPrefix(r.URL.Path, AdminPrefix) || !s.originAllowed(origin) {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date")
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		}
		h.Set("Access-Control-Max-Age", "86400")
	}
}

func (s *Server) originAllowed(origin string) bool {
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}
