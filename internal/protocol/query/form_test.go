package query_test

import (
	"net/url"
	"testing"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/protocol/query"
)

func TestMember(t *testing.T) {
	tests := []struct{ in, want string }{
		{"UserName", "userName"},
		{"Tags.member.1.Key", "tags.1.member.key"},
		{"PolicyArns.member.2.arn", "policyArns.2.member.arn"},
	}
	for _, tt := range tests {
		if got := query.Member(tt.in); got != tt.want {
			t.Errorf("Member(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestForm(t *testing.T) {
	name := query.NewShape(1, 5, `[a-z]+`, `[a-z]+`)
	tests := []struct {
		name string
		form string
		read func(f *query.Form)
		want string // "" for no error
	}{
		{"valid", "Name=abc", func(f *query.Form) { f.Str("Name", name, true) }, ""},
		{"missing", "", func(f *query.Form) { f.Str("Name", name, true) },
			"1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"too long and bad pattern", "Name=ABCDEF", func(f *query.Form) { f.Str("Name", name, true) },
			"2 validation errors detected: Value 'ABCDEF' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5; " +
				"Value 'ABCDEF' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"},
		{"too short: no pattern check", "Name=", func(f *query.Form) { f.Str("Name", name, true) },
			"1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"enum", "S=On", func(f *query.Form) { f.Str("S", query.Shape{Enum: []string{"Active", "Inactive"}}, false) },
			"1 validation error detected: Value 'On' at 's' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"},
		{"integer", "MaxItems=0", func(f *query.Form) { f.Int("MaxItems", 1, 1000, false) },
			"1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"not a number", "MaxItems=x", func(f *query.Form) { f.Int("MaxItems", 1, 1000, false) },
			"1 validation error detected: Value 'x' at 'maxItems' failed to satisfy constraint: Member must be a number"},
		{"boolean", "B=yes", func(f *query.Form) { f.Bool("B") },
			"1 validation error detected: Value 'yes' at 'b' failed to satisfy constraint: Member must be a boolean"},
		{"list member", "L.member.2=ok&L.member.1=BAD", func(f *query.Form) { f.List("L", name, 0, false) },
			"1 validation error detected: Value 'BAD' at 'l.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"},
		{"list too long", "L.member.1=a&L.member.2=b", func(f *query.Form) { f.List("L", name, 1, false) },
			"1 validation error detected: Value '[a, b]' at 'l' failed to satisfy constraint: Member must have length less than or equal to 1"},
		{"empty list as bare name", "L=", func(f *query.Form) { f.List("L", name, 0, true) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.form)
			if err != nil {
				t.Fatal(err)
			}
			f := &query.Form{Values: v}
			tt.read(f)
			err = f.Err()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			e, ok := apierr.As(err)
			if !ok || e.Code != query.CodeValidation || e.Message != tt.want {
				t.Fatalf("got %v\nwant ValidationError: %s", err, tt.want)
			}
		})
	}
}

func TestFormIndexes(t *testing.T) {
	v, _ := url.ParseQuery("Tags.member.3.Key=a&Tags.member.1.Key=b&Tags.member.1.Value=c&Tags.member.x.Key=d&Other.member.2=e")
	f := &query.Form{Values: v}
	got := f.Indexes("Tags")
	if len(got) != 2 || got[0] != 1 || got[1] != 3 {
		t.Errorf("Indexes = %v, want [1 3]", got)
	}
}
