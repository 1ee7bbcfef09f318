package account

import "time"

// EmailUpdateStatus is PrimaryEmailUpdateStatus.
type EmailUpdateStatus string

// Primary-email update statuses.
const (
	EmailUpdatePending   EmailUpdateStatus = "PENDING"
	EmailUpdateAccepted  EmailUpdateStatus = "ACCEPTED"
	EmailUpdateCompleted EmailUpdateStatus = "COMPLETED"
	EmailUpdateFailed    EmailUpdateStatus = "FAILED"
)

// EmailUpdate is the latest primary-email update of an account.
type EmailUpdate struct {
	NewEmail  string
	Code      string
	ExpiresAt time.Time
	Status    EmailUpdateStatus
	UpdatedAt time.Time
}

// PhoneVerification is the verification state of the primary contact's
// phone number.
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
