package iamapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/accountplane/accountplane/internal/arn"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/pagetoken"
)

// ServiceName is IAM's signing name.
const ServiceName = "iam"

// Xmlns is the IAM response namespace.
const Xmlns = "https://iam.amazonaws.com/doc/2010-05-08/"

// Version is the only API version IAM speaks.
const Version = "2010-05-08"

// Codes the binding adds to the domain's: an unknown or missing Action
// and an API version other than Version.
const (
	CodeInvalidAction   = "InvalidAction"
	CodeMissingAction   = "MissingAction"
	CodeInternalFailure = "ServiceFailure"
)

// SCPSource gives the service control policies that apply to an account,
// for SimulatePrincipalPolicy: the documents attached at each level from
// the organization root down to the account. ok is false when the account
// is in no organization (or SCPs are not enabled); management reports the
// management account, which SCPs do not bind.
type SCPSource interface {
	SCPs(ctx context.Context, acct identity.AccountID) (levels [][]string, management bool, ok bool, err error)
}

// Options configure the binding.
type Options struct {
	// TokenKey signs Markers; a Marker minted with another key is
	// rejected. Empty means a random key.
	TokenKey []byte
	// SCPs supplies the organization's SCPs to SimulatePrincipalPolicy
	// (nil: none apply).
	SCPs SCPSource
}

// StatusOf maps an IAM exception code to its HTTP status (the model's
// httpStatusCode). Unknown codes give 400.
func StatusOf(code string) int {
	if st := credentialStatus(code); st != 0 {
		return st
	}
	switch code {
	case iam.CodeNoSuchEntity:
		return http.StatusNotFound
	case iam.CodeEntityAlreadyExists, iam.CodeDeleteConflict, iam.CodeLimitExceeded,
		"ConcurrentModification", "EntityTemporarilyUnmodifiable":
		return http.StatusConflict
	case iam.CodeServiceFailure, iam.CodePolicyEvaluation, "InternalFailure":
		return http.StatusInternalServerError
	case iam.CodeAccessDenied, "AccessDeniedException", "InvalidClientTokenId", "SignatureDoesNotMatch":
		return http.StatusForbidden
	case CodeInvalidAction:
		return http.StatusBadRequest
	}
	return http.StatusBadRequest
}

// CheckVersion returns InvalidAction unless params name Version (or none).
func CheckVersion(params url.Values) error {
	if v := params.Get("Version"); v != "" && v != Version {
		return apierr.New(CodeInvalidAction, "Could not find operation "+params.Get("Action")+" for version "+v)
	}
	return nil
}

// UnknownAction returns the error for an Action no operation has (or a
// missing one).
func UnknownAction(action string) *apierr.Error {
	if action == "" {
		return apierr.New(CodeMissingAction, "Missing Action")
	}
	return apierr.New(CodeInvalidAction, "Could not find operation "+action+" for version "+Version)
}

// call is one request as a handler sees it.
type call struct {
	caller identity.Principal
	acct   identity.AccountID
	in     *input
}

type handler func(ctx context.Context, c *call) (result any, err error)

type api struct {
	svc    *iam.Service
	tokens pagetoken.Signer
	scps   SCPSource
}

// op is one entry of the operation table: the handler with the resource
// its request names and its condition keys.
type op struct {
	name     string
	readOnly bool
	resource func(caller identity.Principal, p url.Values) string
	context  func(p url.Values) map[string][]string
	// resolve, when set, names the resource from the store (instead of
	// resource): the owner of an access key.
	resolve func(ctx context.Context, caller identity.Principal, p url.Values) (string, error)
	h       handler
}

func bind(name string, readOnly bool, res func(identity.Principal, url.Values) string, h handler) op {
	return op{name: name, readOnly: readOnly, resource: res, h: h}
}

func (o op) withContext(f func(url.Values) map[string][]string) op {
	o.context = f
	return o
}

func (o op) withResolver(f func(context.Context, identity.Principal, url.Values) (string, error)) op {
	o.resolve = f
	return o
}

// errChecked ends a handler's validation run at its input check.
var errChecked = errors.New("iamapi: input checked")

// describe makes the entry an operation. IAM handlers read and check their
// parameters first, then act; Prepare runs a handler in validation mode,
// in which its input check ends it (with its ValidationError, or
// errChecked), so that validation precedes authorization as for every
// service. Access is the ARN Resource names (the user, group, role or
// policy the request names; "*" for list and account-level operations)
// with the request's condition keys.
func (o op) describe() operation.Operation {
	return operation.Operation{
		Service: ServiceName, Name: o.name, Action: ServiceName + ":" + o.name, ReadOnly: o.readOnly,
		Prepare: func(r operation.Request, raw operation.Input) (operation.Call, error) {
			params := raw.Params
			if err := CheckVersion(params); err != nil {
				return operation.Call{}, err
			}
			dry := &call{caller: r.Caller, acct: r.Caller.Account, in: &input{v: params, checkOnly: true}}
			if _, err := o.h(context.Background(), dry); !errors.Is(err, errChecked) {
				if err == nil {
					err = fmt.Errorf("iamapi: %s acted before checking its input", o.name)
				}
				return operation.Call{}, err
			}
			return operation.Call{
				Access: func(ctx context.Context) (operation.Access, error) {
					res := ""
					if o.resolve != nil {
						var err error
						if res, err = o.resolve(ctx, r.Caller, params); err != nil {
							return operation.Access{}, err
						}
					} else {
						res = o.resource(r.Caller, params)
					}
					acc := operation.Access{Resources: []string{res}}
					if o.context != nil {
						acc.Conditions = o.context(params)
					}
					return acc, nil
				},
				Invoke: func(ctx context.Context) (any, error) {
					return o.h(ctx, &call{caller: r.Caller, acct: r.Caller.Account, in: &input{v: params}})
				},
			}, nil
		},
	}
}

// Resource ARN builders.

func iamARN(acct identity.AccountID, typ, path, name string) string {
	return arn.IAM(string(acct), typ, path, name)
}

func star(identity.Principal, url.Values) string { return "*" }

// entityRes names the user, group or role in param (with the Path
// parameter, if the operation has one).
func entityRes(typ, param string) func(identity.Principal, url.Values) string {
	return func(c identity.Principal, p url.Values) string {
		return iamARN(c.Account, typ, p.Get("Path"), p.Get(param))
	}
}

// userRes names UserName, or the caller's own user when it is absent.
func userRes(c identity.Principal, p url.Values) string {
	name := p.Get("UserName")
	if name == "" && c.Type == identity.IAMUser {
		name = c.Name
	}
	if name == "" {
		return arn.Root(string(c.Account))
	}
	return iamARN(c.Account, "user", p.Get("Path"), name)
}

// policyRes names the PolicyArn parameter.
func policyRes(_ identity.Principal, p url.Values) string { return p.Get("PolicyArn") }

// newPolicyRes names the policy CreatePolicy creates.
func newPolicyRes(c identity.Principal, p url.Values) string {
	return iamARN(c.Account, "policy", p.Get("Path"), p.Get("PolicyName"))
}

func policyARNContext(p url.Values) map[string][]string {
	if a := p.Get("PolicyArn"); a != "" {
		return map[string][]string{"iam:PolicyARN": {a}}
	}
	return nil
}

func boundaryContext(p url.Values) map[string][]string {
	if a := p.Get("PermissionsBoundary"); a != "" {
		return map[string][]string{"iam:PermissionsBoundary": {a}}
	}
	return nil
}

// tagContext gives aws:RequestTag/<key> and aws:TagKeys for the request's
// Tags.member.N.Key/Value (unvalidated: Invoke validates them).
func tagContext(p url.Values) map[string][]string {
	return iam.RequestTagContext((&input{v: p}).tags("Tags"))
}

// contexts merges the keys of several context builders.
func contexts(fs ...func(url.Values) map[string][]string) func(url.Values) map[string][]string {
	return func(p url.Values) map[string][]string {
		var out map[string][]string
		for _, f := range fs {
			for k, v := range f(p) {
				if out == nil {
					out = map[string][]string{}
				}
				out[k] = v
			}
		}
		return out
	}
}

// Paging.

const defaultMaxItems = 100

// paging reads Marker and MaxItems.
func (c *call) paging() (marker string, maxItems int) {
	marker = c.in.str("Marker", shMarker, false)
	n, ok := c.in.integer("MaxItems", 1, 1000, false)
	if !ok {
		n = defaultMaxItems
	}
	return marker, n
}

// pageOf returns the page of n items starting at marker: the start offset,
// the end offset and the next marker ("" on the last page). scope binds
// markers to the request they continue.
func (a *api) pageOf(total int, marker string, maxItems int, scope string) (start, end int, next string, err error) {
	if marker != "" {
		off, ok := a.tokens.Open(scope, marker)
		if !ok || off > total {
			return 0, 0, "", apierr.New(iam.CodeValidation, "Invalid Marker.")
		}
		start = off
	}
	end = min(start+maxItems, total)
	if end < total {
		next = a.tokens.Mint(scope, end)
	}
	return start, end, next, nil
}

// ownList is the shape of the List operations of one user's credentials
// (access keys, signing certificates, MFA devices): UserName (default: the
// caller, see call.self), Marker and MaxItems checked first, then the
// user's items loaded, paged and converted to their wire form.
func ownList[T, W any](ctx context.Context, a *api, c *call, op string,
	load func(ctx context.Context, acct identity.AccountID, user string) ([]T, error), wire func(*T) W,
) (items members[W], more bool, next string, err error) {
	name := c.in.str("UserName", shExistingUserName, false)
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return items, false, "", err
	}
	if name, err = c.self(name); err != nil {
		return items, false, "", err
	}
	all, err := load(ctx, c.acct, name)
	if err != nil {
		return items, false, "", err
	}
	pg, more, next, err := page(a, c, op, all, marker, maxItems, name)
	if err != nil {
		return items, false, "", err
	}
	out := make([]W, len(pg))
	for i := range pg {
		out[i] = wire(&pg[i])
	}
	return list(out), more, next, nil
}

// page slices xs as pageOf does.
func page[T any](a *api, c *call, op string, xs []T, marker string, maxItems int, scope ...string) ([]T, bool, string, error) {
	s := op + "|" + string(c.acct) + "|" + strings.Join(scope, "|")
	start, end, next, err := a.pageOf(len(xs), marker, maxItems, s)
	if err != nil {
		return nil, false, "", err
	}
	return xs[start:end], next != "", next, nil
}
