// Package apierr defines the one error type for failures that must reach the
// client as an AWS exception. Domain packages, sigv4 and the protocol codecs
// create *Error values; everything else is a plain error that the codecs turn
// into the service's internal-failure exception with a generic message.
//
// It imports only the standard library.
package apierr

import "errors"

// Fault says who caused the failure, in Smithy's terms.
type Fault uint8

// Faults.
const (
	Client Fault = iota + 1
	Server
)

// Field names one member that failed validation (ValidationExceptionField).
type Field struct {
	Name    string
	Message string
}

// Error is a client-visible AWS exception. Code is the exception shape name
// (part of the wire contract), Message is safe to send. Err is never sent:
// it is only logged and matched with errors.Is.
type Error struct {
	Code    string
	Message string
	// Reason is the modelled reason enum (ValidationException.reason,
	// ConstraintViolationException.Reason), or "".
	Reason string
	// Fields lists the members that failed validation, if any.
	Fields []Field
	Fault  Fault
	// Status, when not zero, is the HTTP status to answer with instead of
	// the one the service's table gives the code (503 for a store that is
	// down, whatever the service calls its internal failure).
	Status int
	Err    error
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the internal cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// New returns a client-fault exception.
func New(code, message string) *Error {
	return &Error{Code: code, Message: message, Fault: Client}
}

// As reports whether err is (or wraps) an *Error and returns it.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// HasCode reports whether err is an *Error with the given code.
func HasCode(err error, code string) bool {
	e, ok := As(err)
	return ok && e.Code == code
}
