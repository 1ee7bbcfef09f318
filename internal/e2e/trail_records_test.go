package e2e_test

import (
	"encoding/json"
	"github.com/accountplane/accountplane/internal/sqlite"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountplane/accountplane/accountplanetest"
)

// Failed calls are recorded with their errorCode and errorMessage; calls
// whose signature fails are not recorded.
func TestTrailFailedCalls(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	root := defaultRoot(e.srv)
	history := trailClient(root.Cfg)
	nobody := newUser(t, e.srv, root, "nobody")

	wantFailure := func(t *testing.T, err error, code, source, name string) map[string]any {
		t.Helper()
		apiErr(t, err, code, 0)
		_, rec := findRecord(t, history, errReqID(t, err))
		if rec["errorCode"] != code || rec["errorMessage"] == "" || rec["errorMessage"] == nil ||
			rec["eventSource"] != source || rec["eventName"] != name || rec["responseElements"] != nil {
			t.Errorf("record of the failed %s: %v", name, rec)
		}
		return rec
	}
	t.Run("ResourceNotFound", func(t *testing.T) {
		_, err := root.Acct.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: atypes.AlternateContactTypeSecurity})
		rec := wantFailure(t, err, "ResourceNotFoundException", "account.amazonaws.com", "GetAlternateContact")
		if rec["readOnly"] != true || field(rec, "requestParameters", "alternateContactType") != "SECURITY" {
			t.Errorf("record %v", rec)
		}
	})
	t.Run("AccessDenied", func(t *testing.T) {
		_, err := nobody.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		rec := wantFailure(t, err, "AccessDenied", "iam.amazonaws.com", "ListUsers")
		if field(rec, "userIdentity", "type") != "IAMUser" || field(rec, "userIdentity", "userName") != "nobody" {
			t.Errorf("record %v", rec)
		}
		_, err = nobody.Acct.PutAlternateContact(ctx, altContact(atypes.AlternateContactTypeBilling, "x"))
		wantFailure(t, err, "AccessDeniedException", "account.amazonaws.com", "PutAlternateContact")
		_, err = nobody.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		wantFailure(t, err, "AccessDeniedException", "organizations.amazonaws.com", "DescribeOrganization")
	})
	t.Run("Validation", func(t *testing.T) {
		_, err := root.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name!")})
		wantFailure(t, err, "ValidationError", "iam.amazonaws.com", "CreateUser")
		r := newRaw(t, e.srv)
		resp := r.post("/putAlternateContact", `{"AlternateContactType": 7}`)
		resp.restErr(t, http.StatusBadRequest, "SerializationException")
		_, rec := findRecord(t, history, resp.header.Get("x-amzn-RequestId"))
		if rec["errorCode"] != "SerializationException" || rec["eventName"] != "PutAlternateContact" {
			t.Errorf("record %v", rec)
		}
	})
	t.Run("InjectedFault", func(t *testing.T) {
		e.adminDo(t, http.MethodPost, "/_accountplane/faults", map[string]any{
			"service": "account", "operation": "GetContactInformation", "errorCode": "TooManyRequestsException", "count": 1,
		}, http.StatusCreated, nil)
		_, err := root.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		wantFailure(t, err, "TooManyRequestsException", "account.amazonaws.com", "GetContactInformation")
	})
	t.Run("BadSignatureIsNotRecorded", func(t *testing.T) {
		bad := newPrincipal(e.srv, defaultAccountID, defaultRootARN, defaultKey, "wrong-secret", "")
		_, err := bad.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		apiErr(t, err, "SignatureDoesNotMatch", 0)
		noRecord(t, history, errReqID(t, err))
		_, err = bad.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		noRecord(t, history, errReqID(t, err))
	})
	t.Run("WritesAreRecordedOnce", func(t *testing.T) {
		out, err := root.Acct.PutAlternateContact(ctx, altContact(atypes.AlternateContactTypeOperations, "Ops"))
		must(t, err, "PutAlternateContact")
		ev, rec := findRecord(t, history, reqIDOf(t, out.ResultMetadata))
		if rec["errorCode"] != nil || rec["readOnly"] != false || aws.ToString(ev.ReadOnly) != "false" {
			t.Errorf("record %v", rec)
		}
	})
}

// historyOf is a CloudTrail client of a's account's root user.
func (e *orgEnv) historyOf(a actor) *cloudtrail.Client {
	return trailClient(e.srv.ConfigFor(a.key, a.secret))
}

// In organizations mode (a management account or delegated administrator
// acting on a member with AccountId) the record goes to the target
// account, with the caller's identity; a denied attempt stays with the
// caller.
func TestTrailOrganizationMode(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	mgmt := e.mgmt
	createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	enableTrustedAccess(t, mgmt.Org, accountPrincipal)
	member := e.createMember(t, mgmt, "member", "trail-member@example.com")
	outsider := e.signUp(t, "outsider", "trail-outsider@example.com")
	mgmtHistory, memberHistory, outsiderHistory := e.historyOf(mgmt), e.historyOf(member), e.historyOf(outsider)

	wantInTarget := func(t *testing.T, reqID, name, code string) map[string]any {
		t.Helper()
		_, rec := findRecord(t, memberHistory, reqID)
		noRecord(t, mgmtHistory, reqID)
		if rec["recipientAccountId"] != member.ID || field(rec, "userIdentity", "accountId") != mgmt.ID ||
			field(rec, "userIdentity", "arn") != mgmt.ARN || rec["eventName"] != name ||
			field(rec, "requestParameters", "accountId") != member.ID {
			t.Errorf("record %v", rec)
		}
		if code != "" && rec["errorCode"] != code {
			t.Errorf("errorCode %v, want %s", rec["errorCode"], code)
		}
		return rec
	}
	t.Run("Write", func(t *testing.T) {
		in := altContact(atypes.AlternateContactTypeBilling, "Set by management")
		in.AccountId = aws.String(member.ID)
		out, err := mgmt.Acct.PutAlternateContact(ctx, in)
		must(t, err, "PutAlternateContact on the member")
		rec := wantInTarget(t, reqIDOf(t, out.ResultMetadata), "PutAlternateContact", "")
		if _, ok := field(rec, "requestParameters").(map[string]any)["phoneNumber"]; ok {
			t.Errorf("the phone number is recorded: %v", rec["requestParameters"])
		}
	})
	t.Run("Region", func(t *testing.T) {
		out, err := mgmt.Acct.EnableRegion(ctx, &account.EnableRegionInput{AccountId: aws.String(member.ID), RegionName: aws.String("af-south-1")})
		must(t, err, "EnableRegion on the member")
		wantInTarget(t, reqIDOf(t, out.ResultMetadata), "EnableRegion", "")
	})
	t.Run("Failure", func(t *testing.T) {
		_, err := mgmt.Acct.GetAlternateContact(ctx, &account.GetAlternateContactInput{AccountId: aws.String(member.ID), AlternateContactType: atypes.AlternateContactTypeSecurity})
		apiErr(t, err, "ResourceNotFoundException", 0)
		wantInTarget(t, errReqID(t, err), "GetAlternateContact", "ResourceNotFoundException")
	})
	t.Run("DeniedStaysWithTheCaller", func(t *testing.T) {
		in := altContact(atypes.AlternateContactTypeBilling, "intruder")
		in.AccountId = aws.String(member.ID)
		_, err := outsider.Acct.PutAlternateContact(ctx, in)
		apiErr(t, err, "AccessDeniedException", 0)
		reqID := errReqID(t, err)
		_, rec := findRecord(t, outsiderHistory, reqID)
		noRecord(t, memberHistory, reqID)
		if rec["recipientAccountId"] != outsider.ID || rec["errorCode"] != "AccessDeniedException" {
			t.Errorf("record %v", rec)
		}
	})
	t.Run("OwnCallsStayHome", func(t *testing.T) {
		out, err := mgmt.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		must(t, err, "DescribeOrganization")
		_, rec := findRecord(t, mgmtHistory, reqIDOf(t, out.ResultMetadata))
		if rec["recipientAccountId"] != mgmt.ID || rec["eventSource"] != "organizations.amazonaws.com" || rec["readOnly"] != true {
			t.Errorf("record %v", rec)
		}
	})
}

// Secret keys, session tokens and one-time codes never reach the event
// history: not in LookupEvents, not in the stored rows.
func TestTrailSensitiveValues(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	root := defaultRoot(e.srv)
	history := trailClient(root.Cfg)
	var secrets []string

	// CreateAccessKey: the record keeps the key id, not the secret.
	tester := newUser(t, e.srv, root, "tester", adminAccessARN)
	secrets = append(secrets, tester.Secret)
	evs := lookupAll(t, history, attr("EventName", "CreateAccessKey"))
	if len(evs) != 1 {
		t.Fatalf("%d CreateAccessKey records", len(evs))
	}
	rec := recordOf(t, evs[0])
	if field(rec, "responseElements", "accessKey", "accessKeyId") != tester.Key || field(rec, "responseElements", "accessKey", "userName") != "tester" {
		t.Errorf("CreateAccessKey responseElements %v", rec["responseElements"])
	}

	// AssumeRole: the credentials without the secret and the token.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + defaultAccountID + `:root"},"Action":"sts:AssumeRole"}]}`
	role, err := root.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Deployer"), Path: aws.String("/ops/"), AssumeRolePolicyDocument: aws.String(trust)})
	must(t, err, "CreateRole")
	_, err = root.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("Deployer"), PolicyArn: aws.String(adminAccessARN)})
	must(t, err, "AttachRolePolicy")
	sess, out := assumeRole(t, e.srv, tester, aws.ToString(role.Role.Arn), "ci")
	secrets = append(secrets, sess.Secret, sess.Token)
	_, rec = findRecord(t, history, reqIDOf(t, out.ResultMetadata))
	creds, _ := field(rec, "responseElements", "credentials").(map[string]any)
	if creds["accessKeyId"] != sess.Key || creds["expiration"] == nil || len(creds) != 2 ||
		field(rec, "responseElements", "assumedRoleUser", "arn") != sess.ARN || field(rec, "requestParameters", "roleSessionName") != "ci" ||
		rec["eventSource"] != "sts.amazonaws.com" {
		t.Errorf("AssumeRole record %v", rec)
	}
	// The session's own calls carry its token in a header, never recorded;
	// the issuer's ARN keeps the role's path.
	gci, err := sess.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err, "GetCallerIdentity")
	_, rec = findRecord(t, history, reqIDOf(t, gci.ResultMetadata))
	if field(rec, "userIdentity", "sessionContext", "sessionIssuer", "arn") != aws.ToString(role.Role.Arn) ||
		field(rec, "userIdentity", "sessionContext", "sessionIssuer", "principalId") != aws.ToString(role.Role.RoleId) ||
		field(rec, "userIdentity", "accessKeyId") != sess.Key {
		t.Errorf("session record %v", rec["userIdentity"])
	}

	// An MFA code passed to AssumeRole.
	_, err = tester.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("mfa"),
		SerialNumber: aws.String("arn:aws:iam::000000000000:mfa/tester"), TokenCode: aws.String("864209")})
	apiErr(t, err, "AccessDenied", 0)
	secrets = append(secrets, "864209")
	_, rec = findRecord(t, history, errReqID(t, err))
	if field(rec, "requestParameters", "tokenCode") != "HIDDEN_DUE_TO_SECURITY_REASONS" {
		t.Errorf("AssumeRole with MFA: requestParameters %v", rec["requestParameters"])
	}

	// A phone verification code (Otp).
	r := newRaw(t, e.srv)
	in := contactInfo()
	in.PhoneNumber = aws.String("+44 20 7946 0958")
	_, err = root.Acct.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: in})
	must(t, err, "PutContactInformation")
	r.post("/sendPhoneNumberVerification", `{}`).ok(t, nil)
	code := r.outboxCode("+44 20 7946 0958")
	secrets = append(secrets, code)
	resp := r.post("/verifyPhoneNumber", `{"Otp":"`+code+`"}`)
	resp.ok(t, nil)
	_, rec = findRecord(t, history, resp.header.Get("x-amzn-RequestId"))
	if field(rec, "requestParameters", "otp") != "HIDDEN_DUE_TO_SECURITY_REASONS" {
		t.Errorf("VerifyPhoneNumber: requestParameters %v", rec["requestParameters"])
	}

	// Nothing of it anywhere: every record LookupEvents returns, and every
	// stored row of the event history.
	var all strings.Builder
	for _, ev := range lookupAll(t, history, nil) {
		all.WriteString(aws.ToString(ev.CloudTrailEvent))
	}
	stored := storedEvents(t, e.srv.URL)
	for _, s := range secrets {
		if strings.Contains(all.String(), s) {
			t.Errorf("LookupEvents returns %q", s)
		}
		if strings.Contains(stored, s) {
			t.Errorf("the stored event history holds %q", s)
		}
	}
	if !strings.Contains(stored, "VerifyPhoneNumber") || !strings.Contains(stored, tester.Key) {
		t.Error("the stored event history misses the calls")
	}
}

// storedEvents returns the records of the event history as the admin API's
// state export shows its rows (records expanded from their compact form).
func storedEvents(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url + "/_accountplane/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("state export: %d %v", resp.StatusCode, err)
	}
	var st struct {
		Tables map[string]json.RawMessage `json:"tables"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		ID      int64 `json:"id"`
		Payload struct {
			Base64 []byte `json:"$base64"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(st.Tables["cloudtrail_blocks"], &rows); err != nil || len(rows) == 0 {
		t.Fatalf("the state has no cloudtrail_blocks (%v)", err)
	}
	var all strings.Builder
	for _, r := range rows {
		evs, err := sqlite.DecodeTrailBlock(r.ID, r.Payload.Base64)
		if err != nil {
			t.Fatalf("stored block: %v", err)
		}
		for _, ev := range evs {
			all.Write(ev.Record)
		}
	}
	return all.String()
}
