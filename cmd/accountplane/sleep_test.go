package main

import (
	"net"
	"testing"
	"time"
)

func sleep() { time.Sleep(50 * time.Millisecond) }

// freeAddr returns a loopback address that was free a moment ago, picked
// by the kernel (a fixed port may be held by another test or by an
// outgoing connection).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startupTries is how many sleeps a test waits for its serve to listen:
// 30 s, for a loaded machine with the race detector.
const startupTries = 600
