// Package server is the HTTP edge: one endpoint for every AWS service here.
// It reads the body under a size limit, verifies SigV4, resolves the
// calling principal, routes by X-Amz-Target, the query protocol's Action or
// the REST-JSON path, checks that the credential scope names the routed
// service, invokes the operation and writes the answer in that service's
// protocol. Every authenticated call of a known operation is recorded in the
// CloudTrail event history (trail.go), and CloudTrail's LookupEvents is
// served from it. It also serves the emulator's own API under
// /_accountplane/, which is not recorded, and mounts the web console at
// /_accountplane/console/ (HandleConsole) and its password sign-in at
// /_accountplane/signin (HandleSignIn), outside the admin API's guard.
//
// Server.Invoke is the pipeline's in-process entrance: the console runs
// every action through it as its signed-in user, with the same stages
// after authentication (execute, pipeline.go) and the same CloudTrail
// record, marked as a console call. In-process services
// (operation.Service.InProcess: the console-only tasks) are reachable only
// there, never over HTTP.
//
// It must not import storage packages: credentials and the outbox arrive
// through the interfaces declared here.
package server
