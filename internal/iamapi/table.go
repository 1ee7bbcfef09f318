package iamapi

import (
	"net/url"

	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/pagetoken"
)

// Service returns IAM; its operation table has, for each operation, Each entry declares its IAM
// action and, through Resource, the resource ARN it is authorized against
// (Service Authorization Reference, "Actions defined by AWS Identity and
// Access Management"): user, group, role and policy ARNs for operations on
// one entity, "*" for account-wide ones (ListUsers, ListPolicies, account
// aliases, GetAccountSummary, SimulateCustomPolicy), and through Context
// its request's condition keys. Every operation whose resource is a user
// or role ARN also carries that user's or role's tags as
// aws:ResourceTag/<key> (added by the authorizer's policy source, which
// reads them; CreateUser and CreateRole excepted), as the Service
// Authorization Reference's user and role resource types declare.
func Service(svc *iam.Service, opts Options) operation.Service {
	ops := table(svc, opts)
	out := make([]operation.Operation, len(ops))
	for i, o := range ops {
		out[i] = o.describe()
	}
	return operation.Service{
		Name: ServiceName, Protocol: operation.Query, Xmlns: Xmlns, Version: Version,
		InternalFailure: CodeInternalFailure, AccessDenied: iam.CodeAccessDenied, Throttled: "Throttling", Conflict: "ConcurrentModification",
		Status:     StatusOf,
		Unknown:    UnknownAction,
		Operations: out,
	}
}

func table(svc *iam.Service, opts Options) []op {
	a := &api{svc: svc, tokens: pagetoken.New(opts.TokenKey), scps: opts.SCPs}
	user := entityRes("user", "UserName")
	group := entityRes("group", "GroupName")
	role := entityRes("role", "RoleName")
	simSource := func(_ identity.Principal, p url.Values) string { return p.Get("PolicySourceArn") }
	return []op{
		// Users.
		bind("CreateUser", false, user, a.createUser).withContext(contexts(boundaryContext, tagContext)),
		bind("GetUser", true, userRes, a.getUser),
		bind("ListUsers", true, star, a.listUsers),
		bind("UpdateUser", false, user, a.updateUser),
		bind("DeleteUser", false, user, a.deleteUser),
		// Access keys.
		bind("CreateAccessKey", false, userRes, a.createAccessKey),
		bind("ListAccessKeys", true, userRes, a.listAccessKeys),
		bind("UpdateAccessKey", false, userRes, a.updateAccessKey),
		bind("DeleteAccessKey", false, userRes, a.deleteAccessKey),
		// Groups.
		bind("CreateGroup", false, group, a.createGroup),
		bind("GetGroup", true, group, a.getGroup),
		bind("ListGroups", true, star, a.listGroups),
		bind("DeleteGroup", false, group, a.deleteGroup),
		bind("AddUserToGroup", false, group, a.addUserToGroup),
		bind("RemoveUserFromGroup", false, group, a.removeUserFromGroup),
		bind("ListGroupsForUser", true, user, a.listGroupsForUser),
		// Roles.
		bind("CreateRole", false, role, a.createRole).withContext(contexts(boundaryContext, tagContext)),
		bind("GetRole", true, role, a.getRole),
		bind("ListRoles", true, star, a.listRoles),
		bind("DeleteRole", false, role, a.deleteRole),
		bind("UpdateAssumeRolePolicy", false, role, a.updateAssumeRolePolicy),
		// Inline policies.
		bind("PutUserPolicy", false, user, a.putInline(userEntity)),
		bind("GetUserPolicy", true, user, a.getInline(userEntity)),
		bind("ListUserPolicies", true, user, a.listInline(userEntity, "ListUserPolicies")),
		bind("DeleteUserPolicy", false, user, a.deleteInline(userEntity)),
		bind("PutGroupPolicy", false, group, a.putInline(groupEntity)),
		bind("GetGroupPolicy", true, group, a.getInline(groupEntity)),
		bind("ListGroupPolicies", true, group, a.listInline(groupEntity, "ListGroupPolicies")),
		bind("DeleteGroupPolicy", false, group, a.deleteInline(groupEntity)),
		bind("PutRolePolicy", false, role, a.putInline(roleEntity)),
		bind("GetRolePolicy", true, role, a.getInline(roleEntity)),
		bind("ListRolePolicies", true, role, a.listInline(roleEntity, "ListRolePolicies")),
		bind("DeleteRolePolicy", false, role, a.deleteInline(roleEntity)),
		// Managed policies and versions.
		bind("CreatePolicy", false, newPolicyRes, a.createPolicy).withContext(tagContext),
		bind("GetPolicy", true, policyRes, a.getPolicy),
		bind("ListPolicies", true, star, a.listPolicies),
		bind("DeletePolicy", false, policyRes, a.deletePolicy),
		bind("CreatePolicyVersion", false, policyRes, a.createPolicyVersion),
		bind("GetPolicyVersion", true, policyRes, a.getPolicyVersion),
		bind("ListPolicyVersions", true, policyRes, a.listPolicyVersions),
		bind("DeletePolicyVersion", false, policyRes, a.deletePolicyVersion),
		bind("SetDefaultPolicyVersion", false, policyRes, a.setDefaultPolicyVersion),
		// Attachments.
		bind("AttachUserPolicy", false, user, a.attach(userEntityNew)).withContext(policyARNContext),
		bind("DetachUserPolicy", false, user, a.detach(userEntityNew)).withContext(policyARNContext),
		bind("ListAttachedUserPolicies", true, user, a.listAttached(userEntityNew, "ListAttachedUserPolicies")),
		bind("AttachGroupPolicy", false, group, a.attach(groupEntity)).withContext(policyARNContext),
		bind("DetachGroupPolicy", false, group, a.detach(groupEntity)).withContext(policyARNContext),
		bind("ListAttachedGroupPolicies", true, group, a.listAttached(groupEntity, "ListAttachedGroupPolicies")),
		bind("AttachRolePolicy", false, role, a.attach(roleEntity)).withContext(policyARNContext),
		bind("DetachRolePolicy", false, role, a.detach(roleEntity)).withContext(policyARNContext),
		bind("ListAttachedRolePolicies", true, role, a.listAttached(roleEntity, "ListAttachedRolePolicies")),
		// Permissions boundaries.
		bind("PutUserPermissionsBoundary", false, user, a.putBoundary(userEntityNew)).withContext(boundaryContext),
		bind("DeleteUserPermissionsBoundary", false, user, a.deleteBoundary(userEntityNew)),
		bind("PutRolePermissionsBoundary", false, role, a.putBoundary(roleEntity)).withContext(boundaryContext),
		bind("DeleteRolePermissionsBoundary", false, role, a.deleteBoundary(roleEntity)),
		// Account.
		bind("CreateAccountAlias", false, star, a.createAccountAlias),
		bind("DeleteAccountAlias", false, star, a.deleteAccountAlias),
		bind("ListAccountAliases", true, star, a.listAccountAliases),
		bind("GetAccountSummary", true, star, a.getAccountSummary),
		// Simulation.
		bind("SimulatePrincipalPolicy", true, simSource, a.simulatePrincipalPolicy),
		bind("SimulateCustomPolicy", true, star, a.simulateCustomPolicy),
	}
}
