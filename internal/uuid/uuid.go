// Package uuid makes random (version 4) UUIDs in their canonical text
// form, for request IDs, CloudTrail event IDs and event IDs.
//
// It must import only the standard library.
package uuid

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a random UUID (RFC 9562 version 4, variant 10) as 36
// lower-case characters, 8-4-4-4-12.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+ panics instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return Format(b)
}

// Format returns the canonical text form of the UUID b: 36 lower-case
// characters, 8-4-4-4-12.
func Format(b [16]byte) string {
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// Valid reports whether s has the canonical text form of a UUID: 36
// characters, 8-4-4-4-12 hexadecimal digits (either case).
func Valid(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}
