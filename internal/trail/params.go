package trail

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/kernel"
)

// sensitive are the request members (camelCase, lower-cased for the
// comparison) whose values records hide: secrets, tokens, passwords and
// one-time codes.
var sensitive = map[string]bool{
	"secretaccesskey":     true,
	"sessiontoken":        true,
	"otp":                 true,
	"tokencode":           true,
	"password":            true,
	"newpassword":         true,
	"oldpassword":         true,
	"privatekey":          true,
	"webidentitytoken":    true,
	"samlassertion":       true,
	"authenticationcode1": true,
	"authenticationcode2": true,
}

// omittedResponse are response members records leave out.
var omittedResponse = map[string]bool{
	"secretaccesskey": true,
	"sessiontoken":    true,
}

// JSONParams returns the members of a JSON request body (awsJson or
// REST-JSON), or nil when the body is empty, {} or not a JSON object.
func JSONParams(body []byte) map[string]any {
	body = bytes.TrimSpace(body)
	if len(body) < 2 || body[0] != '{' {
		return nil
	}
	if m, ok := flatJSONParams(body); ok {
		if len(m) == 0 {
			return nil
		}
		return m
	}
	return decodeJSONParams(body)
}

// decodeJSONParams is JSONParams by encoding/json alone, for a body that
// starts with '{'.
func decodeJSONParams(body []byte) map[string]any {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil || len(m) == 0 {
		return nil
	}
	return m
}

// queryNumbers are query members AWS records as numbers, queryBools as
// booleans (the query protocol sends every value as a string).
var (
	queryNumbers = map[string]bool{
		"DurationSeconds": true, "MaxSessionDuration": true, "MaxItems": true,
		"MinimumPasswordLength": true, "MaxPasswordAge": true, "PasswordReusePrevention": true,
	}
	queryBools = map[string]bool{
		"SetAsDefault": true, "PasswordResetRequired": true, "RequireSymbols": true,
		"RequireNumbers": true, "RequireUppercaseCharacters": true, "RequireLowercaseCharacters": true,
		"AllowUsersToChangePassword": true, "HardExpiry": true,
	}
)

// QueryParams returns the members of a query-protocol request (IAM, STS)
// as a tree: "Tags.member.1.Key" becomes Tags: [{Key: ...}], and
// "Attributes.entry.1.key"/".value" a map entry. Action and Version are
// not members. It returns nil when there are none.
func QueryParams(v url.Values) map[string]any {
	root := map[string]any{}
	names := make([]string, 0, len(v))
	for k := range v {
		if k == "Action" || k == "Version" || len(v[k]) == 0 {
			continue
		}
		names = append(names, k)
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	for _, k := range names {
		var val any = v[k][0]
		parts := strings.Split(k, ".")
		last := parts[len(parts)-1]
		if queryNumbers[last] {
			if n, err := strconv.ParseInt(v[k][0], 10, 64); err == nil {
				val = n
			}
		} else if queryBools[last] {
			if b, err := strconv.ParseBool(v[k][0]); err == nil {
				val = b
			}
		}
		insert(root, parts, val)
	}
	return finish(root).(map[string]any)
}

// list is a query list under construction: items by index.
type list map[int]any

func insert(node map[string]any, parts []string, val any) {
	key, rest := parts[0], parts[1:]
	if len(rest) == 0 {
		node[key] = val
		return
	}
	if (rest[0] == "member" || rest[0] == "entry") && len(rest) >= 2 {
		if i, err := strconv.Atoi(rest[1]); err == nil && i > 0 {
			l, ok := node[key].(list)
			if !ok {
				l = list{}
				node[key] = l
			}
			if len(rest) == 2 {
				l[i] = val
				return
			}
			child, ok := l[i].(map[string]any)
			if !ok {
				child = map[string]any{}
				l[i] = child
			}
			insert(child, rest[2:], val)
			return
		}
	}
	child, ok := node[key].(map[string]any)
	if !ok {
		child = map[string]any{}
		node[key] = child
	}
	insert(child, rest, val)
}

// finish turns lists under construction into slices in index order.
func finish(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			x[k] = finish(c)
		}
		return x
	case list:
		idx := make([]int, 0, len(x))
		for i := range x {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		out := make([]any, len(idx))
		for j, i := range idx {
			out[j] = finish(x[i])
		}
		return out
	}
	return v
}

// camel returns a member name as records write it: the first letter
// lower-cased (AlternateContactType → alternateContactType).
func camel(name string) string {
	r, n := utf8.DecodeRuneInString(name)
	if n == 0 || unicode.IsLower(r) {
		return name
	}
	return string(unicode.ToLower(r)) + name[n:]
}

// appendLower appends name lower-cased (as strings.ToLower would) to b.
func appendLower(b []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return append(b, strings.ToLower(name)...)
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// requestParameters normalizes a call's members: camelCase names,
// sensitive values hidden, and the spec's choices for the Account API
// (Options). No members is null.
func requestParameters(service, operation string, params map[string]any, opts Options) map[string]any {
	if len(params) == 0 {
		return nil
	}
	out := normalize(params, false).(map[string]any)
	if service == "account" {
		if !opts.RecordPhoneNumbers {
			delete(out, "phoneNumber")
		}
		if opts.MaskNames && operation == "PutAlternateContact" {
			if n, ok := out["name"].(string); ok && n != "" {
				out["name"] = "*" + n + "*"
			}
		}
	}
	return out
}

// responseElements normalizes the response elements a record keeps:
// camelCase names, no secrets or tokens, and times as AWS writes them in
// response elements ("Jan 2, 2006, 3:04:05 PM").
func responseElements(resp map[string]any) map[string]any {
	if len(resp) == 0 {
		return nil
	}
	return normalize(resp, true).(map[string]any)
}

func normalize(v any, response bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		var buf [64]byte
		for k, c := range x {
			name := camel(k)
			lower := appendLower(buf[:0], name) // the map lookups of string(lower) allocate nothing
			switch {
			case response && omittedResponse[string(lower)]:
				continue
			case !response && sensitive[string(lower)]:
				out[name] = Hidden
				continue
			case response && (string(lower) == "expiration" || string(lower) == "createdate"):
				if s, ok := c.(string); ok {
					if t, err := time.Parse(time.RFC3339, s); err == nil {
						out[name] = t.UTC().Format("Jan 2, 2006, 3:04:05 PM")
						continue
					}
				}
			}
			out[name] = normalize(c, response)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			out[i] = normalize(c, response)
		}
		return out
	}
	return v
}

// Resource is a resource a call names, as LookupEvents reports it.
type Resource = kernel.TrailResource

// resourceMembers maps the request members that name a resource to its
// type, per service.
var resourceMembers = map[string]map[string]string{
	"iam": {
		"UserName": "AWS::IAM::User", "RoleName": "AWS::IAM::Role", "GroupName": "AWS::IAM::Group",
		"PolicyArn": "AWS::IAM::Policy", "AccessKeyId": "AWS::IAM::AccessKey",
		"InstanceProfileName": "AWS::IAM::InstanceProfile", "PermissionsBoundary": "AWS::IAM::Policy",
	},
	"sts": {"RoleArn": "AWS::IAM::Role"},
	"organizations": {
		"AccountId": "AWS::Organizations::Account", "OrganizationalUnitId": "AWS::Organizations::OrganizationalUnit",
		"PolicyId": "AWS::Organizations::Policy", "HandshakeId": "AWS::Organizations::Handshake",
		"RootId": "AWS::Organizations::Root", "ParentId": "", "TargetId": "",
		"SourceParentId": "", "DestinationParentId": "", "ResourceId": "",
	},
}

// Resources returns the resources a call's members name, in member-name
// order: IAM users, roles, groups, policies and access keys, the role an
// AssumeRole names, and Organizations accounts, OUs, roots, policies and
// handshakes.
func Resources(service string, params map[string]any) []Resource {
	members := resourceMembers[service]
	if len(members) == 0 || len(params) == 0 {
		return nil
	}
	var out []Resource
	for name, typ := range members {
		s, ok := params[name].(string)
		if !ok || s == "" {
			continue
		}
		if typ == "" {
			typ = orgResourceType(s)
			if typ == "" {
				continue
			}
		}
		out = append(out, Resource{Type: typ, Name: s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// orgResourceType is the type of an Organizations id by its shape.
func orgResourceType(id string) string {
	switch {
	case strings.HasPrefix(id, "r-"):
		return "AWS::Organizations::Root"
	case strings.HasPrefix(id, "ou-"):
		return "AWS::Organizations::OrganizationalUnit"
	case strings.HasPrefix(id, "p-"):
		return "AWS::Organizations::Policy"
	case len(id) == 12 && strings.Trim(id, "0123456789") == "":
		return "AWS::Organizations::Account"
	}
	return ""
}

// flatJSONParams reads the commonest request body, one flat object of
// ASCII strings without escapes, numbers, booleans and nulls, without
// encoding/json's reflection; ok is false for anything else (nested
// values, escapes, other bytes, bad syntax), which JSONParams leaves to
// encoding/json. What it returns is what encoding/json would.
func flatJSONParams(b []byte) (m map[string]any, ok bool) {
	i := 1 // after '{'
	space := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
	}
	str := func() (string, bool) {
		if i >= len(b) || b[i] != '"' {
			return "", false
		}
		start := i + 1
		for j := start; j < len(b); j++ {
			switch c := b[j]; {
			case c == '"':
				i = j + 1
				return string(b[start:j]), true
			case c == '\\' || c < 0x20 || c >= 0x80:
				return "", false
			}
		}
		return "", false
	}
	m = map[string]any{}
	space()
	if i < len(b) && b[i] == '}' {
		i++
		space()
		return m, i == len(b)
	}
	for {
		space()
		k, ok := str()
		if !ok {
			return nil, false
		}
		space()
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i++
		space()
		if i >= len(b) {
			return nil, false
		}
		switch c := b[i]; {
		case c == '"':
			v, ok := str()
			if !ok {
				return nil, false
			}
			m[k] = v
		case c == 't' && bytes.HasPrefix(b[i:], []byte("true")):
			m[k], i = true, i+4
		case c == 'f' && bytes.HasPrefix(b[i:], []byte("false")):
			m[k], i = false, i+5
		case c == 'n' && bytes.HasPrefix(b[i:], []byte("null")):
			m[k], i = nil, i+4
		case c == '-' || (c >= '0' && c <= '9'):
			n := jsonNumberLen(b[i:])
			if n == 0 {
				return nil, false
			}
			m[k], i = json.Number(b[i:i+n]), i+n
		default:
			return nil, false
		}
		space()
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			i++
			space()
			return m, i == len(b)
		default:
			return nil, false
		}
	}
}

// jsonNumberLen is the length of the JSON number b starts with (0 if it
// starts with none): -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
func jsonNumberLen(b []byte) int {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return 0
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return 0
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0
		}
	}
	return i
}
