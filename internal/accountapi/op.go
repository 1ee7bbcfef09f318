package accountapi

import (
	"context"
	"net/http"
	"reflect"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/pagetoken"
	"github.com/accountplane/accountplane/internal/protocol/restjson"
)

// Signing name and X-Amz-Target prefix of the Account API.
const (
	ServiceName  = "account"
	TargetPrefix = "AWSAccountV20210201."
)

// input is implemented by every input wire struct.
type input interface {
	validate(c *check)
}

// targeted is implemented by inputs with an AccountId member.
type targeted interface{ accountID() *string }

// bind describes one operation: decode and validate the input, resolve the
// account it acts on and the resource ARN naming it (access.go), then run
// the handler on the resolved target. Output nil means an empty result.
func bind[In any, PIn interface {
	*In
	input
	targeted
}, Out any](a *api, name, path string, readOnly bool, h func(ctx context.Context, t account.Target, in *In) (*Out, error)) operation.Operation {
	action := ServiceName + ":" + name
	return operation.Operation{
		Service: ServiceName, Name: name, Action: action, Path: path, ReadOnly: readOnly,
		Input: reflect.TypeFor[In](), Output: reflect.TypeFor[Out](),
		Prepare: func(r operation.Request, raw operation.Input) (operation.Call, error) {
			in := new(In)
			if err := restjson.Decode(raw.Body, in); err != nil {
				return operation.Call{}, err
			}
			var c check
			PIn(in).validate(&c)
			if err := c.err(); err != nil {
				return operation.Call{}, err
			}
			t := target(r.Caller, PIn(in).accountID())
			return operation.Call{
				Access: func(ctx context.Context) (operation.Access, error) {
					var acc operation.Access
					var err error
					t, acc, err = a.access(ctx, t, name, in)
					return acc, err
				},
				Invoke: func(ctx context.Context) (any, error) {
					out, err := h(ctx, t, in)
					if err != nil || out == nil {
						return nil, err
					}
					return out, nil
				},
			}, nil
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

// Options configure the binding.
type Options struct {
	// TokenKey signs ListRegions NextTokens; a token minted with another key
	// is rejected.
	TokenKey []byte
	// Directory names accounts in their organization for the resource ARNs
	// (nil: every account is standalone).
	Directory Directory
}

// Service returns the Account API: one operation per modelled operation
// plus SendPhoneNumberVerification and VerifyPhoneNumber.
func Service(svc *account.Service, opts Options) operation.Service {
	if opts.Directory == nil {
		opts.Directory = standalone{}
	}
	a := &api{svc: svc, tokens: pagetoken.New(opts.TokenKey), dir: opts.Directory}
	return operation.Service{
		Name: ServiceName, Protocol: operation.RESTJSON, Targets: []string{TargetPrefix},
		InternalFailure: account.CodeInternalServer, AccessDenied: account.CodeAccessDenied,
		Throttled: account.CodeTooManyRequests, Conflict: account.CodeConflict, Status: StatusOf,
		Unknown: func(name string) *apierr.Error {
			return apierr.New(CodeUnknownOperation, "The operation "+name+" is not supported.")
		},
		Operations: []operation.Operation{
			bind(a, "AcceptPrimaryEmailUpdate", "/acceptPrimaryEmailUpdate", false, a.acceptPrimaryEmailUpdate),
			bind(a, "DeleteAlternateContact", "/deleteAlternateContact", false, a.deleteAlternateContact),
			bind(a, "DisableRegion", "/disableRegion", false, a.disableRegion),
			bind(a, "EnableRegion", "/enableRegion", false, a.enableRegion),
			bind(a, "GetAccountInformation", "/getAccountInformation", true, a.getAccountInformation),
			bind(a, "GetAlternateContact", "/getAlternateContact", true, a.getAlternateContact),
			bind(a, "GetContactInformation", "/getContactInformation", true, a.getContactInformation),
			bind(a, "GetGovCloudAccountInformation", "/getGovCloudAccountInformation", true, a.getGovCloudAccountInformation),
			bind(a, "GetPrimaryEmail", "/getPrimaryEmail", true, a.getPrimaryEmail),
			bind(a, "GetPrimaryEmailUpdateStatus", "/getPrimaryEmailUpdateStatus", true, a.getPrimaryEmailUpdateStatus),
			bind(a, "GetRegionOptStatus", "/getRegionOptStatus", true, a.getRegionOptStatus),
			bind(a, "ListRegions", "/listRegions", true, a.listRegions),
			bind(a, "PutAccountName", "/putAccountName", false, a.putAccountName),
			bind(a, "PutAlternateContact", "/putAlternateContact", false, a.putAlternateContact),
			bind(a, "PutContactInformation", "/putContactInformation", false, a.putContactInformation),
			bind(a, "SendPhoneNumberVerification", "/sendPhoneNumberVerification", false, a.sendPhoneNumberVerification),
			bind(a, "StartPrimaryEmailUpdate", "/startPrimaryEmailUpdate", false, a.startPrimaryEmailUpdate),
			bind(a, "VerifyPhoneNumber", "/verifyPhoneNumber", false, a.verifyPhoneNumber),
		},
	}
}

type api struct {
	svc    *account.Service
	tokens pagetoken.Signer
	dir    Directory
}

// empty is the output of operations without an output shape.
type empty struct{}
