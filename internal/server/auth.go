package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iamapi"
	"github.com/accountplane/accountplane/internal/sigv4"
)

// Authentication exception codes per protocol. The Account API sits behind
// API Gateway in AWS, so its codes are API Gateway's; the awsJson services
// use the same names; the query services (IAM, STS) have their own.
var (
	restAuthCodes = map[sigv4.Kind]string{
		sigv4.Missing:    "MissingAuthenticationTokenException",
		sigv4.Incomplete: "IncompleteSignatureException",
		sigv4.UnknownKey: "UnrecognizedClientException",
		sigv4.BadToken:   "UnrecognizedClientException",
		sigv4.Mismatch:   "InvalidSignatureException",
		sigv4.Expired:    "InvalidSignatureException",
	}
	queryAuthCodes = map[sigv4.Kind]string{
		sigv4.Missing:    "MissingAuthenticationToken",
		sigv4.Incomplete: "IncompleteSignature",
		sigv4.UnknownKey: "InvalidClientTokenId",
		sigv4.BadToken:   "InvalidClientTokenId",
		sigv4.Mismatch:   "SignatureDoesNotMatch",
		sigv4.Expired:    "RequestExpired",
	}
	// statuses of the authentication codes that are not 400 in the query
	// protocol, and of every code in REST-JSON (API Gateway answers 403).
	queryAuthStatus = map[string]int{
		"MissingAuthenticationToken": http.StatusForbidden,
		"InvalidClientTokenId":       http.StatusForbidden,
		"SignatureDoesNotMatch":      http.StatusForbidden,
	}
	restAuthStatus = map[string]int{
		"MissingAuthenticationTokenException": http.StatusForbidden,
		"ExpiredTokenException":               http.StatusForbidden,
		"IncompleteSignatureException":        http.StatusForbidden,
		"UnrecognizedClientException":         http.StatusForbidden,
		"InvalidSignatureException":           http.StatusForbidden,
	}
)

// authError names a signature failure in protocol p.
func authError(p protocol, k sigv4.Kind, msg string) *apierr.Error {
	codes := restAuthCodes
	if p == queryXML {
		codes = queryAuthCodes
	}
	return apierr.New(codes[k], msg)
}

// restAuthStatusOf returns the status of a REST-JSON authentication error, or 0.
func restAuthStatusOf(code string) int { return restAuthStatus[code] }

// iamQueryStatus is queryStatus with IAM's own error statuses.
func iamQueryStatus(e *apierr.Error) int {
	if _, ok := queryAuthStatus[e.Code]; !ok && e.Code != "AccessDenied" && e.Code != "RequestEntityTooLargeException" {
		if s := iamapi.StatusOf(e.Code); s != 0 {
			return s
		}
	}
	return queryStatus(e)
}

func queryStatus(e *apierr.Error) int {
	if s, ok := queryAuthStatus[e.Code]; ok {
		return s
	}

	switch e.Code {
	case "AccessDenied", "AccessDeniedException":
		return http.StatusForbidden
	}
	if e.Fault == apierr.Server {
		return http.StatusInternalServerError
	}
	if e.Code == "RequestEntityTooLargeException" {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func awsJSONStatus(e *apierr.Error) int {
	if e.Fault == apierr.Server {
		return http.StatusInternalServerError
	}
	if e.Code == "RequestEntityTooLargeException" {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// keyring adapts Credentials to sigv4.CredentialSource and remembers the
// credential it found in the request's keySlot, so the principal costs no
// second lookup.
type keyring struct{ keys Credentials }

type keySlot struct {
	cred    Credential
	set     bool
	expired bool
}

type slotKey struct{}

func withKeySlot(ctx context.Context, s *keySlot) context.Context {
	return context.WithValue(ctx, slotKey{}, s)
}

func (k keyring) Credential(ctx context.Context, id string) (sigv4.Credential, error) {
	c, err := k.keys.Credential(ctx, id)
	slot, _ := ctx.Value(slotKey{}).(*keySlot)
	if errors.Is(err, ErrExpiredToken) && slot != nil {
		slot.expired = true
		return sigv4.Credential{}, sigv4.ErrUnknownKey
	}
	if errors.Is(err, account.ErrNotFound) || errors.Is(err, ErrExpiredToken) {
		return sigv4.Credential{}, sigv4.ErrUnknownKey
	}
	if err != nil {
		return sigv4.Credential{}, err
	}
	if slot != nil {
		slot.cred, slot.set = c, true
	}
	return sigv4.Credential{Secret: c.Secret, SessionToken: c.SessionToken}, nil
}
