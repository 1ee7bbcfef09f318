package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

func eventsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage := "Usage: accountplane events tail [--pattern JSON] [--since ID|RFC3339] [--count N]\n\n" +
		"Prints the events of the server's event bus (Region Opt-In Status Change, ...) as they are emitted,\n" +
		"one JSON document a line, until interrupted. --pattern is an EventBridge event pattern, e.g.\n" +
		"  '{\"source\":[\"aws.account\"],\"detail\":{\"status\":[\"ENABLED\",\"DISABLED\"]}}'\n"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] != "tail" {
		fmt.Fprintf(stderr, "accountplane events: unknown subcommand %q\n", args[0])
		return 2
	}
	fs := flag.NewFlagSet("events tail", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := adminFlags(fs)
	pattern := fs.String("pattern", "", "EventBridge event pattern (JSON); default: every event")
	since := fs.String("since", "", "also print the logged events after this event id, or from this RFC 3339 time")
	count := fs.Int("count", 0, "exit after this many events (0: never)")
	fs.Usage = func() { fmt.Fprint(stderr, usage+"\nFlags:\n"); fs.PrintDefaults() }
	if code, done := parse(fs, args[1:]); done {
		return code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	if *pattern != "" && !json.Valid([]byte(*pattern)) {
		fmt.Fprintln(stderr, "accountplane events tail: --pattern is not JSON")
		return 2
	}
	err := tailEvents(ctx, c, *pattern, *since, *count, stdout)
	switch {
	case err == nil, ctx.Err() != nil:
		return 0
	default:
		fmt.Fprintf(stderr, "accountplane events tail: %v\n", err)
		return 1
	}
}

// tailEvents reads the server's event stream and prints each event's JSON
// on a line; it returns after count events (0: never) or when ctx ends.
func tailEvents(ctx context.Context, c *adminClient, pattern, since string, count int, out io.Writer) error {
	q := url.Values{}
	if pattern != "" {
		q.Set("pattern", pattern)
	}
	if since != "" {
		q.Set("since", since)
	}
	u := strings.TrimRight(c.endpoint, "/") + "/_accountplane/events"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var e struct{ Error string }
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s: %s", resp.Status, e.Error)
		}
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var data []string
	n := 0
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if len(data) == 0 {
				continue
			}
			if _, err := fmt.Fprintln(out, strings.Join(data, "\n")); err != nil {
				return err
			}
			data = data[:0]
			if n++; count > 0 && n >= count {
				return nil
			}
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return errors.New("the server ended the stream")
}
