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
