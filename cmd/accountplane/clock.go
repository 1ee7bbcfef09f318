package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
)

func clockCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage := "Usage: accountplane clock show\n       accountplane clock advance DURATION   (e.g. 15d, 360h, 90m)\n\nThe domain clock moves expiries, waiting periods and transitions; signatures keep real time.\n"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	fs := flag.NewFlagSet("clock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := adminFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, usage+"\nFlags:\n"); fs.PrintDefaults() }
	switch args[0] {
	case "show":
		if code, done := parse(fs, args[1:]); done {
			return code
		}
		return printAnswer(c.do(ctx, http.MethodGet, "/_accountplane/clock", nil))(stdout, stderr)
	case "advance":
		if code, done := parse(fs, args[1:]); done {
			return code
		}
		if fs.NArg() != 1 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		return printAnswer(c.do(ctx, http.MethodPost, "/_accountplane/clock", map[string]string{"advance": fs.Arg(0)}))(stdout, stderr)
	}
	fmt.Fprintf(stderr, "accountplane clock: unknown subcommand %q\n", args[0])
	return 2
}

func resetCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reset", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := adminFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: accountplane reset\n\nReturns the running server to its default world (and its seed), and its clock to real time.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if code, done := parse(fs, args); done {
		return code
	}
	return printAnswer(c.do(ctx, http.MethodPost, "/_accountplane/reset", nil))(stdout, stderr)
}
