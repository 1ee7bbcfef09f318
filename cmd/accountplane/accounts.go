package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// adminClient calls the running server's admin API.
type adminClient struct {
	endpoint, token string
}

func adminFlags(fs *flag.FlagSet) *adminClient {
	c := &adminClient{}
	fs.StringVar(&c.endpoint, "endpoint", env("ACCOUNTPLANE_ENDPOINT", "http://127.0.0.1:4566"), "server URL (env ACCOUNTPLANE_ENDPOINT)")
	fs.StringVar(&c.token, "admin-token", env("ACCOUNTPLANE_ADMIN_TOKEN", ""), "admin bearer token, if the server has one (env ACCOUNTPLANE_ADMIN_TOKEN)")
	return c
}

// do sends a request and returns the body of a 2xx answer.
func (c *adminClient) do(ctx context.Context, method, path string, in any) ([]byte, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.endpoint, "/")+path, body)
	if err != nil {
		return nil, err
	}
	if method != http.MethodGet {
		// Bodiless calls too: the server refuses state changes without it
		// (a browser cannot send it cross-site without a preflight).
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		var e struct{ Error string }
		if json.Unmarshal(out, &e) == nil && e.Error != "" {
			return nil, fmt.Errorf("%s: %s", resp.Status, e.Error)
		}
		return nil, fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(out)))
	}
	return out, nil
}

func accounts(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, "Usage: accountplane accounts create --name NAME --email EMAIL\n       accountplane accounts list\n       accountplane accounts govcloud --account ID\n")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("accounts create", flag.ContinueOnError)
		fs.SetOutput(stderr)
		c := adminFlags(fs)
		name := fs.String("name", "", "account name (required)")
		email := fs.String("email", "", "root user email (required)")
		fs.Usage = func() {
			fmt.Fprint(stderr, "Usage: accountplane accounts create --name NAME --email EMAIL\n\nSigns up a new standalone account and prints its id and root access key.\n\nFlags:\n")
			fs.PrintDefaults()
		}
		if code, done := parse(fs, args[1:]); done {
			return code
		}
		if *name == "" || *email == "" {
			fmt.Fprintln(stderr, "accountplane accounts create: --name and --email are required")
			return 2
		}
		return printAnswer(c.do(ctx, http.MethodPost, "/_accountplane/accounts", map[string]string{"name": *name, "email": *email}))(stdout, stderr)
	case "list":
		fs := flag.NewFlagSet("accounts list", flag.ContinueOnError)
		fs.SetOutput(stderr)
		c := adminFlags(fs)
		fs.Usage = func() {
			fmt.Fprint(stderr, "Usage: accountplane accounts list\n\nPrints every account with its organization, state and origin.\n\nFlags:\n")
			fs.PrintDefaults()
		}
		if code, done := parse(fs, args[1:]); done {
			return code
		}
		return printAnswer(c.do(ctx, http.MethodGet, "/_accountplane/accounts", nil))(stdout, stderr)
	case "govcloud":
		return govCloud(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "accountplane accounts: unknown subcommand %q\n", args[0])
	return 2
}

func credentials(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(stderr, "Usage: accountplane credentials create --account ID\n")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return 0
		}
		return 2
	}
	fs := flag.NewFlagSet("credentials create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := adminFlags(fs)
	id := fs.String("account", "", "account id (required)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: accountplane credentials create --account ID\n\nPrints a new root access key pair for the account.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if code, done := parse(fs, args[1:]); done {
		return code
	}
	if *id == "" {
		fmt.Fprintln(stderr, "accountplane credentials create: --account is required")
		return 2
	}
	return printAnswer(c.do(ctx, http.MethodPost, "/_accountplane/accounts/"+*id+"/credentials", nil))(stdout, stderr)
}

// parse parses flags; done is true when the command should exit with code.
func parse(fs *flag.FlagSet, args []string) (code int, done bool) {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0, true
		}
		return 2, true
	}
	return 0, false
}

func printAnswer(body []byte, err error) func(stdout, stderr io.Writer) int {
	return func(stdout, stderr io.Writer) int {
		if err != nil {
			fmt.Fprintf(stderr, "accountplane: %v\n", err)
			return 1
		}
		var v any
		if json.Unmarshal(body, &v) == nil {
			b, _ := json.MarshalIndent(v, "", "  ")
			body = b
		}
		fmt.Fprintln(stdout, string(body))
		return 0
	}
}
