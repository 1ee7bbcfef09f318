package events

import (
	"encoding/json"
	"testing"
)

// readHeader reads what encoding/json reads, or fails where it fails.
func FuzzReadHeader(f *testing.F) {
	for _, s := range []string{
		`{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"eventSource":"account.amazonaws.com","eventName":"PutAlternateContact","requestParameters":{"accountId":"1","name":"a\"b}"},"responseElements":null,"readOnly":false,"eventType":"AwsApiCall"}`,
		`{"readOnly":true}`, `{"errorCode":"AccessDenied","eventType":"AwsConsoleSignIn"}`, `{}`, `{"ReadOnly":true}`,
		`{"readOnly":"x"}`, `{"a":}`, `{"a":[1,{"b":"}"}],"eventSource":"s"}`, `{"eventSource":"a\u0041"}`, `[]`, `{"a":1 "b":2}`,
		`{"readOnly":true,"readOnly":false}`, ` {"eventType" : "x" } `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		var want apiCallHeader
		wantErr := json.Unmarshal(rec, &want)
		got, err := readHeader(rec)
		if (err != nil) != (wantErr != nil) || (err == nil && got != want) {
			t.Errorf("readHeader(%q) = %+v, %v; encoding/json: %+v, %v", rec, got, err, want, wantErr)
		}
	})
}

// An event's body is what json.Marshal makes of it with the record as
// its detail.
func FuzzWithDetail(f *testing.F) {
	f.Add([]byte(`{"eventVersion":"1.08","requestParameters":{"name":"\u003cb\u003e"},"readOnly":false}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(` { "a" : [ 1 , 2 ] } `))
	f.Add([]byte(`{"a":"<b>&"}`))
	f.Fuzz(func(t *testing.T, rec []byte) {
		ev := &Event{Version: "0", ID: "id", DetailType: DetailTypeAPICall, Source: "aws.account", Account: "1",
			Time: "2026-01-01T00:00:00Z", Region: BusRegion, Resources: []string{}}
		want, wantErr := json.Marshal(&Event{Version: ev.Version, ID: ev.ID, DetailType: ev.DetailType, Source: ev.Source,
			Account: ev.Account, Time: ev.Time, Region: ev.Region, Resources: ev.Resources, Detail: json.RawMessage(rec)})
		if !json.Valid(rec) {
			t.Skip("not valid JSON") // readHeader refuses it first
		}
		if compact, _ := json.Marshal(json.RawMessage(rec)); string(compact) != string(rec) {
			t.Skip("not a record encoding/json wrote") // withDetail's precondition
		}
		got, err := withDetail(ev, rec)
		if (err != nil) != (wantErr != nil) || string(got) != string(want) {
			t.Errorf("withDetail(%q) = %s, %v; json.Marshal: %s, %v", rec, got, err, want, wantErr)
		}
	})
}
