package orgsapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/pagetoken"
	"github.com/accountplane/accountplane/internal/protocol/jsonbody"
)

// TargetPrefix is the X-Amz-Target prefix of the Organizations operations.
const TargetPrefix = "AWSOrganizationsV20161128."

// Operation is one Organizations operation as the wire sees it.
type Operation struct {
	// Name is the model's operation name, e.g. "CreateAccount".
	Name string
	// Action is the IAM action, e.g. "organizations:CreateAccount".
	Action string
	// ReadOnly is true for Describe*/List* operations.
	ReadOnly bool
	// Invoke decodes and validates body, runs the operation for caller and
	// returns the encoded output (nil for "{}").
	Invoke func(ctx context.Context, caller identity.Principal, body []byte) ([]byte, error)
}

// Options configure the binding.
type Options struct {
	// TokenKey signs NextTokens; a token minted with another key is
	// rejected. Empty means a random key (tokens die with the process).
	TokenKey []byte
	// Now is the clock that derives handshake and CreateAccount states; pass
	// the organizations.Service's clock (default time.Now).
	Now func() time.Time
}

// Operations returns the operation table: every Organizations operation the
// domain implements (50 of the model's 63; see [Unsupported]).
func Operations(svc *organizations.Service, opts Options) []Operation {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &api{svc: svc, tokens: pagetoken.New(opts.TokenKey), now: opts.Now}
	return []Operation{
		// Organization lifecycle and roots.
		bind("CreateOrganization", false, a.createOrganization),
		bind("DescribeOrganization", true, a.describeOrganization),
		bind("DeleteOrganization", false, a.deleteOrganization),
		bind("LeaveOrganization", false, a.leaveOrganization),
		bind("EnableAllFeatures", false, a.enableAllFeatures),
		bind("ListRoots", true, a.listRoots),
		// Organizational units and the tree.
		bind("CreateOrganizationalUnit", false, a.createOrganizationalUnit),
		bind("DescribeOrganizationalUnit", true, a.describeOrganizationalUnit),
		bind("UpdateOrganizationalUnit", false, a.updateOrganizationalUnit),
		bind("DeleteOrganizationalUnit", false, a.deleteOrganizationalUnit),
		bind("ListOrganizationalUnitsForParent", true, a.listOrganizationalUnitsForParent),
		bind("ListChildren", true, a.listChildren),
		bind("ListParents", true, a.listParents),
		// Accounts.
		bind("MoveAccount", false, a.moveAccount),
		bind("ListAccounts", true, a.listAccounts),
		bind("ListAccountsForParent", true, a.listAccountsForParent),
		bind("DescribeAccount", true, a.describeAccount),
		bind("CreateAccount", false, a.createAccount),
		bind("DescribeCreateAccountStatus", true, a.describeCreateAccountStatus),
		bind("ListCreateAccountStatus", true, a.listCreateAccountStatus),
		bind("CloseAccount", false, a.closeAccount),
		bind("RemoveAccountFromOrganization", false, a.removeAccountFromOrganization),
		// Tags.
		bind("TagResource", false, a.tagResource),
		bind("UntagResource", false, a.untagResource),
		bind("ListTagsForResource", true, a.listTagsForResource),
		// Handshakes.
		bind("InviteAccountToOrganization", false, a.inviteAccountToOrganization),
		bind("AcceptHandshake", false, a.acceptHandshake),
		bind("DeclineHandshake", false, a.declineHandshake),
		bind("CancelHandshake", false, a.cancelHandshake),
		bind("DescribeHandshake", true, a.describeHandshake),
		bind("ListHandshakesForAccount", true, a.listHandshakesForAccount),
		bind("ListHandshakesForOrganization", true, a.listHandshakesForOrganization),
		// Trusted access and delegated administrators.
		bind("EnableAWSServiceAccess", false, a.enableAWSServiceAccess),
		bind("DisableAWSServiceAccess", false, a.disableAWSServiceAccess),
		bind("ListAWSServiceAccessForOrganization", true, a.listAWSServiceAccessForOrganization),
		bind("RegisterDelegatedAdministrator", false, a.registerDelegatedAdministrator),
		bind("DeregisterDelegatedAdministrator", false, a.deregisterDelegatedAdministrator),
		bind("ListDelegatedAdministrators", true, a.listDelegatedAdministrators),
		bind("ListDelegatedServicesForAccount", true, a.listDelegatedServicesForAccount),
		// Policies.
		bind("CreatePolicy", false, a.createPolicy),
		bind("DescribePolicy", true, a.describePolicy),
		bind("UpdatePolicy", false, a.updatePolicy),
		bind("DeletePolicy", false, a.deletePolicy),
		bind("ListPolicies", true, a.listPolicies),
		bind("AttachPolicy", false, a.attachPolicy),
		bind("DetachPolicy", false, a.detachPolicy),
		bind("ListPoliciesForTarget", true, a.listPoliciesForTarget),
		bind("ListTargetsForPolicy", true, a.listTargetsForPolicy),
		bind("EnablePolicyType", false, a.enablePolicyType),
		bind("DisablePolicyType", false, a.disablePolicyType),
	}
}

// Unsupported lists the model's operations this deployment does not offer
// (the other 13 of the 63). Answer them with [NotImplemented].
var Unsupported = []string{
	"CreateGovCloudAccount",
	"DeleteResourcePolicy",
	"DescribeEffectivePolicy",
	"DescribeResourcePolicy",
	"DescribeResponsibilityTransfer",
	"InviteOrganizationToTransferResponsibility",
	"ListAccountsWithInvalidEffectivePolicy",
	"ListEffectivePolicyValidationErrors",
	"ListInboundResponsibilityTransfers",
	"ListOutboundResponsibilityTransfers",
	"PutResourcePolicy",
	"TerminateResponsibilityTransfer",
	"UpdateResponsibilityTransfer",
}

// CodeUnknownOperation is the awsJson answer for an X-Amz-Target that names
// no operation of the service, and for the modelled operations this
// deployment does not implement.
const CodeUnknownOperation = "UnknownOperationException"

// NotImplemented returns the error for a modelled operation that this
// deployment does not offer (one of [Unsupported]).
//
// TODO(fidelity): AWS implements every modelled operation; clients see the
// same UnknownOperationException as for a misspelled X-Amz-Target.
func NotImplemented(name string) error {
	return apierr.New(CodeUnknownOperation, "This deployment of accountplane does not implement "+name+".")
}

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

// bind builds an Operation from a typed handler: decode, validate, call,
// encode. A nil output means an empty result.
func bind[In any, PIn interface {
	*In
	input
}, Out any](name string, readOnly bool, h func(ctx context.Context, caller identity.Principal, in *In) (*Out, error)) Operation {
	return Operation{
		Name: name, Action: "organizations:" + name, ReadOnly: readOnly,
		Invoke: func(ctx context.Context, caller identity.Principal, body []byte) ([]byte, error) {
			in := new(In)
			if err := jsonbody.Decode(body, in); err != nil {
				return nil, err
			}
			var c check
			PIn(in).validate(&c)
			if c.err != nil {
				return nil, c.err
			}
			if err := authorize(ctx, "organizations:"+name); err != nil {
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
