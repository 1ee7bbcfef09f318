package sigv4

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	algorithm       = "AWS4-HMAC-SHA256"
	terminator      = "aws4_request"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	isoBasic        = "20060102T150405Z"

	// maxPresignExpires is the longest X-Amz-Expires AWS accepts: one week.
	maxPresignExpires = 7 * 24 * 60 * 60
)

// authHeader holds the parameters of an Authorization header. Empty fields
// were absent.
type authHeader struct {
	credential    string
	signedHeaders string
	signature     string
}

// parseAuthorization splits an Authorization header value such as
//
//	AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=<hex>
//
// Parameters are separated by commas with optional spaces; unknown
// parameters are ignored. The fields of the result are substrings of h.
// Missing parameters are not an error here: the caller reports them together
// with a missing date, as AWS does.
func parseAuthorization(h string) (authHeader, *Error) {
	var a authHeader
	alg, rest, _ := strings.Cut(h, " ")
	if alg != algorithm {
		return a, incomplete("Unsupported AWS 'algorithm': '" + safe(alg) + "'")
	}
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, "=")
		if !ok {
			return a, incomplete("'" + safe(part) + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + redactAuthorization(h) + "'.")
		}
		var field *string
		switch key {
		case "Credential":
			field = &a.credential
		case "SignedHeaders":
			field = &a.signedHeaders
		case "Signature":
			field = &a.signature
		default:
			continue
		}
		if *field != "" {
			return a, incomplete("Authorization header has duplicate '" + key + "' parameter: '" + redactAuthorization(h) + "'.")
		}
		*field = val
	}
	return a, nil
}

// requiresMessage lists what an Authorization header lacks, in the AWS
// wording, followed by the header with its signature redacted.
func requiresMessage(a authHeader, hasDate bool, h string) string {
	var b strings.Builder
	if a.credential == "" {
		b.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if a.signature == "" {
		b.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if a.signedHeaders == "" {
		b.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	if !hasDate {
		b.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	b.WriteString("Authorization=")
	b.WriteString(redactAuthorization(h))
	return b.String()
}

// credScope is a parsed credential: AKID/YYYYMMDD/region/service/aws4_request.
type credScope struct {
	accessKeyID string
	date        string
	region      string
	service     string
	scope       string // date/region/service/aws4_request, as in the string to sign
}

// parseCredential splits a credential into its scope parts. The fields of
// the result are substrings of cred.
func parseCredential(cred string) (credScope, *Error) {
	var sc credScope
	var parts [5]string
	rest := cred
	for i := range parts {
		var ok bool
		parts[i], rest, ok = strings.Cut(rest, "/")
		if ok != (i < len(parts)-1) {
			return sc, incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + safe(cred) + "'")
		}
	}
	sc = credScope{
		accessKeyID: parts[0],
		date:        parts[1],
		region:      parts[2],
		service:     parts[3],
		scope:       cred[len(parts[0])+1:],
	}
	switch {
	case sc.accessKeyID == "":
		return sc, incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + safe(cred) + "'")
	case sc.region == "":
		return sc, incomplete("Credential should be scoped to a valid region. ")
	case sc.service == "":
		return sc, incomplete("Credential should be scoped to a valid service. ")
	case parts[4] != terminator:
		return sc, incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '" + safe(parts[4]) + "'. ")
	}
	return sc, nil
}

// parseAmzDate parses an ISO 8601 basic timestamp such as 20260101T000000Z.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != len(isoBasic) || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	for i := 0; i < 15; i++ {
		if i != 8 && (s[i] < '0' || s[i] > '9') {
			return time.Time{}, false
		}
	}
	// What time.Parse(isoBasic, s) accepts, without its general parser
	// (every signed request has one).
	num := func(from, to int) int {
		n := 0
		for _, c := range s[from:to] {
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(4, 6), num(6, 8)
	hour, minute, sec := num(9, 11), num(11, 13), num(13, 15)
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day { // the 31st of a 30-day month, say
		return time.Time{}, false
	}
	return t, true
}

// queryValue returns the decoded value of the first parameter named key in
// the raw query q and the number of parameters with that name. It skips
// malformed pairs the way [url.ParseQuery] does, so it sees the same
// parameters as the canonical query string.
func queryValue(q, key string) (string, int) {
	var val string
	n := 0
	for q != "" {
		var seg string
		seg, q, _ = strings.Cut(q, "&")
		if seg == "" || strings.IndexByte(seg, ';') >= 0 {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		if k != key {
			if strings.IndexByte(k, '%') < 0 && strings.IndexByte(k, '+') < 0 {
				continue
			}
			dk, err := url.QueryUnescape(k)
			if err != nil || dk != key {
				continue
			}
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			continue
		}
		if n == 0 {
			val = dv
		}
		n++
	}
	return val, n
}

// Scope parses the credential scope of r without verifying anything, so a
// router can choose the protocol in which to answer errors. It reads the
// Authorization header, or else the X-Amz-Credential query parameter, and
// reports ok=false if neither is present or the credential is malformed.
func Scope(r *http.Request) (accessKeyID, region, service string, ok bool) {
	var cred string
	if h := r.Header["Authorization"]; len(h) > 0 {
		a, err := parseAuthorization(h[0])
		if err != nil {
			return "", "", "", false
		}
		cred = a.credential
	} else if r.URL != nil {
		var n int
		if cred, n = queryValue(r.URL.RawQuery, "X-Amz-Credential"); n != 1 {
			return "", "", "", false
		}
	}
	sc, err := parseCredential(cred)
	if err != nil {
		return "", "", "", false
	}
	return sc.accessKeyID, sc.region, sc.service, true
}

// hasSignedHeader reports whether the ';'-separated list contains name.
func hasSignedHeader(list, name string) bool {
	for list != "" {
		var h string
		h, list, _ = strings.Cut(list, ";")
		if h == name {
			return true
		}
	}
	return false
}
