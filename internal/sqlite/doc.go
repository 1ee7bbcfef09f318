// Package sqlite is the default store: it persists the Account Management
// domain ([account.Store], [kernel.Outbox]), the Organizations domain
// ([organizations.Store], through [DB.Organizations]), the IAM domain
// ([iam.Store], through [DB.IAM]) and the access keys the SigV4 verifier
// checks signatures with, in one SQLite database file. All domains'
// transactions are the same database transactions, so an Update of any sees
// and serializes with the others' writes.
//
// It uses the pure-Go driver modernc.org/sqlite. A file database runs in WAL
// mode with synchronous=FULL, so an Update that returned nil survives a crash.
// Writes go through a pool of one connection (BEGIN IMMEDIATE); reads go
// through a separate pool of query-only connections, each View on its own
// snapshot, so reads never wait behind a write. The path ":memory:" opens a
// throwaway database private to the DB value, served by a single connection.
//
// The schema lives in numbered migrations (migrations/0001_init.sql, ...),
// embedded and applied in order by [Open]. The SQL is kept portable: TEXT and
// INTEGER columns only, timestamps as INTEGER unix nanoseconds in UTC (NULL is
// the zero time), and no rules in SQL (no triggers, CHECKs or foreign keys):
// the domain packages hold the rules, this package only persists.
//
// It also keeps the CloudTrail event history (package trail): a request's
// record is written in the transaction of the request's first committed
// change, so no change is without its record and no record describes a
// change that rolled back.
//
// It must import only the standard library, account, organizations, iam,
// identity, trail and the driver: never the wire packages, authz or app.
package sqlite
