package policy

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Internal tests of the unexported algorithms: wildcard matching, variable
// parsing and date parsing.

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"*", "", false, true},
		{"*", "anything:at/all", false, true},
		{"", "", false, true},
		{"", "x", false, false},
		{"a*", "a", false, true},
		{"a*b", "ab", false, true},
		{"a*b", "axxb", false, true},
		{"a*b", "axxbx", false, false},
		{"a*b*c", "abbbcbc", false, true},
		{"a*b*c", "abbbcbd", false, false},
		{"*a*", "bab", false, true},
		{"?", "", false, false},
		{"?", "é", false, true},
		{"??", "é", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"**a", "a", false, true},
		{"*?", "", false, false},
		{"*?", "x", false, true},
		{"arn:aws:account::*:account", "arn:aws:account::111:account", false, true},
		{"arn:aws:account::*:account", "arn:aws:account::111:account/o-x/222", false, false},
		{"arn:aws:account::*", "arn:aws:account::111:account/o-x/222", false, true},
		{"account:get*", "Account:GetAlternateContact", true, true},
		{"account:get*", "Account:GetAlternateContact", false, false},
		{"ab*ab*ab", "abababab", false, true},
		{"*aab", "aaab", false, true},
		{"ab*ba", "aba", false, false},
		{"*a?c*", "xxabbcabc", false, true},
		{"*a?c*", "xxabbcabd", false, false},
		{"*a?c", "abcabc", false, true},
		{"*a?c", "abcabd", false, false},
		{"x*?é?*y", "x1é2y", false, true},
		{"x*?é?*y", "xé2y", false, false},
		{"*??*", "é", false, false},
		{"*??*", "éé", false, true},
		{"*" + strings.Repeat("a?", 40) + "*b", strings.Repeat("ab", 41) + "b", false, true},
		{"*" + strings.Repeat("a?", 40) + "*b", strings.Repeat("ab", 39) + "b", false, false},
		{"*?*", "\xff", false, true},
		{"*\xef\xbf\xbd*", "a\xffb", false, false},
		{"*?b", "a\xffb", false, true},
	}
	for _, tt := range tests {
		p := compilePattern(tt.pattern, true, false, tt.fold)
		if got := p.match(tt.s, nil, tt.fold); got != tt.want {
			t.Errorf("match(%q, %q, fold=%v) = %v, want %v", tt.pattern, tt.s, tt.fold, got, tt.want)
		}
	}
}

// FuzzGlobLinear checks the linear matcher against the backtracking one on
// any input, invalid UTF-8 included.
func FuzzGlobLinear(f *testing.F) {
	f.Add("a*b?c", "axxbyc")
	f.Add("*a?c*", "xxabbcabc")
	f.Add("*?\xff*", "a\xff\xffb")
	f.Add("*"+strings.Repeat("?a", 70)+"*", strings.Repeat("ba", 80))
	f.Add("x*?é?*y", "x1é2y")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		p := compilePattern(pattern, true, false, false)
		if got, want := globMatch(p.elems, s), globBacktrack(p.elems, s, false); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, backtracking says %v", pattern, s, got, want)
		}
	})
}

// TestGlobLinearTime matches patterns that make a backtracking matcher
// quadratic: the work must stay linear (measured in a benchmark; here the
// answers).
func TestGlobLinearTime(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("a", 4096)
	for _, pattern := range []string{"*" + strings.Repeat("a", 1000) + "b*", "*" + strings.Repeat("?a", 500) + "b*", "*ab", "*a*a*a*b"} {
		p := compilePattern(pattern, true, false, false)
		if p.match(s, nil, false) {
			t.Errorf("%.20q... matched", pattern)
		}
	}
}

// BenchmarkGlobWorstCase compares the matchers on a pattern whose literal
// segment almost matches everywhere.
func BenchmarkGlobWorstCase(b *testing.B) {
	s := strings.Repeat("a", 2048)
	for _, c := range []struct{ name, pattern string }{
		{"literal", "*" + strings.Repeat("a", 100) + "b*"},
		{"quest", "*" + strings.Repeat("a?", 50) + "b*"},
	} {
		p := compilePattern(c.pattern, true, false, false)
		b.Run(c.name+"/linear", func(b *testing.B) {
			for b.Loop() {
				globMatch(p.elems, s)
			}
		})
		b.Run(c.name+"/backtracking", func(b *testing.B) {
			for b.Loop() {
				globBacktrack(p.elems, s, false)
			}
		})
	}
}

// globRegexp is the reference implementation of a wildcard pattern.
func globRegexp(pattern string, fold bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)")
	if fold {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// FuzzGlob checks the wildcard matcher against regexp.
func FuzzGlob(f *testing.F) {
	f.Add("a*b?c", "axxbyc", false)
	f.Add("*:*", "account:Get", true)
	f.Add("arn:aws:account::*:account", "arn:aws:account::111:account", false)
	f.Add("?*?", "é", false)
	f.Add("*a*a*a*", "aaaaaaaaaaaaaaaaaaab", false)
	f.Fuzz(func(t *testing.T, pattern, s string, fold bool) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) || len(pattern) > 64 || len(s) > 256 {
			t.Skip()
		}
		if fold && (!isASCII(pattern) || !isASCII(s)) {
			t.Skip()
		}
		p := compilePattern(pattern, true, false, fold)
		got := p.match(s, nil, fold)
		want := globRegexp(pattern, fold).MatchString(s)
		if got != want {
			t.Fatalf("match(%q, %q, fold=%v) = %v, regexp says %v", pattern, s, fold, got, want)
		}
	})
}

func TestParseVariable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		kind   elemKind
		key    string
		def    string
		hasDef bool
		bad    bool
		n      int
		ok     bool
	}{
		{in: "${aws:username}/x", kind: elemVar, key: "aws:username", n: 15, ok: true},
		{in: "${ aws:username }", kind: elemVar, key: "aws:username", n: 17, ok: true},
		{in: "${*}", kind: elemLit, key: "*", n: 4, ok: true},
		{in: "${?}", kind: elemLit, key: "?", n: 4, ok: true},
		{in: "${$}", kind: elemLit, key: "$", n: 4, ok: true},
		{in: "${k, 'd'}", kind: elemVar, key: "k", def: "d", hasDef: true, n: 9, ok: true},
		{in: "${k,'a}b'}", kind: elemVar, key: "k", def: "a}b", hasDef: true, n: 10, ok: true},
		{in: "${k, 'it''s'}", kind: elemVar, key: "k", def: "it's", hasDef: true, n: 13, ok: true},
		{in: "${k, ''}", kind: elemVar, key: "k", def: "", hasDef: true, n: 8, ok: true},
		{in: "${k, d}", kind: elemVar, key: "k", bad: true, n: 7, ok: true},
		{in: "${}", kind: elemVar, key: "", bad: true, n: 3, ok: true},
		{in: "${a b}", kind: elemVar, key: "a b", bad: true, n: 6, ok: true},
		{in: "${k", ok: false},
		{in: "${k, 'unterminated}", ok: false},
	}
	for _, tt := range tests {
		e, n, ok := parseVariable(tt.in)
		if ok != tt.ok {
			t.Errorf("parseVariable(%q): ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if e.kind != tt.kind || e.s != tt.key || e.def != tt.def || e.hasDef != tt.hasDef || e.bad != tt.bad || n != tt.n {
			t.Errorf("parseVariable(%q) = %+v, %d; want kind %d key %q def %q/%v bad %v n %d",
				tt.in, e, n, tt.kind, tt.key, tt.def, tt.hasDef, tt.bad, tt.n)
		}
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-01-01T00:00:00Z", utc("2024-01-01T00:00:00Z"), true},
		{"2024-01-01t00:00:00z", utc("2024-01-01T00:00:00Z"), true},
		{"2024-01-01", utc("2024-01-01T00:00:00Z"), true},
		{"2024-02", utc("2024-02-01T00:00:00Z"), true},
		{"2024-01-01T12:34", utc("2024-01-01T12:34:00Z"), true},
		{"2024-01-01T01:00:00+01:00", utc("2024-01-01T00:00:00Z"), true},
		{"2024-01-01T00:00:00-0130", utc("2024-01-01T01:30:00Z"), true},
		{"2024-01-01T00:00:00+05", utc("2023-12-31T19:00:00Z"), true},
		{"2016-12-13T21:20:37.593194+00:00", utc("2016-12-13T21:20:37.593194Z"), true},
		{"2016-12-13t2:00:00.593194+23", utc("2016-12-12T03:00:00.593194Z"), true},
		{"1704067200", utc("2024-01-01T00:00:00Z"), true},
		{"0", utc("1970-01-01T00:00:00Z"), true},
		{"01T", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"2024-13-01", time.Time{}, false},
		{"2024-01-32", time.Time{}, false},
		{"2024-01-01T24:00:00Z", time.Time{}, false},
		{"2024-01-01T00:60:00Z", time.Time{}, false},
		{"2024-01-01T00:00:60Z", time.Time{}, false},
		{"2024-01-01T00:00:00+1", time.Time{}, false},
		{"2024-01-01T00:00:00.1234567890Z", time.Time{}, false},
		{"2024-01-01T00:00:00Zjunk", time.Time{}, false},
		{"2024-01-01-01", time.Time{}, false},
		{"9223372036854775808", time.Time{}, false},
		{"1.5", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in)
		if ok != tt.ok || (ok && !got.Equal(tt.want)) {
			t.Errorf("parseDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSplitARN(t *testing.T) {
	t.Parallel()
	p := compilePattern("arn:aws:iam::*:role/a:b", true, false, false)
	parts, ok := splitARN(p.elems)
	if !ok {
		t.Fatal("splitARN: not six parts")
	}
	want := []string{"arn", "aws", "iam", "", "*", "role/a:b"}
	for i, part := range parts {
		var b strings.Builder
		for _, e := range part {
			switch e.kind {
			case elemStar:
				b.WriteString("*")
			case elemQuest:
				b.WriteString("?")
			default:
				b.WriteString(e.s)
			}
		}
		if b.String() != want[i] {
			t.Errorf("part %d: got %q, want %q", i, b.String(), want[i])
		}
	}
	if _, ok := splitARN(compilePattern("arn:aws:iam::*", true, false, false).elems); ok {
		t.Error("splitARN of a five-part pattern succeeded")
	}
}

// FuzzActionMatch checks the action matcher (lower-cased ASCII through the
// linear matcher) against backtracking with Unicode case folding.
func FuzzActionMatch(f *testing.F) {
	f.Add("s3:Get*", "S3:GetObject")
	f.Add("s3:*k*", "s3:\u212a")
	f.Add("s3:*\u212a*", "S3:K")
	f.Add("iam:?et*Polic?", "IAM:GetRolePolicy")
	f.Fuzz(func(t *testing.T, pattern, action string) {
		p := compilePattern(pattern, true, false, true)
		ec := &evalCtx{req: &Request{Action: action}}
		want := p.kind == patAny || globBacktrack(p.elems, action, true)
		if p.kind == patExact {
			want = strings.EqualFold(action, p.text)
		}
		if got := p.matchAction(ec); got != want {
			t.Fatalf("matchAction(%q, %q) = %v, want %v", pattern, action, got, want)
		}
	})
}
