package policy

import (
	"strings"
	"unicode/utf8"
)

// A pattern is a compiled policy string: an Action, a Resource or a
// condition value. It is a sequence of elements: literal text, the
// wildcards * and ? (only where the policy language has wildcards) and
// policy variables ${key} or ${key, 'default'} (only in 2012-10-17
// documents, and only in Resource elements and string/ARN condition values).
//
// Variable values are substituted as literal text, never as wildcards, and
// only once: a value containing "${...}" or "*" is not expanded again. The
// escapes ${*}, ${?} and ${$} stand for a literal *, ? and $.
type pattern struct {
	raw   string
	elems []elem
	// kind is a fast path for the two common shapes.
	kind patternKind
	// text is the literal text of an exact pattern (lower-cased if folded).
	text   string
	hasVar bool
	// asciiLit says every literal element is ASCII.
	asciiLit bool
}

type patternKind uint8

const (
	patGeneral patternKind = iota
	patExact               // no wildcards, no variables: compare text
	patAny                 // exactly "*": matches everything
)

type elemKind uint8

const (
	elemLit elemKind = iota
	elemStar
	elemQuest
	elemVar
)

type elem struct {
	kind elemKind
	// s is the literal text (elemLit) or the variable's key (elemVar).
	s string
	// def is the variable's default value; hasDef says whether it has one.
	def    string
	hasDef bool
	// bad marks a malformed variable, which never resolves.
	bad bool
}

// compilePattern compiles s. wild enables the * and ? wildcards, vars
// enables policy variables, and fold lower-cases literal text for
// case-insensitive matching (actions).
func compilePattern(s string, wild, vars, fold bool) pattern {
	p := pattern{raw: s}
	if wild && s == "*" {
		p.kind = patAny
		return p
	}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t := lit.String()
			if fold {
				t = strings.ToLower(t)
			}
			p.elems = append(p.elems, elem{kind: elemLit, s: t})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && c == '*':
			flush()
			// Consecutive stars are one star.
			if n := len(p.elems); n == 0 || p.elems[n-1].kind != elemStar {
				p.elems = append(p.elems, elem{kind: elemStar})
			}
			i++
		case wild && c == '?':
			flush()
			p.elems = append(p.elems, elem{kind: elemQuest})
			i++
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			e, n, ok := parseVariable(s[i:])
			if !ok {
				// No closing brace: the rest is literal text.
				lit.WriteString(s[i:])
				i = len(s)
				continue
			}
			i += n
			if e.kind == elemLit {
				lit.WriteString(e.s)
				continue
			}
			flush()
			p.elems = append(p.elems, e)
			p.hasVar = true
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	p.asciiLit = true
	for _, e := range p.elems {
		if e.kind == elemLit && !isASCII(e.s) {
			p.asciiLit = false
		}
	}
	switch {
	case len(p.elems) == 0:
		p.kind = patExact
	case len(p.elems) == 1 && p.elems[0].kind == elemLit:
		p.kind = patExact
		p.text = p.elems[0].s
	}
	return p
}

// parseVariable parses the policy variable at the start of s ("${...}") and
// returns it with the number of bytes it spans. ok is false if there is no
// closing brace. The escapes ${*}, ${?} and ${$} come back as literal
// elements. A malformed variable (empty key, spaces inside the key, a
// default that is not a quoted string) comes back with bad set: AWS does
// not substitute it, so the string it is in never matches.
func parseVariable(s string) (e elem, n int, ok bool) {
	// Find the closing brace, skipping over a quoted default value, where
	// '' stands for one quote.
	i := 2
	inQuote := false
	for ; i < len(s); i++ {
		c := s[i]
		if inQuote {
			if c == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					i++
					continue
				}
				inQuote = false
			}
			continue
		}
		if c == '\'' {
			inQuote = true
			continue
		}
		if c == '}' {
			break
		}
	}
	if i >= len(s) {
		return elem{}, 0, false
	}
	body := strings.TrimSpace(s[2:i])
	n = i + 1
	switch body {
	case "*", "?", "$":
		return elem{kind: elemLit, s: body}, n, true
	}
	key, rest, hasComma := strings.Cut(body, ",")
	key = strings.TrimSpace(key)
	e = elem{kind: elemVar, s: key}
	if key == "" || strings.ContainsAny(key, " \t\r\n'") {
		e.bad = true
	}
	if hasComma {
		rest = strings.TrimSpace(rest)
		if len(rest) < 2 || rest[0] != '\'' || rest[len(rest)-1] != '\'' {
			e.bad = true
		} else {
			inner := rest[1 : len(rest)-1]
			// Inside the quotes, every quote must be doubled.
			if strings.Count(inner, "'")%2 != 0 || strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
				e.bad = true
			}
			e.def = strings.ReplaceAll(inner, "''", "'")
			e.hasDef = true
		}
	}
	return e, n, true
}

// lookupFunc returns the single value of a condition key for variable
// substitution; ok is false if the key is missing or multivalued.
type lookupFunc func(key string) (string, bool)

// resolveElems substitutes the pattern's variables. ok is false if a
// variable has no value and no default: the string then matches nothing,
// so a positive operator is false and a negated one true for that value.
//
// TODO(fidelity): AWS says only that an unresolved variable "might cause
// the entire statement to be invalid"; verify the negated-operator case.
func (p *pattern) resolveElems(look lookupFunc) ([]elem, bool) {
	out := make([]elem, 0, len(p.elems))
	for _, e := range p.elems {
		if e.kind != elemVar {
			out = append(out, e)
			continue
		}
		if e.bad {
			return nil, false
		}
		v, ok := look(e.s)
		if !ok {
			if !e.hasDef {
				return nil, false
			}
			v = e.def
		}
		if v == "" {
			continue
		}
		// Merge with a preceding literal so exact comparisons stay simple.
		if n := len(out); n > 0 && out[n-1].kind == elemLit {
			out[n-1].s += v
			continue
		}
		out = append(out, elem{kind: elemLit, s: v})
	}
	return out, true
}

// resolveString returns the pattern's text with variables substituted, for
// operators without wildcards. ok is false if a variable has no value.
func (p *pattern) resolveString(look lookupFunc) (string, bool) {
	if !p.hasVar {
		// Compiled without wildcards, a pattern without variables is one
		// literal (or empty).
		return p.text, true
	}
	elems, ok := p.resolveElems(look)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, e := range elems {
		b.WriteString(e.s)
	}
	return b.String(), true
}

// match reports whether s matches the pattern. fold compares literal text
// case-insensitively (the pattern must have been compiled with fold).
func (p *pattern) match(s string, look lookupFunc, fold bool) bool {
	switch p.kind {
	case patAny:
		return true
	case patExact:
		if fold {
			return strings.EqualFold(s, p.text)
		}
		return s == p.text
	}
	elems := p.elems
	if p.hasVar {
		var ok bool
		if elems, ok = p.resolveElems(look); !ok {
			return false
		}
	}
	if fold {
		return globBacktrack(elems, s, true)
	}
	return globMatch(elems, s)
}

func hasPrefix(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if fold {
		return strings.EqualFold(s[:len(prefix)], prefix)
	}
	return s[:len(prefix)] == prefix
}

// splitARN splits elems into the six colon-separated parts of an ARN
// (arn:partition:service:region:account:resource); the resource part keeps
// any further colons. ok is false if there are fewer than six parts.
func splitARN(elems []elem) (parts [6][]elem, ok bool) {
	k := 0
	for _, e := range elems {
		if e.kind != elemLit || k == 5 {
			parts[k] = append(parts[k], e)
			continue
		}
		s := e.s
		for k < 5 {
			i := strings.IndexByte(s, ':')
			if i < 0 {
				break
			}
			if i > 0 {
				parts[k] = append(parts[k], elem{kind: elemLit, s: s[:i]})
			}
			s = s[i+1:]
			k++
		}
		if s != "" {
			parts[k] = append(parts[k], elem{kind: elemLit, s: s})
		}
	}
	return parts, k == 5
}

// matchAction matches the request's action, case-insensitively. When the
// action and the pattern's text are ASCII it compares the lower-cased
// action with the linear matcher; otherwise it falls back to backtracking
// with Unicode case folding (actions are at most 128 characters).
func (p *pattern) matchAction(ec *evalCtx) bool {
	if p.kind != patGeneral || p.hasVar || !p.asciiLit {
		return p.match(ec.req.Action, nil, true)
	}
	if e := &p.elems[0]; e.kind == elemLit && !hasPrefix(ec.req.Action, e.s, true) {
		return false // most action patterns fail here, on the service prefix
	}
	if low, ok := ec.lowerAction(); ok {
		return globMatch(p.elems, low)
	}
	return globBacktrack(p.elems, ec.req.Action, true)
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// matchARN implements ArnEquals and ArnLike: each of the six parts of the
// ARN is matched separately against the pattern's part, with wildcards, so
// a wildcard in the region part never swallows a colon.
func (p *pattern) matchARN(s string, look lookupFunc) bool {
	if p.kind == patAny {
		return true
	}
	var val [6]string
	rest := s
	for i := range 5 {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return false
		}
		val[i], rest = rest[:j], rest[j+1:]
	}
	val[5] = rest
	elems := p.elems
	if p.hasVar {
		var ok bool
		if elems, ok = p.resolveElems(look); !ok {
			return false
		}
	}
	parts, ok := splitARN(elems)
	if !ok {
		return false
	}
	for i := range parts {
		if !globMatch(parts[i], val[i]) {
			return false
		}
	}
	return true
}
