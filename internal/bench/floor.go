package bench

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// floorBody is what the floor answers to every request: a small JSON
// document, about the size of a GetAlternateContact answer.
var floorBody = []byte(`{"AlternateContact":{"AlternateContactType":"BILLING","EmailAddress":"billing@example.com","Name":"Floor","PhoneNumber":"+12065550100","Title":"Floor"}}`)

// FloorHandler is the floor: a bare net/http handler that reads the request
// body and answers 200 with a fixed JSON body, verifying nothing. Requests
// to it cost what any Go HTTP server costs, and nothing more.
func FloorHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(floorBody)
	})
}

// ServeFloor serves FloorHandler on addr until ctx is done. The benchmark
// runs it as a child process (`accountplane bench floor --addr ADDR`), so
// the floor, like the server, costs one process and one loopback hop.
func ServeFloor(ctx context.Context, addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: FloorHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
