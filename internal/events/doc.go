// Package events is the emulator's EventBridge default bus: the events AWS
// sends when a Region's opt-in status changes ("Region Opt-In Status
// Change", source aws.account, spec/monitoring.md §2.2) and for successful
// write calls ("AWS API Call via CloudTrail", whose detail is the call's
// CloudTrail record: [AppendAPICall], run by the composition root's unit of
// work in the transaction that writes the record), kept in a durable
// log in the store, streamed live (Server-Sent Events, filtered by an
// EventBridge event pattern) and delivered to webhook targets from a durable
// per-target outbox with retries (at-least-once, in order, surviving
// restarts). Redirects are not followed. A delivery that still fails a day
// (Options.DeadAfter, domain clock) after its first attempt is dead: kept,
// skipped, until [Service.RetryDelivery] puts it back.
//
// The start of a transition (ENABLING, DISABLING) is written in the
// transaction of the request that starts it ([Service.RegionRequested]); its
// completion (ENABLED, DISABLED) by a scheduler that scans the transitions
// whose due time has passed on the domain clock, in due-time order, one
// transaction per batch, so nothing is emitted twice however many scans
// race.
//
// It imports only the standard library, kernel (its records and Tx),
// account (the Region types and the account.Events hook it implements),
// arn and uuid; the store (sqlite) implements its Tx, and app wires it to
// the server.
//
// TODO(fidelity): spec/monitoring.md §2.2 suggests optionally delivering an
// organizations-mode event to the target account too; only the calling
// account's event is emitted.
package events
