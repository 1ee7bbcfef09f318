// Command accountplane is a self-hosted AWS account control plane: a server
// that speaks the real AWS wire protocols for Account Management (and,
// growing, Organizations, IAM and STS), for testing landing-zone and
// account-vending automation offline.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `accountplane — a self-hosted AWS account control plane

Usage:
  accountplane <command> [flags]

Commands:
  serve     run the server (AWS APIs and the /_accountplane/ admin API)
  outbox    print the mails and texts the server "sent" (one-time codes)
  accounts  sign up a standalone account (create), list every account (list),
            or pair an account with a GovCloud (US) account (govcloud --account ID)
  credentials create --account ID   a new root access key pair for an account
  root      the root user's password and MFA devices (console-only in AWS), the root posture report
  clock     show or advance the domain clock (expiries, transitions)
  events    tail the event bus (Region Opt-In Status Change events)
  webhooks  list the dead webhook deliveries (dead) or send one again (retry ID)
  reset     return the running server to its default world
  migrate   apply the store's schema migrations and exit
  explain   why the server allowed or denied a call
  version   print the version

Run 'accountplane <command> -h' for the flags of a command.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "outbox":
		return outbox(ctx, args[1:], stdout, stderr)
	case "accounts":
		return accounts(ctx, args[1:], stdout, stderr)
	case "credentials":
		return credentials(ctx, args[1:], stdout, stderr)
	case "root":
		return rootCmd(ctx, args[1:], os.Stdin, stdout, stderr)
	case "clock":
		return clockCmd(ctx, args[1:], stdout, stderr)
	case "events":
		return eventsCmd(ctx, args[1:], stdout, stderr)
	case "webhooks":
		return webhooksCmd(ctx, args[1:], stdout, stderr)
	case "reset":
		return resetCmd(ctx, args[1:], stdout, stderr)
	case "explain":
		return explainCmd(ctx, args[1:], stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, args[1:], stdout, stderr)
	case "bench":
		return benchCmd(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "accountplane", versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "accountplane: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func versionString() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

// env returns the environment variable name's value, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
