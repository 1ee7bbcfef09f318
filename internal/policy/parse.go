package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
)

// Version strings of the policy language.
const (
	Version2012 = "2012-10-17" // current; the only version with policy variables
	Version2008 = "2008-10-17" // legacy; also what a document without Version means
)

// Parse parses and validates a policy document of the given kind and
// compiles it for [Evaluate].
//
// Validation follows IAM, stage by stage, and reports the first failure as
// a *[ParseError] carrying IAM's MalformedPolicyDocument message:
//
//  1. grammar ("Syntax errors in policy."): the document is a JSON object
//     with only Version, Id and Statement; Statement is an object or a
//     non-empty list of objects with only Sid, Effect, Principal,
//     NotPrincipal, Action, NotAction, Resource, NotResource and Condition,
//     never both an element and its Not form; Effect is Allow or Deny in
//     any case; Action/Resource are a string or a list of strings;
//     Principal is "*" or a map of AWS/Service/Federated/CanonicalUser to a
//     string or list; Condition maps operators to maps of keys to a value
//     or a list of values (strings, numbers, booleans); an unknown
//     condition operator is tolerated only with an empty body, as IAM does.
//  2. version: identity policies, permissions boundaries and session
//     policies must say "2012-10-17".
//  3. legacy parsing ("The policy failed legacy parsing"): Effect spelled
//     exactly Allow or Deny, Date condition values that are dates, and
//     resource ARNs whose service part is present.
//  4. unique statement IDs (and, for IAM identity documents, alphanumeric
//     ones).
//  5. every statement has actions, then (except in trust policies) resources.
//  6. resource ARN format (partition, vendor).
//  7. action vendor prefixes.
//  8. per kind: identity, boundary, session and SCP documents name no
//     principal; trust policies must name a principal, no Resource and
//     only sts: actions; resource-based policies and resource control
//     policies must name a principal.
//
// Size limits are the caller's concern.
func Parse(doc []byte, kind Kind) (*Policy, error) {
	if kind == NoKind || kind > RCP {
		return nil, errors.New("policy: Parse: invalid kind")
	}
	rd, err := parseSyntax(doc)
	if err != nil {
		return nil, err
	}
	if err := validate(rd, kind); err != nil {
		return nil, err
	}
	return compile(rd, kind), nil
}

func perr(msg string) *ParseError { return &ParseError{Message: msg} }

// rawDoc is a document that passed the grammar stage.
type rawDoc struct {
	version    string
	hasVersion bool
	id         string
	stmts      []rawStmt
}

type rawStmt struct {
	sid         string
	effect      string
	actions     []string
	actionKey   string // "Action", "NotAction" or ""
	resources   []string
	resourceKey string // "Resource", "NotResource" or ""

	principalKey string // "Principal", "NotPrincipal" or ""
	principalAny bool   // "*"
	principals   map[string][]string

	conds []rawCond
}

type rawCond struct {
	info     opInfo
	set      setOp
	ifExists bool
	keys     []string
	values   [][]string
}

var (
	topElements       = []string{"Version", "Id", "Statement"}
	statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
	principalTypes    = []string{"AWS", "Service", "Federated", "CanonicalUser"}
	partitions        = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)

// parseSyntax is stage 1: JSON and the policy grammar.
func parseSyntax(doc []byte) (*rawDoc, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, perr(msgSyntax)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, perr(msgSyntax)
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, perr(msgSyntax)
	}
	for k := range top {
		if !slices.Contains(topElements, k) {
			return nil, perr(msgSyntax)
		}
	}
	rd := &rawDoc{}
	if ver, ok := top["Version"]; ok {
		s, ok := ver.(string)
		if !ok || (s != Version2012 && s != Version2008) {
			return nil, perr(msgSyntax)
		}
		rd.version, rd.hasVersion = s, true
	}
	if id, ok := top["Id"]; ok {
		s, ok := id.(string)
		if !ok {
			return nil, perr(msgSyntax)
		}
		rd.id = s
	}
	var stmts []any
	switch st := top["Statement"].(type) {
	case map[string]any:
		stmts = []any{st}
	case []any:
		if len(st) == 0 {
			return nil, perr(msgSyntax)
		}
		stmts = st
	default:
		return nil, perr(msgSyntax)
	}
	for _, s := range stmts {
		m, ok := s.(map[string]any)
		if !ok {
			return nil, perr(msgSyntax)
		}
		rs, ok := parseStatementSyntax(m)
		if !ok {
			return nil, perr(msgSyntax)
		}
		rd.stmts = append(rd.stmts, rs)
	}
	return rd, nil
}

func parseStatementSyntax(m map[string]any) (rawStmt, bool) {
	var rs rawStmt
	for k := range m {
		if !slices.Contains(statementElements, k) {
			return rs, false
		}
	}
	if both(m, "Action", "NotAction") || both(m, "Resource", "NotResource") || both(m, "Principal", "NotPrincipal") {
		return rs, false
	}
	if v, ok := m["Sid"]; ok {
		s, ok := v.(string)
		if !ok {
			return rs, false
		}
		rs.sid = s
	}
	eff, ok := m["Effect"].(string)
	if !ok || (!strings.EqualFold(eff, "Allow") && !strings.EqualFold(eff, "Deny")) {
		return rs, false
	}
	rs.effect = eff
	for _, k := range []string{"Action", "NotAction"} {
		if v, ok := m[k]; ok {
			if rs.actions, ok = stringOrList(v); !ok {
				return rs, false
			}
			rs.actionKey = k
		}
	}
	for _, k := range []string{"Resource", "NotResource"} {
		if v, ok := m[k]; ok {
			if rs.resources, ok = stringOrList(v); !ok {
				return rs, false
			}
			rs.resourceKey = k
		}
	}
	for _, k := range []string{"Principal", "NotPrincipal"} {
		v, ok := m[k]
		if !ok {
			continue
		}
		rs.principalKey = k
		switch p := v.(type) {
		case string:
			if p != "*" {
				return rs, false
			}
			rs.principalAny = true
		case map[string]any:
			rs.principals = make(map[string][]string, len(p))
			for typ, vals := range p {
				if !slices.Contains(principalTypes, typ) {
					return rs, false
				}
				list, ok := stringOrList(vals)
				if !ok {
					return rs, false
				}
				rs.principals[typ] = list
			}
		default:
			return rs, false
		}
	}
	if v, ok := m["Condition"]; ok {
		cm, ok := v.(map[string]any)
		if !ok {
			return rs, false
		}
		ops := make([]string, 0, len(cm))
		for op := range cm {
			ops = append(ops, op)
		}
		slices.Sort(ops)
		for _, op := range ops {
			body, ok := cm[op].(map[string]any)
			if !ok {
				return rs, false
			}
			info, set, ifExists, known := parseOperator(op)
			if !known {
				// IAM accepts an unknown operator with an empty body.
				if len(body) > 0 {
					return rs, false
				}
				continue
			}
			rc := rawCond{info: info, set: set, ifExists: ifExists}
			keys := make([]string, 0, len(body))
			for k := range body {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				vals, ok := conditionValues(body[k])
				if !ok {
					return rs, false
				}
				rc.keys = append(rc.keys, k)
				rc.values = append(rc.values, vals)
			}
			rs.conds = append(rs.conds, rc)
		}
	}
	return rs, true
}

func both(m map[string]any, a, b string) bool {
	_, okA := m[a]
	_, okB := m[b]
	return okA && okB
}

// stringOrList accepts a string or a (possibly empty) list of strings.
func stringOrList(v any) ([]string, bool) {
	switch t := v.(type) {
	case string:
		return []string{t}, true
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// conditionValues accepts a scalar (string, number, boolean) or a list of
// scalars, and returns their string forms.
func conditionValues(v any) ([]string, bool) {
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := scalar(e)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := scalar(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

func scalar(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		if t {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// validate runs stages 2 to 8.
func validate(rd *rawDoc, kind Kind) error {
	identityLike := kind == Identity || kind == Boundary || kind == Session

	// 2. Version.
	if identityLike && rd.version != Version2012 {
		return perr(msgVersion)
	}

	// 3. Legacy parsing. A resource with a format error is reported in
	// stage 6, and IAM's legacy parser then skips the remaining resources.
	formatErr := ""
	for i := range rd.stmts {
		st := &rd.stmts[i]
		if st.effect != "Allow" && st.effect != "Deny" {
			return perr(msgLegacy)
		}
		for _, c := range st.conds {
			if c.info.family < opDateEquals || c.info.family > opDateGreaterThanEquals {
				continue
			}
			for _, vals := range c.values {
				for _, v := range vals {
					if _, ok := parseDate(v); !ok {
						return perr(msgLegacy)
					}
				}
			}
		}
		for _, r := range st.resources {
			if formatErr != "" {
				break
			}
			if msg := resourceFormatError(r); msg != "" {
				formatErr = msg
				break
			}
			if !legacyResourceOK(r) {
				return perr(msgLegacy)
			}
		}
	}

	// 4. Statement IDs.
	seen := make(map[string]bool, len(rd.stmts))
	for _, st := range rd.stmts {
		if st.sid == "" {
			continue
		}
		if seen[st.sid] {
			return perr(msgSidUnique)
		}
		seen[st.sid] = true
	}
	if identityLike {
		for _, st := range rd.stmts {
			if !isAlnum(st.sid) {
				return perr(msgSidAlnum)
			}
		}
	}

	// 5. Actions.
	for _, st := range rd.stmts {
		if st.actionKey == "" || len(st.actions) == 0 {
			return perr(msgNoActions)
		}
	}

	// Resources, where the kind needs them. IAM checks this before the
	// resource format and the action vendors.
	for _, st := range rd.stmts {
		if st.resourceKey != "" && len(st.resources) > 0 {
			continue
		}
		switch kind {
		case Identity, Boundary, Session, SCP:
			return perr(msgNoResources)
		case Resource, RCP:
			return perr(msgNeedResource)
		}
	}

	// 6. Resource format.
	if formatErr != "" {
		return perr(formatErr)
	}

	// 7. Action vendors.
	for _, st := range rd.stmts {
		for _, a := range st.actions {
			if msg := actionError(a); msg != "" {
				return perr(msg)
			}
		}
	}

	// 8. Kind-specific elements.
	for _, st := range rd.stmts {
		switch kind {
		case Identity, Boundary, Session, SCP:
			if st.principalKey != "" {
				return perr(msgNoPrincipal)
			}
		case Trust:
			if st.resourceKey != "" {
				return perr(msgTrustResource)
			}
			if st.principalKey == "" {
				return perr(msgNeedPrincipal)
			}
			if st.actionKey == "Action" {
				for _, a := range st.actions {
					if len(a) < 4 || !strings.EqualFold(a[:4], "sts:") {
						return perr(msgTrustActions)
					}
				}
			}
		case Resource, RCP:
			if st.principalKey == "" {
				return perr(msgNeedPrincipal)
			}
		}
	}
	return nil
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// resourceFormatError returns IAM's message for a Resource that is not "*"
// and not shaped like an ARN, or "".
func resourceFormatError(r string) string {
	if r == "*" {
		return ""
	}
	_, rest, ok := strings.Cut(r, ":")
	if !ok {
		return "Resource " + r + ` must be in ARN format or "*".`
	}
	partition, rest, hasService := strings.Cut(rest, ":")
	if partition != "*" && !slices.Contains(partitions, partition) {
		parts := strings.Split(rest, ":")
		field := func(i int) string {
			if i < len(parts) {
				return parts[i]
			}
			return "*"
		}
		arn1 := parts[0]
		if arn1 == "" && len(parts) == 1 {
			arn1 = "*"
		}
		arn4 := "*"
		if len(parts) > 3 {
			arn4 = strings.Join(parts[3:], ":")
		}
		return `Partition "` + partition + `" is not valid for resource "arn:` + partition + ":" +
			arn1 + ":" + field(1) + ":" + field(2) + ":" + arn4 + `".`
	}
	if !hasService {
		return msgVendorQualified
	}
	return ""
}

// legacyResourceOK is IAM's legacy check of a well-formed resource: an ARN
// with an empty part must have all six parts, and the service part must
// not be empty.
func legacyResourceOK(r string) bool {
	if r == "*" {
		return true
	}
	if strings.Count(r, ":") < 5 && strings.Contains(r, "::") {
		return false
	}
	parts := strings.SplitN(r, ":", 4)
	return len(parts) >= 3 && parts[2] != ""
}

// actionError returns IAM's message for a malformed action, or "".
func actionError(a string) string {
	if a == "*" {
		return ""
	}
	vendor, _, ok := strings.Cut(a, ":")
	if !ok {
		return msgNoVendor
	}
	if strings.Count(a, ":") > 1 {
		return msgOneColon
	}
	if vendor == "*" {
		return ""
	}
	for i := 0; i < len(vendor); i++ {
		c := vendor[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '.') {
			return "Vendor " + vendor + " is not valid"
		}
	}
	return ""
}

// compile builds the evaluable policy from a validated document.
func compile(rd *rawDoc, kind Kind) *Policy {
	p := &Policy{kind: kind, version: rd.version, id: rd.id}
	vars := rd.version == Version2012
	p.statements = make([]statement, len(rd.stmts))
	for i := range rd.stmts {
		rs := &rd.stmts[i]
		st := &p.statements[i]
		st.sid = rs.sid
		st.effect = Allow
		if rs.effect == "Deny" {
			st.effect = ExplicitDeny
		}
		st.notAction = rs.actionKey == "NotAction"
		for _, a := range rs.actions {
			st.actions = append(st.actions, compilePattern(a, true, false, true))
		}
		st.hasResource = rs.resourceKey != ""
		st.notResource = rs.resourceKey == "NotResource"
		for _, r := range rs.resources {
			st.resources = append(st.resources, compilePattern(r, true, vars, false))
		}
		if rs.principalKey != "" {
			st.principal = &principals{
				not:       rs.principalKey == "NotPrincipal",
				any:       rs.principalAny,
				aws:       rs.principals["AWS"],
				service:   rs.principals["Service"],
				federated: rs.principals["Federated"],
			}
		}
		for _, rc := range rs.conds {
			for k, key := range rc.keys {
				c := condition{
					family:   rc.info.family,
					negated:  rc.info.negated,
					ifExists: rc.ifExists,
					set:      rc.set,
					key:      key,
				}
				for _, v := range rc.values[k] {
					c.values = append(c.values, compileValue(c.family, v, vars))
				}
				st.conds = append(st.conds, c)
			}
		}
	}
	return p
}
