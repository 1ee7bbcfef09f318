package iam

import (
	"errors"
	"fmt"

	"github.com/accountplane/accountplane/internal/apierr"
)

// Exception codes of IAM and STS that this package returns: the query
// protocol's short codes (the model's error.code), which are the wire
// contract. Do not rename.
const (
	CodeNoSuchEntity            = "NoSuchEntity"            // 404
	CodeEntityAlreadyExists     = "EntityAlreadyExists"     // 409
	CodeDeleteConflict          = "DeleteConflict"          // 409
	CodeLimitExceeded           = "LimitExceeded"           // 409
	CodeMalformedPolicyDocument = "MalformedPolicyDocument" // 400
	CodeInvalidInput            = "InvalidInput"            // 400
	CodeValidation              = "ValidationError"         // 400
	CodeUnmodifiableEntity      = "UnmodifiableEntity"      // 400
	CodePolicyNotAttachable     = "PolicyNotAttachable"     // 400
	CodeServiceFailure          = "ServiceFailure"          // 500
	CodePolicyEvaluation        = "PolicyEvaluation"        // 500
	// CodeAccessDenied is the query protocol's AccessDenied (403), which
	// STS AssumeRole returns for a trust policy that does not allow the
	// caller.
	CodeAccessDenied = "AccessDenied"
	// CodePackedPolicyTooLarge is STS's answer to session policies and
	// tags over the packed limit (400).
	CodePackedPolicyTooLarge = "PackedPolicyTooLarge"
	// CodeExpiredToken is STS's (query) answer to an expired session
	// token (400); JSON services name it ExpiredTokenException.
	CodeExpiredToken = "ExpiredToken"
)

// ErrSessionExpired is returned by [Service.Credential] for temporary
// credentials past their expiration. The server names it per protocol
// (ExpiredToken, ExpiredTokenException).
var ErrSessionExpired = errors.New("iam: session expired")

func noSuchEntity(format string, args ...any) *apierr.Error {
	return apierr.New(CodeNoSuchEntity, fmt.Sprintf(format, args...))
}

func alreadyExists(format string, args ...any) *apierr.Error {
	return apierr.New(CodeEntityAlreadyExists, fmt.Sprintf(format, args...))
}

func deleteConflict(msg string) *apierr.Error {
	return apierr.New(CodeDeleteConflict, msg)
}

func limitExceeded(format string, args ...any) *apierr.Error {
	return apierr.New(CodeLimitExceeded, fmt.Sprintf(format, args...))
}

func invalidInput(format string, args ...any) *apierr.Error {
	return apierr.New(CodeInvalidInput, fmt.Sprintf(format, args...))
}

func validation(format string, args ...any) *apierr.Error {
	return apierr.New(CodeValidation, fmt.Sprintf(format, args...))
}

func malformed(msg string) *apierr.Error {
	return apierr.New(CodeMalformedPolicyDocument, msg)
}

func unmodifiable(role string) *apierr.Error {
	return apierr.New(CodeUnmodifiableEntity, "Cannot perform the operation on the protected role '"+role+"' - this role is only modifiable by AWS")
}

func accessDenied(msg string) *apierr.Error {
	return &apierr.Error{Code: CodeAccessDenied, Message: msg, Fault: apierr.Client}
}
