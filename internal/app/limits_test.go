package app_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/app"
	"github.com/accountplane/accountplane/internal/identity"
)

// dial opens a raw connection to a, which fails the test if it is still
// open after 10 seconds.
func dial(t *testing.T, a *app.App) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(a.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHeaderSizeLimit(t *testing.T) {
	a := start(t, app.Config{DataDir: app.MemoryData})
	for _, tt := range []struct {
		name   string
		header int // bytes of one extra header's value
		want   int
	}{
		{"48 KiB", 48 << 10, http.StatusOK},
		// net/http allows MaxHeaderBytes plus 4 KiB of slack.
		{"72 KiB", 72 << 10, http.StatusRequestHeaderFieldsTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, a)
			req := "GET /_accountplane/health HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + strings.Repeat("p", tt.header) + "\r\n\r\n"
			go func() { _, _ = io.WriteString(c, req) }() // the server may answer before it has read all
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("read response: %v", err)
			}
			res.Body.Close()
			if res.StatusCode != tt.want {
				t.Errorf("got %s, want %d", res.Status, tt.want)
			}
		})
	}
}

// A client that sends its body too slowly is cut off at the read timeout:
// the body read fails and the request is answered.
func TestSlowBodyIsCutOff(t *testing.T) {
	a := start(t, app.Config{DataDir: app.MemoryData, ReadTimeout: 2 * time.Second}) // not less: a loaded machine may pause the test that long between the dial and the request
	c := dial(t, a)
	if _, err := io.WriteString(c, "PUT /_accountplane/state HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() { // one byte every 10 ms: 1000000 bytes would take hours
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := io.WriteString(c, " "); err != nil {
					return
				}
			}
		}
	}()
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to a dripped body: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "cannot read the body") {
		t.Errorf("got %s %s, want 400 cannot read the body", res.Status, b)
	}
}

// The event stream lives longer than the read timeout: net/http lifts the
// read deadline once a request's body is read, so the deadline must not
// cancel a long-running response (this guards against a WriteTimeout or a
// Go release that would change that).
func TestEventStreamOutlivesReadTimeout(t *testing.T) {
	const readTimeout = time.Second // not less: a loaded machine may pause the test that long between the dial and the request
	a := start(t, app.Config{DataDir: app.MemoryData, ReadTimeout: readTimeout})
	c := dial(t, a)
	fmt.Fprint(c, "GET /_accountplane/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Closing the body would drain the endless stream; the connection is
	// closed at cleanup instead.
	if res.StatusCode != http.StatusOK {
		t.Fatalf("events: %s", res.Status)
	}
	body := bufio.NewReader(res.Body)
	if line, err := body.ReadString('\n'); err != nil || !strings.HasPrefix(line, ": accountplane event stream") {
		t.Fatalf("first line %q, %v", line, err)
	}
	// Only time passing can show that a deadline does not fire.
	time.Sleep(3 * readTimeout)
	root := account.Target{Caller: identity.RootPrincipal("000000000000", "")}
	if err := a.Accounts.EnableRegion(context.Background(), root, "ap-east-1"); err != nil {
		t.Fatal(err)
	}
	for {
		line, err := body.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended before the event arrived: %v", err)
		}
		if strings.HasPrefix(line, "data: ") {
			c.Close() // ends the stream before the server shuts down
			return
		}
	}
}
