package e2e_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	itypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// The tag condition keys end to end: aws:PrincipalTag/<key> of users and
// role sessions, aws:RequestTag/<key> and aws:TagKeys of the tags a request
// passes, and aws:ResourceTag/<key> of the user or role a request acts on.

// newTaggedUser creates user name with tags (key, value, key, value, …)
// and an access key in admin's account, and returns it as a principal.
func newTaggedUser(t *testing.T, srv *accountplanetest.Server, admin principal, name string, kv ...string) principal {
	t.Helper()
	in := &iam.CreateUserInput{UserName: aws.String(name), Tags: iamTags(kv...)}
	u, err := admin.IAM.CreateUser(ctx, in)
	must(t, err, "CreateUser "+name)
	k, err := admin.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	must(t, err, "CreateAccessKey "+name)
	p := newPrincipal(srv, admin.Account, aws.ToString(u.User.Arn), aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	p.UserName, p.UserID = name, aws.ToString(u.User.UserId)
	return p
}

func iamTags(kv ...string) []itypes.Tag {
	var tags []itypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, itypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return tags
}

// blueOnlyDoc allows PutAlternateContact to principals tagged team=blue.
const blueOnlyDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"account:PutAlternateContact","Resource":"*",` +
	`"Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`

// A policy allowing account:PutAlternateContact only when
// aws:PrincipalTag/team is blue lets the blue user put and not the red one
// (nor an untagged one).
func TestAuthzPrincipalTagUser(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	blue := newTaggedUser(t, srv, root, "blue-user", "team", "blue")
	red := newTaggedUser(t, srv, root, "red-user", "team", "red")
	plain := newTaggedUser(t, srv, root, "plain-user")
	for _, u := range []principal{blue, red, plain} {
		putUserPolicy(t, root, u.UserName, "blue-only", blueOnlyDoc)
	}

	must(t, putAlt(blue, atypes.AlternateContactTypeSecurity, "Blue", ""), "PutAlternateContact as the blue user")
	for _, u := range []principal{red, plain} {
		err := putAlt(u, atypes.AlternateContactTypeSecurity, "Not Blue", "")
		wantAcctDenied(t, err, deniedMsg(u.ARN, "account:PutAlternateContact", standaloneARN, noIdentityAllows("account:PutAlternateContact")))
	}
}

// A policy requiring aws:RequestTag/env on iam:CreateUser denies
// CreateUser without the tag and allows it with the tag; aws:TagKeys
// limits which keys may be passed.
func TestAuthzRequestTagCreateUser(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	admin := newUser(t, srv, root, "tag-admin")
	putUserPolicy(t, root, admin.UserName, "create-tagged", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*",`+
		`"Condition":{"StringLike":{"aws:RequestTag/env":"*"},"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}}]}`)
	userARN := func(name string) string { return "arn:aws:iam::" + defaultAccountID + ":user/" + name }

	_, err := admin.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("untagged")})
	wantQueryDenied(t, err, deniedMsg(admin.ARN, "iam:CreateUser", userARN("untagged"), noIdentityAllows("iam:CreateUser")))
	_, err = admin.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("team-only"), Tags: iamTags("team", "blue")})
	wantQueryDenied(t, err, deniedMsg(admin.ARN, "iam:CreateUser", userARN("team-only"), noIdentityAllows("iam:CreateUser")))
	_, err = admin.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("extra-key"), Tags: iamTags("env", "dev", "owner", "me")})
	wantQueryDenied(t, err, deniedMsg(admin.ARN, "iam:CreateUser", userARN("extra-key"), noIdentityAllows("iam:CreateUser")))

	out, err := admin.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("tagged"), Tags: iamTags("env", "dev", "team", "blue")})
	must(t, err, "CreateUser with env")
	if got := aws.ToString(out.User.Arn); got != userARN("tagged") {
		t.Errorf("Arn = %q", got)
	}
	if _, err := root.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("untagged")}); err == nil {
		t.Errorf("the denied CreateUser created the user")
	}
}

// An assumed-role session's aws:PrincipalTag keys are the role's tags
// overridden by the session tags; sts:AssumeRole itself sees the role's
// tags as aws:ResourceTag/<key>.
func TestAuthzPrincipalTagSession(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + defaultAccountID + `:root"},` +
		`"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	role, err := root.IAM.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("tagged-role"), AssumeRolePolicyDocument: aws.String(trust), Tags: iamTags("team", "red", "env", "prod"),
	})
	must(t, err, "CreateRole")
	roleARN := aws.ToString(role.Role.Arn)
	_, err = root.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("tagged-role"), PolicyName: aws.String("blue-only"), PolicyDocument: aws.String(blueOnlyDoc)})
	must(t, err, "PutRolePolicy")
	caller := newUser(t, srv, root, "assumer")
	putUserPolicy(t, root, caller.UserName, "assume", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*",`+
		`"Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`)
	_, err = root.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("dev-role"), AssumeRolePolicyDocument: aws.String(trust), Tags: iamTags("env", "dev")})
	must(t, err, "CreateRole dev-role")
	devARN := "arn:aws:iam::" + defaultAccountID + ":role/dev-role"
	_, err = caller.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(devARN), RoleSessionName: aws.String("dev")})
	wantQueryDenied(t, err, deniedMsg(caller.ARN, "sts:AssumeRole", devARN, noIdentityAllows("sts:AssumeRole")))

	blue, out := assumeRole(t, srv, caller, roleARN, "blue-session", func(in *sts.AssumeRoleInput) {
		in.Tags = []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}
	})
	if out.PackedPolicySize == nil {
		t.Errorf("PackedPolicySize missing with session tags")
	}
	must(t, putAlt(blue, atypes.AlternateContactTypeOperations, "Blue Session", ""), "PutAlternateContact as the blue session")

	// Without session tags the role's team=red applies.
	red, _ := assumeRole(t, srv, caller, roleARN, "red-session")
	err = putAlt(red, atypes.AlternateContactTypeOperations, "Red Session", "")
	wantAcctDenied(t, err, deniedMsg(red.ARN, "account:PutAlternateContact", standaloneARN, noIdentityAllows("account:PutAlternateContact")))

	// A session tag with another key leaves the role's team=red.
	other, _ := assumeRole(t, srv, caller, roleARN, "other-session", func(in *sts.AssumeRoleInput) {
		in.Tags = []ststypes.Tag{{Key: aws.String("project"), Value: aws.String("blue")}}
	})
	err = putAlt(other, atypes.AlternateContactTypeOperations, "Other Session", "")
	wantAcctDenied(t, err, deniedMsg(other.ARN, "account:PutAlternateContact", standaloneARN, noIdentityAllows("account:PutAlternateContact")))
}

// aws:ResourceTag/<key> of an IAM operation is the tags of the user or role
// it acts on.
func TestAuthzResourceTagIAM(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	newTaggedUser(t, srv, root, "blue-target", "team", "blue")
	newTaggedUser(t, srv, root, "red-target", "team", "red")
	reader := newUser(t, srv, root, "reader")
	putUserPolicy(t, root, reader.UserName, "blue-users", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*",`+
		`"Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}]}`)

	got, err := reader.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("blue-target")})
	must(t, err, "GetUser of the blue user")
	if aws.ToString(got.User.UserName) != "blue-target" {
		t.Errorf("GetUser = %q", aws.ToString(got.User.UserName))
	}
	redARN := "arn:aws:iam::" + defaultAccountID + ":user/red-target"
	_, err = reader.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("red-target")})
	wantQueryDenied(t, err, deniedMsg(reader.ARN, "iam:GetUser", redARN, noIdentityAllows("iam:GetUser")))
	// The reader itself is untagged.
	_, err = reader.IAM.GetUser(ctx, &iam.GetUserInput{})
	wantQueryDenied(t, err, deniedMsg(reader.ARN, "iam:GetUser", reader.ARN, noIdentityAllows("iam:GetUser")))
}
