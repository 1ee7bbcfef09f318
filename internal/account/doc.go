// Package account is the domain of the AWS Account Management service:
// account records (name, primary email, state), alternate contacts, the
// primary contact, phone verification, Region opt-in and the primary-email
// update flow. It holds every rule; stores only persist.
//
// Time comes from an injected clock and one-time codes from an injected
// random source, so tests are deterministic.
//
// It must import only the standard library, apierr and identity: never the
// wire packages, storage or organizations (organization facts arrive through
// the small Directory interface declared here).
package account
