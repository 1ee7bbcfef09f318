// Package stsapi binds the AWS Security Token Service (query protocol,
// XML responses): GetCallerIdentity for every kind of principal, and
// AssumeRole, GetSessionToken, GetAccessKeyInfo and AssumeRoot on top of
// package iam.
//
// It imports iam, identity and apierr; never storage, sigv4 or server.
package stsapi

import (
	"context"
	"net/http"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/operation"
)

// Xmlns is the STS response namespace.
const Xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"

// Version is the only API version STS speaks.
const Version = "2011-06-15"

// Exception codes of the query protocol that this package returns, next
// to iam's (ValidationError, AccessDenied, MalformedPolicyDocument,
// PackedPolicyTooLarge).
const (
	CodeInvalidAction = "InvalidAction"
	CodeMissingAction = "MissingAction"
)

// StatusOf maps an STS exception code to its HTTP status (the model's
// httpStatusCode; 400 for the rest).
func StatusOf(code string) int {
	switch code {
	case iam.CodeAccessDenied, "RegionDisabledException", "InvalidClientTokenId", "SignatureDoesNotMatch":
		return http.StatusForbidden
	case "InternalFailure", iam.CodeServiceFailure:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

type getCallerIdentityResult struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

// ServiceName is STS's signing name.
const ServiceName = "sts"

// Service returns STS. svc may be nil, in which case only
// GetCallerIdentity is offered; otherwise AssumeRole, GetSessionToken and
// GetAccessKeyInfo too (session.go), and AssumeRoot (assumeroot.go). GetCallerIdentity needs no permission
// (AWS answers it even when a policy explicitly denies it); AssumeRole is
// authorized on the role it names, with aws:RequestTag/<key> and
// aws:TagKeys of the session tags it passes (the role's own tags,
// aws:ResourceTag/<key>, are read by the authorizer's policy source).
func Service(svc *iam.Service) operation.Service {
	ops := []operation.Operation{{
		Service: ServiceName, Name: "GetCallerIdentity", Action: "sts:GetCallerIdentity", ReadOnly: true,
		Prepare: func(r operation.Request, raw operation.Input) (operation.Call, error) {
			return operation.Call{
				Access: func(context.Context) (operation.Access, error) { return operation.Access{Public: true}, nil },
				Invoke: func(context.Context) (any, error) {
					c := r.Caller
					return getCallerIdentityResult{Arn: c.ARN, UserID: c.UserID, Account: string(c.Account)}, nil
				},
			}, nil
		},
	}}
	if svc != nil {
		ops = append(ops, operation.Operation{
			Service: ServiceName, Name: "AssumeRole", Action: "sts:AssumeRole",
			Prepare: func(r operation.Request, raw operation.Input) (operation.Call, error) {
				req, err := parseAssumeRole(raw.Params)
				if err != nil {
					return operation.Call{}, err
				}
				return operation.Call{
					Access: func(context.Context) (operation.Access, error) {
						return operation.Access{
							Resources:  []string{req.in.RoleARN},
							Conditions: iam.RequestTagContext(req.in.Tags),
						}, nil
					},
					Invoke: func(ctx context.Context) (any, error) { return assumeRole(ctx, svc, r.Caller, req) },
				}, nil
			},
		})
		ops = append(ops, sessionOps(svc)...)
		ops = append(ops, assumeRootOp(svc))
	}
	return operation.Service{
		Name: ServiceName, Protocol: operation.Query, Xmlns: Xmlns, Version: Version,
		InternalFailure: "InternalFailure", AccessDenied: iam.CodeAccessDenied, Throttled: "Throttling",
		Status: StatusOf,
		Unknown: func(name string) *apierr.Error {
			if name == "" {
				return apierr.New(CodeMissingAction, "Missing Action")
			}
			return apierr.New(CodeInvalidAction, "Could not find operation "+name+" for version "+Version)
		},
		Operations: ops,
	}
}
