package trail_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/trail"
)

// Sign-in records are AWS's ConsoleLogin records: no request parameters,
// the result in responseElements, additionalEventData, eventType
// AwsConsoleSignIn; a failed IAM user sign-in has no ARN, an unknown
// user's name is hidden.
func TestSignInRecord(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	root := identity.RootPrincipal("123456789012", "")
	b, _ := json.Marshal(trail.Build(trail.Call{
		Principal: root, Service: "signin", Operation: "ConsoleLogin", Time: at, SourceIP: "192.0.2.1", UserAgent: "Mozilla/5.0",
		SignIn: &trail.SignIn{Success: true, MFAUsed: true, MFAIdentifier: "arn:aws:iam::123456789012:mfa/phone", LoginTo: "https://console/"},
	}, trail.Options{}))
	want := `{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"},` +
		`"eventTime":"2026-03-01T12:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1",` +
		`"userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},` +
		`"additionalEventData":{"LoginTo":"https://console/","MFAIdentifier":"arn:aws:iam::123456789012:mfa/phone","MFAUsed":"Yes","MobileVersion":"No"},` +
		`"eventID":"","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"eventCategory":"Management","recipientAccountId":"123456789012"}`
	if string(b) != want {
		t.Errorf("root sign-in record\n got %s\nwant %s", b, want)
	}
	user := identity.AccessKey{Account: "123456789012", User: "ana"}.UserPrincipal("AIDAANA", "/")
	rec := trail.Build(trail.Call{Principal: user, Service: "signin", Operation: "ConsoleLogin", Time: at, SignIn: &trail.SignIn{}}, trail.Options{})
	if rec.UserIdentity.ARN != "" || rec.UserIdentity.UserName != "ana" || rec.ErrorMessage != "Failed authentication" || rec.ResponseElements["ConsoleLogin"] != "Failure" || rec.AdditionalEventData["MFAUsed"] != "No" {
		t.Errorf("failed IAM user sign-in: %+v", rec)
	}
	unknown := identity.Principal{Type: identity.IAMUser, Account: "123456789012", Name: "mallory"}
	ev, err := trail.EventOf(trail.Call{Principal: unknown, Service: "signin", Operation: "ConsoleLogin", Time: at, SignIn: &trail.SignIn{HiddenUser: true}}, trail.Options{})
	if err != nil || ev.Username != trail.Hidden || ev.Name != "ConsoleLogin" || ev.Source != "signin.amazonaws.com" {
		t.Errorf("unknown user's event: %+v, %v", ev, err)
	}
}

// The records of an AssumeRoot session's calls: userIdentity type Root
// with the session's key and sessionContext.assumedRoot "true"; the
// AssumeRoot call's record marks the caller's session the same way.
func TestAssumedRootRecords(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	sess := identity.RootPrincipal("222222222222", "ASIAEXAMPLE")
	sess.Temporary, sess.AssumedRoot = true, true
	rec := trail.Build(trail.Call{Principal: sess, Session: &trail.Session{Created: at}, Service: "iam", Operation: "DeleteAccessKey", Time: at}, trail.Options{})
	b, _ := json.Marshal(rec.UserIdentity)
	want := `{"type":"Root","principalId":"222222222222","arn":"arn:aws:iam::222222222222:root","accountId":"222222222222","accessKeyId":"ASIAEXAMPLE",` +
		`"sessionContext":{"attributes":{"mfaAuthenticated":"false","creationDate":"2026-03-01T12:00:00Z"},"assumedRoot":"true"}}`
	if string(b) != want || rec.RecipientAccount != "222222222222" {
		t.Errorf("session call's identity\n got %s\nwant %s", b, want)
	}
	caller := identity.AssumedRolePrincipal("111111111111", "Ops", "AROAOPS", "alice", "ASIACALLER")
	rec = trail.Build(trail.Call{Principal: caller, Service: "sts", Operation: "AssumeRoot", Time: at,
		Params: trail.QueryParams(map[string][]string{"TargetPrincipal": {"222222222222"}, "TaskPolicyArn.arn": {"arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"}})}, trail.Options{})
	if rec.UserIdentity.SessionContext == nil || rec.UserIdentity.SessionContext.AssumedRoot != "true" || rec.UserIdentity.SessionContext.SessionIssuer == nil {
		t.Errorf("AssumeRoot caller's identity %+v", rec.UserIdentity)
	}
	p, _ := json.Marshal(rec.RequestParameters)
	if string(p) != `{"targetPrincipal":"222222222222","taskPolicyArn":{"arn":"arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"}}` {
		t.Errorf("AssumeRoot requestParameters %s", p)
	}
}
