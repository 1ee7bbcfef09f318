package iamapi

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
)

// shape is a string shape of the model: length bounds in characters, a
// pattern (Go syntax, matched in full) with the model's text of it for
// messages, or an enum.
type shape struct {
	min, max int // max 0: unbounded
	re       *regexp.Regexp
	pattern  string // as the model writes it, for messages
	enum     []string
	check    func(string) bool // instead of re, for patterns RE2 cannot express
}

func pat(min, max int, goRE, model string) shape {
	s := shape{min: min, max: max, pattern: model}
	if goRE != "" {
		s.re = regexp.MustCompile(`^(?:` + goRE + `)$`)
	}
	return s
}

// The model's string shapes (iam-2010-05-08.service-2.json).
var (
	shUserName         = pat(1, 64, `[\w+=,.@-]+`, `[\w+=,.@-]+`)
	shExistingUserName = pat(1, 128, `[\w+=,.@-]+`, `[\w+=,.@-]+`)
	shGroupName        = pat(1, 128, `[\w+=,.@-]+`, `[\w+=,.@-]+`)
	shRoleName         = pat(1, 64, `[\w+=,.@-]+`, `[\w+=,.@-]+`)
	shPolicyName       = pat(1, 128, `[\w+=,.@-]+`, `[\w+=,.@-]+`)
	shPath             = pat(1, 512, `/|/[\x21-\x7E]+/`, `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	shPathPrefix       = pat(1, 512, `/[\x21-\x7F]*`, `\u002F[\u0021-\u007F]*`)
	shPolicyPath       = pat(1, 512, `(/[A-Za-z0-9\.,\+@=_-]+)*/`, `((/[A-Za-z0-9\.,\+@=_-]+)*)/`)
	shARN              = pat(20, 2048, ``, ``)
	shPolicyDocument   = pat(1, 131072, `[\t\n\r\x{20}-\x{FF}]+`, `[\u0009\u000A\u000D\u0020-\u00FF]+`)
	shRoleDescription  = pat(0, 1000, `[\t\n\r\x{20}-\x{7E}\x{A1}-\x{FF}]*`, `[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`)
	shPolicyDesc       = pat(0, 1000, ``, ``)
	shAccessKeyID      = pat(16, 128, `[\w]+`, `[\w]+`)
	shMarker           = pat(1, 320, `[\x{20}-\x{FF}]+`, `[\u0020-\u00FF]+`)
	shVersionID        = pat(0, 0, `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`, `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	shTagKey           = pat(1, 128, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
	shTagValue         = pat(0, 256, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
	shActionName       = pat(3, 128, ``, ``)
	shResourceName     = pat(1, 2048, ``, ``)
	shContextKeyName   = pat(5, 256, ``, ``)
	shAny              = pat(0, 0, ``, ``)
	shAccountAlias     = shape{min: 3, max: 63, pattern: `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`, check: iam.ValidAlias}
	shStatus           = shape{enum: []string{"Active", "Inactive", "Expired"}}
	shScope            = shape{enum: []string{"All", "AWS", "Local"}}
	shUsage            = shape{enum: []string{"PermissionsPolicy", "PermissionsBoundary"}}
	shContextKeyType   = shape{enum: []string{"string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList", "binary", "binaryList", "date", "dateList"}}
)

// input reads the form parameters of one request and collects constraint
// violations in member order, as IAM reports them.
type input struct {
	v    url.Values
	errs []string
	// checkOnly ends the handler at its input check (see op.describe).
	checkOnly bool
}

// member is the name IAM's validation messages give a parameter:
// lowerCamel, with list paths as "tags.1.member.key" (the query
// parameter is Tags.member.1.Key).
func member(name string) string {
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

func (in *input) fail(name, value string, null bool, constraint string) {
	v := "null"
	if !null {
		v = "'" + value + "'"
	}
	in.errs = append(in.errs, "Value "+v+" at '"+member(name)+"' failed to satisfy constraint: "+constraint)
}

// has reports whether the parameter was sent.
func (in *input) has(name string) bool {
	_, ok := in.v[name]
	return ok
}

// str returns parameter name, checked against sh.
func (in *input) str(name string, sh shape, required bool) string {
	vs, ok := in.v[name]
	if !ok || len(vs) == 0 {
		if required {
			in.fail(name, "", true, "Member must not be null")
		}
		return ""
	}
	s := vs[0]
	in.checkShape(name, s, sh)
	return s
}

// checkShape appends every violated constraint of s.
func (in *input) checkShape(name, s string, sh shape) {
	if sh.enum != nil {
		for _, e := range sh.enum {
			if s == e {
				return
			}
		}
		in.fail(name, s, false, "Member must satisfy enum value set: ["+strings.Join(sh.enum, ", ")+"]")
		return
	}
	n := utf8.RuneCountInString(s)
	if n < sh.min {
		in.fail(name, s, false, fmt.Sprintf("Member must have length greater than or equal to %d", sh.min))
	}
	if sh.max > 0 && n > sh.max {
		in.fail(name, s, false, fmt.Sprintf("Member must have length less than or equal to %d", sh.max))
	}
	if n >= sh.min && ((sh.re != nil && !sh.re.MatchString(s)) || (sh.check != nil && !sh.check(s))) {
		in.fail(name, s, false, "Member must satisfy regular expression pattern: "+sh.pattern)
	}
}

// integer returns an integer parameter (0, false if absent).
func (in *input) integer(name string, min, max int, required bool) (int, bool) {
	vs, ok := in.v[name]
	if !ok || len(vs) == 0 {
		if required {
			in.fail(name, "", true, "Member must not be null")
		}
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
	if err != nil {
		in.fail(name, vs[0], false, "Member must be a number")
		return 0, false
	}
	if n < min {
		in.fail(name, vs[0], false, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	} else if n > max {
		in.fail(name, vs[0], false, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
	return n, true
}

// boolean returns a boolean parameter (false if absent).
func (in *input) boolean(name string) bool {
	vs, ok := in.v[name]
	if !ok || len(vs) == 0 {
		return false
	}
	switch strings.ToLower(vs[0]) {
	case "true":
		return true
	case "false":
		return false
	}
	in.fail(name, vs[0], false, "Member must be a boolean")
	return false
}

// indexes returns the sorted list indexes N of parameters prefix.member.N
// (or prefix.member.N.sub).
func (in *input) indexes(prefix string) []int {
	seen := map[int]bool{}
	p := prefix + ".member."
	for k := range in.v {
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

// list returns the string list prefix.member.N, each checked against sh.
// An empty list can also be sent as a bare "prefix=" parameter.
func (in *input) list(prefix string, sh shape, max int, required bool) []string {
	idx := in.indexes(prefix)
	if len(idx) == 0 {
		if required && !in.has(prefix) {
			in.fail(prefix, "", true, "Member must not be null")
		}
		return nil
	}
	out := make([]string, 0, len(idx))
	for _, n := range idx {
		name := prefix + ".member." + strconv.Itoa(n)
		v := in.v.Get(name)
		in.checkShape(name, v, sh)
		out = append(out, v)
	}
	if max > 0 && len(out) > max {
		in.fail(prefix, "["+strings.Join(out, ", ")+"]", false, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
	return out
}

// tags returns prefix.member.N.Key/Value.
func (in *input) tags(prefix string) []iam.Tag {
	idx := in.indexes(prefix)
	out := make([]iam.Tag, 0, len(idx))
	for _, n := range idx {
		base := prefix + ".member." + strconv.Itoa(n)
		k := in.str(base+".Key", shTagKey, true)
		v := in.str(base+".Value", shTagValue, true)
		out = append(out, iam.Tag{Key: k, Value: v})
	}
	if len(out) > 50 {
		in.errs = append(in.errs, "Value at '"+member(prefix)+"' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// err returns the collected violations as IAM's ValidationError.
func (in *input) err() error {
	switch len(in.errs) {
	case 0:
		if in.checkOnly {
			return errChecked
		}
		return nil
	case 1:
		return apierr.New(iam.CodeValidation, "1 validation error detected: "+in.errs[0])
	}
	return apierr.New(iam.CodeValidation, fmt.Sprintf("%d validation errors detected: %s", len(in.errs), strings.Join(in.errs, "; ")))
}
