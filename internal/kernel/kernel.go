// Package kernel holds what every domain shares: the account record and
// its lifecycle states, contact and phone facts other domains read, the
// outbox message, and the store's not-found error. Account Management,
// Organizations, IAM, events and the server build on it instead of on one
// another.
//
// It imports only the standard library and identity.
package kernel

import (
	"context"
	"errors"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// ErrNotFound is returned by store methods when a row does not exist.
var ErrNotFound = errors.New("not found")

// State is an account's lifecycle state (AccountState / AwsAccountState).
type State string

// Account states.
const (
	StatePendingActivation State = "PENDING_ACTIVATION"
	StateActive            State = "ACTIVE"
	StateSuspended         State = "SUSPENDED"
	StateClosed            State = "CLOSED"
)

// Account is the record every other piece of account data hangs off.
type Account struct {
	ID        identity.AccountID
	Name      string
	Email     string
	State     State
	CreatedAt time.Time
	// PaymentMethod reports whether a payment instrument is on file.
	PaymentMethod bool
	// ClosedAt is when closing the account was requested (zero: open).
	ClosedAt time.Time
	// Origin says how the account was made: "signup" or "created".
	Origin string
	// Seller is the seller of record: "AWS" (default, "" reads as AWS) or
	// "AISPL" (AWS India). Organizations never mix sellers.
	Seller string
	// Partition is the account's partition ("" is the commercial one,
	// "aws"; [PartitionGovCloud] for a GovCloud (US) account). Its keys sign
	// only for Regions of its partition.
	Partition string
	// GovCloudAccount is the GovCloud (US) account paired with this
	// commercial account, if any.
	GovCloudAccount identity.AccountID
}

// Account origins.
const (
	OriginSignUp  = "signup"
	OriginCreated = "created"
)

// StateAt derives the state at now of an account whose closure (if any)
// completes closeDelay after it was requested and becomes permanent
// postClosure after that.
func (a *Account) StateAt(now time.Time, closeDelay, postClosure time.Duration) State {
	if a.ClosedAt.IsZero() {
		return a.State
	}
	switch {
	case now.Before(a.ClosedAt.Add(closeDelay)):
		return StateActive // PENDING_CLOSURE in Organizations terms
	case now.Before(a.ClosedAt.Add(closeDelay + postClosure)):
		return StateSuspended
	}
	return StateClosed
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

// PhoneVerification is the state of the contact phone number's
// verification.
type PhoneVerification struct {
	Status    PhoneStatus
	Code      string // "" when no code is outstanding
	ExpiresAt time.Time
}

// Message is a mail or text the emulator "sent": it lands in the outbox,
// never on the network.
type Message struct {
	ID      string
	Time    time.Time
	Account string
	To      string
	Subject string
	Body    string
	// Code is the one-time code the message carries, if any.
	Code string
}

// Outbox lists the messages the emulator "sent".
type Outbox interface {
	// Messages returns the newest messages first, at most limit of them.
	Messages(ctx context.Context, limit int) ([]Message, error)
}
