package account

import (
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

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
}
