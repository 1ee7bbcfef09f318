package uuid_test

import (
	"regexp"
	"testing"

	"github.com/accountplane/accountplane/internal/uuid"
)

var canonical = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		u := uuid.New()
		if !canonical.MatchString(u) {
			t.Fatalf("got %q, want a canonical version 4 UUID", u)
		}
		if seen[u] {
			t.Fatalf("got %q twice", u)
		}
		seen[u] = true
	}
}

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		uuid.New():                              true,
		"00000000-0000-4000-8000-000000000001":  true,
		"ABCDEF01-2345-6789-abcd-ef0123456789":  true,
		"00000000-0000-4000-8000-00000000000":   false,
		"00000000-0000-4000-8000-0000000000011": false,
		"00000000x0000-4000-8000-000000000001":  false,
		"0000000g-0000-4000-8000-000000000001":  false,
		"":                                      false,
		"2026-12-07T10:00:00Z":                  false,
	} {
		if got := uuid.Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}
