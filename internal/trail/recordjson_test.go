package trail

import (
	"encoding/json"
	"testing"
)

// Records are encoded exactly as json.Marshal encodes them, whatever their
// strings and parameters.
func FuzzRecordJSON(f *testing.F) {
	f.Add("Root", "arn:aws:iam::111122223333:root", "GetAlternateContact", "aws-cli/1.0 <x> & \"y\"", "BILLING", "", "", true, false, true, uint8(0))
	f.Add("AssumedRole", "arn:aws:sts::1:assumed-role/r/s", "PutAlternateContact", "a\u2028b\x00\x1f\b\f\n\r\t\\", "é\xff", "AccessDenied", "no", false, true, false, uint8(3))
	f.Fuzz(func(t *testing.T, typ, arn, name, agent, param, code, message string, ro, session, tls bool, shape uint8) {
		r := Record{
			EventVersion: EventVersion, EventTime: "2026-03-01T12:00:00Z", EventSource: "account.amazonaws.com", EventName: name,
			AWSRegion: GlobalRegion, SourceIPAddress: "127.0.0.1", UserAgent: agent, ErrorCode: code, ErrorMessage: message,
			RequestID: param, EventID: "e", ReadOnly: ro, EventType: "AwsApiCall", ManagementEvent: true, EventCategory: "Management",
			RecipientAccount: "111122223333",
			UserIdentity:     UserIdentity{Type: typ, PrincipalID: "p", ARN: arn, AccountID: "111122223333", AccessKeyID: code, UserName: message},
		}
		switch shape % 5 {
		case 0:
			r.RequestParameters = map[string]any{"accountId": param, "alternateContactType": name, "flag": ro, "none": nil}
		case 1:
			r.RequestParameters = map[string]any{}
		case 2:
			r.RequestParameters = map[string]any{"n": json.Number("12"), "list": []any{param, 1.5}, agent: map[string]any{"k": param}}
			r.ResponseElements = map[string]any{"x": param}
		case 3:
			r.AdditionalEventData = map[string]string{"LoginTo": agent, "MFAUsed": param, param: name}
		}
		if session {
			r.UserIdentity.SessionContext = &SessionContext{Attributes: SessionAttributes{MFAAuthenticated: "false", CreationDate: param}, AssumedRoot: code}
			if ro {
				r.UserIdentity.SessionContext.SessionIssuer = &SessionIssuer{Type: "Role", PrincipalID: "AROA", ARN: arn, AccountID: "1", UserName: name}
				r.UserIdentity.SessionContext.WebIDFederationData = &struct{}{}
			}
		}
		if tls {
			r.TLSDetails = &TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: agent, ClientProvidedHostHeader: arn}
			r.SessionCredentialFromConsole = message
		}
		want, wantErr := json.Marshal(r)
		got, err := r.appendJSON(nil)
		if (err != nil) != (wantErr != nil) || string(got) != string(want) {
			t.Errorf("appendJSON:\n%s, %v\njson.Marshal:\n%s, %v", got, err, want, wantErr)
		}
	})
}

func BenchmarkEventOf(b *testing.B) {
	c := Call{Service: "account", Operation: "GetAlternateContact", ReadOnly: true, UserAgent: "aws-sdk-go-v2/1.36.3 os/linux lang/go#1.26.8",
		RequestID: "11111111-2222-4333-8444-555555555555", SourceIP: "127.0.0.1", Region: GlobalRegion,
		Params: map[string]any{"AccountId": "111122223333", "AlternateContactType": "BILLING"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EventOf(c, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
