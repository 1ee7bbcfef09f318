package account

import (
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

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

// Message is the kernel's outbox message.
type Message = kernel.Message
