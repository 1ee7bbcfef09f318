// Package operation describes AWS operations the way the request pipeline
// runs them: every operation of every service is one [Operation] (service,
// name, IAM action, read-only or not, input and output types, how to find
// the resources and condition keys it acts on, and the handler), and every
// service one [Service] (protocol, routing names, its error codes).
//
// The server's pipeline (internal/server/pipeline.go) runs them all the same
// way: route, authenticate, decode and validate ([Operation.Prepare]),
// resolve resources ([Call.Access]), authorize, quota and faults, invoke
// ([Call.Invoke]), encode. Nothing is passed between those stages through a
// context.Context.
//
// It imports only the standard library, apierr and identity.
package operation

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
)

// Protocol is a wire protocol.
type Protocol uint8

// The protocols the services here speak.
const (
	RESTJSON Protocol = iota // Account Management
	AWSJSON                  // Organizations, CloudTrail
	Query                    // IAM, STS
	RESTXML                  // S3
)

func (p Protocol) String() string {
	switch p {
	case RESTJSON:
		return "rest-json"
	case AWSJSON:
		return "awsJson1.1"
	case Query:
		return "query"
	case RESTXML:
		return "rest-xml"
	}
	return fmt.Sprintf("protocol(%d)", p)
}

// Input is a request's operation input as the protocol carries it: the
// JSON body (REST-JSON, awsJson), the form parameters (query), or the URL
// query parameters and body (REST-XML).
type Input struct {
	Body   []byte
	Params url.Values
}

// Access is what one call acts on, for the authorizer: the resources of
// the Service Authorization Reference's "Resource types" column (every one
// must be allowed) and the request's condition keys.
type Access struct {
	// Resources are ARNs, or "*" for an action without a resource type.
	// A call that needs authorization must name at least one.
	Resources []string
	// Conditions are the request's service condition keys.
	Conditions map[string][]string
	// AddConditions, if not nil, adds further condition keys when a
	// policy first reads the context (keys made for every call otherwise
	// cost more than most decisions, which read none).
	AddConditions func(context map[string][]string)
	// ResourceTagsGiven says the conditions carry the resource's tags
	// (aws:ResourceTag/*): the authorizer does not look them up.
	ResourceTagsGiven bool
	// Target is the account an Account Management call acts on through
	// AccountId (organization mode); "" for the caller's own account and
	// for other services. Its CloudTrail record goes to that account.
	Target identity.AccountID
	// Public marks a call that needs no permission: AWS answers
	// GetCallerIdentity even when a policy explicitly denies it.
	Public bool
	// Refused, when not empty, is the authorizer's answer without
	// evaluating any policy: AWS's authorizer refuses an
	// AlternateContactType outside the enum (the type is the
	// account:AlternateContactTypes condition key) with AccessDenied and
	// this text in parentheses.
	Refused string
	// TrustPolicy is the resource-based policy of the resource (a role's
	// trust policy for sts:AssumeRole), as JSON; empty for none.
	TrustPolicy string
}

// Call is one decoded, validated call, ready to be authorized and run.
type Call struct {
	// Access resolves what the call acts on. It may read the store; it
	// never changes it.
	Access func(ctx context.Context) (Access, error)
	// Invoke runs the call and returns its output value, which the
	// service's codec encodes (nil: an empty output).
	Invoke func(ctx context.Context) (any, error)
}

// Request is what a handler knows of its request besides its input.
type Request struct {
	Caller    identity.Principal
	RequestID string
	// Region is the Region of the credential scope.
	Region string
}

// Operation is one operation of one service.
type Operation struct {
	// Service is the signing name of the service, e.g. "organizations".
	Service string
	// Name is the model's operation name, e.g. "CreateAccount".
	Name string
	// Action is the IAM action, e.g. "organizations:CreateAccount".
	Action string
	// ReadOnly is true for operations that change nothing.
	ReadOnly bool
	// EventName is the eventName of the call's CloudTrail record when it
	// is not Name: an in-process console task recorded as AWS records the
	// console's call (the root user's MFA enrolment is EnableMFADevice).
	EventName string
	// Path is the REST URI: REST-JSON's (always POST), or REST-XML's,
	// with Method; "" for other protocols.
	Path string
	// Method is a REST-XML operation's HTTP method ("" for others).
	Method string
	// Input and Output are the wire types (nil for the query protocol,
	// whose inputs are form parameters).
	Input, Output reflect.Type
	// Prepare decodes and validates in against the model and returns the
	// call. Validation errors are the protocol's (ValidationException,
	// SerializationException, ...). Prepare reads no store.
	Prepare func(r Request, in Input) (Call, error)
}

// Service is one AWS service as the wire sees it.
type Service struct {
	// Name is the signing name, e.g. "iam".
	Name     string
	Protocol Protocol
	// Targets are the X-Amz-Target prefixes that address the service
	// (awsJson, and the Account API's AWSAccountV20210201.* form).
	Targets []string
	// Xmlns and Version are the query protocol's namespace and API
	// version.
	Xmlns, Version string
	// InternalFailure is the service's internal-failure exception.
	InternalFailure string
	// AccessDenied is the code of the authorizer's denial
	// (AccessDeniedException, or AccessDenied in the query protocol).
	AccessDenied string
	// Throttled is the code of a call over its request rate.
	Throttled string
	// Conflict is the code of a change whose store transaction kept
	// conflicting with concurrent ones (default: Throttled).
	Conflict string
	// Status maps the service's exception codes to HTTP statuses (0:
	// unknown, which becomes 400 for client faults and 500 for server
	// faults).
	Status func(code string) int
	// Unknown is the answer to an operation name the service does not
	// serve.
	Unknown func(name string) *apierr.Error
	// Operations are the operations served.
	Operations []Operation
	// InProcess marks a service offered only to in-process callers (the
	// server's Invoke), never routed from HTTP: the console-only tasks
	// AWS offers in its console and in no API (closing a standalone
	// account, the root password, root MFA). Its Name may be that of an
	// HTTP service (its records then carry that service's eventSource);
	// its operation names must differ from that service's.
	InProcess bool
}

// Check reports why svc cannot be served: an operation without a
// preparer, or without a name or action. A server refuses to start with
// such a service (fail closed).
func (svc *Service) Check() error {
	var errs []error
	if svc.Name == "" || svc.InternalFailure == "" || svc.Unknown == nil || svc.AccessDenied == "" {
		errs = append(errs, fmt.Errorf("service %q: name, internal-failure code, access-denied code and unknown-operation answer are required", svc.Name))
	}
	seen := map[string]bool{}
	for _, op := range svc.Operations {
		switch {
		case op.Name == "" || op.Action == "":
			errs = append(errs, fmt.Errorf("service %s: an operation without name or action", svc.Name))
		case op.Prepare == nil:
			errs = append(errs, fmt.Errorf("%s:%s declares no resources (no Prepare)", svc.Name, op.Name))
		case seen[op.Name]:
			errs = append(errs, fmt.Errorf("%s:%s is described twice", svc.Name, op.Name))
		case op.Service != svc.Name:
			errs = append(errs, fmt.Errorf("%s:%s belongs to service %q", svc.Name, op.Name, op.Service))
		case svc.Protocol == RESTJSON && op.Path == "":
			errs = append(errs, fmt.Errorf("%s:%s has no REST path", svc.Name, op.Name))
		case svc.Protocol == RESTXML && (op.Path == "" || op.Method == ""):
			errs = append(errs, fmt.Errorf("%s:%s has no REST method and path", svc.Name, op.Name))
		}
		seen[op.Name] = true
	}
	return errors.Join(errs...)
}

// ErrNoResources is the internal failure of a call whose Access names no
// resource and is not public: the pipeline refuses to run it.
var ErrNoResources = errors.New("operation: the call declares no resources")

// Resolved checks a that an authorizer can decide it: at least one
// resource unless the call is public.
func (a Access) Resolved() error {
	if !a.Public && a.Refused == "" && len(a.Resources) == 0 {
		return ErrNoResources
	}
	return nil
}
