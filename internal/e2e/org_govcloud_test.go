package e2e_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/accountplane/accountplane/accountplanetest"
)

// inRegion is cfg signing for region.
func inRegion(cfg aws.Config, region string) aws.Config {
	cfg = cfg.Copy()
	cfg.Region = region
	return cfg
}

// wantErrorCode asserts err is an API error with code and HTTP status.
func wantErrorCode(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
	if got := httpStatus(t, err); got != status {
		t.Errorf("%s: HTTP status %d, want %d", what, got, status)
	}
}

// A GovCloud pair from end to end: a management account paired with a
// GovCloud account (admin API) creates a commercial member paired with a
// new GovCloud account; DescribeCreateAccountStatus reports both ids,
// GetGovCloudAccountInformation the pair; the GovCloud account's key
// works for us-gov-* Regions only and sees aws-us-gov ARNs there, and a
// commercial key is refused there.
func TestGovCloudPair(t *testing.T) {
	e := startOrgs(t, accountplanetest.Options{CreateAccountDelay: 30 * time.Second})
	createOrg(t, e.mgmt.Org, otypes.OrganizationFeatureSetAll)

	// Not GovCloud-enabled yet.
	in := &organizations.CreateGovCloudAccountInput{
		Email: aws.String("workload@example.com"), AccountName: aws.String("Workload"),
		Tags: []otypes.Tag{{Key: aws.String("team"), Value: aws.String("gov")}},
	}
	_, err := e.mgmt.Org.CreateGovCloudAccount(ctx, in)
	wantConstraint(t, err, otypes.ConstraintViolationExceptionReasonMasterAccountNotGovcloudEnabled)

	// The admin API pairs the management account (idempotently).
	var pair struct{ AccountId, GovCloudAccountId string }
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts/"+defaultAccountID+"/govcloud", nil, http.StatusCreated, &pair)
	if pair.AccountId != defaultAccountID || !reAccountID.MatchString(pair.GovCloudAccountId) {
		t.Fatalf("pair %+v", pair)
	}
	var again struct{ GovCloudAccountId string }
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts/"+defaultAccountID+"/govcloud", nil, http.StatusOK, &again)
	if again.GovCloudAccountId != pair.GovCloudAccountId {
		t.Errorf("second pairing answered %s, want %s", again.GovCloudAccountId, pair.GovCloudAccountId)
	}
	info, err := e.mgmt.Acct.GetGovCloudAccountInformation(ctx, &account.GetGovCloudAccountInformationInput{})
	must(t, err, "GetGovCloudAccountInformation of the management account")
	if aws.ToString(info.GovCloudAccountId) != pair.GovCloudAccountId || info.AccountState != atypes.AwsAccountStateActive {
		t.Errorf("management account's GovCloud account %s %s", aws.ToString(info.GovCloudAccountId), info.AccountState)
	}

	out, err := e.mgmt.Org.CreateGovCloudAccount(ctx, in)
	must(t, err, "CreateGovCloudAccount")
	st := out.CreateAccountStatus
	if st.State != otypes.CreateAccountStateInProgress || !reCARID.MatchString(aws.ToString(st.Id)) || st.AccountId != nil || st.GovCloudAccountId != nil {
		t.Fatalf("CreateGovCloudAccount answered %+v", st)
	}
	final, _ := e.waitCreateAccount(t, e.mgmt.Org, aws.ToString(st.Id))
	commercialID, govID := aws.ToString(final.AccountId), aws.ToString(final.GovCloudAccountId)
	if final.State != otypes.CreateAccountStateSucceeded || !reAccountID.MatchString(commercialID) || !reAccountID.MatchString(govID) || commercialID == govID {
		t.Fatalf("final status %+v", final)
	}

	// The commercial account is a member, with the tags; the GovCloud
	// account is no account of the organization.
	acc, err := e.mgmt.Org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(commercialID)})
	must(t, err, "DescribeAccount")
	if acc.Account.JoinedMethod != otypes.AccountJoinedMethodCreated || aws.ToString(acc.Account.Email) != "workload@example.com" {
		t.Errorf("member %+v", acc.Account)
	}
	tags, err := e.mgmt.Org.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(commercialID)})
	must(t, err, "ListTagsForResource")
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Errorf("tags %+v", tags.Tags)
	}
	_, err = e.mgmt.Org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(govID)})
	wantOrgErr[*otypes.AccountNotFoundException](t, err, "AccountNotFoundException")

	// GetGovCloudAccountInformation answers for the commercial account.
	workload := e.credentials(t, commercialID, "workload@example.com")
	info, err = workload.Acct.GetGovCloudAccountInformation(ctx, &account.GetGovCloudAccountInformationInput{})
	must(t, err, "GetGovCloudAccountInformation")
	if aws.ToString(info.GovCloudAccountId) != govID || info.AccountState != atypes.AwsAccountStateActive {
		t.Errorf("GetGovCloudAccountInformation = %s %s, want %s ACTIVE", aws.ToString(info.GovCloudAccountId), info.AccountState, govID)
	}

	// The GovCloud account gets keys like any account; they sign for
	// us-gov-* Regions, where its ARNs are aws-us-gov's.
	var k adminKey
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts/"+govID+"/credentials", nil, http.StatusCreated, &k)
	gov := inRegion(e.srv.ConfigFor(k.AccessKeyID, k.SecretAccessKey), "us-gov-west-1")
	who, err := stsClient(gov).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err, "GetCallerIdentity in us-gov-west-1")
	if want := "arn:aws-us-gov:iam::" + govID + ":root"; aws.ToString(who.Arn) != want || aws.ToString(who.Account) != govID {
		t.Errorf("GetCallerIdentity = %s %s, want %s", aws.ToString(who.Account), aws.ToString(who.Arn), want)
	}
	user, err := iamClient(gov).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ops")})
	must(t, err, "CreateUser in us-gov-west-1")
	if want := "arn:aws-us-gov:iam::" + govID + ":user/ops"; aws.ToString(user.User.Arn) != want {
		t.Errorf("user Arn %s, want %s", aws.ToString(user.User.Arn), want)
	}
	govOrg, err := orgClient(inRegion(gov, "us-gov-east-1")).CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	must(t, err, "CreateOrganization in us-gov-east-1")
	if arn := aws.ToString(govOrg.Organization.Arn); !strings.HasPrefix(arn, "arn:aws-us-gov:organizations::"+govID+":organization/o-") {
		t.Errorf("GovCloud organization Arn %s", arn)
	}
	if arn := aws.ToString(govOrg.Organization.MasterAccountArn); !strings.HasPrefix(arn, "arn:aws-us-gov:organizations::"+govID+":account/o-") {
		t.Errorf("GovCloud MasterAccountArn %s", arn)
	}

	// Outside its partition the GovCloud key is unknown ...
	_, err = stsClient(inRegion(gov, "us-east-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantErrorCode(t, "GovCloud key in us-east-1 (STS)", err, "InvalidClientTokenId", http.StatusForbidden)
	_, err = orgClient(inRegion(gov, "us-east-1")).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantErrorCode(t, "GovCloud key in us-east-1 (Organizations)", err, "UnrecognizedClientException", http.StatusBadRequest)

	// ... and so are commercial keys in GovCloud (or China) Regions.
	for _, region := range []string{"us-gov-west-1", "cn-north-1"} {
		_, err = stsClient(inRegion(e.srv.Config, region)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantErrorCode(t, "commercial key in "+region+" (STS)", err, "InvalidClientTokenId", http.StatusForbidden)
		_, err = accountClient(inRegion(e.srv.Config, region)).GetContactInformation(ctx, &account.GetContactInformationInput{})
		wantErrorCode(t, "commercial key in "+region+" (Account)", err, "UnrecognizedClientException", http.StatusForbidden)
		_, err = e.mgmt.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, func(o *organizations.Options) { o.Region = region })
		wantErrorCode(t, "commercial key in "+region+" (Organizations)", err, "UnrecognizedClientException", http.StatusBadRequest)
	}
	// In its own partition a commercial key still sees commercial ARNs.
	who, err = stsClient(e.srv.Config).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err, "GetCallerIdentity in us-east-1")
	if aws.ToString(who.Arn) != defaultRootARN {
		t.Errorf("commercial GetCallerIdentity %s", aws.ToString(who.Arn))
	}

	// The admin API lists the partition and the pair.
	var list struct {
		Accounts []struct{ AccountId, Partition, GovCloudAccountId string }
	}
	e.adminDo(t, http.MethodGet, "/_accountplane/accounts", nil, http.StatusOK, &list)
	seen := 0
	for _, a := range list.Accounts {
		switch a.AccountId {
		case commercialID:
			seen++
			if a.GovCloudAccountId != govID || a.Partition != "" {
				t.Errorf("listed commercial account %+v", a)
			}
		case govID:
			seen++
			if a.Partition != "aws-us-gov" {
				t.Errorf("listed GovCloud account %+v", a)
			}
		}
	}
	if seen != 2 {
		t.Errorf("the admin list shows %d of the two accounts", seen)
	}
}
