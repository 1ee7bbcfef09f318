// Package server is the HTTP edge: one endpoint for every AWS service here.
// It reads the body under a size limit, verifies SigV4, resolves the
// calling principal, routes by X-Amz-Target, the query protocol's Action or
// the REST-JSON path, checks that the credential scope names the routed
// service, invokes the operation and writes the answer in that service's
// protocol. Every authenticated call of a known operation is recorded in the
// CloudTrail event history (trail.go), and CloudTrail's LookupEvents is
// served from it. It also serves the emulator's own API under
// /_accountplane/, which is not recorded.
//
// It must not import storage packages: credentials and the outbox arrive
// through the interfaces declared here.
package server
