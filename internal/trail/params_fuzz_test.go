package trail

import (
	"bytes"
	"reflect"
	"testing"
)

// slowJSONParams is JSONParams by encoding/json alone.
func slowJSONParams(body []byte) map[string]any {
	body = bytes.TrimSpace(body)
	if len(body) < 2 || body[0] != '{' {
		return nil
	}
	return decodeJSONParams(body)
}

// The fast reading of flat bodies gives what encoding/json gives, for
// every body, and takes the ones it is for.
func FuzzJSONParams(f *testing.F) {
	for _, s := range []string{
		`{"AccountId":"111122223333","AlternateContactType":"BILLING"}`,
		`{}`, ` { } `, `{"a":1,"b":-0.5e+3,"c":true,"d":false,"e":null}`, `{"a":"x","a":"y"}`,
		`{"a":{"b":1}}`, `{"a":[1]}`, `{"a":"\u00e9"}`, `{"a":"é"}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`,
		`{"a":"x",}`, `{"a":"x"} x`, `{"a" "x"}`, `{"a":tru}`, `{"a":"x"}{}`, `{"MaxResults":20,"NextToken":"abc=="}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, want := JSONParams(body), slowJSONParams(body); !reflect.DeepEqual(got, want) {
			t.Errorf("JSONParams(%q) = %#v, want %#v", body, got, want)
		}
	})
}

func TestFlatBodiesTakeTheFastReading(t *testing.T) {
	for _, s := range []string{
		`{"AccountId":"111122223333","AlternateContactType":"BILLING"}`,
		`{"MaxResults":20,"NextToken":"abc==","Flag":true,"None":null}`, `{}`,
	} {
		if _, ok := flatJSONParams([]byte(s)); !ok {
			t.Errorf("flatJSONParams(%s) declined a flat body", s)
		}
	}
	for _, s := range []string{`{"a":{"b":1}}`, `{"a":"\n"}`, `{"a":"é"}`, `{"a":01}`} {
		if _, ok := flatJSONParams([]byte(s)); ok {
			t.Errorf("flatJSONParams(%s) took a body it is not for", s)
		}
	}
}

func BenchmarkJSONParams(b *testing.B) {
	body := []byte(`{"AccountId":"111122223333","AlternateContactType":"BILLING"}`)
	b.ReportAllocs()
	for b.Loop() {
		JSONParams(body)
	}
}
