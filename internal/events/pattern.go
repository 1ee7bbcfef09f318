package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strings"
)

// Pattern is a compiled EventBridge event pattern: a JSON object whose
// leaves are lists of matchers (exact values, prefix, suffix,
// equals-ignore-case, wildcard, anything-but, numeric, exists, cidr) and
// whose inner objects match nested event fields; "$or" lists alternative
// sub-patterns. A nil *Pattern matches every event.
type Pattern struct {
	root *node
	src  string
}

// PatternError is a pattern that does not compile.
type PatternError struct{ Msg string }

func (e *PatternError) Error() string { return "invalid event pattern: " + e.Msg }

func patternErr(format string, args ...any) error {
	return &PatternError{Msg: fmt.Sprintf(format, args...)}
}

// node matches one level of the event: every field must match, and each
// $or must have a matching alternative.
type node struct {
	fields []field
	ors    [][]*node
}

type field struct {
	key    string
	sub    *node  // a nested object, or
	leaves []leaf // a list of matchers
}

// leaf is one matcher of a list. exists is set for {"exists": bool};
// otherwise fn decides on one present scalar value.
type leaf struct {
	exists *bool
	fn     func(v any) bool
}

// CompilePattern compiles a pattern; "" (or only white space) gives nil,
// which matches everything.
func CompilePattern(src string) (*Pattern, error) {
	src = strings.TrimSpace(src)
	if src == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, patternErr("not JSON: %v", err)
	}
	if dec.More() {
		return nil, patternErr("trailing data after the pattern object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, patternErr("the pattern must be a JSON object")
	}
	root, err := compileNode(obj, "")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	_ = json.Compact(&buf, []byte(src))
	return &Pattern{root: root, src: buf.String()}, nil
}

// String returns the pattern's compact JSON ("" for nil).
func (p *Pattern) String() string {
	if p == nil {
		return ""
	}
	return p.src
}

func compileNode(obj map[string]any, path string) (*node, error) {
	n := &node{}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := path + k
		switch v := obj[k].(type) {
		case map[string]any:
			if len(v) == 0 {
				return nil, patternErr("%s: an empty object matches nothing", p)
			}
			sub, err := compileNode(v, p+".")
			if err != nil {
				return nil, err
			}
			n.fields = append(n.fields, field{key: k, sub: sub})
		case []any:
			if k == "$or" {
				alts, err := compileOr(v, p)
				if err != nil {
					return nil, err
				}
				n.ors = append(n.ors, alts)
				continue
			}
			if len(v) == 0 {
				return nil, patternErr("%s: an empty list matches nothing", p)
			}
			leaves := make([]leaf, 0, len(v))
			for _, m := range v {
				l, err := compileLeaf(m, p)
				if err != nil {
					return nil, err
				}
				leaves = append(leaves, l)
			}
			n.fields = append(n.fields, field{key: k, leaves: leaves})
		default:
			return nil, patternErr("%s: must be a list of matchers or an object", p)
		}
	}
	return n, nil
}

func compileOr(list []any, path string) ([]*node, error) {
	if len(list) < 2 {
		return nil, patternErr("%s: needs at least two alternatives", path)
	}
	alts := make([]*node, 0, len(list))
	for _, a := range list {
		obj, ok := a.(map[string]any)
		if !ok || len(obj) == 0 {
			return nil, patternErr("%s: each alternative must be a non-empty object", path)
		}
		n, err := compileNode(obj, strings.TrimSuffix(path, "$or"))
		if err != nil {
			return nil, err
		}
		alts = append(alts, n)
	}
	return alts, nil
}

func compileLeaf(m any, path string) (leaf, error) {
	switch v := m.(type) {
	case nil:
		return leaf{fn: func(x any) bool { return x == nil }}, nil
	case string, bool:
		return leaf{fn: func(x any) bool { return x == v }}, nil
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return leaf{}, patternErr("%s: bad number %s", path, v)
		}
		return leaf{fn: func(x any) bool { g, ok := number(x); return ok && g == f }}, nil
	case []any:
		return leaf{}, patternErr("%s: nested lists are not allowed", path)
	case map[string]any:
		if len(v) != 1 {
			return leaf{}, patternErr("%s: a matcher object must have exactly one key", path)
		}
		for op, arg := range v {
			return compileOp(op, arg, path)
		}
	}
	return leaf{}, patternErr("%s: unsupported matcher", path)
}

func compileOp(op string, arg any, path string) (leaf, error) {
	switch op {
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return leaf{}, patternErr("%s: exists takes true or false", path)
		}
		return leaf{exists: &b}, nil
	case "prefix", "suffix":
		fn, err := affixMatcher(op, arg, path)
		return leaf{fn: fn}, err
	case "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return leaf{}, patternErr("%s: equals-ignore-case takes a string", path)
		}
		return leaf{fn: func(x any) bool { t, ok := x.(string); return ok && strings.EqualFold(t, s) }}, nil
	case "wildcard":
		s, ok := arg.(string)
		if !ok {
			return leaf{}, patternErr("%s: wildcard takes a string", path)
		}
		return leaf{fn: func(x any) bool { t, ok := x.(string); return ok && wildcard(s, t) }}, nil
	case "numeric":
		fn, err := numericMatcher(arg, path)
		return leaf{fn: fn}, err
	case "cidr":
		s, ok := arg.(string)
		if !ok {
			return leaf{}, patternErr("%s: cidr takes a string", path)
		}
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return leaf{}, patternErr("%s: bad cidr %q", path, s)
		}
		pfx = pfx.Masked()
		return leaf{fn: func(x any) bool {
			t, ok := x.(string)
			if !ok {
				return false
			}
			a, err := netip.ParseAddr(t)
			return err == nil && pfx.Contains(a.Unmap())
		}}, nil
	case "anything-but":
		fn, err := anythingBut(arg, path)
		if err != nil {
			return leaf{}, err
		}
		return leaf{fn: func(x any) bool { return !fn(x) }}, nil
	}
	return leaf{}, patternErr("%s: unknown matcher %q", path, op)
}

// affixMatcher compiles prefix or suffix with a string or
// {"equals-ignore-case": string}.
func affixMatcher(op string, arg any, path string) (func(any) bool, error) {
	fold := false
	s, ok := arg.(string)
	if obj, isObj := arg.(map[string]any); isObj && len(obj) == 1 {
		s, ok = obj["equals-ignore-case"].(string)
		fold = true
	}
	if !ok {
		return nil, patternErr("%s: %s takes a string or {\"equals-ignore-case\": string}", path, op)
	}
	if fold {
		s = strings.ToLower(s)
	}
	return func(x any) bool {
		t, ok := x.(string)
		if !ok {
			return false
		}
		if fold {
			t = strings.ToLower(t)
		}
		if op == "prefix" {
			return strings.HasPrefix(t, s)
		}
		return strings.HasSuffix(t, s)
	}, nil
}

// anythingBut compiles the argument of anything-but into the matcher it
// negates: a value, a list of values, or a prefix, suffix,
// equals-ignore-case or wildcard object.
func anythingBut(arg any, path string) (func(any) bool, error) {
	switch v := arg.(type) {
	case string, json.Number:
		return compileExact(v, path)
	case []any:
		if len(v) == 0 {
			return nil, patternErr("%s: anything-but needs at least one value", path)
		}
		fns := make([]func(any) bool, 0, len(v))
		for _, e := range v {
			switch e.(type) {
			case string, json.Number:
			default:
				return nil, patternErr("%s: anything-but lists strings or numbers", path)
			}
			fn, err := compileExact(e, path)
			if err != nil {
				return nil, err
			}
			fns = append(fns, fn)
		}
		return func(x any) bool {
			for _, fn := range fns {
				if fn(x) {
					return true
				}
			}
			return false
		}, nil
	case map[string]any:
		if len(v) != 1 {
			return nil, patternErr("%s: anything-but takes one matcher object", path)
		}
		for op, a := range v {
			switch op {
			case "prefix", "suffix":
				if _, ok := a.(string); !ok {
					return nil, patternErr("%s: anything-but %s takes a string", path, op)
				}
				return affixMatcher(op, a, path)
			case "equals-ignore-case", "wildcard":
				list, isList := a.([]any)
				if !isList {
					list = []any{a}
				}
				var fns []func(any) bool
				for _, s := range list {
					l, err := compileOp(op, s, path)
					if err != nil {
						return nil, err
					}
					fns = append(fns, l.fn)
				}
				return func(x any) bool {
					for _, fn := range fns {
						if fn(x) {
							return true
						}
					}
					return false
				}, nil
			}
			return nil, patternErr("%s: anything-but does not take %q", path, op)
		}
	}
	return nil, patternErr("%s: anything-but takes a value, a list or a matcher object", path)
}

func compileExact(v any, path string) (func(any) bool, error) {
	l, err := compileLeaf(v, path)
	return l.fn, err
}

// numericMatcher compiles ["op", n] or ["op", n, "op", n]: "=" alone, or at
// most one lower bound (">", ">=") and one upper bound ("<", "<=").
func numericMatcher(arg any, path string) (func(any) bool, error) {
	list, ok := arg.([]any)
	if !ok || (len(list) != 2 && len(list) != 4) {
		return nil, patternErr("%s: numeric takes [op, number] or [op, number, op, number]", path)
	}
	type bound struct {
		op string
		n  float64
	}
	var bounds []bound
	var lower, upper, eq bool
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		num, isNum := list[i+1].(json.Number)
		if !ok || !isNum {
			return nil, patternErr("%s: numeric takes [op, number] or [op, number, op, number]", path)
		}
		f, err := num.Float64()
		if err != nil || math.IsInf(f, 0) {
			return nil, patternErr("%s: bad number %s", path, num)
		}
		switch op {
		case "=":
			eq = true
		case ">", ">=":
			if lower {
				return nil, patternErr("%s: numeric has two lower bounds", path)
			}
			lower = true
		case "<", "<=":
			if upper {
				return nil, patternErr("%s: numeric has two upper bounds", path)
			}
			upper = true
		default:
			return nil, patternErr("%s: unknown numeric operator %q", path, op)
		}
		bounds = append(bounds, bound{op, f})
	}
	if eq && len(bounds) > 1 {
		return nil, patternErr("%s: numeric \"=\" stands alone", path)
	}
	return func(x any) bool {
		f, ok := number(x)
		if !ok {
			return false
		}
		for _, b := range bounds {
			var in bool
			switch b.op {
			case "=":
				in = f == b.n
			case ">":
				in = f > b.n
			case ">=":
				in = f >= b.n
			case "<":
				in = f < b.n
			case "<=":
				in = f <= b.n
			}
			if !in {
				return false
			}
		}
		return true
	}, nil
}

// number returns x as a float64 if it is a JSON number.
func number(x any) (float64, bool) {
	switch n := x.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// wildcard matches s against pattern p, where * matches any run of
// characters and \* a literal star.
func wildcard(p, s string) bool {
	// Split p into literal segments separated by unescaped stars.
	var segs []string
	var cur strings.Builder
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p) && (p[i+1] == '*' || p[i+1] == '\\'):
			cur.WriteByte(p[i+1])
			i++
		case p[i] == '*':
			segs = append(segs, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(p[i])
		}
	}
	segs = append(segs, cur.String())
	if len(segs) == 1 {
		return s == segs[0]
	}
	if !strings.HasPrefix(s, segs[0]) {
		return false
	}
	s = s[len(segs[0]):]
	last := segs[len(segs)-1]
	for _, seg := range segs[1 : len(segs)-1] {
		i := strings.Index(s, seg)
		if i < 0 {
			return false
		}
		s = s[i+len(seg):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// Match reports whether the JSON event matches p. A nil p matches
// everything; an event that is not a JSON object matches nothing else.
func (p *Pattern) Match(event []byte) bool {
	if p == nil {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false
	}
	return p.MatchValue(v)
}

// MatchValue is Match for a decoded event (numbers as json.Number or
// float64).
func (p *Pattern) MatchValue(event any) bool {
	if p == nil {
		return true
	}
	obj, _ := event.(map[string]any)
	return p.root.match(obj)
}

// match matches the object obj (nil: absent or not an object).
func (n *node) match(obj map[string]any) bool {
	for _, f := range n.fields {
		v, present := obj[f.key]
		if f.sub != nil {
			if !f.sub.matchValue(v) {
				return false
			}
			continue
		}
		if !matchLeaves(f.leaves, v, present) {
			return false
		}
	}
	for _, alts := range n.ors {
		ok := false
		for _, a := range alts {
			if a.match(obj) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// matchValue matches a nested pattern against an event value: an object,
// a list of objects (any may match) or anything else (seen as absent).
func (n *node) matchValue(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return n.match(x)
	case []any:
		objects := false
		for _, e := range x {
			if o, ok := e.(map[string]any); ok {
				objects = true
				if n.match(o) {
					return true
				}
			}
		}
		if objects {
			return false
		}
	}
	return n.match(nil)
}

func matchLeaves(leaves []leaf, v any, present bool) bool {
	for _, l := range leaves {
		if l.exists != nil {
			if *l.exists == present {
				return true
			}
			continue
		}
		if !present {
			continue
		}
		if list, ok := v.([]any); ok {
			for _, e := range list {
				if scalar(e) && l.fn(e) {
					return true
				}
			}
			continue
		}
		if scalar(v) && l.fn(v) {
			return true
		}
	}
	return false
}

// scalar reports whether v is a JSON leaf value (not an object or list).
func scalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}
