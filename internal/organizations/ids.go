package organizations

import (
	"fmt"
	"io"
	"regexp"
	"sync"
)

// Typed identifiers. Each is validated against the API reference pattern at
// the edge; the domain generates new ones from its injected random source.
type (
	OrgID              string // o-[a-z0-9]{10,32}
	RootID             string // r-[0-9a-z]{4,32}
	OUID               string // ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}
	HandshakeID        string // h-[0-9a-z]{8,32}
	CreateAccountReqID string // car-[a-z0-9]{8,32}
	PolicyID           string // p-[0-9a-zA-Z_]{8,128}
)

// Patterns of the identifiers (the model's, matched in full).
var (
	reOrgID       = lazyRegexp(`^o-[a-z0-9]{10,32}$`)
	reRootID      = lazyRegexp(`^r-[0-9a-z]{4,32}$`)
	reOUID        = lazyRegexp(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	reHandshakeID = lazyRegexp(`^h-[0-9a-z]{8,32}$`)
	reCARID       = lazyRegexp(`^car-[a-z0-9]{8,32}$`)
	rePolicyID    = lazyRegexp(`^p-[0-9a-zA-Z_]{8,128}$`)
)

// lazyRegexp compiles pattern when first used: compiling the ids'
// patterns (their long repetitions) was a noticeable part of start-up.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// IsRootID reports whether s is a root id.
func IsRootID(s string) bool { return reRootID().MatchString(s) }

// IsOUID reports whether s is an OU id.
func IsOUID(s string) bool { return reOUID().MatchString(s) }

// IsHandshakeID reports whether s is a handshake id.
func IsHandshakeID(s string) bool { return reHandshakeID().MatchString(s) }

// IsCreateAccountReqID reports whether s is a create-account request id.
func IsCreateAccountReqID(s string) bool { return reCARID().MatchString(s) }

// IsPolicyID reports whether s is a policy id.
func IsPolicyID(s string) bool { return rePolicyID().MatchString(s) }

// IsOrgID reports whether s is an organization id.
func IsOrgID(s string) bool { return reOrgID().MatchString(s) }

const lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomString returns n characters of lowerAlnum read from r.
func randomString(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	for i := range b {
		b[i] = lowerAlnum[int(b[i])%len(lowerAlnum)]
	}
	return string(b), nil
}

// randomDigits returns n decimal digits read from r.
func randomDigits(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b), nil
}
