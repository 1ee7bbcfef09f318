package iamapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
)

// Names of the console-only root user tasks (in-process operations).
const (
	OpEnableRootMFADevice     = "EnableRootMFADevice"
	OpDeactivateRootMFADevice = "DeactivateRootMFADevice"
	OpChangeRootPassword      = "ChangeRootPassword"
	// SignInService is the signing name of the AWS sign-in service, whose
	// records (signin.amazonaws.com) the root password change has.
	SignInService = "signin"
)

// ConsoleServices returns the root user's credential tasks that AWS
// offers in its console and in no API, as operations of in-process
// services (run through the server's Invoke, never routed from HTTP),
// recorded in CloudTrail as AWS records the console's calls:
//
//   - EnableRootMFADevice (service iam, eventName EnableMFADevice): assign
//     a virtual device made by CreateVirtualMFADevice to the root user,
//     with two consecutive codes;
//   - DeactivateRootMFADevice (service iam, eventName DeactivateMFADevice):
//     unassign one of the root user's devices (DeleteVirtualMFADevice then
//     deletes it);
//   - ChangeRootPassword (service signin, eventName PasswordUpdated):
//     change the root password, given the current one.
//
// The root user alone may run them (others are refused by the authorizer,
// as AWS allows the root user alone); they are authorized on
// arn:aws:iam::ACCOUNT:root (no identity policy needed; SCPs bind a
// member's root user).
func ConsoleServices(svc *iam.Service) []operation.Service {
	base := func(name string, ops ...operation.Operation) operation.Service {
		return operation.Service{
			Name: name, Protocol: operation.Query, Xmlns: Xmlns, Version: Version, InProcess: true,
			InternalFailure: CodeInternalFailure, AccessDenied: iam.CodeAccessDenied, Throttled: "Throttling",
			Status: StatusOf, Unknown: UnknownAction, Operations: ops,
		}
	}
	return []operation.Service{
		base(ServiceName,
			rootTask(ServiceName, OpEnableRootMFADevice, "EnableMFADevice", "iam:EnableMFADevice", func(in *input) func(context.Context, identity.Principal) (any, error) {
				serial := in.str("SerialNumber", shSerial, true)
				code1 := authCodeOf(in, "AuthenticationCode1")
				code2 := authCodeOf(in, "AuthenticationCode2")
				return func(ctx context.Context, caller identity.Principal) (any, error) {
					return nil, svc.EnableRootMFADevice(ctx, caller.Account, serial, code1, code2)
				}
			}),
			rootTask(ServiceName, OpDeactivateRootMFADevice, "DeactivateMFADevice", "iam:DeactivateMFADevice", func(in *input) func(context.Context, identity.Principal) (any, error) {
				serial := in.str("SerialNumber", shSerial, true)
				return func(ctx context.Context, caller identity.Principal) (any, error) {
					return nil, svc.DeactivateRootMFADevice(ctx, caller.Account, serial)
				}
			}),
		),
		base(SignInService,
			rootTask(SignInService, OpChangeRootPassword, "PasswordUpdated", "iam:ChangePassword", func(in *input) func(context.Context, identity.Principal) (any, error) {
				c := &call{in: in}
				old, _ := c.password("OldPassword", true)
				pw, _ := c.password("NewPassword", true)
				return func(ctx context.Context, caller identity.Principal) (any, error) {
					return nil, svc.ChangeRootPassword(ctx, caller.Account, old, pw)
				}
			}),
		),
	}
}

// authCodeOf reads a one-time code as authCode does.
func authCodeOf(in *input, name string) string {
	return (&call{in: in}).authCode(name)
}

// rootTask is one console-only root user task: parse reads and checks the
// parameters (its violations are the ValidationError) and returns the
// task to run for the caller.
func rootTask(service, name, eventName, action string, parse func(*input) func(context.Context, identity.Principal) (any, error)) operation.Operation {
	return operation.Operation{
		Service: service, Name: name, EventName: eventName, Action: action,
		Prepare: func(r operation.Request, raw operation.Input) (operation.Call, error) {
			in := &input{v: raw.Params}
			run := parse(in)
			if err := in.err(); err != nil {
				return operation.Call{}, err
			}
			caller := r.Caller
			return operation.Call{
				Access: func(context.Context) (operation.Access, error) {
					acc := operation.Access{Resources: []string{identity.RootPrincipal(caller.Account, "").ARN}}
					if !caller.IsRoot() || caller.AssumedRoot {
						acc.Refused = "Only the root user can do this, signed in to the console."
					}
					return acc, nil
				},
				Invoke: func(ctx context.Context) (any, error) {
					if !caller.IsRoot() {
						return nil, apierr.New(iam.CodeAccessDenied, "Only the root user can do this.")
					}
					return run(ctx, caller)
				},
			}, nil
		},
	}
}
