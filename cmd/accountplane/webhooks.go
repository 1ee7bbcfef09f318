package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

func webhooksCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage := "Usage: accountplane webhooks dead [--limit N]\n       accountplane webhooks retry ID\n\n" +
		"An event delivery to a webhook that still fails 24 hours (domain time) after its first attempt is dead:\n" +
		"kept but no longer attempted. 'dead' lists them; 'retry' sends one again.\n"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	fs := flag.NewFlagSet("webhooks "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := adminFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, usage+"\nFlags:\n"); fs.PrintDefaults() }
	switch args[0] {
	case "dead":
		limit := fs.Int("limit", 100, "at most this many (1 to 1000)")
		if code, done := parse(fs, args[1:]); done {
			return code
		}
		if fs.NArg() != 0 {
			fs.Usage()
			return 2
		}
		path := "/_accountplane/webhooks/dead?limit=" + strconv.Itoa(*limit)
		return printAnswer(c.do(ctx, http.MethodGet, path, nil))(stdout, stderr)
	case "retry":
		if code, done := parse(fs, args[1:]); done {
			return code
		}
		if fs.NArg() != 1 {
			fs.Usage()
			return 2
		}
		path := "/_accountplane/webhooks/dead/" + url.PathEscape(fs.Arg(0)) + "/retry"
		return printAnswer(c.do(ctx, http.MethodPost, path, nil))(stdout, stderr)
	}
	fmt.Fprintf(stderr, "accountplane webhooks: unknown subcommand %q\n", args[0])
	return 2
}
