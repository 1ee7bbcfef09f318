// Package bench measures accountplane as a client meets it: the real binary
// runs as a child process on loopback with a fresh store, seeded with N
// organization members, and K closed-loop clients send it SigV4-signed
// requests for a fixed time. Each operation is measured against a floor, a
// child process serving a bare net/http handler to the same clients with the
// same signing, in alternating phases, so that the results read as ratios
// that hold on any machine.
//
// Besides requests per second and latency percentiles, it reads the
// children's own cost from /proc (CPU time, peak resident memory, bytes
// written to storage), so it runs on Linux; elsewhere those columns stay
// empty. The goals the issue sets (Goals) live here, as measurements, and
// never in timed unit tests.
//
// The package talks to the server only over the wire, as any client would:
// it imports no package of the project, so it keeps measuring while the
// internals change.
package bench
