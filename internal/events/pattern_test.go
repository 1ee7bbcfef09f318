package events

import (
	"strings"
	"testing"
)

// specEvent is spec/monitoring.md §2.2's example, plus fields for the
// matchers the Region event has no use for.
const specEvent = `{
  "version":"0",
  "id":"11112222-3333-4444-5555-666677778888",
  "detail-type":"Region Opt-In Status Change",
  "source":"aws.account",
  "account":"123456789012",
  "time":"2020-09-30T06:51:08Z",
  "region":"us-east-1",
  "resources":["arn:aws:account::123456789012:account"],
  "detail":{
    "accountId":"123456789012",
    "regionName":"ap-east-1",
    "status":"ENABLED",
    "count": 5,
    "ratio": 0.25,
    "flag": true,
    "nothing": null,
    "empty": "",
    "ip": "10.0.3.7",
    "tags": ["blue", "green"],
    "items": [{"kind": "a", "n": 1}, {"kind": "b", "n": 2}],
    "path": "/usr/lib/x.so"
  }
}`

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		want    bool
	}{
		// spec/monitoring.md §2.3's two patterns.
		{"spec all region events", `{"source":["aws.account"],"detail-type":["Region Opt-In Status Change"]}`, true},
		{"spec enabled and disabled", `{"source":["aws.account"],"detail-type":["Region Opt-In Status Change"],"detail":{"status":["DISABLED","ENABLED"]}}`, true},
		{"spec enabling only", `{"source":["aws.account"],"detail":{"status":["ENABLING"]}}`, false},
		{"empty pattern string", ``, true},
		{"empty object", `{}`, true},

		// exact
		{"exact list miss", `{"source":["aws.ec2","aws.s3"]}`, false},
		{"exact is case sensitive", `{"detail":{"status":["enabled"]}}`, false},
		{"exact number", `{"detail":{"count":[5]}}`, true},
		{"exact number other form", `{"detail":{"count":[5.0]}}`, true},
		{"number is not string", `{"detail":{"count":["5"]}}`, false},
		{"string is not number", `{"version":[0]}`, false},
		{"bool", `{"detail":{"flag":[true]}}`, true},
		{"bool miss", `{"detail":{"flag":[false]}}`, false},
		{"null matches null", `{"detail":{"nothing":[null]}}`, true},
		{"null does not match absent", `{"detail":{"absent":[null]}}`, false},
		{"empty string", `{"detail":{"empty":[""]}}`, true},
		{"empty string is not null", `{"detail":{"nothing":[""]}}`, false},
		{"array field any element", `{"detail":{"tags":["green"]}}`, true},
		{"array field no element", `{"detail":{"tags":["red"]}}`, false},
		{"resources", `{"resources":["arn:aws:account::123456789012:account"]}`, true},
		{"absent field", `{"detail":{"missing":["x"]}}`, false},
		{"all fields must match", `{"source":["aws.account"],"account":["999999999999"]}`, false},

		// prefix / suffix / equals-ignore-case / wildcard
		{"prefix", `{"detail":{"regionName":[{"prefix":"ap-"}]}}`, true},
		{"prefix miss", `{"detail":{"regionName":[{"prefix":"us-"}]}}`, false},
		{"prefix on number", `{"detail":{"count":[{"prefix":"5"}]}}`, false},
		{"prefix ignore case", `{"detail":{"status":[{"prefix":{"equals-ignore-case":"enab"}}]}}`, true},
		{"suffix", `{"detail":{"regionName":[{"suffix":"-1"}]}}`, true},
		{"suffix miss", `{"detail":{"regionName":[{"suffix":"-2"}]}}`, false},
		{"equals-ignore-case", `{"detail":{"status":[{"equals-ignore-case":"enabled"}]}}`, true},
		{"wildcard", `{"detail":{"path":[{"wildcard":"*/lib/*.so"}]}}`, true},
		{"wildcard miss", `{"detail":{"path":[{"wildcard":"*/bin/*"}]}}`, false},
		{"mixed list one matches", `{"detail":{"regionName":["eu-west-1",{"prefix":"ap-"}]}}`, true},

		// anything-but
		{"anything-but value", `{"detail":{"status":[{"anything-but":"ENABLING"}]}}`, true},
		{"anything-but value miss", `{"detail":{"status":[{"anything-but":"ENABLED"}]}}`, false},
		{"anything-but list", `{"detail":{"status":[{"anything-but":["ENABLING","DISABLING"]}]}}`, true},
		{"anything-but list miss", `{"detail":{"status":[{"anything-but":["ENABLED","DISABLED"]}]}}`, false},
		{"anything-but number", `{"detail":{"count":[{"anything-but":[1,2,3]}]}}`, true},
		{"anything-but number miss", `{"detail":{"count":[{"anything-but":5}]}}`, false},
		{"anything-but prefix", `{"detail":{"regionName":[{"anything-but":{"prefix":"us-"}}]}}`, true},
		{"anything-but prefix miss", `{"detail":{"regionName":[{"anything-but":{"prefix":"ap-"}}]}}`, false},
		{"anything-but suffix miss", `{"detail":{"regionName":[{"anything-but":{"suffix":"east-1"}}]}}`, false},
		{"anything-but ignore case miss", `{"detail":{"status":[{"anything-but":{"equals-ignore-case":["enabled","x"]}}]}}`, false},
		{"anything-but absent", `{"detail":{"missing":[{"anything-but":"x"}]}}`, false},

		// numeric
		{"numeric range", `{"detail":{"count":[{"numeric":[">",0,"<=",5]}]}}`, true},
		{"numeric range miss", `{"detail":{"count":[{"numeric":[">",5,"<",10]}]}}`, false},
		{"numeric equal", `{"detail":{"count":[{"numeric":["=",5]}]}}`, true},
		{"numeric float", `{"detail":{"ratio":[{"numeric":[">=",0.25,"<",1]}]}}`, true},
		{"numeric on string", `{"detail":{"status":[{"numeric":[">",0]}]}}`, false},
		{"numeric on absent", `{"detail":{"missing":[{"numeric":[">",0]}]}}`, false},

		// exists
		{"exists true", `{"detail":{"regionName":[{"exists":true}]}}`, true},
		{"exists true absent", `{"detail":{"missing":[{"exists":true}]}}`, false},
		{"exists false absent", `{"detail":{"missing":[{"exists":false}]}}`, true},
		{"exists false present", `{"detail":{"status":[{"exists":false}]}}`, false},
		{"exists false in absent object", `{"nested":{"x":[{"exists":false}]}}`, true},
		{"exists true in absent object", `{"nested":{"x":[{"exists":true}]}}`, false},
		{"exists on null", `{"detail":{"nothing":[{"exists":true}]}}`, true},

		// cidr
		{"cidr", `{"detail":{"ip":[{"cidr":"10.0.0.0/16"}]}}`, true},
		{"cidr miss", `{"detail":{"ip":[{"cidr":"10.1.0.0/16"}]}}`, false},

		// nested lists of objects and $or
		{"list of objects", `{"detail":{"items":{"kind":["b"],"n":[2]}}}`, true},
		{"list of objects fields on one element", `{"detail":{"items":{"kind":["a"],"n":[2]}}}`, false},
		{"or first", `{"$or":[{"detail":{"status":["ENABLED"]}},{"source":["aws.ec2"]}]}`, true},
		{"or second", `{"$or":[{"detail":{"status":["DISABLED"]}},{"source":["aws.account"]}]}`, true},
		{"or none", `{"$or":[{"detail":{"status":["DISABLED"]}},{"source":["aws.ec2"]}]}`, false},
		{"or nested", `{"detail":{"$or":[{"count":[{"numeric":[">",10]}]},{"regionName":[{"prefix":"ap-"}]}]}}`, true},
		{"or with other fields", `{"source":["aws.ec2"],"$or":[{"version":["0"]},{"region":["x"]}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := CompilePattern(tt.pattern)
			if err != nil {
				t.Fatalf("CompilePattern(%s): %v", tt.pattern, err)
			}
			if got := p.Match([]byte(specEvent)); got != tt.want {
				t.Errorf("Match(%s) = %v, want %v", tt.pattern, got, tt.want)
			}
		})
	}
}

func TestPatternInvalid(t *testing.T) {
	tests := []struct{ name, pattern, want string }{
		{"not JSON", `{"source":`, "not JSON"},
		{"not an object", `["aws.account"]`, "must be a JSON object"},
		{"trailing", `{} {}`, "trailing"},
		{"scalar leaf", `{"source":"aws.account"}`, "must be a list"},
		{"empty list", `{"source":[]}`, "empty list"},
		{"empty nested", `{"detail":{}}`, "empty object"},
		{"nested list", `{"source":[["a"]]}`, "nested lists"},
		{"unknown op", `{"source":[{"regex":"a.*"}]}`, "unknown matcher"},
		{"two keys", `{"source":[{"prefix":"a","suffix":"b"}]}`, "exactly one key"},
		{"prefix number", `{"source":[{"prefix":5}]}`, "prefix takes"},
		{"exists string", `{"source":[{"exists":"yes"}]}`, "exists takes"},
		{"numeric odd", `{"n":[{"numeric":[">"]}]}`, "numeric takes"},
		{"numeric string", `{"n":[{"numeric":[">","5"]}]}`, "numeric takes"},
		{"numeric bad op", `{"n":[{"numeric":["!=",5]}]}`, "unknown numeric operator"},
		{"numeric two lower", `{"n":[{"numeric":[">",1,">=",2]}]}`, "two lower bounds"},
		{"numeric equal with range", `{"n":[{"numeric":["=",1,"<",2]}]}`, "stands alone"},
		{"anything-but empty", `{"s":[{"anything-but":[]}]}`, "at least one"},
		{"anything-but object list", `{"s":[{"anything-but":[{"prefix":"a"}]}]}`, "lists strings or numbers"},
		{"anything-but bad op", `{"s":[{"anything-but":{"numeric":[">",1]}}]}`, "does not take"},
		{"cidr bad", `{"ip":[{"cidr":"10.0.0.0/99"}]}`, "bad cidr"},
		{"or one", `{"$or":[{"a":["b"]}]}`, "at least two"},
		{"or not objects", `{"$or":["a","b"]}`, "non-empty object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CompilePattern(tt.pattern)
			if err == nil {
				t.Fatalf("CompilePattern(%s): no error, want %q", tt.pattern, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CompilePattern(%s) = %v, want it to mention %q", tt.pattern, err, tt.want)
			}
			if _, ok := err.(*PatternError); !ok {
				t.Errorf("error is %T, want *PatternError", err)
			}
		})
	}
}

func TestWildcard(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"*", "", true},
		{"a*", "abc", true},
		{"*c", "abc", true},
		{"a*c", "ac", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxcyyb", false},
		{"ab*ba", "aba", false},
		{`a\*b`, "a*b", true},
		{`a\*b`, "axb", false},
	}
	for _, tt := range tests {
		if got := wildcard(tt.p, tt.s); got != tt.want {
			t.Errorf("wildcard(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

func TestPatternString(t *testing.T) {
	p, err := CompilePattern(" {\n \"source\" : [ \"aws.account\" ] }")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.String(); got != `{"source":["aws.account"]}` {
		t.Errorf("String() = %q", got)
	}
	var nilp *Pattern
	if !nilp.Match([]byte(`{}`)) || nilp.String() != "" {
		t.Error("a nil pattern must match everything and print as empty")
	}
}
