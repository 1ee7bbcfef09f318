package e2e_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountplane/accountplane/accountplanetest"
)

// Within one account, a role whose trust policy names an IAM user (or a
// role, for its sessions) by ARN can be assumed by it without an identity
// policy allowing sts:AssumeRole; a trust policy naming the account root
// still needs one; a permissions boundary still has to allow the call.
func TestAuthzSameAccountTrust(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	acct := defaultAccountID
	plain := newUser(t, srv, root, "plain")     // no policies at all
	other := newUser(t, srv, root, "other")     // no policies, not named
	bounded := newUser(t, srv, root, "bounded") // named, but bounded
	_, err := root.IAM.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(acctReadOnlyARN)})
	must(t, err, "PutUserPermissionsBoundary")

	mkRole := func(name, principal string) string {
		t.Helper()
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"}]}`
		out, err := root.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
		must(t, err, "CreateRole "+name)
		return aws.ToString(out.Role.Arn)
	}
	namesPlain := mkRole("NamesPlain", plain.ARN)
	namesBounded := mkRole("NamesBounded", bounded.ARN)
	trustsAccount := mkRole("TrustsAccount", "arn:aws:iam::"+acct+":root")

	t.Run("NamedUser", func(t *testing.T) {
		sess, _ := assumeRole(t, srv, plain, namesPlain, "named")
		out, err := sess.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		must(t, err, "GetCallerIdentity as the session")
		if want := "arn:aws:sts::" + acct + ":assumed-role/NamesPlain/named"; aws.ToString(out.Arn) != want {
			t.Errorf("session ARN %s, want %s", aws.ToString(out.Arn), want)
		}
	})

	t.Run("NamedRoleSessions", func(t *testing.T) {
		sess, _ := assumeRole(t, srv, plain, namesPlain, "hop")
		chained := mkRole("NamesRole", "arn:aws:iam::"+acct+":role/NamesPlain")
		assumeRole(t, srv, sess, chained, "chained")
	})

	t.Run("UserNotNamed", func(t *testing.T) {
		_, err := other.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(namesPlain), RoleSessionName: aws.String("xx")})
		wantQueryDenied(t, err, deniedMsg(other.ARN, "sts:AssumeRole", namesPlain, noIdentityAllows("sts:AssumeRole")))
	})

	t.Run("AccountRootNeedsIdentityPolicy", func(t *testing.T) {
		_, err := plain.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(trustsAccount), RoleSessionName: aws.String("xx")})
		wantQueryDenied(t, err, deniedMsg(plain.ARN, "sts:AssumeRole", trustsAccount, noIdentityAllows("sts:AssumeRole")))
		putUserPolicy(t, root, "other", "assume", allowDoc("sts:AssumeRole"))
		assumeRole(t, srv, other, trustsAccount, "allowed")
	})

	t.Run("BoundaryStillFilters", func(t *testing.T) {
		_, err := bounded.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(namesBounded), RoleSessionName: aws.String("xx")})
		wantQueryDenied(t, err, deniedMsg(bounded.ARN, "sts:AssumeRole", namesBounded, "because no permissions boundary allows the sts:AssumeRole action"))
	})
}
