package accountapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/pagetoken"
	"github.com/accountplane/accountplane/internal/protocol/restjson"
)

// Operation is one Account Management operation as the wire sees it.
type Operation struct {
	// Name is the model's operation name, e.g. "GetAlternateContact".
	Name string
	// Path is the REST-JSON URI, e.g. "/getAlternateContact" (always POST).
	Path string
	// Action is the IAM action, e.g. "account:GetAlternateContact".
	Action string
	// ReadOnly is true for Get*/List* operations.
	ReadOnly bool
	// Invoke decodes and validates body, runs the operation for caller and
	// returns the encoded output (nil for "{}").
	Invoke func(ctx context.Context, caller identity.Principal, body []byte) ([]byte, error)
}

// input is implemented by every input wire struct.
type input interface {
	validate(c *check)
}

// bind builds an Operation from a typed handler: decode, validate, call,
// encode. Output nil means an empty result.
func bind[In any, PIn interface {
	*In
	input
}, Out any](name, path string, readOnly bool, h func(ctx context.Context, caller identity.Principal, in *In) (*Out, error)) Operation {
	return Operation{
		Name: name, Path: path, Action: "account:" + name, ReadOnly: readOnly,
		Invoke: func(ctx context.Context, caller identity.Principal, body []byte) ([]byte, error) {
			in := new(In)
			if err := restjson.Decode(body, in); err != nil {
				return nil, err
			}
			var c check
			PIn(in).validate(&c)
			if err := c.err(); err != nil {
				return nil, err
			}
			if err := authorize(ctx, "account:"+name, in); err != nil {
				return nil, err
			}
			out, err := h(ctx, caller, in)
			if err != nil || out == nil {
				return nil, err
			}
			return json.Marshal(out)
		},
	}
}

// target builds the domain Target from an optional, validated AccountId.
func target(caller identity.Principal, accountID *string) account.Target {
	t := account.Target{Caller: caller}
	if accountID != nil && *accountID != "" {
		t.AccountID = identity.AccountID(*accountID)
	}
	return t
}

// StatusOf maps an Account exception code to its HTTP status (the model's
// httpStatusCode). Unknown codes give 0.
func StatusOf(code string) int {
	switch code {
	case account.CodeValidation, restjson.CodeSerialization:
		return http.StatusBadRequest
	case account.CodeAccessDenied:
		return http.StatusForbidden
	case account.CodeResourceNotFound, CodeUnknownOperation:
		return http.StatusNotFound
	case account.CodeConflict:
		return http.StatusConflict
	case account.CodeResourceUnavailable:
		return http.StatusFailedDependency
	case account.CodeTooManyRequests:
		return http.StatusTooManyRequests
	case account.CodeInternalServer:
		return http.StatusInternalServerError
	case CodeRequestEntityTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return 0
}

// Codes the API adds to the model's: an unknown path or method, and a body
// over the size limit.
const (
	CodeUnknownOperation      = "UnknownOperationException"
	CodeRequestEntityTooLarge = "RequestEntityTooLargeException"
)

// Codec is the REST-JSON codec of the Account API.
var Codec = &restjson.Codec{Status: StatusOf, InternalCode: account.CodeInternalServer}

// Options configure the binding.
type Options struct {
	// TokenKey signs ListRegions NextTokens; a token minted with another key
	// is rejected.
	TokenKey []byte
}

// Operations returns the operation table, one entry per modelled operation
// plus SendPhoneNumberVerification and VerifyPhoneNumber.
func Operations(svc *account.Service, opts Options) []Operation {
	a := &api{svc: svc, tokens: pagetoken.New(opts.TokenKey)}
	return []Operation{
		bind("AcceptPrimaryEmailUpdate", "/acceptPrimaryEmailUpdate", false, a.acceptPrimaryEmailUpdate),
		bind("DeleteAlternateContact", "/deleteAlternateContact", false, a.deleteAlternateContact),
		bind("DisableRegion", "/disableRegion", false, a.disableRegion),
		bind("EnableRegion", "/enableRegion", false, a.enableRegion),
		bind("GetAccountInformation", "/getAccountInformation", true, a.getAccountInformation),
		bind("GetAlternateContact", "/getAlternateContact", true, a.getAlternateContact),
		bind("GetContactInformation", "/getContactInformation", true, a.getContactInformation),
		bind("GetGovCloudAccountInformation", "/getGovCloudAccountInformation", true, a.getGovCloudAccountInformation),
		bind("GetPrimaryEmail", "/getPrimaryEmail", true, a.getPrimaryEmail),
		bind("GetPrimaryEmailUpdateStatus", "/getPrimaryEmailUpdateStatus", true, a.getPrimaryEmailUpdateStatus),
		bind("GetRegionOptStatus", "/getRegionOptStatus", true, a.getRegionOptStatus),
		bind("ListRegions", "/listRegions", true, a.listRegions),
		bind("PutAccountName", "/putAccountName", false, a.putAccountName),
		bind("PutAlternateContact", "/putAlternateContact", false, a.putAlternateContact),
		bind("PutContactInformation", "/putContactInformation", false, a.putContactInformation),
		bind("SendPhoneNumberVerification", "/sendPhoneNumberVerification", false, a.sendPhoneNumberVerification),
		bind("StartPrimaryEmailUpdate", "/startPrimaryEmailUpdate", false, a.startPrimaryEmailUpdate),
		bind("VerifyPhoneNumber", "/verifyPhoneNumber", false, a.verifyPhoneNumber),
	}
}

type api struct {
	svc    *account.Service
	tokens pagetoken.Signer
}

// empty is the output of operations without an output shape.
type empty struct{}
