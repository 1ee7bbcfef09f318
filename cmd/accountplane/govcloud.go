package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
)

// govCloud is `accountplane accounts govcloud --account ID`: it pairs a
// commercial account with a GovCloud (US) account, created if it has none,
// and prints both ids. Keys for the GovCloud account come from
// `accountplane credentials create --account GOVCLOUD_ID`.
func govCloud(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("accounts govcloud", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := adminFlags(fs)
	id := fs.String("account", "", "commercial account id (required)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: accountplane accounts govcloud --account ID\n\n"+
			"Pairs the account with a GovCloud (US) account (created when it has none) and prints both ids.\n"+
			"A management account so paired may call CreateGovCloudAccount. Get keys for the GovCloud account\n"+
			"with `accountplane credentials create --account GOVCLOUD_ID`; they sign for us-gov-* Regions only.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if code, done := parse(fs, args); done {
		return code
	}
	if *id == "" {
		fmt.Fprintln(stderr, "accountplane accounts govcloud: --account is required")
		return 2
	}
	return printAnswer(c.do(ctx, http.MethodPost, "/_accountplane/accounts/"+*id+"/govcloud", nil))(stdout, stderr)
}
