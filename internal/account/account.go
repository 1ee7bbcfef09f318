package account

import (
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// The account record and its states are the kernel's (every domain reads
// them); these names keep the account domain's code short.
type (
	State   = kernel.State
	Account = kernel.Account
)

// Account states and origins.
const (
	StatePendingActivation = kernel.StatePendingActivation
	StateActive            = kernel.StateActive
	StateSuspended         = kernel.StateSuspended
	StateClosed            = kernel.StateClosed
	OriginSignUp           = kernel.OriginSignUp
	OriginCreated          = kernel.OriginCreated
)

// SignUp describes an account made as a real sign-up makes one: complete,
// with contact information, a verified phone and a payment method.
type SignUp struct {
	ID      identity.AccountID
	Name    string
	Email   string
	Contact *ContactInformation // nil: derived from Name
	// PaymentMethod says whether a payment method is on file (nil: true,
	// as a sign-up leaves it).
	PaymentMethod *bool
	// Seller is the seller of record, "AWS" or "AISPL" ("": AWS).
	Seller string
	// Partition is the account's partition ("": the commercial one).
	Partition string
}
