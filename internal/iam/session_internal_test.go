package iam

import (
	"crypto/rand"
	"strings"
	"testing"
)

// cryptoRand is crypto/rand as an io.Reader value.
type cryptoRand struct{}

func (cryptoRand) Read(b []byte) (int, error) { return rand.Read(b) }

func TestDecodeKeyAccount(t *testing.T) {
	tests := []struct {
		id, want string
		ok       bool
	}{
		{"ASIAY34FZKBOKMUTVV7A", "609629065308", true},
		{"test", "", false},
		{"AKIA0000111188889999", "", false}, // 0, 1, 8, 9 are not Base32
		{"ABIAY34FZKBOKMUTVV7A", "", false},
	}
	for _, tt := range tests {
		got, ok := decodeKeyAccount(tt.id)
		if string(got) != tt.want || ok != tt.ok {
			t.Errorf("decodeKeyAccount(%s) = %s, %v; want %s, %v", tt.id, got, ok, tt.want, tt.ok)
		}
	}
}

// RFC 6238 appendix B's SHA-1 vectors (secret "12345678901234567890"),
// cut to six digits.
func TestTOTPVectors(t *testing.T) {
	seed := []byte("12345678901234567890")
	for _, tt := range []struct {
		unix int64
		want string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	} {
		if got := totpAt(seed, tt.unix/30); got != tt.want {
			t.Errorf("T=%d: %s, want %s", tt.unix, got, tt.want)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	s := &Service{rand: cryptoRand{}, pwRounds: 1000}
	h, err := s.hashPassword("Corr3ct-Horse")
	if err != nil {
		t.Fatal(err)
	}
	if !passwordMatches(h, "Corr3ct-Horse") || passwordMatches(h, "corr3ct-horse") || passwordMatches("junk", "Corr3ct-Horse") {
		t.Errorf("passwordMatches is wrong for %s", h)
	}
	h2, _ := s.hashPassword("Corr3ct-Horse")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	// A hash made with another round count still verifies.
	s.pwRounds = 2000
	if h3, _ := s.hashPassword("x"); !passwordMatches(h3, "x") || !passwordMatches(h, "Corr3ct-Horse") {
		t.Error("hashes of different round counts do not verify")
	}
}

// A hash made ahead of time is used for its password when its round count
// is the service's; otherwise the password is hashed as usual.
func TestKnownPasswordHashes(t *testing.T) {
	maker := &Service{rand: cryptoRand{}, pwRounds: 1000}
	known, _ := maker.hashPassword("Known-Pass1")
	maker.pwRounds = 2000
	otherRounds, _ := maker.hashPassword("Other-Pass2")
	s := &Service{rand: cryptoRand{}, pwRounds: 1000, knownHashes: map[string]string{"Known-Pass1": known, "Other-Pass2": otherRounds}}
	if h, _ := s.hashPassword("Known-Pass1"); h != known {
		t.Errorf("hash of a known password: %s, want the known %s", h, known)
	}
	h, _ := s.hashPassword("Other-Pass2")
	if h == otherRounds || !strings.HasPrefix(h, "pbkdf2-sha256$1000$") || !passwordMatches(h, "Other-Pass2") {
		t.Errorf("hash of a password known at another round count: %s, want a new one of 1000 rounds", h)
	}
}
