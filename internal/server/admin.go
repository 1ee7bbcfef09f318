package server

import (
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
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
	info(r.Context()).service = "admin"
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}

// admin guards an admin endpoint: a bearer token when one is configured,
// else loopback clients only (the outbox shows one-time codes).
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		info(r.Context()).service = "admin"
		if s.cfg.AdminToken != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.AdminToken)) != 1 {
				writeAdminError(w, http.StatusUnauthorized, "admin token required")
				return
			}
		} else if !isLoopback(r.RemoteAddr) {
			writeAdminError(w, http.StatusForbidden, "the admin API answers loopback clients only; start the server with --admin-token to allow others")
			return
		}
		h(w, r)
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
	info(r.Context()).operation = "Outbox"
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
