package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func outbox(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("outbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", env("ACCOUNTPLANE_ENDPOINT", "http://127.0.0.1:4566"), "server URL (env ACCOUNTPLANE_ENDPOINT)")
	token := fs.String("admin-token", env("ACCOUNTPLANE_ADMIN_TOKEN", ""), "admin bearer token, if the server has one (env ACCOUNTPLANE_ADMIN_TOKEN)")
	to := fs.String("to", "", "only messages to this address or phone number")
	asJSON := fs.Bool("json", false, "print the raw JSON")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: accountplane outbox [flags]\n\nPrints the newest messages the server \"sent\", with their one-time codes.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	u := strings.TrimRight(*endpoint, "/") + "/_accountplane/outbox"
	if *to != "" {
		u += "?to=" + url.QueryEscape(*to)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		fmt.Fprintf(stderr, "accountplane outbox: %v\n", err)
		return 2
	}
	if *token != "" {
		req.Header.Set("Authorization", "Bearer "+*token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "accountplane outbox: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "accountplane outbox: %s: %s\n", resp.Status, strings.TrimSpace(string(body)))
		return 1
	}
	if *asJSON {
		_, _ = stdout.Write(body)
		return 0
	}
	var doc struct {
		Messages []struct {
			Time    time.Time `json:"time"`
			Account string    `json:"account"`
			To      string    `json:"to"`
			Subject string    `json:"subject"`
			Code    string    `json:"code"`
			Body    string    `json:"body"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		fmt.Fprintf(stderr, "accountplane outbox: bad answer: %v\n", err)
		return 1
	}
	if len(doc.Messages) == 0 {
		fmt.Fprintln(stdout, "(the outbox is empty)")
	}
	for _, m := range doc.Messages {
		fmt.Fprintf(stdout, "%s  account %s  to %s\n  %s\n  code: %s\n  %s\n\n", m.Time.Format(time.RFC3339), m.Account, m.To, m.Subject, m.Code, m.Body)
	}
	return 0
}
