package orgsapi

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/pagetoken"
	"github.com/accountplane/accountplane/internal/protocol/jsonbody"
)

// Signing name and X-Amz-Target prefix of the Organizations operations.
const (
	ServiceName  = "organizations"
	TargetPrefix = "AWSOrganizationsV20161128."
)

// Options configure the binding.
type Options struct {
	// TokenKey signs NextTokens; a token minted with another key is
	// rejected. Empty means a random key (tokens die with the process).
	TokenKey []byte
	// Now is the clock that derives handshake and CreateAccount states; pass
	// the organizations.Service's clock (default time.Now).
	Now func() time.Time
}

// Service returns the Organizations service, whose operation table has all
// 63 of the model's operations, each with its authorization request as AWS's Service Authorization Reference
// ("Actions, resources, and condition keys for AWS Organizations") declares
// it: the IAM action organizations:<Name>, the resources the input names
// (anyResource: the action has no resource type, "*") and the request's
// condition keys. ARNs name the caller's organization:
//
//	account            arn:aws:organizations::MGMT:account/o-ORG/ACCOUNT
//	handshake          arn:aws:organizations::MGMT:handshake/o-ORG/TYPE/h-ID
//	organizationalunit arn:aws:organizations::MGMT:ou/o-ORG/ou-ID
//	policy             arn:aws:organizations::MGMT:policy/o-ORG/TYPE/p-ID
//	awspolicy          arn:aws:organizations::aws:policy/TYPE/p-ID
//	resourcepolicy     arn:aws:organizations::MGMT:resourcepolicy/o-ORG/rp-ID
//	root               arn:aws:organizations::MGMT:root/o-ORG/r-ID
func Service(svc *organizations.Service, opts Options) operation.Service {
	return operation.Service{
		Name: ServiceName, Protocol: operation.AWSJSON, Targets: []string{TargetPrefix},
		InternalFailure: organizations.CodeService, AccessDenied: organizations.CodeAccessDenied,
		Throttled: "TooManyRequestsException", Conflict: "ConcurrentModificationException", Status: StatusOf,
		Unknown: func(name string) *apierr.Error {
			return apierr.New(CodeUnknownOperation, "Operation "+name+" is not supported by this endpoint.")
		},
		Operations: operations(svc, opts),
	}
}

func operations(svc *organizations.Service, opts Options) []operation.Operation {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &api{svc: svc, tokens: pagetoken.New(opts.TokenKey), now: opts.Now}
	return []operation.Operation{
		// Organization lifecycle and roots.
		bind(a, "CreateOrganization", false, a.createOrganization, anyResource),
		bind(a, "DescribeOrganization", true, a.describeOrganization, anyResource),
		bind(a, "DeleteOrganization", false, a.deleteOrganization, anyResource),
		bind(a, "LeaveOrganization", false, a.leaveOrganization, anyResource),
		bind(a, "EnableAllFeatures", false, a.enableAllFeatures, anyResource),
		bind(a, "ListRoots", true, a.listRoots, anyResource),
		// Organizational units and the tree.
		bind(a, "CreateOrganizationalUnit", false, a.createOrganizationalUnit, func(in *createOrganizationalUnitInput) access {
			return on(parent(in.ParentId)).withRequestTags(in.Tags)
		}),
		bind(a, "DescribeOrganizationalUnit", true, a.describeOrganizationalUnit, func(in *ouIDInput) access {
			return on(ou(in.OrganizationalUnitId))
		}),
		bind(a, "UpdateOrganizationalUnit", false, a.updateOrganizationalUnit, func(in *updateOrganizationalUnitInput) access {
			return on(ou(in.OrganizationalUnitId))
		}),
		bind(a, "DeleteOrganizationalUnit", false, a.deleteOrganizationalUnit, func(in *ouIDInput) access {
			return on(ou(in.OrganizationalUnitId))
		}),
		bind(a, "ListOrganizationalUnitsForParent", true, a.listOrganizationalUnitsForParent, func(in *listForParentInput) access {
			return on(parent(in.ParentId))
		}),
		bind(a, "ListChildren", true, a.listChildren, func(in *listChildrenInput) access {
			return on(parent(in.ParentId))
		}),
		bind(a, "ListParents", true, a.listParents, func(in *listParentsInput) access {
			return on(child(in.ChildId))
		}),
		// Accounts.
		bind(a, "MoveAccount", false, a.moveAccount, func(in *moveAccountInput) access {
			return on(account(in.AccountId), parent(in.SourceParentId), parent(in.DestinationParentId))
		}),
		bind(a, "ListAccounts", true, a.listAccounts, anyResource),
		bind(a, "ListAccountsForParent", true, a.listAccountsForParent, func(in *listForParentInput) access {
			return on(parent(in.ParentId))
		}),
		bind(a, "DescribeAccount", true, a.describeAccount, func(in *accountIDInput) access {
			return on(account(in.AccountId))
		}),
		bind(a, "CreateAccount", false, a.createAccount, func(in *createAccountInput) access {
			return on().withRequestTags(in.Tags)
		}),
		bind(a, "DescribeCreateAccountStatus", true, a.describeCreateAccountStatus, anyResource),
		bind(a, "ListCreateAccountStatus", true, a.listCreateAccountStatus, anyResource),
		bind(a, "CloseAccount", false, a.closeAccount, func(in *accountIDInput) access {
			return on(account(in.AccountId))
		}),
		bind(a, "RemoveAccountFromOrganization", false, a.removeAccountFromOrganization, func(in *accountIDInput) access {
			return on(account(in.AccountId))
		}),
		// Tags.
		bind(a, "TagResource", false, a.tagResource, func(in *tagResourceInput) access {
			return on(taggable(in.ResourceId)).withRequestTags(in.Tags).withResourceTags(in.ResourceId)
		}),
		bind(a, "UntagResource", false, a.untagResource, func(in *untagResourceInput) access {
			return on(taggable(in.ResourceId)).withTagKeys(in.TagKeys).withResourceTags(in.ResourceId)
		}),
		bind(a, "ListTagsForResource", true, a.listTagsForResource, func(in *listTagsForResourceInput) access {
			return on(taggable(in.ResourceId)).withResourceTags(in.ResourceId)
		}),
		// Handshakes.
		bind(a, "InviteAccountToOrganization", false, a.inviteAccountToOrganization, func(in *inviteAccountInput) access {
			// account (optional): an EMAIL target names no account.
			if *in.Target.Type == string(organizations.PartyAccount) {
				return on(account(in.Target.Id)).withRequestTags(in.Tags)
			}
			return on().withRequestTags(in.Tags)
		}),
		bind(a, "AcceptHandshake", false, a.acceptHandshake, func(in *handshakeIDInput) access {
			return on(handshake(in.HandshakeId))
		}),
		bind(a, "DeclineHandshake", false, a.declineHandshake, func(in *handshakeIDInput) access {
			return on(handshake(in.HandshakeId))
		}),
		bind(a, "CancelHandshake", false, a.cancelHandshake, func(in *handshakeIDInput) access {
			return on(handshake(in.HandshakeId))
		}),
		bind(a, "DescribeHandshake", true, a.describeHandshake, func(in *handshakeIDInput) access {
			return on(handshake(in.HandshakeId))
		}),
		bind(a, "ListHandshakesForAccount", true, a.listHandshakesForAccount, anyResource),
		bind(a, "ListHandshakesForOrganization", true, a.listHandshakesForOrganization, anyResource),
		// Trusted access and delegated administrators.
		bind(a, "EnableAWSServiceAccess", false, a.enableAWSServiceAccess, func(in *servicePrincipalInput) access {
			return on().with(keyServicePrincipal, *in.ServicePrincipal)
		}),
		bind(a, "DisableAWSServiceAccess", false, a.disableAWSServiceAccess, func(in *servicePrincipalInput) access {
			return on().with(keyServicePrincipal, *in.ServicePrincipal)
		}),
		bind(a, "ListAWSServiceAccessForOrganization", true, a.listAWSServiceAccessForOrganization, anyResource),
		bind(a, "RegisterDelegatedAdministrator", false, a.registerDelegatedAdministrator, func(in *delegatedAdminInput) access {
			return on(account(in.AccountId)).with(keyServicePrincipal, *in.ServicePrincipal)
		}),
		bind(a, "DeregisterDelegatedAdministrator", false, a.deregisterDelegatedAdministrator, func(in *delegatedAdminInput) access {
			return on(account(in.AccountId)).with(keyServicePrincipal, *in.ServicePrincipal)
		}),
		bind(a, "ListDelegatedAdministrators", true, a.listDelegatedAdministrators, func(in *listDelegatedAdministratorsInput) access {
			return on().withOptional(keyServicePrincipal, in.ServicePrincipal)
		}),
		bind(a, "ListDelegatedServicesForAccount", true, a.listDelegatedServicesForAccount, func(in *listDelegatedServicesInput) access {
			return on(account(in.AccountId))
		}),
		// Policies.
		bind(a, "CreatePolicy", false, a.createPolicy, func(in *createPolicyInput) access {
			return on().with(keyPolicyType, *in.Type).withRequestTags(in.Tags)
		}),
		bind(a, "DescribePolicy", true, a.describePolicy, func(in *policyIDInput) access {
			return on(policy(in.PolicyId)).withPolicyTypeOf(in.PolicyId)
		}),
		bind(a, "UpdatePolicy", false, a.updatePolicy, func(in *updatePolicyInput) access {
			return on(policy(in.PolicyId)).withPolicyTypeOf(in.PolicyId)
		}),
		bind(a, "DeletePolicy", false, a.deletePolicy, func(in *policyIDInput) access {
			return on(policy(in.PolicyId)).withPolicyTypeOf(in.PolicyId)
		}),
		bind(a, "ListPolicies", true, a.listPolicies, func(in *listPoliciesInput) access {
			return on().with(keyPolicyType, *in.Filter)
		}),
		bind(a, "AttachPolicy", false, a.attachPolicy, func(in *policyTargetInput) access {
			return on(policy(in.PolicyId), target(in.TargetId)).withPolicyTypeOf(in.PolicyId)
		}),
		bind(a, "DetachPolicy", false, a.detachPolicy, func(in *policyTargetInput) access {
			return on(policy(in.PolicyId), target(in.TargetId)).withPolicyTypeOf(in.PolicyId)
		}),
		bind(a, "ListPoliciesForTarget", true, a.listPoliciesForTarget, func(in *listPoliciesForTargetInput) access {
			return on(target(in.TargetId)).with(keyPolicyType, *in.Filter)
		}),
		bind(a, "ListTargetsForPolicy", true, a.listTargetsForPolicy, func(in *listTargetsForPolicyInput) access {
			return on(policy(in.PolicyId)).withPolicyTypeOf(in.PolicyId)
		}),
		bind(a, "EnablePolicyType", false, a.enablePolicyType, func(in *policyTypeInput) access {
			return on(root(in.RootId)).with(keyPolicyType, *in.PolicyType)
		}),
		bind(a, "DisablePolicyType", false, a.disablePolicyType, func(in *policyTypeInput) access {
			return on(root(in.RootId)).with(keyPolicyType, *in.PolicyType)
		}),
		bind(a, "DescribeEffectivePolicy", true, a.describeEffectivePolicy, describeEffectivePolicyAccess),
		bind(a, "ListAccountsWithInvalidEffectivePolicy", true, a.listAccountsWithInvalidEffectivePolicy, listAccountsWithInvalidEffectivePolicyAccess),
		bind(a, "ListEffectivePolicyValidationErrors", true, a.listEffectivePolicyValidationErrors, listEffectivePolicyValidationErrorsAccess),
		bind(a, "PutResourcePolicy", false, a.putResourcePolicy, putResourcePolicyAccess),
		bind(a, "DescribeResourcePolicy", true, a.describeResourcePolicy, anyResource),
		bind(a, "DeleteResourcePolicy", false, a.deleteResourcePolicy, anyResource),
		// GovCloud and responsibility transfers (govcloud.go, transfers.go).
		bind(a, "CreateGovCloudAccount", false, a.createGovCloudAccount, func(in *createAccountInput) access { return on().withRequestTags(in.Tags) }),
		bind(a, "InviteOrganizationToTransferResponsibility", false, a.inviteOrganizationToTransferResponsibility, func(in *inviteTransferInput) access { return on().withRequestTags(in.Tags) }),
		bind(a, "DescribeResponsibilityTransfer", true, a.describeResponsibilityTransfer, func(in *transferIDInput) access { return on(transfer(in.Id)) }),
		bind(a, "ListInboundResponsibilityTransfers", true, a.listInboundResponsibilityTransfers, anyResource),
		bind(a, "ListOutboundResponsibilityTransfers", true, a.listOutboundResponsibilityTransfers, anyResource),
		bind(a, "UpdateResponsibilityTransfer", false, a.updateResponsibilityTransfer, func(in *updateTransferInput) access { return on(transfer(in.Id)) }),
		bind(a, "TerminateResponsibilityTransfer", false, a.terminateResponsibilityTransfer, func(in *terminateTransferInput) access { return on(transfer(in.Id)) }),
	}
}

// CodeUnknownOperation is the awsJson answer for an X-Amz-Target that names
// no operation of the service.
const CodeUnknownOperation = "UnknownOperationException"

// StatusOf maps an Organizations exception code to its HTTP status. The
// model has no httpStatusCode traits: ServiceException (the only server
// fault) is 500 and every other exception 400.
func StatusOf(code string) int {
	if code == organizations.CodeService {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// input is implemented by every input wire struct.
type input interface {
	validate(c *check)
}

// bind describes one operation: decode and validate the input, resolve
// what auth declares for it (authz.go), then run the handler. A nil output
// means an empty result.
func bind[In any, PIn interface {
	*In
	input
}, Out any](a *api, name string, readOnly bool, h func(ctx context.Context, caller identity.Principal, in *In) (*Out, error), auth func(*In) access) operation.Operation {
	return operation.Operation{
		Service: ServiceName, Name: name, Action: ServiceName + ":" + name, ReadOnly: readOnly,
		Input: reflect.TypeFor[In](), Output: reflect.TypeFor[Out](),
		Prepare: func(r operation.Request, raw operation.Input) (operation.Call, error) {
			in := new(In)
			if err := jsonbody.Decode(raw.Body, in); err != nil {
				return operation.Call{}, err
			}
			var c check
			PIn(in).validate(&c)
			if c.err != nil {
				return operation.Call{}, c.err
			}
			return operation.Call{
				Access: func(ctx context.Context) (operation.Access, error) {
					rs := resolver{a: a, ctx: ctx, caller: r.Caller}
					return rs.resolve(auth(in))
				},
				Invoke: func(ctx context.Context) (any, error) {
					out, err := h(ctx, r.Caller, in)
					if err != nil || out == nil {
						return nil, err
					}
					return out, nil
				},
			}, nil
		},
	}
}

type api struct {
	svc    *organizations.Service
	tokens pagetoken.Signer
	now    func() time.Time
}

// noInput is the input of operations without an input shape (or with an
// empty one, as EnableAllFeatures).
type noInput struct{}

func (*noInput) validate(*check) {}

// empty is the output of operations without an output shape.
type empty struct{}

// callerOrg returns the organization of the caller, or nil if the caller is
// in none. Only internal failures are errors.
func (a *api) callerOrg(ctx context.Context, caller identity.Principal) (*organizations.OrganizationView, error) {
	v, err := a.svc.DescribeOrganization(ctx, caller)
	if err != nil {
		var e *apierr.Error
		if errors.As(err, &e) {
			return nil, nil
		}
		return nil, err
	}
	return v, nil
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
