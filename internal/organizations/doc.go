// Package organizations is the domain of AWS Organizations: organizations
// and their roots, organizational units, member accounts (created or
// invited), handshakes, trusted access, delegated administrators and
// policies. It holds every rule; stores only persist.
//
// Time-based transitions (account creation, closure, handshake expiry) are
// derived from stored due times and the injected clock, never run by
// background jobs, so a restart or a clock moved forward needs no catch-up.
//
// It may import the account domain (the shared account record) but never
// storage or wire packages; the account domain never imports this one.
package organizations
