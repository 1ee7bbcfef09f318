package app

import (
	"strconv"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/iam"
)

// The default world's root password hash, made ahead of time, is the
// default password's, at IAM's default round count (or IAM would hash the
// password at start-up after all).
func TestDefaultRootPasswordHash(t *testing.T) {
	if !iam.PasswordHashMatches(defaultRootPasswordHash, DefaultRootPassword) {
		t.Errorf("defaultRootPasswordHash is not DefaultRootPassword's")
	}
	if !strings.HasPrefix(defaultRootPasswordHash, "pbkdf2-sha256$"+strconv.Itoa(iam.DefaultPasswordHashRounds)+"$") {
		t.Errorf("defaultRootPasswordHash %s is not of %d rounds", defaultRootPasswordHash, iam.DefaultPasswordHashRounds)
	}
}
