// Package operationtest runs operations without the server's pipeline, for
// the tests of the service bindings: decode, validate and invoke, with no
// authentication or authorization (the server's tests cover those).
package operationtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
)

// ByName indexes a service's operations by name.
func ByName(svc operation.Service) map[string]operation.Operation {
	out := make(map[string]operation.Operation, len(svc.Operations))
	for _, op := range svc.Operations {
		out[op.Name] = op
	}
	return out
}

// Invoke prepares and runs op for caller, resolving its access (so that
// resolution errors surface) but deciding nothing beyond the authorizer's
// refusals that need no policy (Access.Refused).
func Invoke(ctx context.Context, op operation.Operation, caller identity.Principal, in operation.Input) (any, error) {
	call, err := op.Prepare(operation.Request{Caller: caller, RequestID: "test-request"}, in)
	if err != nil {
		return nil, err
	}
	acc, err := call.Access(ctx)
	if err != nil {
		return nil, err
	}
	if acc.Refused != "" {
		return nil, apierr.New("AccessDeniedException", "User: "+caller.ARN+" is not authorized to perform: "+op.Action+" ("+acc.Refused+")")
	}
	return call.Invoke(ctx)
}

// InvokeJSON is Invoke for the JSON protocols: body in, the encoded output
// out (nil for an empty output).
func InvokeJSON(ctx context.Context, op operation.Operation, caller identity.Principal, body []byte) ([]byte, error) {
	out, err := Invoke(ctx, op, caller, operation.Input{Body: body})
	if err != nil || out == nil {
		return nil, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode %s output: %w", op.Name, err)
	}
	return b, nil
}

// InvokeQuery is Invoke for the query protocol.
func InvokeQuery(ctx context.Context, op operation.Operation, caller identity.Principal, params url.Values) (any, error) {
	return Invoke(ctx, op, caller, operation.Input{Params: params})
}

// Access prepares op for caller and returns what it declares it acts on.
func Access(ctx context.Context, op operation.Operation, caller identity.Principal, in operation.Input) (operation.Access, error) {
	call, err := op.Prepare(operation.Request{Caller: caller, RequestID: "test-request"}, in)
	if err != nil {
		return operation.Access{}, err
	}
	return call.Access(ctx)
}
