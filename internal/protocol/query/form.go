package query

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/apierr"
)

// CodeValidation is the error code of the query services' (IAM, STS)
// model validation failures.
const CodeValidation = "ValidationError"

// Shape is a string shape of a service model: length bounds in characters
// (Max 0: unbounded), a pattern, or an enum.
type Shape struct {
	Min, Max int
	// RE is the pattern in Go syntax, matched in full (compiled when first
	// used: compiling every shape's was a part of start-up); Pattern is
	// the model's text of it, for messages.
	RE      func() *regexp.Regexp
	Pattern string
	// Check replaces RE for patterns RE2 cannot express.
	Check func(string) bool
	// Enum, if set, lists the only values allowed (no other checks apply).
	Enum []string
}

// NewShape returns the shape of length min..max matching goRE (Go syntax;
// "" for no pattern), whose model text is model.
func NewShape(min, max int, goRE, model string) Shape {
	s := Shape{Min: min, Max: max, Pattern: model}
	if goRE != "" {
		s.RE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:` + goRE + `)$`) })
	}
	return s
}

// Form reads the form parameters of one query-protocol request and
// collects the model's constraint violations in the order they are read,
// as IAM and STS report them. The zero value with Values set is ready.
type Form struct {
	Values url.Values
	errs   []string
}

// Member is the name the services' validation messages give a parameter:
// lowerCamel, with list paths as "tags.1.member.key" (the query parameter
// is Tags.member.1.Key).
func Member(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToLower(p[:1]) + p[1:]
		}
	}
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "member" {
			if _, err := strconv.Atoi(parts[i+1]); err == nil {
				parts[i], parts[i+1] = parts[i+1], parts[i]
				i++
			}
		}
	}
	return strings.Join(parts, ".")
}

// Fail records that parameter name (value, or null) violates constraint.
func (f *Form) Fail(name, value string, null bool, constraint string) {
	v := "null"
	if !null {
		v = "'" + value + "'"
	}
	f.errs = append(f.errs, "Value "+v+" at '"+Member(name)+"' failed to satisfy constraint: "+constraint)
}

// Violation records a violation worded by the caller.
func (f *Form) Violation(msg string) { f.errs = append(f.errs, msg) }

// Has reports whether the parameter was sent.
func (f *Form) Has(name string) bool {
	_, ok := f.Values[name]
	return ok
}

// Str returns parameter name ("" if absent), checked against sh.
func (f *Form) Str(name string, sh Shape, required bool) string {
	vs, ok := f.Values[name]
	if !ok || len(vs) == 0 {
		if required {
			f.Fail(name, "", true, "Member must not be null")
		}
		return ""
	}
	s := vs[0]
	f.CheckShape(name, s, sh)
	return s
}

// CheckShape records every constraint of sh that s violates. The pattern
// is checked only when the length is not below the minimum.
func (f *Form) CheckShape(name, s string, sh Shape) {
	if sh.Enum != nil {
		for _, e := range sh.Enum {
			if s == e {
				return
			}
		}
		f.Fail(name, s, false, "Member must satisfy enum value set: ["+strings.Join(sh.Enum, ", ")+"]")
		return
	}
	n := utf8.RuneCountInString(s)
	if n < sh.Min {
		f.Fail(name, s, false, fmt.Sprintf("Member must have length greater than or equal to %d", sh.Min))
	}
	if sh.Max > 0 && n > sh.Max {
		f.Fail(name, s, false, fmt.Sprintf("Member must have length less than or equal to %d", sh.Max))
	}
	if n >= sh.Min && ((sh.RE != nil && !sh.RE().MatchString(s)) || (sh.Check != nil && !sh.Check(s))) {
		f.Fail(name, s, false, "Member must satisfy regular expression pattern: "+sh.Pattern)
	}
}

// Int returns an integer parameter in min..max; ok is false if it is
// absent or not a number.
func (f *Form) Int(name string, min, max int, required bool) (n int, ok bool) {
	vs, sent := f.Values[name]
	if !sent || len(vs) == 0 {
		if required {
			f.Fail(name, "", true, "Member must not be null")
		}
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
	if err != nil {
		f.Fail(name, vs[0], false, "Member must be a number")
		return 0, false
	}
	if n < min {
		f.Fail(name, vs[0], false, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	} else if n > max {
		f.Fail(name, vs[0], false, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
	return n, true
}

// Bool returns a boolean parameter (false if absent).
func (f *Form) Bool(name string) bool {
	vs, ok := f.Values[name]
	if !ok || len(vs) == 0 {
		return false
	}
	switch strings.ToLower(vs[0]) {
	case "true":
		return true
	case "false":
		return false
	}
	f.Fail(name, vs[0], false, "Member must be a boolean")
	return false
}

// Indexes returns the sorted list indexes N of the parameters
// prefix.member.N (or prefix.member.N.sub).
func (f *Form) Indexes(prefix string) []int {
	seen := map[int]bool{}
	p := prefix + ".member."
	for k := range f.Values {
		rest, ok := strings.CutPrefix(k, p)
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(num); err == nil && n > 0 {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// List returns the string list prefix.member.N, each member checked
// against sh, at most max long (0: unbounded). An empty list can also be
// sent as a bare "prefix=" parameter.
func (f *Form) List(prefix string, sh Shape, max int, required bool) []string {
	idx := f.Indexes(prefix)
	if len(idx) == 0 {
		if required && !f.Has(prefix) {
			f.Fail(prefix, "", true, "Member must not be null")
		}
		return nil
	}
	out := make([]string, 0, len(idx))
	for _, n := range idx {
		name := prefix + ".member." + strconv.Itoa(n)
		v := f.Values.Get(name)
		f.CheckShape(name, v, sh)
		out = append(out, v)
	}
	if max > 0 && len(out) > max {
		f.Fail(prefix, "["+strings.Join(out, ", ")+"]", false, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
	return out
}

// Err returns the violations recorded so far as one ValidationError
// ("1 validation error detected: …", "N validation errors detected: …; …"),
// or nil if there are none.
func (f *Form) Err() error {
	switch len(f.errs) {
	case 0:
		return nil
	case 1:
		return apierr.New(CodeValidation, "1 validation error detected: "+f.errs[0])
	}
	return apierr.New(CodeValidation, fmt.Sprintf("%d validation errors detected: %s", len(f.errs), strings.Join(f.errs, "; ")))
}
