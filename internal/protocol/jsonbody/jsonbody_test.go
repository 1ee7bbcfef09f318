package jsonbody

import (
	"testing"
)

type inner struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type outer struct {
	AccountId *string          `json:"AccountId"`
	Tags      []inner          `json:"Tags"`
	Labels    map[string]inner `json:"Labels"`
}

// Member names are case-sensitive: an inexact one is an unknown member,
// ignored, at any depth; exact ones decode.
func TestDecodeIgnoresInexactMemberNames(t *testing.T) {
	tests := []struct {
		body      string
		account   string
		tagName   string
		fastPath  bool
		labelName string
	}{
		{`{"AccountId":"111122223333","Tags":[{"Name":"n","Value":"v"}]}`, "111122223333", "n", true, ""},
		{`{"accountid":"111122223333","Tags":[{"name":"n","Value":"v"}]}`, "", "", false, ""},
		{`{"AccountId":"1","Tags":[{"NAME":"n"}]}`, "1", "", false, ""},
		{`{"AccountId" : "a\"ccountid\":x"}`, `a"ccountid":x`, "", true, ""},
		{`{"Labels":{"k":{"Name":"l"}}}`, "", "", true, "l"},
		{`{"Unknown":1,"AccountId":"2"}`, "2", "", true, ""},
		{`{"Acc\u006funtId":"3"}`, "3", "", false, ""}, // an escape: judged the slow way (and exact)
	}
	for _, tt := range tests {
		var got outer
		if fast := !mayHaveInexactKeys([]byte(tt.body), &got); fast != tt.fastPath {
			t.Errorf("%s: fast path %v, want %v", tt.body, fast, tt.fastPath)
		}
		if err := Decode([]byte(tt.body), &got); err != nil {
			t.Fatalf("%s: %v", tt.body, err)
		}
		account := ""
		if got.AccountId != nil {
			account = *got.AccountId
		}
		tag := ""
		if len(got.Tags) > 0 {
			tag = got.Tags[0].Name
		}
		if account != tt.account || tag != tt.tagName || got.Labels["k"].Name != tt.labelName {
			t.Errorf("%s: AccountId %q, tag %q, label %q; want %q, %q, %q", tt.body, account, tag, got.Labels["k"].Name, tt.account, tt.tagName, tt.labelName)
		}
	}
}

// BenchmarkDecode decodes a typical request body (exact member names:
// the fast path).
func BenchmarkDecode(b *testing.B) {
	body := []byte(`{"AccountId":"111122223333","Tags":[{"Name":"team","Value":"platform"},{"Name":"env","Value":"test"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		var v outer
		if err := Decode(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}
