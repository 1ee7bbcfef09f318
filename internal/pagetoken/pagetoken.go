// Package pagetoken mints and checks opaque, tamper-proof pagination tokens
// (NextToken): an offset bound by an HMAC to the request it continues.
//
// It imports only the standard library.
package pagetoken

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// Signer mints and checks opaque, tamper-proof NextTokens: the offset
// and a digest of the request they continue, followed by an HMAC.
type Signer struct{ key []byte }

// New returns a Signer with key, or a random key if key is empty.
func New(key []byte) Signer {
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	return Signer{key: key}
}

func (t Signer) mac(payload string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// Mint returns a token continuing at offset for the request described by scope.
func (t Signer) Mint(scope string, offset int) string {
	payload := strconv.Itoa(offset) + "|" + scope
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset))) + "." + t.mac(payload)
}

// Open returns the offset of a token minted for scope, or ok=false if the
// token was forged, altered or minted for another request.
func (t Signer) Open(scope, token string) (offset int, ok bool) {
	enc, sig, found := strings.Cut(token, ".")
	if !found {
		return 0, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return 0, false
	}
	offset, err = strconv.Atoi(string(raw))
	if err != nil || offset < 0 {
		return 0, false
	}
	if !hmac.Equal([]byte(sig), []byte(t.mac(string(raw)+"|"+scope))) {
		return 0, false
	}
	return offset, true
}
