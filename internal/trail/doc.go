// Package trail is the CloudTrail event history of the emulator: the
// record of one API call in AWS's format ([Record], built by pure
// functions from a [Call]), the row a store keeps for it ([Event]), the
// query LookupEvents asks a store ([Query]), and the [Pending] record a
// request carries in its context so that the store writes it in the same
// transaction as the change it describes.
//
// Records never hold secret keys, session tokens or one-time codes: request
// members that carry them read "HIDDEN_DUE_TO_SECURITY_REASONS", and
// response elements leave them out.
//
// It must import only the standard library and identity.
package trail
