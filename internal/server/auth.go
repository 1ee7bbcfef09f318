package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/sigv4"
)

// Authentication exception codes per protocol. The Account API sits behind
// API Gateway in AWS, so its codes are API Gateway's; the awsJson services
// use the same names; the query services (IAM, STS) have their own. The
// statuses are the codecs' (internal/protocol/*).
var (
	jsonAuthCodes = map[sigv4.Kind]string{
		sigv4.Missing:      "MissingAuthenticationTokenException",
		sigv4.Incomplete:   "IncompleteSignatureException",
		sigv4.UnknownKey:   "UnrecognizedClientException",
		sigv4.BadToken:     "UnrecognizedClientException",
		sigv4.Mismatch:     "InvalidSignatureException",
		sigv4.Expired:      "InvalidSignatureException",
		sigv4.ExpiredToken: "ExpiredTokenException",
	}
	queryAuthCodes = map[sigv4.Kind]string{
		sigv4.Missing:      "MissingAuthenticationToken",
		sigv4.Incomplete:   "IncompleteSignature",
		sigv4.UnknownKey:   "InvalidClientTokenId",
		sigv4.BadToken:     "InvalidClientTokenId",
		sigv4.Mismatch:     "SignatureDoesNotMatch",
		sigv4.Expired:      "RequestExpired",
		sigv4.ExpiredToken: "ExpiredToken",
	}
	// S3's (REST-XML).
	xmlAuthCodes = map[sigv4.Kind]string{
		sigv4.Missing:      "AccessDenied",
		sigv4.Incomplete:   "AuthorizationHeaderMalformed",
		sigv4.UnknownKey:   "InvalidAccessKeyId",
		sigv4.BadToken:     "InvalidToken",
		sigv4.Mismatch:     "SignatureDoesNotMatch",
		sigv4.Expired:      "RequestTimeTooSkewed",
		sigv4.ExpiredToken: "ExpiredToken",
	}
)

// authError names a signature failure in protocol p.
func authError(p operation.Protocol, k sigv4.Kind, msg string) *apierr.Error {
	codes := jsonAuthCodes
	switch p {
	case operation.Query:
		codes = queryAuthCodes
	case operation.RESTXML:
		codes = xmlAuthCodes
	}
	return apierr.New(codes[k], msg)
}

// authenticate verifies the signature and returns the caller. With
// SkipAuth, an unverifiable request acts as the key it names, or as the
// default account's root user.
func (s *Server) authenticate(ctx context.Context, r *http.Request, body []byte, rt route) (identity.Principal, error) {
	if s.cfg.SkipAuth {
		if akid, _, _, ok := sigv4.Scope(r); ok {
			if c, err := s.cfg.Keys.Credential(ctx, akid); err == nil {
				return c.Principal, nil
			}
		}
		return identity.RootPrincipal(s.cfg.DefaultAccount, ""), nil
	}
	res, err := s.verifier.Verify(ctx, r, body)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return identity.Principal{}, authError(rt.proto, se.Kind, se.Message)
		}
		return identity.Principal{}, err
	}
	if name := serviceName(rt); name != "" && res.Service != name {
		return identity.Principal{}, authError(rt.proto, sigv4.Mismatch,
			"Credential should be scoped to correct service: '"+name+"'. ")
	}
	p, ok := res.Subject.(identity.Principal)
	if !ok {
		return identity.Principal{}, errors.New("verified signature without a principal")
	}
	return p, nil
}

// keyring adapts Credentials to sigv4.CredentialSource; the credential's
// principal comes back with the verified signature.
type keyring struct{ keys Credentials }

func (k keyring) Credential(ctx context.Context, id string) (sigv4.Credential, error) {
	c, err := k.keys.Credential(ctx, id)
	switch {
	case errors.Is(err, ErrExpiredToken):
		return sigv4.Credential{}, sigv4.ErrExpiredToken
	case errors.Is(err, kernel.ErrNotFound):
		return sigv4.Credential{}, sigv4.ErrUnknownKey
	case err != nil:
		return sigv4.Credential{}, err
	}
	return sigv4.Credential{Secret: c.Secret, SessionToken: c.SessionToken, Subject: c.Principal, Accepts: acceptsRegion(c.Partition)}, nil
}
