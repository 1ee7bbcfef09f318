package account

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

// ContactInformation is the account's primary contact. Empty strings are
// absent optional members.
type ContactInformation struct {
	FullName         string
	AddressLine1     string
	AddressLine2     string
	AddressLine3     string
	City             string
	StateOrRegion    string
	DistrictOrCounty string
	PostalCode       string
	CountryCode      string
	PhoneNumber      string
	CompanyName      string
	WebsiteURL       string
}

// PhoneStatus is PhoneNumberVerificationStatus.
type PhoneStatus string

// Phone verification statuses.
const (
	PhonePending      PhoneStatus = "PENDING"
	PhoneVerified     PhoneStatus = "VERIFIED"
	PhoneUnverified   PhoneStatus = "UNVERIFIED"
	PhoneNotSupported PhoneStatus = "NOT_SUPPORTED"
)
