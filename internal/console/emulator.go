package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// The Emulator page is a UI over the admin API (/_accountplane/): each of
// its reads and changes is an admin request, made as the browser's own
// (its address and Host, and the admin token the user typed, if the
// server has one), so that the admin API's guard decides exactly as for
// the API: loopback clients, or --admin-token holders.

type emulatorData struct {
	Allowed    bool
	Refusal    string
	NeedsToken bool
	Clock      struct {
		Now    time.Time `json:"now"`
		Offset string    `json:"offset"`
	}
	Outbox []struct {
		ID      string    `json:"id"`
		Time    time.Time `json:"time"`
		Account string    `json:"account"`
		To      string    `json:"to"`
		Subject string    `json:"subject"`
		Body    string    `json:"body"`
		Code    string    `json:"code"`
	}
	Faults []struct {
		ID          string  `json:"id"`
		Service     string  `json:"service"`
		Operation   string  `json:"operation"`
		Account     string  `json:"account"`
		ErrorCode   string  `json:"errorCode"`
		Probability float64 `json:"probability"`
		Count       int     `json:"count"`
		LatencyMs   int     `json:"latencyMs"`
		Injected    int     `json:"injected"`
	}
}

// adminCall makes one admin API request for the browser of r and decodes
// the JSON answer into out. It returns the status and, for a refusal,
// the admin API's message.
func (c *Console) adminCall(r *http.Request, s *session, method, path string, body, out any) (int, string, error) {
	if c.cfg.Admin == nil {
		return http.StatusNotFound, "The emulator's admin API is not available.", nil
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, "", err
		}
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequestWithContext(r.Context(), method, "/_accountplane/"+path, rd)
	req.RemoteAddr, req.Host, req.TLS = r.RemoteAddr, r.Host, r.TLS
	req.Header.Set("Content-Type", "application/json")
	if t := s.token(); t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	rec := httptest.NewRecorder()
	c.cfg.Admin.ServeHTTP(rec, req)
	if rec.Code >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		return rec.Code, e.Error, nil
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			return rec.Code, "", fmt.Errorf("admin %s %s: %w", method, path, err)
		}
	}
	return rec.Code, "", nil
}

func (c *Console) emulatorPage(w http.ResponseWriter, r *http.Request, s *session) error {
	d := &emulatorData{}
	v := c.newView(s, "Emulator", "emulator", d)
	status, refusal, err := c.adminCall(r, s, http.MethodGet, "clock", nil, &d.Clock)
	if err != nil {
		return err
	}
	if status >= 300 {
		d.Refusal, d.NeedsToken = refusal, c.cfg.AdminToken
		return c.render(w, r, http.StatusForbidden, "emulator", v)
	}
	d.Allowed = true
	var ob struct {
		Messages json.RawMessage `json:"messages"`
	}
	if _, _, err := c.adminCall(r, s, http.MethodGet, "outbox?limit=50", nil, &ob); err != nil {
		return err
	}
	_ = json.Unmarshal(ob.Messages, &d.Outbox)
	var fl struct {
		Faults json.RawMessage `json:"faults"`
	}
	if _, _, err := c.adminCall(r, s, http.MethodGet, "faults", nil, &fl); err != nil {
		return err
	}
	_ = json.Unmarshal(fl.Faults, &d.Faults)
	return c.render(w, r, http.StatusOK, "emulator", v)
}

// adminAction makes an admin change for a form and flashes its outcome.
func (c *Console) adminAction(w http.ResponseWriter, r *http.Request, s *session, method, path string, body any, success string) error {
	status, refusal, err := c.adminCall(r, s, method, path, body, nil)
	if err != nil {
		return err
	}
	if status >= 300 {
		s.addFlash(flash{Kind: "error", Title: "The emulator refused", Message: refusal})
	} else {
		s.addFlash(flash{Kind: "success", Message: success})
	}
	redirect(w, r, "emulator")
	return nil
}

func (c *Console) emulatorToken(w http.ResponseWriter, r *http.Request, s *session) error {
	s.setToken(strings.TrimSpace(r.PostForm.Get("token")))
	redirect(w, r, "emulator")
	return nil
}

func (c *Console) emulatorClock(w http.ResponseWriter, r *http.Request, s *session) error {
	by := strings.TrimSpace(r.PostForm.Get("advance"))
	return c.adminAction(w, r, s, http.MethodPost, "clock", map[string]string{"advance": by}, "The clock moved forward by "+by+".")
}

func (c *Console) emulatorAddFault(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	rule := map[string]any{"service": f.Get("service"), "operation": strings.TrimSpace(f.Get("operation")), "errorCode": strings.TrimSpace(f.Get("error_code"))}
	if n, err := strconv.Atoi(f.Get("count")); err == nil && n > 0 {
		rule["count"] = n
	}
	if n, err := strconv.Atoi(f.Get("latency")); err == nil && n > 0 {
		rule["latencyMs"] = n
	}
	if p, err := strconv.ParseFloat(f.Get("probability"), 64); err == nil && p > 0 {
		rule["probability"] = p
	}
	return c.adminAction(w, r, s, http.MethodPost, "faults", rule, "The fault rule is added.")
}

func (c *Console) emulatorDeleteFault(w http.ResponseWriter, r *http.Request, s *session) error {
	id := r.PostForm.Get("id")
	if id == "" {
		return c.adminAction(w, r, s, http.MethodDelete, "faults", nil, "Every fault rule is removed.")
	}
	return c.adminAction(w, r, s, http.MethodDelete, "faults/"+id, nil, "The fault rule is removed.")
}

func (c *Console) emulatorReset(w http.ResponseWriter, r *http.Request, s *session) error {
	if strings.TrimSpace(r.PostForm.Get("confirm")) != "reset" {
		s.addFlash(flash{Kind: "error", Title: "Nothing was reset", Message: "Type reset to confirm."})
		redirect(w, r, "emulator")
		return nil
	}
	return c.adminAction(w, r, s, http.MethodPost, "reset", nil, "The emulator is back to its default world.")
}
