package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// explainCmd prints why the server allowed or denied one call: the
// decision the authorizer kept for the request id (x-amzn-RequestId of
// the answer, or the RequestId of an error).
func explainCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := adminFlags(fs)
	asJSON := fs.Bool("json", false, "print the raw JSON")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: accountplane explain [flags] REQUEST_ID\n\nPrints why the server allowed or denied the call with that request id.\n\n")
		fs.PrintDefaults()
	}
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	out, err := c.do(ctx, "GET", "/_accountplane/requests/"+url.PathEscape(fs.Arg(0))+"/decision", nil)
	if err != nil {
		fmt.Fprintln(stderr, "accountplane explain:", err)
		return 1
	}
	if *asJSON {
		_, _ = stdout.Write(out)
		return 0
	}
	var d decision
	if err := json.Unmarshal(out, &d); err != nil {
		fmt.Fprintln(stderr, "accountplane explain:", err)
		return 1
	}
	fmt.Fprint(stdout, d.text())
	return 0
}

type decision struct {
	RequestID string          `json:"requestId"`
	Principal string          `json:"principal"`
	Action    string          `json:"action"`
	Allowed   bool            `json:"allowed"`
	Message   string          `json:"message"`
	Public    bool            `json:"public"`
	Refused   string          `json:"refused"`
	Error     string          `json:"error"`
	Checks    []decisionCheck `json:"checks"`
}

type decisionCheck struct {
	Resource string           `json:"resource"`
	Allowed  bool             `json:"allowed"`
	DeniedBy string           `json:"deniedBy"`
	Explicit bool             `json:"explicitDeny"`
	Reasons  []decisionReason `json:"reasons"`
}

type decisionReason struct {
	Kind      string `json:"kind"`
	Level     int    `json:"level"`
	Policy    string `json:"policy"`
	Statement int    `json:"statement"`
	Sid       string `json:"sid"`
	Effect    string `json:"effect"`
}

func (d decision) text() string {
	var b strings.Builder
	verdict := "ALLOWED"
	if !d.Allowed {
		verdict = "DENIED"
	}
	fmt.Fprintf(&b, "%s %s by %s (request %s)\n", verdict, d.Action, d.Principal, d.RequestID)
	switch {
	case d.Public:
		b.WriteString("  the operation needs no permission\n")
	case d.Refused != "":
		fmt.Fprintf(&b, "  refused by the authorizer before any policy: %s\n", d.Refused)
	case d.Error != "":
		fmt.Fprintf(&b, "  no decision: %s\n", d.Error)
	}
	for _, c := range d.Checks {
		state := "allowed"
		if !c.Allowed {
			state = "denied"
			if c.Explicit {
				state += " by an explicit Deny (" + c.DeniedBy + ")"
			} else {
				state += ": no " + c.DeniedBy + " allows it"
			}
		}
		fmt.Fprintf(&b, "  on %s: %s\n", c.Resource, state)
		for _, r := range c.Reasons {
			sid := r.Sid
			if sid == "" {
				sid = fmt.Sprintf("#%d", r.Statement)
			}
			level := ""
			if r.Kind == "service control policy" {
				level = fmt.Sprintf(" (level %d)", r.Level)
			}
			fmt.Fprintf(&b, "    %-5s %s %s%s, statement %s\n", r.Effect, r.Kind, r.Policy, level, sid)
		}
		if len(c.Reasons) == 0 {
			b.WriteString("    no statement of any policy matched\n")
		}
	}
	if d.Message != "" {
		fmt.Fprintf(&b, "  the caller was told: %s\n", d.Message)
	}
	return b.String()
}
