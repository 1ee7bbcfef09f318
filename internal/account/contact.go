package account

import "github.com/accountplane/accountplane/internal/kernel"

// AlternateContactType is one of the three kinds of alternate contact.
type AlternateContactType string

// Alternate contact types (the model's enum values).
const (
	Billing    AlternateContactType = "BILLING"
	Operations AlternateContactType = "OPERATIONS"
	Security   AlternateContactType = "SECURITY"
)

// errContactType refuses a type outside the enum. The request pipeline
// refuses such types in its authorizer, as AWS does; the domain refuses
// them too, so that no other way in stores one.
func errContactType() error {
	return fieldInvalid("AlternateContactType", "Value at 'AlternateContactType' failed to satisfy constraint: Member must satisfy enum value set: [BILLING, OPERATIONS, SECURITY]")
}

// Valid reports whether t is one of the three modelled types.
func (t AlternateContactType) Valid() bool {
	return t == Billing || t == Operations || t == Security
}

// AlternateContact is a BILLING, OPERATIONS or SECURITY contact.
type AlternateContact struct {
	Type         AlternateContactType
	Name         string
	Title        string
	EmailAddress string
	PhoneNumber  string
}

// ContactInformation and the phone verification are kernel records
// (Organizations reads them to decide whether an account may leave).
type (
	ContactInformation = kernel.ContactInformation
	PhoneStatus        = kernel.PhoneStatus
	PhoneVerification  = kernel.PhoneVerification
)

// Phone verification statuses.
const (
	PhonePending      = kernel.PhonePending
	PhoneVerified     = kernel.PhoneVerified
	PhoneUnverified   = kernel.PhoneUnverified
	PhoneNotSupported = kernel.PhoneNotSupported
)
