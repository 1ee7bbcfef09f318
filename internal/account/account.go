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
}

// SignUp describes an account made as a real sign-up makes one: complete,
// with contact information, a verified phone and a payment method.
type SignUp struct {
	ID      identity.AccountID
	Name    string
	Email   string
	Contact *ContactInformation // nil: derived from Name
}
