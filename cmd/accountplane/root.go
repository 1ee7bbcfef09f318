package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/iam"
)

const rootUsage = `Usage: accountplane root password set --account ID      (reads the password from standard input)
       accountplane root password delete --account ID
       accountplane root mfa add --account ID --name NAME    (prints the serial number and Base32 seed)
       accountplane root mfa delete --account ID --name NAME
       accountplane root mfa code --seed BASE32              (the current code, at the server's domain time)

The root user's password and MFA devices, which AWS manages in the console only.
`

// rootCmd manages the root user's console-only credentials through the
// admin API.
func rootCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) < 2 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, rootUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return 0
		}
		return 2
	}
	what := args[0] + " " + args[1]
	fs := flag.NewFlagSet("root "+what, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := adminFlags(fs)
	id := fs.String("account", "", "account id (required)")
	name := fs.String("name", "", "MFA device name (mfa add, mfa delete)")
	seed := fs.String("seed", "", "Base32 seed of a virtual MFA device (mfa code)")
	fs.Usage = func() { fmt.Fprint(stderr, rootUsage+"\nFlags:\n"); fs.PrintDefaults() }
	if code, done := parse(fs, args[2:]); done {
		return code
	}
	if what == "mfa code" {
		return mfaCode(ctx, c, *seed, stdout, stderr)
	}
	if *id == "" {
		fmt.Fprintln(stderr, "accountplane root "+what+": --account is required")
		return 2
	}
	base := "/_accountplane/accounts/" + url.PathEscape(*id) + "/root"
	switch what {
	case "password set":
		pw, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			fmt.Fprintf(stderr, "accountplane: read the password: %v\n", err)
			return 1
		}
		pw = strings.TrimRight(pw, "\r\n")
		if pw == "" {
			fmt.Fprintln(stderr, "accountplane root password set: give the password on standard input")
			return 2
		}
		return printAnswer(c.do(ctx, http.MethodPut, base+"/password", map[string]string{"Password": pw}))(stdout, stderr)
	case "password delete":
		return printAnswer(c.do(ctx, http.MethodDelete, base+"/password", nil))(stdout, stderr)
	case "mfa add", "mfa delete":
		if *name == "" {
			fmt.Fprintln(stderr, "accountplane root "+what+": --name is required")
			return 2
		}
		if what == "mfa add" {
			return printAnswer(c.do(ctx, http.MethodPost, base+"/mfa-devices", map[string]string{"DeviceName": *name}))(stdout, stderr)
		}
		return printAnswer(c.do(ctx, http.MethodDelete, base+"/mfa-devices/"+url.PathEscape(*name), nil))(stdout, stderr)
	}
	fmt.Fprintf(stderr, "accountplane root: unknown subcommand %q\n", what)
	return 2
}

// mfaCode prints the code a virtual MFA device with seed shows at the
// server's domain time, which MFA codes are checked against (an
// authenticator app's codes are wrong after `accountplane clock advance`).
func mfaCode(ctx context.Context, c *adminClient, seed string, stdout, stderr io.Writer) int {
	if seed == "" {
		fmt.Fprintln(stderr, "accountplane root mfa code: --seed is required")
		return 2
	}
	body, err := c.do(ctx, http.MethodGet, "/_accountplane/clock", nil)
	if err != nil {
		fmt.Fprintf(stderr, "accountplane: %v\n", err)
		return 1
	}
	var clk struct {
		Now time.Time `json:"now"`
	}
	if err := json.Unmarshal(body, &clk); err != nil {
		fmt.Fprintf(stderr, "accountplane: the clock answered %q\n", body)
		return 1
	}
	code, err := iam.TOTP(seed, clk.Now)
	if err != nil {
		fmt.Fprintf(stderr, "accountplane: %v\n", err)
		return 2
	}
	fmt.Fprintln(stdout, code)
	return 0
}
