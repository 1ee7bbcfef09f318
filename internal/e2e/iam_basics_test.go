package e2e_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	itypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountplane/accountplane/accountplanetest"
)

var (
	reUserID      = regexp.MustCompile(`^AIDA[A-Z0-9]{17}$`)
	reRoleID      = regexp.MustCompile(`^AROA[A-Z0-9]{17}$`)
	reGroupID     = regexp.MustCompile(`^AGPA[A-Z0-9]{17}$`)
	rePolicyIDIAM = regexp.MustCompile(`^ANPA[A-Z0-9]{17}$`)
	reLongKeyID   = regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`)
	reSessKeyID   = regexp.MustCompile(`^ASIA[A-Z0-9]{16}$`)
)

func wantNoSuchEntity(t *testing.T, err error) *itypes.NoSuchEntityException {
	t.Helper()
	return wantAPIError[*itypes.NoSuchEntityException](t, err, "NoSuchEntity", http.StatusNotFound)
}

func wantAlreadyExists(t *testing.T, err error) *itypes.EntityAlreadyExistsException {
	t.Helper()
	return wantAPIError[*itypes.EntityAlreadyExistsException](t, err, "EntityAlreadyExists", http.StatusConflict)
}

func wantDeleteConflict(t *testing.T, err error) *itypes.DeleteConflictException {
	t.Helper()
	return wantAPIError[*itypes.DeleteConflictException](t, err, "DeleteConflict", http.StatusConflict)
}

func wantLimitExceeded(t *testing.T, err error) *itypes.LimitExceededException {
	t.Helper()
	return wantAPIError[*itypes.LimitExceededException](t, err, "LimitExceeded", http.StatusConflict)
}

func wantMalformed(t *testing.T, err error, msg string) {
	t.Helper()
	e := wantAPIError[*itypes.MalformedPolicyDocumentException](t, err, "MalformedPolicyDocument", http.StatusBadRequest)
	if msg != "" && aws.ToString(e.Message) != msg {
		t.Errorf("message = %q, want %q", aws.ToString(e.Message), msg)
	}
}

func TestIAMUsers(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	c := root.IAM

	var aliceID string
	t.Run("Create", func(t *testing.T) {
		out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/eng/")})
		must(t, err, "CreateUser")
		u := out.User
		if got, want := aws.ToString(u.Arn), "arn:aws:iam::000000000000:user/eng/alice"; got != want {
			t.Errorf("Arn = %q, want %q", got, want)
		}
		if aliceID = aws.ToString(u.UserId); !reUserID.MatchString(aliceID) {
			t.Errorf("UserId = %q, want AIDA + 17", aliceID)
		}
		if aws.ToString(u.UserName) != "alice" || aws.ToString(u.Path) != "/eng/" || u.CreateDate == nil {
			t.Errorf("User = %+v", u)
		}
	})

	t.Run("Get", func(t *testing.T) {
		out, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		must(t, err, "GetUser")
		if aws.ToString(out.User.UserId) != aliceID || aws.ToString(out.User.Path) != "/eng/" {
			t.Errorf("GetUser = %+v", out.User)
		}
	})

	t.Run("GetRootWithoutName", func(t *testing.T) {
		out, err := c.GetUser(ctx, &iam.GetUserInput{})
		must(t, err, "GetUser")
		if aws.ToString(out.User.Arn) != defaultRootARN || aws.ToString(out.User.UserId) != defaultAccountID {
			t.Errorf("GetUser as root = Arn %q UserId %q, want %q %q", aws.ToString(out.User.Arn), aws.ToString(out.User.UserId), defaultRootARN, defaultAccountID)
		}
	})

	t.Run("Duplicate", func(t *testing.T) {
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
		e := wantAlreadyExists(t, err)
		if got := aws.ToString(e.Message); got != "User with name alice already exists." {
			t.Errorf("message = %q", got)
		}
		// IAM names are case-insensitive.
		_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ALICE")})
		wantAlreadyExists(t, err)
	})

	t.Run("NoSuchUser", func(t *testing.T) {
		_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
		e := wantNoSuchEntity(t, err)
		if got := aws.ToString(e.Message); got != "The user with name nobody cannot be found." {
			t.Errorf("message = %q", got)
		}
		_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("nobody")})
		wantNoSuchEntity(t, err)
	})

	t.Run("List", func(t *testing.T) {
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")})
		must(t, err, "CreateUser bob")
		out, err := c.ListUsers(ctx, &iam.ListUsersInput{})
		must(t, err, "ListUsers")
		var names []string
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.UserName))
		}
		if !slices.Contains(names, "alice") || !slices.Contains(names, "bob") {
			t.Errorf("ListUsers = %v", names)
		}
		out, err = c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/eng/")})
		must(t, err, "ListUsers /eng/")
		if len(out.Users) != 1 || aws.ToString(out.Users[0].UserName) != "alice" {
			t.Errorf("ListUsers /eng/ = %d users", len(out.Users))
		}
	})

	t.Run("Rename", func(t *testing.T) {
		_, err := c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("bob"), NewUserName: aws.String("alice")})
		wantAlreadyExists(t, err)
		_, err = c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("bob"), NewUserName: aws.String("robert")})
		must(t, err, "UpdateUser")
		_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
		wantNoSuchEntity(t, err)
		_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("robert")})
		must(t, err, "GetUser robert")
	})

	t.Run("DeleteConflicts", func(t *testing.T) {
		k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("robert")})
		must(t, err, "CreateAccessKey")
		_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("robert")})
		wantDeleteConflict(t, err)
		_, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("robert"), AccessKeyId: k.AccessKey.AccessKeyId})
		must(t, err, "DeleteAccessKey")

		putUserPolicy(t, root, "robert", "inline", allowDoc("account:GetContactInformation"))
		_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("robert")})
		wantDeleteConflict(t, err)
		_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("robert"), PolicyName: aws.String("inline")})
		must(t, err, "DeleteUserPolicy")

		_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("robert"), PolicyArn: aws.String(acctReadOnlyARN)})
		must(t, err, "AttachUserPolicy")
		_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("robert")})
		wantDeleteConflict(t, err)
		_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("robert"), PolicyArn: aws.String(acctReadOnlyARN)})
		must(t, err, "DetachUserPolicy")

		_, err = c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")})
		must(t, err, "CreateGroup")
		_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g"), UserName: aws.String("robert")})
		must(t, err, "AddUserToGroup")
		_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("robert")})
		wantDeleteConflict(t, err)
		_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("g"), UserName: aws.String("robert")})
		must(t, err, "RemoveUserFromGroup")

		_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("robert")})
		must(t, err, "DeleteUser")
		_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("robert")})
		wantNoSuchEntity(t, err)
	})
}

func TestIAMAccessKeys(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	c := root.IAM
	u := newUser(t, srv, root, "keyholder", acctReadOnlyARN)

	t.Run("Shape", func(t *testing.T) {
		if !reLongKeyID.MatchString(u.Key) || len(u.Secret) != 40 {
			t.Errorf("key %q / secret of %d characters", u.Key, len(u.Secret))
		}
		out, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("keyholder")})
		must(t, err, "ListAccessKeys")
		if len(out.AccessKeyMetadata) != 1 || aws.ToString(out.AccessKeyMetadata[0].AccessKeyId) != u.Key ||
			out.AccessKeyMetadata[0].Status != itypes.StatusTypeActive {
			t.Errorf("ListAccessKeys = %+v", out.AccessKeyMetadata)
		}
	})

	t.Run("CallerIdentity", func(t *testing.T) {
		out, err := u.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		must(t, err, "GetCallerIdentity")
		if aws.ToString(out.Arn) != "arn:aws:iam::000000000000:user/keyholder" || aws.ToString(out.UserId) != u.UserID ||
			aws.ToString(out.Account) != defaultAccountID || !reUserID.MatchString(aws.ToString(out.UserId)) {
			t.Errorf("GetCallerIdentity = %s %s %s", aws.ToString(out.Arn), aws.ToString(out.UserId), aws.ToString(out.Account))
		}
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		must(t, err, "GetContactInformation as keyholder")
	})

	t.Run("Inactive", func(t *testing.T) {
		_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("keyholder"), AccessKeyId: aws.String(u.Key), Status: itypes.StatusTypeInactive})
		must(t, err, "UpdateAccessKey Inactive")
		out, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("keyholder")})
		must(t, err, "ListAccessKeys")
		if len(out.AccessKeyMetadata) != 1 || out.AccessKeyMetadata[0].Status != itypes.StatusTypeInactive {
			t.Errorf("ListAccessKeys = %+v, want the key Inactive", out.AccessKeyMetadata)
		}
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		apiErr(t, err, "UnrecognizedClientException", http.StatusForbidden)
		_, err = u.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		apiErr(t, err, "InvalidClientTokenId", http.StatusForbidden)
		_, err = u.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		apiErr(t, err, "InvalidClientTokenId", http.StatusForbidden)
		_, err = u.Org.DescribeOrganization(ctx, nil)
		apiErr(t, err, "UnrecognizedClientException", http.StatusBadRequest)
	})

	t.Run("Reactivated", func(t *testing.T) {
		_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("keyholder"), AccessKeyId: aws.String(u.Key), Status: itypes.StatusTypeActive})
		must(t, err, "UpdateAccessKey Active")
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		must(t, err, "GetContactInformation after reactivation")
	})

	t.Run("Quota", func(t *testing.T) {
		k2, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("keyholder")})
		must(t, err, "second CreateAccessKey")
		_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("keyholder")})
		wantLimitExceeded(t, err)
		_, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("keyholder"), AccessKeyId: k2.AccessKey.AccessKeyId})
		must(t, err, "DeleteAccessKey second")
	})

	t.Run("NoSuchKey", func(t *testing.T) {
		_, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("keyholder"), AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA")})
		wantNoSuchEntity(t, err)
		_, err = c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("keyholder"), AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA"), Status: itypes.StatusTypeInactive})
		wantNoSuchEntity(t, err)
		_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})
		wantNoSuchEntity(t, err)
	})

	t.Run("Deleted", func(t *testing.T) {
		_, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("keyholder"), AccessKeyId: aws.String(u.Key)})
		must(t, err, "DeleteAccessKey")
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		apiErr(t, err, "UnrecognizedClientException", http.StatusForbidden)
		_, err = u.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		apiErr(t, err, "InvalidClientTokenId", http.StatusForbidden)
		out, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("keyholder")})
		must(t, err, "ListAccessKeys")
		if len(out.AccessKeyMetadata) != 0 {
			t.Errorf("ListAccessKeys = %+v, want none", out.AccessKeyMetadata)
		}
	})
}

func TestIAMGroups(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	c := root.IAM
	u := newUser(t, srv, root, "member")

	t.Run("Create", func(t *testing.T) {
		out, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")})
		must(t, err, "CreateGroup")
		if aws.ToString(out.Group.Arn) != "arn:aws:iam::000000000000:group/readers" || !reGroupID.MatchString(aws.ToString(out.Group.GroupId)) {
			t.Errorf("Group = %s %s", aws.ToString(out.Group.Arn), aws.ToString(out.Group.GroupId))
		}
		_, err = c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Readers")})
		wantAlreadyExists(t, err)
		_, err = c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("nope")})
		wantNoSuchEntity(t, err)
		lg, err := c.ListGroups(ctx, &iam.ListGroupsInput{})
		must(t, err, "ListGroups")
		if len(lg.Groups) != 1 || aws.ToString(lg.Groups[0].GroupName) != "readers" {
			t.Errorf("ListGroups = %+v", lg.Groups)
		}
	})

	t.Run("GroupPolicyGrants", func(t *testing.T) {
		_, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("read"), PolicyDocument: aws.String(allowDoc("account:GetContactInformation"))})
		must(t, err, "PutGroupPolicy")
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		wantAcctDenied(t, err, deniedMsg(u.ARN, "account:GetContactInformation", "arn:aws:account::000000000000:account", noIdentityAllows("account:GetContactInformation")))

		_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("member")})
		must(t, err, "AddUserToGroup")
		g, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("readers")})
		must(t, err, "GetGroup")
		if len(g.Users) != 1 || aws.ToString(g.Users[0].UserName) != "member" {
			t.Errorf("GetGroup users = %+v", g.Users)
		}
		fu, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("member")})
		must(t, err, "ListGroupsForUser")
		if len(fu.Groups) != 1 || aws.ToString(fu.Groups[0].GroupName) != "readers" {
			t.Errorf("ListGroupsForUser = %+v", fu.Groups)
		}
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		must(t, err, "GetContactInformation through the group")

		lp, err := c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("readers")})
		must(t, err, "ListGroupPolicies")
		if !slices.Equal(lp.PolicyNames, []string{"read"}) {
			t.Errorf("ListGroupPolicies = %v", lp.PolicyNames)
		}
		gp, err := c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("read")})
		must(t, err, "GetGroupPolicy")
		sameJSON(t, "GetGroupPolicy document", decodeDoc(t, gp.PolicyDocument), allowDoc("account:GetContactInformation"))
	})

	t.Run("AttachedGroupPolicy", func(t *testing.T) {
		_, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: aws.String(acctReadOnlyARN)})
		must(t, err, "AttachGroupPolicy")
		la, err := c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("readers")})
		must(t, err, "ListAttachedGroupPolicies")
		if len(la.AttachedPolicies) != 1 || aws.ToString(la.AttachedPolicies[0].PolicyArn) != acctReadOnlyARN {
			t.Errorf("ListAttachedGroupPolicies = %+v", la.AttachedPolicies)
		}
		_, err = u.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		must(t, err, "ListRegions through the group's managed policy")
		_, err = c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: aws.String(acctReadOnlyARN)})
		must(t, err, "DetachGroupPolicy")
		_, err = c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: aws.String(acctReadOnlyARN)})
		wantNoSuchEntity(t, err)
		_, err = u.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		wantAcctDenied(t, err, "")
	})

	t.Run("DeleteConflicts", func(t *testing.T) {
		_, err := c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("readers")})
		wantDeleteConflict(t, err)
		_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("readers"), UserName: aws.String("member")})
		must(t, err, "RemoveUserFromGroup")
		_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("readers"), UserName: aws.String("member")})
		wantNoSuchEntity(t, err)
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		wantAcctDenied(t, err, "")

		_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("readers")})
		wantDeleteConflict(t, err) // the inline policy
		_, err = c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("read")})
		must(t, err, "DeleteGroupPolicy")
		_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("readers")})
		must(t, err, "DeleteGroup")
		_, err = c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("readers")})
		wantNoSuchEntity(t, err)
	})
}

func TestIAMRoles(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	c := root.IAM
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`

	var roleID string
	t.Run("Create", func(t *testing.T) {
		out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deployer"), AssumeRolePolicyDocument: aws.String(trust)})
		must(t, err, "CreateRole")
		r := out.Role
		if aws.ToString(r.Arn) != "arn:aws:iam::000000000000:role/deployer" {
			t.Errorf("Arn = %q", aws.ToString(r.Arn))
		}
		if roleID = aws.ToString(r.RoleId); !reRoleID.MatchString(roleID) {
			t.Errorf("RoleId = %q", roleID)
		}
		_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deployer"), AssumeRolePolicyDocument: aws.String(trust)})
		wantAlreadyExists(t, err)
	})

	t.Run("Get", func(t *testing.T) {
		out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})
		must(t, err, "GetRole")
		if aws.ToString(out.Role.RoleId) != roleID || aws.ToInt32(out.Role.MaxSessionDuration) != 3600 {
			t.Errorf("GetRole = %s max %d", aws.ToString(out.Role.RoleId), aws.ToInt32(out.Role.MaxSessionDuration))
		}
		sameJSON(t, "AssumeRolePolicyDocument", decodeDoc(t, out.Role.AssumeRolePolicyDocument), trust)
		_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("nope")})
		wantNoSuchEntity(t, err)
	})

	t.Run("BadTrustPolicy", func(t *testing.T) {
		// A trust policy needs a Principal.
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)})
		wantMalformed(t, err, "")
		_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(60)})
		apiErr(t, err, "ValidationError", http.StatusBadRequest)
	})

	t.Run("UpdateAssumeRolePolicy", func(t *testing.T) {
		next := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`
		_, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deployer"), PolicyDocument: aws.String(next)})
		must(t, err, "UpdateAssumeRolePolicy")
		out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})
		must(t, err, "GetRole")
		sameJSON(t, "AssumeRolePolicyDocument", decodeDoc(t, out.Role.AssumeRolePolicyDocument), next)
		_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deployer"), PolicyDocument: aws.String(`{"Version":"2012-10-17"`)})
		wantMalformed(t, err, "Syntax errors in policy.")
	})

	t.Run("List", func(t *testing.T) {
		out, err := c.ListRoles(ctx, &iam.ListRolesInput{})
		must(t, err, "ListRoles")
		found := false
		for _, r := range out.Roles {
			found = found || aws.ToString(r.RoleName) == "deployer"
		}
		if !found {
			t.Errorf("ListRoles does not list deployer")
		}
	})

	t.Run("DeleteConflicts", func(t *testing.T) {
		_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowDoc("account:*"))})
		must(t, err, "PutRolePolicy")
		lp, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("deployer")})
		must(t, err, "ListRolePolicies")
		if !slices.Equal(lp.PolicyNames, []string{"p"}) {
			t.Errorf("ListRolePolicies = %v", lp.PolicyNames)
		}
		_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("deployer"), PolicyArn: aws.String(adminAccessARN)})
		must(t, err, "AttachRolePolicy")
		la, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("deployer")})
		must(t, err, "ListAttachedRolePolicies")
		if len(la.AttachedPolicies) != 1 || aws.ToString(la.AttachedPolicies[0].PolicyName) != "AdministratorAccess" {
			t.Errorf("ListAttachedRolePolicies = %+v", la.AttachedPolicies)
		}
		_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("deployer")})
		wantDeleteConflict(t, err)
		_, err = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("p")})
		must(t, err, "DeleteRolePolicy")
		_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("deployer")})
		wantDeleteConflict(t, err)
		_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("deployer"), PolicyArn: aws.String(adminAccessARN)})
		must(t, err, "DetachRolePolicy")
		_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("deployer")})
		must(t, err, "DeleteRole")
		_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})
		wantNoSuchEntity(t, err)
	})
}

func TestIAMInlinePolicies(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	c := root.IAM
	u := newUser(t, srv, root, "inliner")
	doc := allowDoc("account:GetContactInformation", "account:ListRegions")

	t.Run("PutGetList", func(t *testing.T) {
		putUserPolicy(t, root, "inliner", "read", doc)
		out, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("inliner"), PolicyName: aws.String("read")})
		must(t, err, "GetUserPolicy")
		if aws.ToString(out.UserName) != "inliner" || aws.ToString(out.PolicyName) != "read" {
			t.Errorf("GetUserPolicy = %s %s", aws.ToString(out.UserName), aws.ToString(out.PolicyName))
		}
		sameJSON(t, "PolicyDocument", decodeDoc(t, out.PolicyDocument), doc)
		lp, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("inliner")})
		must(t, err, "ListUserPolicies")
		if !slices.Equal(lp.PolicyNames, []string{"read"}) {
			t.Errorf("ListUserPolicies = %v", lp.PolicyNames)
		}
		_, err = u.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		must(t, err, "ListRegions with the inline policy")
	})

	t.Run("Replace", func(t *testing.T) {
		putUserPolicy(t, root, "inliner", "read", allowDoc("account:GetContactInformation"))
		_, err := u.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		wantAcctDenied(t, err, deniedMsg(u.ARN, "account:ListRegions", "arn:aws:account::000000000000:account", noIdentityAllows("account:ListRegions")))
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		must(t, err, "GetContactInformation")
	})

	t.Run("Missing", func(t *testing.T) {
		_, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("inliner"), PolicyName: aws.String("nope")})
		wantNoSuchEntity(t, err)
		_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("inliner"), PolicyName: aws.String("nope")})
		wantNoSuchEntity(t, err)
		_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("nobody"), PolicyName: aws.String("x"), PolicyDocument: aws.String(doc)})
		wantNoSuchEntity(t, err)
	})

	t.Run("Malformed", func(t *testing.T) {
		cases := []struct{ name, doc, msg string }{
			{"NotJSON", `not json`, "Syntax errors in policy."},
			{"NoResource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"account:Get*"}]}`, "Policy statement must contain resources."},
			{"NoAction", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, "Policy statement must contain actions."},
			{"Principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"account:Get*","Resource":"*"}]}`, "Policy document should not specify a principal."},
			{"BadEffect", `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"account:Get*","Resource":"*"}]}`, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("inliner"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(tc.doc)})
				wantMalformed(t, err, tc.msg)
			})
		}
	})

	t.Run("SizeQuota", func(t *testing.T) {
		actions := make([]string, 0, 120)
		for i := 0; len(strings.Join(actions, "")) < 2100; i++ {
			actions = append(actions, "account:GetAlternateContact"+strings.Repeat("x", i%3))
		}
		_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("inliner"), PolicyName: aws.String("big"), PolicyDocument: aws.String(allowDoc(actions...))})
		wantLimitExceeded(t, err)
	})

	t.Run("Delete", func(t *testing.T) {
		_, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("inliner"), PolicyName: aws.String("read")})
		must(t, err, "DeleteUserPolicy")
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		wantAcctDenied(t, err, "")
	})
}

func TestIAMManagedPolicies(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	c := root.IAM
	u := newUser(t, srv, root, "managed")
	v1 := allowDoc("account:GetContactInformation")
	v2 := allowDoc("account:ListRegions")
	const arn = "arn:aws:iam::000000000000:policy/team/acct-policy"

	t.Run("Create", func(t *testing.T) {
		out, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("acct-policy"), Path: aws.String("/team/"), PolicyDocument: aws.String(v1), Description: aws.String("test")})
		must(t, err, "CreatePolicy")
		p := out.Policy
		if aws.ToString(p.Arn) != arn || aws.ToString(p.DefaultVersionId) != "v1" || !rePolicyIDIAM.MatchString(aws.ToString(p.PolicyId)) {
			t.Errorf("Policy = %s %s %s", aws.ToString(p.Arn), aws.ToString(p.DefaultVersionId), aws.ToString(p.PolicyId))
		}
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("acct-policy"), PolicyDocument: aws.String(v1)})
		wantAlreadyExists(t, err)
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"account:Get*"}]}`)})
		wantMalformed(t, err, "Policy statement must contain resources.")
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{`)})
		wantMalformed(t, err, "Syntax errors in policy.")
		// Managed policies must use the current policy language.
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"account:Get*","Resource":"*"}]}`)})
		wantMalformed(t, err, "Policy document must be version 2012-10-17 or greater.")
		_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::000000000000:policy/nope")})
		wantNoSuchEntity(t, err)
	})

	t.Run("AttachGrantsDefaultVersion", func(t *testing.T) {
		_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("managed"), PolicyArn: aws.String(arn)})
		must(t, err, "AttachUserPolicy")
		la, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("managed")})
		must(t, err, "ListAttachedUserPolicies")
		if len(la.AttachedPolicies) != 1 || aws.ToString(la.AttachedPolicies[0].PolicyArn) != arn {
			t.Errorf("ListAttachedUserPolicies = %+v", la.AttachedPolicies)
		}
		gp, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		must(t, err, "GetPolicy")
		if aws.ToInt32(gp.Policy.AttachmentCount) != 1 {
			t.Errorf("AttachmentCount = %d, want 1", aws.ToInt32(gp.Policy.AttachmentCount))
		}
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		must(t, err, "GetContactInformation under v1")
		_, err = u.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		wantAcctDenied(t, err, "")
		_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("managed"), PolicyArn: aws.String("arn:aws:iam::000000000000:policy/nope")})
		wantNoSuchEntity(t, err)
		_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("nobody"), PolicyArn: aws.String(arn)})
		wantNoSuchEntity(t, err)
	})

	t.Run("Versions", func(t *testing.T) {
		out, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(v2)})
		must(t, err, "CreatePolicyVersion v2")
		if aws.ToString(out.PolicyVersion.VersionId) != "v2" || out.PolicyVersion.IsDefaultVersion {
			t.Errorf("CreatePolicyVersion = %s default %v", aws.ToString(out.PolicyVersion.VersionId), out.PolicyVersion.IsDefaultVersion)
		}
		// v1 is still the default: nothing changes for the user.
		_, err = u.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		wantAcctDenied(t, err, "")

		_, err = c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})
		must(t, err, "SetDefaultPolicyVersion v2")
		gp, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		must(t, err, "GetPolicy")
		if aws.ToString(gp.Policy.DefaultVersionId) != "v2" {
			t.Errorf("DefaultVersionId = %q, want v2", aws.ToString(gp.Policy.DefaultVersionId))
		}
		_, err = u.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		must(t, err, "ListRegions under v2")
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		wantAcctDenied(t, err, "")

		pv, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
		must(t, err, "GetPolicyVersion v1")
		if pv.PolicyVersion.IsDefaultVersion {
			t.Errorf("v1 IsDefaultVersion = true")
		}
		sameJSON(t, "v1 document", decodeDoc(t, pv.PolicyVersion.Document), v1)

		for i := 3; i <= 5; i++ {
			_, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(v1)})
			must(t, err, "CreatePolicyVersion")
		}
		_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(v1)})
		wantLimitExceeded(t, err)

		lv, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
		must(t, err, "ListPolicyVersions")
		var ids []string
		for _, v := range lv.Versions {
			ids = append(ids, aws.ToString(v.VersionId))
			if v.IsDefaultVersion != (aws.ToString(v.VersionId) == "v2") {
				t.Errorf("version %s IsDefaultVersion = %v", aws.ToString(v.VersionId), v.IsDefaultVersion)
			}
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"v1", "v2", "v3", "v4", "v5"}) {
			t.Errorf("ListPolicyVersions = %v", ids)
		}

		_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})
		wantDeleteConflict(t, err)
		_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
		wantNoSuchEntity(t, err)
	})

	t.Run("Delete", func(t *testing.T) {
		_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
		wantDeleteConflict(t, err) // attached
		_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("managed"), PolicyArn: aws.String(arn)})
		must(t, err, "DetachUserPolicy")
		_, err = u.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		wantAcctDenied(t, err, "")
		_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
		wantDeleteConflict(t, err) // non-default versions
		for _, v := range []string{"v1", "v3", "v4", "v5"} {
			_, err := c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)})
			must(t, err, "DeletePolicyVersion "+v)
		}
		_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
		must(t, err, "DeletePolicy")
		_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		wantNoSuchEntity(t, err)
	})

	t.Run("AttachQuota", func(t *testing.T) {
		for i := 0; i < 10; i++ {
			name := "quota-" + string(rune('a'+i))
			out, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(v1)})
			must(t, err, "CreatePolicy "+name)
			_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("managed"), PolicyArn: out.Policy.Arn})
			must(t, err, "AttachUserPolicy "+name)
		}
		_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("managed"), PolicyArn: aws.String(acctReadOnlyARN)})
		wantLimitExceeded(t, err)
	})
}

func TestIAMAWSManagedPolicies(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	c := defaultRoot(srv).IAM

	t.Run("AWSAccountManagementReadOnlyAccess", func(t *testing.T) {
		out, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(acctReadOnlyARN)})
		must(t, err, "GetPolicy")
		p := out.Policy
		if aws.ToString(p.Arn) != acctReadOnlyARN || aws.ToString(p.PolicyName) != "AWSAccountManagementReadOnlyAccess" || !p.IsAttachable || aws.ToString(p.Path) != "/" {
			t.Errorf("Policy = %s %s attachable %v path %s", aws.ToString(p.Arn), aws.ToString(p.PolicyName), p.IsAttachable, aws.ToString(p.Path))
		}
		v, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(acctReadOnlyARN), VersionId: p.DefaultVersionId})
		must(t, err, "GetPolicyVersion")
		if !v.PolicyVersion.IsDefaultVersion {
			t.Errorf("default version IsDefaultVersion = false")
		}
		sameJSON(t, "AWSAccountManagementReadOnlyAccess document", decodeDoc(t, v.PolicyVersion.Document), acctReadOnlyDocSpec)
	})

	t.Run("AWSAccountManagementFullAccess", func(t *testing.T) {
		out, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(acctFullAccessARN)})
		must(t, err, "GetPolicy")
		v, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(acctFullAccessARN), VersionId: out.Policy.DefaultVersionId})
		must(t, err, "GetPolicyVersion")
		sameJSON(t, "AWSAccountManagementFullAccess document", decodeDoc(t, v.PolicyVersion.Document),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"account:*","Resource":"*"}]}`)
	})

	t.Run("Catalogue", func(t *testing.T) {
		for _, name := range []string{"AdministratorAccess", "ReadOnlyAccess", "AWSOrganizationsFullAccess", "AWSOrganizationsReadOnlyAccess"} {
			_, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/" + name)})
			must(t, err, "GetPolicy "+name)
		}
		out, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: itypes.PolicyScopeTypeAws, MaxItems: aws.Int32(1000)})
		must(t, err, "ListPolicies AWS")
		var names []string
		for _, p := range out.Policies {
			names = append(names, aws.ToString(p.PolicyName))
		}
		for _, want := range []string{"AWSAccountManagementReadOnlyAccess", "AWSAccountManagementFullAccess", "AdministratorAccess"} {
			if !slices.Contains(names, want) {
				t.Errorf("ListPolicies(AWS) lacks %s: %v", want, names)
			}
		}
		_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchManagedPolicy")})
		wantNoSuchEntity(t, err)
	})
}

func TestIAMPermissionsBoundaryAPI(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	c := root.IAM
	newUser(t, srv, root, "bounded")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bounded-role"), AssumeRolePolicyDocument: aws.String(trust)})
	must(t, err, "CreateRole")

	t.Run("User", func(t *testing.T) {
		_, err := c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(acctReadOnlyARN)})
		must(t, err, "PutUserPermissionsBoundary")
		out, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bounded")})
		must(t, err, "GetUser")
		if b := out.User.PermissionsBoundary; b == nil || aws.ToString(b.PermissionsBoundaryArn) != acctReadOnlyARN {
			t.Errorf("PermissionsBoundary = %+v, want %s", b, acctReadOnlyARN)
		} else if b.PermissionsBoundaryType != itypes.PermissionsBoundaryAttachmentTypePolicy {
			t.Errorf("PermissionsBoundaryType = %q, want %q", b.PermissionsBoundaryType, itypes.PermissionsBoundaryAttachmentTypePolicy)
		}
		_, err = c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bounded")})
		must(t, err, "DeleteUserPermissionsBoundary")
		out, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bounded")})
		must(t, err, "GetUser")
		if out.User.PermissionsBoundary != nil {
			t.Errorf("PermissionsBoundary = %+v after delete", out.User.PermissionsBoundary)
		}
		_, err = c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String("arn:aws:iam::000000000000:policy/nope")})
		wantNoSuchEntity(t, err)
	})

	t.Run("Role", func(t *testing.T) {
		_, err := c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded-role"), PermissionsBoundary: aws.String(acctFullAccessARN)})
		must(t, err, "PutRolePermissionsBoundary")
		out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("bounded-role")})
		must(t, err, "GetRole")
		if b := out.Role.PermissionsBoundary; b == nil || aws.ToString(b.PermissionsBoundaryArn) != acctFullAccessARN {
			t.Errorf("PermissionsBoundary = %+v", b)
		}
		_, err = c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("bounded-role")})
		must(t, err, "DeleteRolePermissionsBoundary")
	})

	t.Run("CreateUserWithBoundary", func(t *testing.T) {
		out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("born-bounded"), PermissionsBoundary: aws.String(acctReadOnlyARN)})
		must(t, err, "CreateUser")
		if b := out.User.PermissionsBoundary; b == nil || aws.ToString(b.PermissionsBoundaryArn) != acctReadOnlyARN {
			t.Errorf("PermissionsBoundary = %+v", b)
		}
	})
}

func TestIAMAccountAliases(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	a := defaultRoot(e.srv)
	other := e.signUp(t, "other", "alias-other@example.com")
	b := rootPrincipal(e.srv, other.ID, other.key, other.secret)

	aliases := func(t *testing.T, p principal) []string {
		t.Helper()
		out, err := p.IAM.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
		must(t, err, "ListAccountAliases")
		return out.AccountAliases
	}

	t.Run("NoneAtFirst", func(t *testing.T) {
		if got := aliases(t, a); len(got) != 0 {
			t.Errorf("ListAccountAliases = %v, want none", got)
		}
	})

	t.Run("Rules", func(t *testing.T) {
		for _, bad := range []string{"ab", "MyCompany", "-lead", "trail-", "dou--ble", "under_score", "dot.ted", strings.Repeat("a", 64)} {
			t.Run(bad, func(t *testing.T) {
				_, err := a.IAM.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(bad)})
				apiErr(t, err, "ValidationError", http.StatusBadRequest)
			})
		}
		// An alias must not look like an account id (spec/behaviour.md §9):
		// the sign-in URL takes either.
		t.Run("TwelveDigits", func(t *testing.T) {
			_, err := a.IAM.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("123456789012")})
			apiErr(t, err, "ValidationError", http.StatusBadRequest)
		})
		for _, good := range []string{"abc", "my-company-1", strings.Repeat("a", 63)} {
			t.Run("ok-"+good[:min(len(good), 12)], func(t *testing.T) {
				_, err := a.IAM.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(good)})
				must(t, err, "CreateAccountAlias "+good)
				if got := aliases(t, a); !slices.Equal(got, []string{good}) {
					t.Errorf("ListAccountAliases = %v, want [%s] (one alias per account, the new one replaces the old)", got, good)
				}
			})
		}
	})

	t.Run("GloballyUnique", func(t *testing.T) {
		_, err := a.IAM.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")})
		must(t, err, "CreateAccountAlias")
		_, err = a.IAM.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")})
		must(t, err, "CreateAccountAlias again (own alias)")
		_, err = b.IAM.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")})
		wantAlreadyExists(t, err)
		if got := aliases(t, b); len(got) != 0 {
			t.Errorf("other account's aliases = %v, want none", got)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		_, err := a.IAM.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("not-mine")})
		wantNoSuchEntity(t, err)
		_, err = b.IAM.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("acme-prod")})
		wantNoSuchEntity(t, err)
		_, err = a.IAM.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("acme-prod")})
		must(t, err, "DeleteAccountAlias")
		if got := aliases(t, a); len(got) != 0 {
			t.Errorf("ListAccountAliases = %v after delete", got)
		}
		// Freed, the alias is the other account's to take.
		_, err = b.IAM.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")})
		must(t, err, "CreateAccountAlias by the other account")
		if got := aliases(t, b); !slices.Equal(got, []string{"acme-prod"}) {
			t.Errorf("other account's aliases = %v", got)
		}
	})
}

func TestIAMAccountSummary(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	c := root.IAM
	summary := func(t *testing.T) map[string]int32 {
		t.Helper()
		out, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
		must(t, err, "GetAccountSummary")
		return out.SummaryMap
	}
	before := summary(t)
	for k, want := range map[string]int32{
		"UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500,
		"AccessKeysPerUserQuota": 2, "AttachedPoliciesPerUserQuota": 10, "VersionsPerPolicyQuota": 5,
		"AccountAccessKeysPresent": 1,
	} {
		if got, ok := before[k]; !ok || got != want {
			t.Errorf("SummaryMap[%s] = %d (present %v), want %d", k, got, ok, want)
		}
	}

	newUser(t, srv, root, "counted", acctReadOnlyARN)
	_, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("counted")})
	must(t, err, "CreateGroup")
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("counted"), PolicyDocument: aws.String(allowAllPolicy)})
	must(t, err, "CreatePolicy")
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("counted"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`)})
	must(t, err, "CreateRole")

	after := summary(t)
	for _, k := range []string{"Users", "Groups", "Policies", "Roles", "PolicyVersionsInUse"} {
		if after[k] != before[k]+1 {
			t.Errorf("SummaryMap[%s] = %d, want %d", k, after[k], before[k]+1)
		}
	}
}

func TestIAMCallerIdentity(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)

	t.Run("Root", func(t *testing.T) {
		out, err := root.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		must(t, err, "GetCallerIdentity")
		if aws.ToString(out.Arn) != defaultRootARN || aws.ToString(out.UserId) != defaultAccountID || aws.ToString(out.Account) != defaultAccountID {
			t.Errorf("GetCallerIdentity = %s %s %s", aws.ToString(out.Arn), aws.ToString(out.UserId), aws.ToString(out.Account))
		}
	})

	u := newUser(t, srv, root, "caller")
	t.Run("User", func(t *testing.T) {
		// No policy at all: AWS answers GetCallerIdentity anyway.
		out, err := u.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		must(t, err, "GetCallerIdentity")
		if aws.ToString(out.Arn) != "arn:aws:iam::000000000000:user/caller" || aws.ToString(out.UserId) != u.UserID ||
			!reUserID.MatchString(u.UserID) || aws.ToString(out.Account) != defaultAccountID {
			t.Errorf("GetCallerIdentity = %s %s %s", aws.ToString(out.Arn), aws.ToString(out.UserId), aws.ToString(out.Account))
		}
	})

	t.Run("AssumedRole", func(t *testing.T) {
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`
		r, err := root.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ops"), AssumeRolePolicyDocument: aws.String(trust)})
		must(t, err, "CreateRole")
		roleID := aws.ToString(r.Role.RoleId)
		putUserPolicy(t, root, "caller", "assume", allowDoc("sts:AssumeRole"))

		sess, out := assumeRole(t, srv, u, "arn:aws:iam::000000000000:role/ops", "build-42")
		if !reSessKeyID.MatchString(sess.Key) || sess.Secret == "" || sess.Token == "" {
			t.Errorf("credentials: key %q, secret %d chars, token %d chars", sess.Key, len(sess.Secret), len(sess.Token))
		}
		if got := aws.ToString(out.AssumedRoleUser.AssumedRoleId); got != roleID+":build-42" {
			t.Errorf("AssumedRoleId = %q, want %q", got, roleID+":build-42")
		}
		wantARN := "arn:aws:sts::000000000000:assumed-role/ops/build-42"
		if got := aws.ToString(out.AssumedRoleUser.Arn); got != wantARN {
			t.Errorf("AssumedRoleUser.Arn = %q, want %q", got, wantARN)
		}
		if exp := aws.ToTime(out.Credentials.Expiration); exp.Before(time.Now().Add(55*time.Minute)) || exp.After(time.Now().Add(65*time.Minute)) {
			t.Errorf("Expiration = %v, want about an hour from now", exp)
		}

		gci, err := sess.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		must(t, err, "GetCallerIdentity as the session")
		if aws.ToString(gci.Arn) != wantARN || aws.ToString(gci.UserId) != roleID+":build-42" || aws.ToString(gci.Account) != defaultAccountID {
			t.Errorf("GetCallerIdentity = %s %s %s", aws.ToString(gci.Arn), aws.ToString(gci.UserId), aws.ToString(gci.Account))
		}
		if !reRoleID.MatchString(strings.Split(aws.ToString(gci.UserId), ":")[0]) {
			t.Errorf("UserId = %q, want AROA…:session", aws.ToString(gci.UserId))
		}
	})
}
