package account

import (
	"fmt"

	"github.com/accountplane/accountplane/internal/apierr"
)

// Exception codes of the Account Management API. They are the wire contract:
// do not rename.
const (
	CodeAccessDenied        = "AccessDeniedException"
	CodeConflict            = "ConflictException"
	CodeInternalServer      = "InternalServerException"
	CodeResourceNotFound    = "ResourceNotFoundException"
	CodeResourceUnavailable = "ResourceUnavailableException"
	CodeTooManyRequests     = "TooManyRequestsException"
	CodeValidation          = "ValidationException"
)

// Reasons of ValidationException (ValidationExceptionReason).
const (
	ReasonFieldValidationFailed  = "fieldValidationFailed"
	ReasonInvalidRegionOptTarget = "invalidRegionOptTarget"
)

// accessDenied is the answer for a caller that may not perform action.
func accessDenied(callerARN, action string) *apierr.Error {
	return apierr.New(CodeAccessDenied, fmt.Sprintf("User: %s is not authorized to perform: account:%s", callerARN, action))
}

func notFound(msg string) *apierr.Error { return apierr.New(CodeResourceNotFound, msg) }

func conflict(msg string) *apierr.Error { return apierr.New(CodeConflict, msg) }

func tooManyRequests(msg string) *apierr.Error { return apierr.New(CodeTooManyRequests, msg) }

// fieldInvalid is a ValidationException about one member.
func fieldInvalid(field, msg string) *apierr.Error {
	e := apierr.New(CodeValidation, msg)
	e.Reason = ReasonFieldValidationFailed
	e.Fields = []apierr.Field{{Name: field, Message: msg}}
	return e
}

// errRegionOptTarget is AWS's answer to an opt-in request that would not
// change the Region's status (already there, or a default Region).
// Verified against AWS: terraform-provider-aws issue 41430 quotes the message.
func errRegionOptTarget() *apierr.Error {
	e := apierr.New(CodeValidation, "Unable to switch region status because of its current opt-in status.")
	e.Reason = ReasonInvalidRegionOptTarget
	return e
}
