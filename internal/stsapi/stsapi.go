// Package stsapi binds the AWS Security Token Service (query protocol,
// XML responses): GetCallerIdentity for every kind of principal, and
// AssumeRole on top of package iam.
//
// It imports iam, identity and apierr; never storage, sigv4 or server.
package stsapi

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
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

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type getCallerIdentityResult struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

type getCallerIdentityResponse struct {
	XMLName  xml.Name                `xml:"GetCallerIdentityResponse"`
	Xmlns    string                  `xml:"xmlns,attr"`
	Result   getCallerIdentityResult `xml:"GetCallerIdentityResult"`
	Metadata responseMetadata        `xml:"ResponseMetadata"`
}

// Operation is one STS operation as the wire sees it.
type Operation struct {
	// Name is the model's operation name and the query Action.
	Name string
	// Action is the IAM action, e.g. "sts:AssumeRole".
	Action string
	// NoAuthz marks operations that need no permission: AWS answers
	// GetCallerIdentity even when a policy explicitly denies it.
	NoAuthz bool
	// Invoke validates params, runs the operation and returns the XML
	// document to encode.
	Invoke   func(ctx context.Context, caller identity.Principal, params url.Values, requestID string) (doc any, err error)
	resource func(params url.Values) string
	context  func(params url.Values) map[string][]string
}

// Resource returns the ARN the operation is authorized against: the role
// for AssumeRole, "*" otherwise.
func (op Operation) Resource(_ identity.Principal, params url.Values) string {
	if op.resource == nil {
		return "*"
	}
	return op.resource(params)
}

// Context returns the operation's condition keys for the request, or nil:
// for AssumeRole, aws:RequestTag/<key> and aws:TagKeys of the session tags
// it passes (Tags.member.N.Key/Value). The role's own tags
// (aws:ResourceTag/<key>) are read by the authorizer's PolicySource for
// the role ARN that Resource returns.
func (op Operation) Context(params url.Values) map[string][]string {
	if op.context == nil {
		return nil
	}
	return op.context(params)
}

// Operations returns the STS operation table. svc may be nil, in which
// case only GetCallerIdentity is offered.
func Operations(svc *iam.Service) []Operation {
	ops := []Operation{{
		Name: "GetCallerIdentity", Action: "sts:GetCallerIdentity", NoAuthz: true,
		Invoke: func(_ context.Context, caller identity.Principal, _ url.Values, requestID string) (any, error) {
			return getCallerIdentity(caller, requestID), nil
		},
	}}
	if svc != nil {
		ops = append(ops, Operation{
			Name: "AssumeRole", Action: "sts:AssumeRole",
			Invoke: func(ctx context.Context, caller identity.Principal, params url.Values, requestID string) (any, error) {
				return assumeRole(ctx, svc, caller, params, requestID)
			},
			resource: func(p url.Values) string { return p.Get("RoleArn") },
			context:  func(p url.Values) map[string][]string { return iam.RequestTagContext(sessionTags(&params{v: p})) },
		})
	}
	return ops
}

func getCallerIdentity(caller identity.Principal, requestID string) getCallerIdentityResponse {
	return getCallerIdentityResponse{
		Xmlns:    Xmlns,
		Result:   getCallerIdentityResult{Arn: caller.ARN, UserID: caller.UserID, Account: string(caller.Account)},
		Metadata: responseMetadata{RequestID: requestID},
	}
}

// Find returns the operation named by params' Action, or the query
// protocol's error for a missing or unknown Action or another Version.
func Find(ops []Operation, params url.Values) (*Operation, error) {
	op := params.Get("Action")
	if v := params.Get("Version"); v != "" && v != Version {
		return nil, apierr.New(CodeInvalidAction, "Could not find operation "+op+" for version "+v)
	}
	if op == "" {
		return nil, apierr.New(CodeMissingAction, "Missing Action")
	}
	for i := range ops {
		if ops[i].Name == op {
			return &ops[i], nil
		}
	}
	return nil, apierr.New(CodeInvalidAction, "Could not find operation "+op+" for version "+Version)
}

// Invoke runs the STS action named in params for caller and returns the
// response document to encode, and the operation name for logs. It
// answers GetCallerIdentity only; use [Operations] with an iam.Service for
// AssumeRole.
func Invoke(caller identity.Principal, params url.Values, requestID string) (op string, doc any, err error) {
	o, err := Find(Operations(nil), params)
	if err != nil {
		return params.Get("Action"), nil, err
	}
	doc, err = o.Invoke(context.Background(), caller, params, requestID)
	return o.Name, doc, err
}
