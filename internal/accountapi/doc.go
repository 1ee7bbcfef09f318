// Package accountapi binds the AWS Account Management API (REST-JSON,
// signing name "account") to the account domain: the operation table with
// each operation's path, IAM action and wire structs (AWS member names),
// server-side validation of every model constraint, and the exception to
// HTTP status table.
//
// Wire shapes live only here; the domain has no JSON tags. It must not
// import storage, sigv4 or server.
package accountapi
