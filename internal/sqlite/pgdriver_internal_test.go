package sqlite

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/accountplane/accountplane/internal/kernel"
)

// TestConnLostIsUnavailable: pgx reports a connection that ended under a
// call as a bare io.ErrUnexpectedEOF; the driver wrapper marks it, so that
// the store answers "unavailable" (503) and not an internal error (500),
// while any other truncated input (a state document cut short) stays what
// it is.
func TestConnLostIsUnavailable(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		unavailable bool
	}{
		{"connection lost under a query", connLost(io.ErrUnexpectedEOF), true},
		{"connection lost, wrapped by the store", fmt.Errorf("sqlite: user: %w", connLost(fmt.Errorf("read: %w", io.ErrUnexpectedEOF))), true},
		{"truncated state document", fmt.Errorf("sqlite: import: not a state document: %w", io.ErrUnexpectedEOF), false},
		{"end of the rows", connLost(io.EOF), false},
		{"no error", connLost(nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errors.Is(unavailable(tt.err), kernel.ErrUnavailable); got != tt.unavailable {
				t.Errorf("unavailable(%v) is ErrUnavailable: %v, want %v", tt.err, got, tt.unavailable)
			}
		})
	}
}
