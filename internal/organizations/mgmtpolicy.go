package organizations

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
)

// Management policies (tag, backup, AI services opt-out, declarative and
// the rest) are JSON documents whose objects name settings and whose
// leaves say, with an inheritance operator, what to do with the inherited
// value:
//
//	{"tags": {"costcenter": {
//	    "tag_key":   {"@@assign": "CostCenter"},
//	    "tag_value": {"@@append": ["300"], "@@operators_allowed_for_child_policies": ["@@none"]}}}}
//
// (https://docs.aws.amazon.com/organizations/latest/userguide/policy-operators.html).
// A leaf written without an operator (`"tag_value": ["300"]`, as AWS's
// Security Hub examples do) is an @@assign.

// The inheritance operators.
const (
	opAssign   = "@@assign"
	opAppend   = "@@append"
	opRemove   = "@@remove"
	opChildren = "@@operators_allowed_for_child_policies"
	opAll      = "@@all"
	opNone     = "@@none"
)

// valueOps are the value-setting operators.
var valueOps = []string{opAssign, opAppend, opRemove}

// mnode is one object of a parsed management policy.
type mnode struct {
	keys     []string // setting keys, in document order
	children map[string]*mnode
	// op is the value-setting operator of a leaf ("" for none) and value
	// its operand: a string, json.Number, bool, nil, or []any of those.
	op    string
	value any
	// allowed is the node's @@operators_allowed_for_child_policies as a
	// set of value-setting operators; nil when the node has none.
	allowed opSet
}

// opSet is a set of value-setting operators.
type opSet map[string]bool

func allOps() opSet { return opSet{opAssign: true, opAppend: true, opRemove: true} }

func (s opSet) intersect(o opSet) opSet {
	out := opSet{}
	for k := range s {
		if o[k] {
			out[k] = true
		}
	}
	return out
}

// parseManagement parses and validates a management policy of type t:
// a JSON object whose keys are settings or inheritance operators, with the
// type's one top-level key and its own rules. Returns
// MalformedPolicyDocumentException.
func parseManagement(t PolicyType, content string) (*mnode, error) {
	v, err := decodeOrdered(content)
	if err != nil {
		return nil, malformed("The provided policy document is not valid JSON.")
	}
	obj, ok := v.(*omap)
	if !ok {
		return nil, malformed("The policy document must be a JSON object.")
	}
	n, err := buildNode(obj, "")
	if err != nil {
		return nil, err
	}
	r := rules[t]
	if r.topKey != "" {
		if len(n.keys) != 1 || n.keys[0] != r.topKey || n.op != "" {
			return nil, malformed(`A ` + strings.ToLower(string(t)) + ` must have exactly one top-level key, "` + r.topKey + `".`)
		}
	}
	if r.check != nil {
		if err := r.check(n); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// buildNode checks one object of the document: at most one value-setting
// operator, which excludes settings beside it, operands that are values or
// lists of values (@@append and @@remove: lists), and child control
// operators that list known operators.
func buildNode(obj *omap, path string) (*mnode, error) {
	n := &mnode{children: map[string]*mnode{}}
	for _, k := range obj.keys {
		v := obj.vals[k]
		where := path + "/" + k
		switch {
		case slices.Contains(valueOps, k):
			if n.op != "" {
				return nil, malformed("Only one of @@assign, @@append and @@remove may be used at " + path + ".")
			}
			if !isValue(v) {
				return nil, malformed("The operand of " + k + " at " + path + " must be a value or a list of values.")
			}
			if _, list := v.([]any); k != opAssign && !list {
				return nil, malformed(k + " at " + path + " needs a list of values.")
			}
			n.op, n.value = k, v
		case k == opChildren:
			set, err := childOps(v, where)
			if err != nil {
				return nil, err
			}
			n.allowed = set
		case strings.HasPrefix(k, "@@"):
			return nil, malformed("Unknown inheritance operator " + k + ".")
		default:
			var child *mnode
			if o, ok := v.(*omap); ok {
				var err error
				if child, err = buildNode(o, where); err != nil {
					return nil, err
				}
			} else if isValue(v) {
				child = &mnode{children: map[string]*mnode{}, op: opAssign, value: v}
			} else {
				return nil, malformed("The setting " + where + " must be an object, a value or a list of values.")
			}
			n.keys = append(n.keys, k)
			n.children[k] = child
		}
	}
	if n.op != "" && len(n.keys) > 0 {
		return nil, malformed("A value-setting operator at " + path + " can't have settings beside it.")
	}
	return n, nil
}

// childOps reads @@operators_allowed_for_child_policies: a list of
// value-setting operators, or ["@@all"], or ["@@none"].
func childOps(v any, where string) (opSet, error) {
	list, ok := v.([]any)
	bad := malformed("@@operators_allowed_for_child_policies at " + where + ` must list operators, "@@all" or "@@none".`)
	if !ok || len(list) == 0 {
		return nil, bad
	}
	set := opSet{}
	for _, x := range list {
		s, ok := x.(string)
		switch {
		case !ok:
			return nil, bad
		case s == opAll || s == opNone:
			if len(list) != 1 {
				return nil, bad
			}
			if s == opAll {
				return allOps(), nil
			}
			return opSet{}, nil
		case slices.Contains(valueOps, s):
			set[s] = true
		default:
			return nil, bad
		}
	}
	return set, nil
}

// isValue reports whether v is a scalar or a list of scalars.
func isValue(v any) bool {
	if list, ok := v.([]any); ok {
		for _, x := range list {
			if !isScalar(x) {
				return false
			}
		}
		return true
	}
	return isScalar(v)
}

func isScalar(v any) bool {
	switch v.(type) {
	case string, json.Number, bool, nil:
		return true
	}
	return false
}

// omap is a JSON object that keeps its keys' order.
type omap struct {
	keys []string
	vals map[string]any
}

// decodeOrdered decodes one JSON value, objects as *omap (a key given
// twice keeps its last value at its first position), numbers as
// json.Number.
func decodeOrdered(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := &omap{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := m.vals[k]; !dup {
					m.keys = append(m.keys, k)
				}
				m.vals[k] = v
			}
			_, err := dec.Token()
			return m, err
		case '[':
			list := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token()
			return list, err
		}
		return nil, errors.New("unexpected delimiter")
	}
	return tok, nil
}

// encodeOrdered writes v as compact JSON, objects in key order.
func encodeOrdered(b *bytes.Buffer, v any) {
	switch t := v.(type) {
	case *omap:
		b.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, k)
			b.WriteByte(':')
			encodeOrdered(b, t.vals[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, x := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			encodeOrdered(b, x)
		}
		b.WriteByte(']')
	default:
		writeJSON(b, t)
	}
}

func writeJSON(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // scalars always encode
	b.Truncate(b.Len() - 1)
}

// scalarKey identifies a scalar for comparisons: "s:" for strings, "n:"
// for numbers, and so on, so that "1" and 1 differ.
func scalarKey(v any) string {
	switch t := v.(type) {
	case string:
		return "s:" + t
	case json.Number:
		return "n:" + t.String()
	case bool:
		if t {
			return "b:true"
		}
		return "b:false"
	}
	return "null"
}
