package jsonstr

import (
	"encoding/json"
	"testing"
)

// Append quotes as encoding/json does, byte for byte.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "plain", `"quoted" \back\`, "<a href='x'>&amp;</a>", "tab\there\nline\r\x00\x1f\x7f",
		"é ünïcode 日本", "\u2028\u2029", "bad \xff\xfe utf8", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := Append(nil, s); string(got) != string(want) {
			t.Errorf("Append(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}
