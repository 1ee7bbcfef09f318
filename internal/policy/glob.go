package policy

import (
	"strings"
	"unicode/utf8"
)

// Wildcard matching. A policy's patterns are matched against every
// request's action, resource and condition values, and the policy
// simulator evaluates many of them per call, so matching must cost time
// linear in the pattern and the string whatever the pattern holds.
//
// globMatch splits the pattern at its stars into segments of literal text
// and ? wildcards. The first segment must match at the start of the string,
// the last at its end, and each segment between at its leftmost occurrence
// after the one before. Taking the leftmost occurrence is never wrong: a
// segment spans a fixed number of characters, so an earlier start ends no
// later and leaves every later segment at least as much string. A segment
// of literal text is found with strings.Index; one with ? wildcards with
// the bit-parallel Shift-And algorithm (⌈k/64⌉ words for k characters).
// Cost: O(len(s)·⌈k/64⌉ + len(pattern)).

// globMatch reports whether s matches elems (literal text, * and ?;
// variables already substituted), case-sensitively. * matches any sequence
// of characters (including none, colons and slashes) and ? exactly one.
func globMatch(elems []elem, s string) bool {
	// The text before the first star is compared in place, which is where
	// most patterns fail.
	first := 0
	for first < len(elems) && elems[first].kind != elemStar {
		first++
	}
	pos, ok := matchHere(elems[:first], s)
	if !ok {
		return false
	}
	if first == len(elems) { // no star
		return pos == len(s)
	}
	rest := elems[first:]
	for i := range rest {
		// The searches land on character boundaries only if the literal
		// text is valid UTF-8 (it is, but for substituted variable values).
		if rest[i].kind == elemLit && !utf8.ValidString(rest[i].s) {
			return globBacktrack(elems, s, false)
		}
	}
	last := len(rest) - 1
	for rest[last].kind != elemStar {
		last--
	}
	for i := 1; i < last; {
		if rest[i].kind == elemStar {
			i++
			continue
		}
		j := i
		for rest[j].kind != elemStar {
			j++
		}
		if pos, ok = findSegment(rest[i:j], s, pos); !ok {
			return false
		}
		i = j
	}
	return matchTail(rest[last+1:], s, pos)
}

// matchHere matches seg (no stars) at the start of s and returns how many
// bytes it spans.
func matchHere(seg []elem, s string) (int, bool) {
	pos := 0
	for i := range seg {
		switch e := &seg[i]; e.kind {
		case elemLit:
			if !strings.HasPrefix(s[pos:], e.s) {
				return 0, false
			}
			pos += len(e.s)
		case elemQuest:
			if pos == len(s) {
				return 0, false
			}
			_, n := utf8.DecodeRuneInString(s[pos:])
			pos += n
		}
	}
	return pos, true
}

// literal returns the text of seg if it has no ? wildcard.
func literal(seg []elem) (string, bool) {
	if len(seg) == 1 && seg[0].kind == elemLit {
		return seg[0].s, true
	}
	var b strings.Builder
	for i := range seg {
		if seg[i].kind != elemLit {
			return "", false
		}
		b.WriteString(seg[i].s)
	}
	return b.String(), true
}

// findSegment finds the leftmost occurrence of seg (no stars) in s at or
// after pos and returns where it ends.
func findSegment(seg []elem, s string, pos int) (int, bool) {
	if lit, ok := literal(seg); ok {
		i := strings.Index(s[pos:], lit)
		if i < 0 {
			return 0, false
		}
		return pos + i + len(lit), true
	}
	if end, ok, done := scanSmall(seg, s, pos, false); done {
		return end, ok
	}
	var sa shiftAnd
	sa.init(seg)
	return sa.scan(s, pos, false)
}

// matchTail reports whether seg (no stars) matches the end of s, starting
// at or after pos.
func matchTail(seg []elem, s string, pos int) bool {
	if len(seg) == 0 {
		return true
	}
	if lit, ok := literal(seg); ok {
		return len(s)-pos >= len(lit) && strings.HasSuffix(s, lit)
	}
	if utf8.ValidString(s[pos:]) {
		// Read backwards, characters are where reading forwards finds
		// them.
		end := len(s)
		for i := len(seg) - 1; i >= 0; i-- {
			switch e := &seg[i]; e.kind {
			case elemLit:
				if end-pos < len(e.s) || s[end-len(e.s):end] != e.s {
					return false
				}
				end -= len(e.s)
			case elemQuest:
				if end == pos {
					return false
				}
				_, n := utf8.DecodeLastRuneInString(s[pos:end])
				end -= n
			}
		}
		return true
	}
	if _, ok, done := scanSmall(seg, s, pos, true); done {
		return ok
	}
	var sa shiftAnd
	sa.init(seg)
	_, ok := sa.scan(s, pos, true)
	return ok
}

// scanSmall is shiftAnd.scan for the usual segment: at most 64 characters,
// its literal text ASCII. It needs no allocation. done is false if seg is
// not such a segment.
func scanSmall(seg []elem, s string, pos int, atEnd bool) (end int, ok, done bool) {
	var tab [utf8.RuneSelf]uint64
	var anyBits uint64
	k := 0
	for i := range seg {
		if seg[i].kind == elemQuest {
			if k == 64 {
				return 0, false, false
			}
			anyBits |= 1 << k
			k++
			continue
		}
		lit := seg[i].s
		for j := 0; j < len(lit); j++ {
			if k == 64 || lit[j] >= utf8.RuneSelf {
				return 0, false, false
			}
			tab[lit[j]] |= 1 << k
			k++
		}
	}
	topBit := uint64(1) << (k - 1)
	var d uint64
	for pos < len(s) {
		m := anyBits
		if c := s[pos]; c < utf8.RuneSelf {
			pos++
			m |= tab[c]
		} else {
			_, n := utf8.DecodeRuneInString(s[pos:])
			pos += n // only ? matches it
		}
		d = (d<<1 | 1) & m
		if d&topBit != 0 && (!atEnd || pos == len(s)) {
			return pos, true, true
		}
	}
	return 0, false, true
}

// shiftAnd finds a segment of k characters, some of them ? wildcards, in
// O(len(s)·⌈k/64⌉): bit j of the state is set when the last j+1 characters
// read match the segment's first j+1.
type shiftAnd struct {
	k, words int
	any      []uint64 // the bits of the ? positions
	// masks holds the bits of each character of the segment, words apiece;
	// ascii[c]-1 and other[r] index them (ascii[c] 0: c is not in it).
	masks []uint64
	ascii [utf8.RuneSelf]int32
	other map[rune]int32
	state []uint64
}

func (sa *shiftAnd) init(seg []elem) {
	for i := range seg {
		if seg[i].kind == elemQuest {
			sa.k++
		} else {
			sa.k += utf8.RuneCountInString(seg[i].s)
		}
	}
	sa.words = (sa.k + 63) / 64
	buf := make([]uint64, 2*sa.words)
	sa.any, sa.state = buf[:sa.words], buf[sa.words:]
	j := 0
	for i := range seg {
		if seg[i].kind == elemQuest {
			sa.any[j/64] |= 1 << (j % 64)
			j++
			continue
		}
		for _, r := range seg[i].s {
			m := sa.mask(r)
			if m == nil {
				at := int32(len(sa.masks))
				sa.masks = append(sa.masks, make([]uint64, sa.words)...)
				if r < utf8.RuneSelf {
					sa.ascii[r] = at + 1
				} else {
					if sa.other == nil {
						sa.other = map[rune]int32{}
					}
					sa.other[r] = at
				}
				m = sa.masks[at : at+int32(sa.words)]
			}
			m[j/64] |= 1 << (j % 64)
			j++
		}
	}
}

// mask returns the literal positions of r (nil: none).
func (sa *shiftAnd) mask(r rune) []uint64 {
	if r >= 0 && r < utf8.RuneSelf {
		if at := sa.ascii[r]; at > 0 {
			return sa.masks[at-1 : at-1+int32(sa.words)]
		}
		return nil
	}
	if at, ok := sa.other[r]; ok {
		return sa.masks[at : at+int32(sa.words)]
	}
	return nil
}

// scan reads s from pos and returns the end of the first occurrence of the
// segment; with atEnd, only an occurrence that ends s counts.
func (sa *shiftAnd) scan(s string, pos int, atEnd bool) (int, bool) {
	top, topBit := (sa.k-1)/64, uint64(1)<<((sa.k-1)%64)
	if sa.words == 1 {
		return sa.scan1(s, pos, atEnd, topBit)
	}
	st := sa.state
	for pos < len(s) {
		r, n := utf8.DecodeRuneInString(s[pos:])
		if r == utf8.RuneError && n == 1 {
			r = -1 // an invalid byte: only ? matches it
		}
		pos += n
		lit := sa.mask(r)
		carry := uint64(1)
		for w := range st {
			v := st[w]<<1 | carry
			carry = st[w] >> 63
			m := sa.any[w]
			if lit != nil {
				m |= lit[w]
			}
			st[w] = v & m
		}
		if st[top]&topBit != 0 && (!atEnd || pos == len(s)) {
			return pos, true
		}
	}
	return 0, false
}

// scan1 is scan for a segment of at most 64 characters, with the state in
// one word and ASCII read a byte at a time.
func (sa *shiftAnd) scan1(s string, pos int, atEnd bool, topBit uint64) (int, bool) {
	var d uint64
	anyBits := sa.any[0]
	for pos < len(s) {
		m := anyBits
		if c := s[pos]; c < utf8.RuneSelf {
			pos++
			if at := sa.ascii[c]; at > 0 {
				m |= sa.masks[at-1]
			}
		} else {
			r, n := utf8.DecodeRuneInString(s[pos:])
			if r == utf8.RuneError && n == 1 {
				r = -1 // an invalid byte: only ? matches it
			}
			pos += n
			if lit := sa.mask(r); lit != nil {
				m |= lit[0]
			}
		}
		d = (d<<1 | 1) & m
		if d&topBit != 0 && (!atEnd || pos == len(s)) {
			return pos, true
		}
	}
	return 0, false
}

// globBacktrack is the classic wildcard algorithm that backtracks only to
// the most recent star: O(len(s)·len(pattern)) at worst. It is used for
// case-insensitive matching (actions, at most 128 characters) and for
// literal text that is not valid UTF-8. fold compares literal text
// case-insensitively (the pattern must have been compiled with fold).
func globBacktrack(elems []elem, s string, fold bool) bool {
	pi, si := 0, 0
	starPi, starSi := -1, 0
	for {
		if pi < len(elems) {
			e := &elems[pi]
			switch e.kind {
			case elemStar:
				starPi, starSi = pi, si
				pi++
				continue
			case elemQuest:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					pi++
					continue
				}
			case elemLit:
				if hasPrefix(s[si:], e.s, fold) {
					si += len(e.s)
					pi++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		// Mismatch: let the last star swallow one more character.
		if starPi < 0 || starSi >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starSi:])
		starSi += n
		pi, si = starPi+1, starSi
	}
}
