package sigv4

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Credential is what a [CredentialSource] returns for an access key ID.
type Credential struct {
	Secret       string
	SessionToken string // "" for long-term keys
	// Subject is whatever the source attaches to the key (the principal
	// it belongs to); Verify returns it in the Result.
	Subject any
	// Accepts reports whether the key may sign for a Region (nil: any).
	// A key refused for the request's Region is unknown there: Verify
	// fails with UnknownKey, before checking the signature, as AWS answers
	// a key of another partition.
	Accepts func(region string) bool
}

// CredentialSource looks up the secret of an access key ID.
type CredentialSource interface {
	// Credential returns the credential for accessKeyID, or an error wrapping
	// ErrUnknownKey if there is none. Other errors are treated as internal
	// failures.
	Credential(ctx context.Context, accessKeyID string) (Credential, error)
}

// ErrUnknownKey is returned by CredentialSource implementations when the
// access key ID does not exist.
var ErrUnknownKey = errors.New("sigv4: unknown access key")

// ErrExpiredToken is returned by CredentialSource implementations when the
// access key is a session that has expired.
var ErrExpiredToken = errors.New("sigv4: expired session")

// DefaultMaxSkew is the clock skew AWS tolerates between a request's date and
// its own clock.
const DefaultMaxSkew = 15 * time.Minute

// Verifier verifies SigV4 signatures. Set its fields before first use and do
// not change them afterwards; Verify is safe for concurrent use. A Verifier
// must not be copied after first use because it caches signing keys.
type Verifier struct {
	Creds   CredentialSource
	Now     func() time.Time // nil means time.Now
	MaxSkew time.Duration    // 0 means DefaultMaxSkew

	keys atomic.Pointer[keyCache]
}

// Result describes a request whose signature verified.
type Result struct {
	AccessKeyID   string
	Region        string // from the credential scope; any region is accepted
	Service       string // from the credential scope; the caller checks it
	Date          string // the request time in ISO 8601 basic format, e.g. 20260101T000000Z
	SecurityToken string // "" if the request carried none
	// Subject is the Subject of the key's Credential.
	Subject any
}

// request is what Verify extracts from the request before checking it.
type request struct {
	presigned     bool
	credential    string
	signedHeaders string
	signature     string
	amzDate       string // as signed, ISO 8601 basic
	t             time.Time
	expires       int64 // presigned X-Amz-Expires in seconds, -1 if absent
	token         string
	payloadHash   string // X-Amz-Content-Sha256, "" if absent
}

// Verify checks the SigV4 signature of r in Authorization-header or
// presigned-query form. body is the complete request body, already read; it
// may be nil. Verify never reads r.Body.
//
// A failed verification returns an [*Error] with Kind Missing if r carries no
// authentication, Incomplete if the signature parameters are malformed or
// partial or leave Host or a present X-Amz-Date, X-Amz-Security-Token,
// X-Amz-Content-Sha256 or X-Amz-Target header unsigned, UnknownKey if Creds
// does not know the access key, Expired if the request date is more than
// MaxSkew away from Now or a presigned URL is past its X-Amz-Expires,
// BadToken if the session token does not match the credential's, and
// Mismatch if the signature (or the payload hash) is wrong.
// Any other error comes from Creds and is an internal failure.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (Result, error) {
	req, err := parseRequest(r)
	if err != nil {
		return Result{}, err
	}
	sc, err := parseCredential(req.credential)
	if err != nil {
		return Result{}, err
	}
	if err := checkSignedHeaders(r, req.signedHeaders); err != nil {
		return Result{}, err
	}
	if sc.date != req.amzDate[:8] {
		return Result{}, dateScopeMismatch(sc.date, req.amzDate)
	}
	if err := v.checkTime(&req); err != nil {
		return Result{}, err
	}

	cred, lookupErr := v.Creds.Credential(ctx, sc.accessKeyID)
	if errors.Is(lookupErr, ErrExpiredToken) {
		return Result{}, newError(ExpiredToken, msgExpiredToken)
	} else if errors.Is(lookupErr, ErrUnknownKey) {
		return Result{}, newError(UnknownKey, msgBadToken)
	} else if lookupErr != nil {
		return Result{}, fmt.Errorf("sigv4: look up access key %s: %w", sc.accessKeyID, lookupErr)
	}
	if cred.Accepts != nil && !cred.Accepts(sc.region) {
		return Result{}, newError(UnknownKey, msgBadToken)
	}
	if (req.token != "" || cred.SessionToken != "") &&
		subtle.ConstantTimeCompare([]byte(req.token), []byte(cred.SessionToken)) != 1 {
		return Result{}, newError(BadToken, msgBadToken)
	}

	var want [sha256.Size]byte
	if !decodeSignature(req.signature, &want) {
		return Result{}, mismatch()
	}

	// Payload hashes to try, in order. A presigned request without
	// X-Amz-Content-Sha256 may have been signed as S3 does (UNSIGNED-PAYLOAD)
	// or as other services and the SDK's STS presigner do (the body's hash).
	var bodyHex [2 * sha256.Size]byte
	type payload struct {
		s string
		b []byte
	}
	var candidates [2]payload
	n := 0
	switch h := req.payloadHash; {
	case h == unsignedPayload:
		// In header form checkSignedHeaders has made sure the header that
		// says UNSIGNED-PAYLOAD is itself signed.
		candidates[0], n = payload{s: h}, 1
	case h != "":
		hashBody(body, &bodyHex)
		// TODO(fidelity): S3 answers XAmzContentSHA256Mismatch here; other
		// services, and streaming payload hashes, are not modelled.
		if !equalFoldHex(h, bodyHex[:]) {
			return Result{}, mismatch()
		}
		candidates[0], n = payload{s: h}, 1
	case req.presigned:
		hashBody(body, &bodyHex)
		candidates[0], candidates[1], n = payload{s: unsignedPayload}, payload{b: bodyHex[:]}, 2
	default:
		hashBody(body, &bodyHex)
		candidates[0], n = payload{b: bodyHex[:]}, 1
	}

	var crBuf [1024]byte
	cr := appendCanonicalRequest(crBuf[:0], r, req.presigned, req.signedHeaders)
	crLen := len(cr)

	var ckBuf [128]byte
	cacheKey := appendCacheKey(ckBuf[:0], cred.Secret, sc.date, sc.region, sc.service)
	cache := v.cache()
	key, cached := cache.get(cacheKey)
	if !cached {
		key = deriveKey(cred.Secret, sc.date, sc.region, sc.service)
	}

	for _, p := range candidates[:n] {
		cr = append(append(cr[:crLen], p.s...), p.b...)
		sum := signature(&key, req.amzDate, sc.scope, sha256.Sum256(cr))
		if subtle.ConstantTimeCompare(sum[:], want[:]) == 1 {
			if !cached {
				cache.put(cacheKey, key)
			}
			return Result{
				AccessKeyID:   sc.accessKeyID,
				Region:        sc.region,
				Service:       sc.service,
				Date:          req.amzDate,
				SecurityToken: req.token,
				Subject:       cred.Subject,
			}, nil
		}
	}
	return Result{}, mismatch()
}

// mustSign lists the headers that, when present on a request, must be among
// its SignedHeaders, with their canonical names for [http.Header] lookups
// and the lower-case form SignedHeaders uses. Left unsigned, each would let
// whoever captured a signed request change what it means:
//
//   - X-Amz-Date: the request time, and so its validity window;
//   - X-Amz-Security-Token: which session the signature is attributed to;
//   - X-Amz-Content-Sha256: the payload hash, e.g. swapped for
//     UNSIGNED-PAYLOAD to detach the body from the signature;
//   - X-Amz-Target: the awsJson operation selector. AWS does not document
//     this one; requiring it is deliberate strictness, because an unsigned
//     selector would let a captured DescribeOrganization be replayed as
//     CreateOrganization. Every SDK and the AWS CLI sign it.
//
// Host is checked separately, because it must be signed even though the
// server always has it.
var mustSign = [...]struct{ canonical, lower string }{
	{"X-Amz-Date", "x-amz-date"},
	{"X-Amz-Security-Token", "x-amz-security-token"},
	{"X-Amz-Content-Sha256", "x-amz-content-sha256"},
	{"X-Amz-Target", "x-amz-target"},
}

// checkSignedHeaders refuses a request whose SignedHeaders lack host, or
// lack a header of [mustSign] that r carries (in either authentication
// form; in presigned form these values normally travel in the query, which
// is signed as a whole).
//
// The failure is Kind Incomplete, as AWS answers for an unsigned Host
// (IncompleteSignature or IncompleteSignatureException), with a message
// built like AWS's Host one:
//
//	'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.
//
// TODO(fidelity): AWS's answer for the other unsigned headers is not
// verified; S3 answers AccessDenied "There were headers present in the
// request which were not signed", other services may accept some of them.
func checkSignedHeaders(r *http.Request, signed string) *Error {
	if !hasSignedHeader(signed, "host") {
		return incomplete(msgHostSigned)
	}
	for _, h := range mustSign {
		if _, present := r.Header[h.canonical]; present && !hasSignedHeader(signed, h.lower) {
			return incomplete(mustBeSigned(h.canonical))
		}
	}
	return nil
}

// parseRequest extracts the signature parameters from the Authorization
// header or the query string.
func parseRequest(r *http.Request) (request, *Error) {
	req := request{expires: -1}
	var q string
	if r.URL != nil {
		q = r.URL.RawQuery
	}
	authz := r.Header["Authorization"]
	alg, nalg := queryValue(q, "X-Amz-Algorithm")
	switch {
	case len(authz) == 0 && nalg == 0:
		return req, newError(Missing, msgMissing)
	case len(authz) > 0 && nalg > 0:
		return req, incomplete(msgBothAuth)
	case len(authz) > 1:
		return req, incomplete("Authorization header must be sent only once.")
	case nalg > 0:
		return parsePresigned(req, q, alg, nalg)
	}

	a, err := parseAuthorization(authz[0])
	if err != nil {
		return req, err
	}
	req.amzDate = first(r.Header["X-Amz-Date"])
	dateHeader := ""
	if req.amzDate == "" {
		dateHeader = first(r.Header["Date"])
	}
	if a.credential == "" || a.signedHeaders == "" || a.signature == "" || req.amzDate == "" && dateHeader == "" {
		return req, incomplete(requiresMessage(a, req.amzDate != "" || dateHeader != "", authz[0]))
	}
	req.credential, req.signedHeaders, req.signature = a.credential, a.signedHeaders, a.signature
	if req.amzDate != "" {
		var ok bool
		if req.t, ok = parseAmzDate(req.amzDate); !ok {
			return req, badDate(req.amzDate)
		}
	} else {
		t, err := http.ParseTime(dateHeader)
		if err != nil {
			return req, badDate(dateHeader)
		}
		req.t = t.UTC()
		req.amzDate = req.t.Format(isoBasic)
	}
	req.token = first(r.Header["X-Amz-Security-Token"])
	if req.token == "" {
		req.token, _ = queryValue(q, "X-Amz-Security-Token")
	}
	req.payloadHash = first(r.Header["X-Amz-Content-Sha256"])
	return req, nil
}

// parsePresigned extracts the X-Amz-* query parameters of a presigned URL.
func parsePresigned(req request, q, alg string, nalg int) (request, *Error) {
	req.presigned = true
	var missing []string
	dup := nalg > 1
	param := func(name string) string {
		v, n := queryValue(q, name)
		if v == "" {
			missing = append(missing, name)
		}
		dup = dup || n > 1
		return v
	}
	param("X-Amz-Algorithm") // reported in order, though we already have it
	req.credential = param("X-Amz-Credential")
	req.signature = param("X-Amz-Signature")
	req.signedHeaders = param("X-Amz-SignedHeaders")
	req.amzDate = param("X-Amz-Date")
	if len(missing) > 0 {
		return req, incomplete("AWS query-string parameters must include '" + strings.Join(missing, "', '") + "'. Re-examine the query-string parameters.")
	}
	if dup {
		return req, incomplete("AWS query-string authentication parameters must each appear only once. Re-examine the query-string parameters.")
	}
	if alg != algorithm {
		return req, incomplete("Unsupported AWS 'algorithm': '" + safe(alg) + "'")
	}
	var ok bool
	if req.t, ok = parseAmzDate(req.amzDate); !ok {
		return req, badDate(req.amzDate)
	}
	if s, n := queryValue(q, "X-Amz-Expires"); n > 0 {
		e, err := parseExpires(s)
		if err != nil {
			return req, err
		}
		req.expires = e
	}
	req.token, _ = queryValue(q, "X-Amz-Security-Token")
	req.payloadHash, _ = queryValue(q, "X-Amz-Content-Sha256")
	return req, nil
}

// parseExpires parses X-Amz-Expires: a decimal integer of seconds from 1 to
// a week, without sign. Zero is refused because a URL valid for no time at
// all is always a mistake.
// TODO(fidelity): AWS's wording for 0 and for non-digits is not verified.
func parseExpires(s string) (int64, *Error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, incomplete("X-Amz-Expires should be a number")
	}
	e, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil || e > maxPresignExpires: // err: digits only, so out of range
		return 0, incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	case e < 1:
		return 0, incomplete("X-Amz-Expires must be greater than 0 (in seconds)")
	}
	return e, nil
}

// checkTime rejects a request dated more than MaxSkew from Now, or a
// presigned request past its X-Amz-Expires.
func (v *Verifier) checkTime(req *request) *Error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	t := now()
	age := t.Sub(req.t)
	switch {
	case age < -skew:
		return expired(req.amzDate, t, skew, true)
	case req.expires >= 0:
		if age > time.Duration(req.expires)*time.Second {
			return newError(Expired, msgPresignExp)
		}
	case age > skew:
		return expired(req.amzDate, t, skew, false)
	}
	return nil
}

func (v *Verifier) cache() *keyCache {
	if c := v.keys.Load(); c != nil {
		return c
	}
	v.keys.CompareAndSwap(nil, new(keyCache))
	return v.keys.Load()
}

// signature returns HMAC(key, StringToSign) for the given canonical request
// hash.
func signature(key *[sha256.Size]byte, amzDate, scope string, crHash [sha256.Size]byte) [sha256.Size]byte {
	var buf [256]byte
	sts := append(buf[:blockSize], algorithm...)
	sts = append(sts, '\n')
	sts = append(sts, amzDate...)
	sts = append(sts, '\n')
	sts = append(sts, scope...)
	sts = append(sts, '\n')
	sts = hex.AppendEncode(sts, crHash[:])
	return hmacPrefixed(key, sts)
}

func hashBody(body []byte, dst *[2 * sha256.Size]byte) {
	sum := sha256.Sum256(body)
	hex.Encode(dst[:], sum[:])
}

// decodeSignature decodes a 64-digit lower-case hex signature, the only form
// the SDKs send.
func decodeSignature(s string, dst *[sha256.Size]byte) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, ok1 := fromLowerHex(s[2*i])
		lo, ok2 := fromLowerHex(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func fromLowerHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// equalFoldHex reports whether the hex string s equals the lower-case hex
// digits in b, ignoring the case of s.
func equalFoldHex(s string, b []byte) bool {
	if len(s) != len(b) {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if 'A' <= c && c <= 'F' {
			c += 'a' - 'A'
		}
		if c != b[i] {
			return false
		}
	}
	return true
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
