package accountapi

import (
	"context"
	"reflect"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/arn"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/protocol/restjson"
)

// ConsoleService returns the Account Management tasks AWS offers only in
// its console, as operations of an in-process service (served through
// the server's Invoke, never over HTTP) under the account signing name:
// their CloudTrail records carry account.amazonaws.com.
//
//   - CloseAccount: the root user closes its own account from the Account
//     page (account:CloseAccount, a console-only permission; any other
//     principal is refused by the authorizer, as AWS allows the root user
//     alone, spec/behaviour.md §13.2).
//
// The root user's other console-only tasks, the root password change and
// root MFA enrolment and removal, are IAM's (iamapi.ConsoleServices): their
// records carry iam.amazonaws.com and signin.amazonaws.com, as AWS's do.
func ConsoleService(svc *account.Service, opts Options) operation.Service {
	if opts.Directory == nil {
		opts.Directory = standalone{}
	}
	a := &api{svc: svc, dir: opts.Directory}
	return operation.Service{
		Name: ServiceName, Protocol: operation.AWSJSON, InProcess: true,
		InternalFailure: account.CodeInternalServer, AccessDenied: account.CodeAccessDenied,
		Throttled: account.CodeTooManyRequests, Status: StatusOf,
		Unknown: func(name string) *apierr.Error {
			return apierr.New(CodeUnknownOperation, "The operation "+name+" is not supported.")
		},
		Operations: []operation.Operation{{
			Service: ServiceName, Name: "CloseAccount", Action: ServiceName + ":CloseAccount",
			Input: reflect.TypeFor[empty](), Output: reflect.TypeFor[empty](),
			Prepare: func(r operation.Request, raw operation.Input) (operation.Call, error) {
				var in empty
				if err := restjson.Decode(raw.Body, &in); err != nil {
					return operation.Call{}, err
				}
				caller := r.Caller
				return operation.Call{
					Access: func(ctx context.Context) (operation.Access, error) {
						acc := operation.Access{
							Resources:  []string{arn.Account(string(caller.Account))},
							Conditions: map[string][]string{"aws:ResourceAccount": {string(caller.Account)}},
						}
						if !caller.IsRoot() {
							acc.Refused = "Only the root user can close the account."
						}
						return acc, nil
					},
					Invoke: func(ctx context.Context) (any, error) {
						return nil, a.svc.Close(ctx, caller)
					},
				}, nil
			},
		}},
	}
}
