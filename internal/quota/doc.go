// Package quota throttles API requests the way AWS does: one token bucket
// per (calling account, "service:Operation"), refilled continuously at the
// quota's rate up to its burst. A request that finds its bucket empty is to
// be answered with TooManyRequestsException (HTTP 429); that answer is the
// caller's job, this package only decides.
//
// [AWS] holds AWS's published request-rate quotas, [Parse] turns the
// --quotas flag ("aws", "off" or an override file) into a [Table], and
// [Limiter] enforces a Table on the request path without serializing
// requests on one lock.
//
// A Limiter runs on real (monotonic) time, never on the emulator's movable
// domain clock: advancing the domain clock by 15 days must not refill every
// bucket, and a throttled client recovers by waiting in real time, as its
// SDK's retryer does against AWS.
//
// It imports only the standard library and gopkg.in/yaml.v3; it knows
// nothing of HTTP, storage or the services it throttles.
package quota
