package policy

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// opFamily is the comparison a condition operator performs.
type opFamily uint8

const (
	opStringEquals opFamily = iota
	opStringEqualsIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opArnEquals // ArnEquals and ArnLike behave the same: both take wildcards
	opNull
)

type opInfo struct {
	family  opFamily
	negated bool
}

// operators maps each base condition operator (without set operator or
// IfExists) to its comparison. The negated operators (StringNotEquals,
// NotIpAddress, ...) are the positive comparison with the result inverted
// as described at [condition.eval].
var operators = map[string]opInfo{
	"StringEquals":              {opStringEquals, false},
	"StringNotEquals":           {opStringEquals, true},
	"StringEqualsIgnoreCase":    {opStringEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {opStringEqualsIgnoreCase, true},
	"StringLike":                {opStringLike, false},
	"StringNotLike":             {opStringLike, true},
	"NumericEquals":             {opNumericEquals, false},
	"NumericNotEquals":          {opNumericEquals, true},
	"NumericLessThan":           {opNumericLessThan, false},
	"NumericLessThanEquals":     {opNumericLessThanEquals, false},
	"NumericGreaterThan":        {opNumericGreaterThan, false},
	"NumericGreaterThanEquals":  {opNumericGreaterThanEquals, false},
	"DateEquals":                {opDateEquals, false},
	"DateNotEquals":             {opDateEquals, true},
	"DateLessThan":              {opDateLessThan, false},
	"DateLessThanEquals":        {opDateLessThanEquals, false},
	"DateGreaterThan":           {opDateGreaterThan, false},
	"DateGreaterThanEquals":     {opDateGreaterThanEquals, false},
	"Bool":                      {opBool, false},
	"BinaryEquals":              {opBinaryEquals, false},
	"IpAddress":                 {opIPAddress, false},
	"NotIpAddress":              {opIPAddress, true},
	"ArnEquals":                 {opArnEquals, false},
	"ArnLike":                   {opArnEquals, false},
	"ArnNotEquals":              {opArnEquals, true},
	"ArnNotLike":                {opArnEquals, true},
	"Null":                      {opNull, false},
}

// setOp is the set operator prefix of a condition operator.
type setOp uint8

const (
	setNone setOp = iota
	setForAnyValue
	setForAllValues
)

// parseOperator splits a condition operator such as
// "ForAllValues:StringNotLikeIfExists" into its parts. Operator names are
// case-sensitive, as in IAM. known is false for an operator IAM does not
// define; syntax is false for a malformed name (a set-operator prefix
// followed by another colon).
func parseOperator(name string) (info opInfo, set setOp, ifExists, known bool) {
	base := name
	switch {
	case strings.HasPrefix(base, "ForAnyValue:"):
		set, base = setForAnyValue, base[len("ForAnyValue:"):]
	case strings.HasPrefix(base, "ForAllValues:"):
		set, base = setForAllValues, base[len("ForAllValues:"):]
	}
	if b, ok := strings.CutSuffix(base, "IfExists"); ok {
		base, ifExists = b, true
	}
	info, known = operators[base]
	return info, set, ifExists, known
}

// condition is one key of one operator of a statement's Condition block.
type condition struct {
	family   opFamily
	negated  bool
	ifExists bool
	set      setOp
	key      string
	values   []condValue
}

// condValue is one policy value of a condition, pre-parsed for its family.
// A value that does not parse for its family (a number that is not a
// number, say) never matches anything.
type condValue struct {
	raw string
	pat pattern // string and ARN families
	ok  bool    // the value parsed for its family
	num float64
	t   time.Time
	b   bool // Bool; for Null, true means "the key must be absent"
	ip  netip.Prefix
	bin []byte
}

// compileValue pre-parses raw for the family. vars enables policy
// variables (2012-10-17 documents).
func compileValue(f opFamily, raw string, vars bool) condValue {
	v := condValue{raw: raw}
	switch f {
	case opStringEquals, opStringEqualsIgnoreCase:
		v.pat, v.ok = compilePattern(raw, false, vars, false), true
	case opStringLike:
		v.pat, v.ok = compilePattern(raw, true, vars, false), true
	case opArnEquals:
		v.pat, v.ok = compilePattern(raw, true, vars, false), true
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		n, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		v.num, v.ok = n, err == nil
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		v.t, v.ok = parseDate(raw)
	case opBool, opNull:
		switch {
		case strings.EqualFold(raw, "true"):
			v.b, v.ok = true, true
		case strings.EqualFold(raw, "false"):
			v.b, v.ok = false, true
		}
	case opBinaryEquals:
		b, err := base64.StdEncoding.DecodeString(raw)
		v.bin, v.ok = b, err == nil
	case opIPAddress:
		v.ip, v.ok = parseCIDR(raw)
	}
	return v
}

// parseCIDR parses an IPv4 or IPv6 CIDR block; a bare address is a block
// of one address.
func parseCIDR(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			bits := p.Bits() - 96
			if bits < 0 {
				return netip.Prefix{}, false
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), bits)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval evaluates the condition against the request context.
//
// Semantics, following the IAM User Guide:
//   - Values listed for one key are ORed; for a negated operator
//     (StringNotEquals, NotIpAddress, ...) they are NORed: the request
//     value must match none of them.
//   - A key that is missing from the request (or has no values) makes the
//     condition false, except that a negated operator is then true,
//     ...IfExists is then true, ForAllValues is then true and Null tests
//     exactly that.
//   - Without a set operator the request value is compared as a single
//     value; if the key carries several values, a positive operator
//     matches when any of them matches and a negated one when none does.
//   - ForAnyValue: at least one request value matches (for a negated
//     operator: at least one request value matches none of the policy
//     values). ForAllValues: every request value matches (for a negated
//     operator: no request value matches any policy value).
//
// TODO(fidelity): unverified against AWS: a plain (non-set) operator on a
// key with several request values, and ForAllValues with a negated
// operator on a mix of matching and non-matching values (the IAM guide's
// prose and its example table disagree; this follows the set definition).
func (c *condition) eval(ec *evalCtx) bool {
	vals := ec.values(c.key)
	if c.family == opNull {
		present := len(vals) > 0
		for i := range c.values {
			v := &c.values[i]
			if v.ok && v.b != present {
				return true
			}
		}
		return false
	}
	if len(vals) == 0 {
		switch {
		case c.ifExists:
			return true
		case c.set == setForAllValues:
			return true
		case c.set == setForAnyValue:
			return false
		}
		return c.negated
	}
	switch c.set {
	case setForAnyValue:
		for _, v := range vals {
			if c.matchAny(ec, v) != c.negated {
				return true
			}
		}
		return false
	case setForAllValues:
		for _, v := range vals {
			if c.matchAny(ec, v) == c.negated {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.matchAny(ec, v) {
			return !c.negated
		}
	}
	return c.negated
}

// matchAny reports whether the request value v matches any of the policy
// values under the positive form of the operator.
func (c *condition) matchAny(ec *evalCtx, v string) bool {
	switch c.family {
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return false
		}
		for i := range c.values {
			if p := &c.values[i]; p.ok && compareNum(c.family, n, p.num) {
				return true
			}
		}
		return false
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for i := range c.values {
			if p := &c.values[i]; p.ok && compareDate(c.family, t, p.t) {
				return true
			}
		}
		return false
	case opBool:
		var b bool
		switch {
		case strings.EqualFold(v, "true"):
			b = true
		case strings.EqualFold(v, "false"):
		default:
			return false
		}
		for i := range c.values {
			if p := &c.values[i]; p.ok && p.b == b {
				return true
			}
		}
		return false
	case opBinaryEquals:
		bin, err := base64.StdEncoding.DecodeString(v)
		for i := range c.values {
			p := &c.values[i]
			if err == nil && p.ok {
				if bytes.Equal(bin, p.bin) {
					return true
				}
			} else if v == p.raw {
				return true
			}
		}
		return false
	case opIPAddress:
		a, ok := parseIP(v)
		if !ok {
			return false
		}
		for i := range c.values {
			if p := &c.values[i]; p.ok && p.ip.Contains(a) {
				return true
			}
		}
		return false
	}
	look := ec.single
	for i := range c.values {
		p := &c.values[i]
		switch c.family {
		case opStringEquals:
			if s, ok := p.pat.resolveString(look); ok && s == v {
				return true
			}
		case opStringEqualsIgnoreCase:
			if s, ok := p.pat.resolveString(look); ok && strings.EqualFold(s, v) {
				return true
			}
		case opStringLike:
			if p.pat.match(v, look, false) {
				return true
			}
		case opArnEquals:
			if p.pat.matchARN(v, look) {
				return true
			}
		}
	}
	return false
}

// parseIP parses a request's IP address (aws:SourceIp). A CIDR-shaped
// value is read as its address.
func parseIP(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func compareNum(f opFamily, v, p float64) bool {
	switch f {
	case opNumericEquals:
		return v == p
	case opNumericLessThan:
		return v < p
	case opNumericLessThanEquals:
		return v <= p
	case opNumericGreaterThan:
		return v > p
	case opNumericGreaterThanEquals:
		return v >= p
	}
	return false
}

func compareDate(f opFamily, v, p time.Time) bool {
	switch f {
	case opDateEquals:
		return v.Equal(p)
	case opDateLessThan:
		return v.Before(p)
	case opDateLessThanEquals:
		return !v.After(p)
	case opDateGreaterThan:
		return v.After(p)
	case opDateGreaterThanEquals:
		return !v.Before(p)
	}
	return false
}
