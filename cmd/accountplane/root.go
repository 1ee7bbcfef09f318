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
	"text/tabwriter"
	"time"

	"github.com/accountplane/accountplane/internal/iam"
)

const rootUsage = `Usage: accountplane root password set --account ID      (reads the password from standard input)
       accountplane root password delete --account ID
       accountplane root mfa add --account ID --name NAME    (prints the serial number and Base32 seed)
       accountplane root mfa delete --account ID --name NAME
       accountplane root mfa code --seed BASE32              (the current code, at the server's domain time)
       accountplane root posture [--organization o-...] [--json]

The root user's password and MFA devices, which AWS manages in the console only,
and the root posture report: per account, its root MFA devices, access keys and
their last use, password, signing certificates, credentials removed centrally,
last root sign-in and API call, and the verdicts of AWS Config's
root-account-mfa-enabled and iam-root-access-key-check rules.
`

// rootCmd manages the root user's console-only credentials through the
// admin API.
func rootCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "posture" {
		return posture(ctx, args[1:], stdout, stderr)
	}
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

// posture prints the root posture report: a table, or with --json the
// admin API's answer.
func posture(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("root posture", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := adminFlags(fs)
	org := fs.String("organization", "", "only the accounts of this organization (o-...)")
	asJSON := fs.Bool("json", false, "print the admin API's JSON answer")
	fs.Usage = func() { fmt.Fprint(stderr, rootUsage+"\nFlags:\n"); fs.PrintDefaults() }
	if code, done := parse(fs, args); done {
		return code
	}
	path := "/_accountplane/root-posture"
	if *org != "" {
		path += "?organization=" + url.QueryEscape(*org)
	}
	body, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil || *asJSON {
		return printAnswer(body, err)(stdout, stderr)
	}
	var out struct {
		Accounts []struct {
			AccountID    string `json:"AccountId"`
			Name         string
			Organization string
			Management   bool
			MFADevices   []struct{ SerialNumber string }
			AccessKeys   []struct {
				AccessKeyID  string `json:"AccessKeyId"`
				Status       string
				LastUsedDate *time.Time
			}
			PasswordPresent     bool
			SigningCertificates []struct {
				CertificateID string `json:"CertificateId"`
			}
			CredentialsRemovedCentrally bool
			LastRootSignIn              *time.Time
			LastRootAPICall             *time.Time `json:"LastRootApiCall"`
			Rules                       map[string]string
		}
	}
	if err := json.Unmarshal(body, &out); err != nil {
		fmt.Fprintf(stderr, "accountplane: the server answered %q\n", body)
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tNAME\tORGANIZATION\tMFA\tACCESS KEYS\tPASSWORD\tCERTS\tREMOVED\tLAST SIGN-IN\tLAST API CALL\troot-account-mfa-enabled\tiam-root-access-key-check")
	for _, a := range out.Accounts {
		org := a.Organization
		if org == "" {
			org = "-"
		} else if a.Management {
			org += " (management)"
		}
		var keys []string
		for _, k := range a.AccessKeys {
			used := "never used"
			if k.LastUsedDate != nil {
				used = "used " + k.LastUsedDate.UTC().Format("2006-01-02")
			}
			keys = append(keys, k.AccessKeyID+" "+strings.ToLower(k.Status)+", "+used)
		}
		if len(keys) == 0 {
			keys = []string{"none"}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", a.AccountID, a.Name, org, len(a.MFADevices),
			strings.Join(keys, "; "), yesNo(a.PasswordPresent), len(a.SigningCertificates), yesNo(a.CredentialsRemovedCentrally),
			when(a.LastRootSignIn), when(a.LastRootAPICall), a.Rules["root-account-mfa-enabled"], a.Rules["iam-root-access-key-check"])
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "accountplane: %v\n", err)
		return 1
	}
	return 0
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func when(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04")
}
