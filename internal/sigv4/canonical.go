package sigv4

import (
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const upperHex = "0123456789ABCDEF"

// unreserved marks the RFC 3986 unreserved characters, the only bytes SigV4
// leaves unencoded.
var unreserved = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
		t[c+'a'-'A'] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['.'], t['_'], t['~'] = true, true, true, true
	return t
}()

// appendCanonicalRequest appends the canonical request of r, without the
// final payload hash line, to buf (see the package documentation for the
// layout). The caller appends the payload hash, which lets a presigned
// request be tried with more than one.
func appendCanonicalRequest(buf []byte, r *http.Request, presigned bool, signedHeaders string) []byte {
	buf = append(buf, r.Method...)
	buf = append(buf, '\n')
	buf = appendCanonicalURI(buf, requestPath(r))
	buf = append(buf, '\n')
	if r.URL != nil {
		buf = appendCanonicalQuery(buf, r.URL.RawQuery, presigned)
	}
	buf = append(buf, '\n')
	buf = appendCanonicalHeaders(buf, r, signedHeaders)
	buf = append(buf, '\n')
	buf = append(buf, signedHeaders...)
	buf = append(buf, '\n')
	return buf
}

// requestPath returns the escaped path exactly as the client sent it. It
// prefers r.RequestURI over r.URL because middleware such as
// [http.StripPrefix] rewrites r.URL, and because r.URL.EscapedPath re-escapes
// paths that Go considers invalidly encoded; the client signed what it sent.
func requestPath(r *http.Request) string {
	if u := r.RequestURI; u != "" && u[0] == '/' {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	if r.URL == nil {
		return ""
	}
	return r.URL.EscapedPath()
}

// appendCanonicalURI encodes the already escaped path once more, leaving
// '/' alone. This double encoding is what AWS specifies for every service
// but S3, and what aws-sdk-go-v2 does (httpbinding.EscapePath over
// URL.EscapedPath). The SDK does not remove dot segments, so neither do we.
func appendCanonicalURI(buf []byte, path string) []byte {
	if path == "" {
		return append(buf, '/')
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		if unreserved[c] || c == '/' {
			buf = append(buf, c)
		} else {
			buf = append(buf, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return buf
}

// appendEncoded appends s with every byte but the unreserved ones
// percent-encoded with upper-case hex digits.
func appendEncoded(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			buf = append(buf, c)
		} else {
			buf = append(buf, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return buf
}

// canonicalComponent returns the canonical encoding of a raw query key or
// value, or ok=false if it is not a valid query escape ([url.ParseQuery]
// drops such pairs, and so does the signer, which works from URL.Query).
func canonicalComponent(raw string) (enc string, ok bool) {
	plain := true
	for i := 0; plain && i < len(raw); i++ {
		plain = unreserved[raw[i]]
	}
	if plain {
		return raw, true
	}
	dec, err := url.QueryUnescape(raw)
	if err != nil {
		return "", false
	}
	return string(appendEncoded(make([]byte, 0, len(dec)+8), dec)), true
}

type queryParam struct{ key, value string }

// appendCanonicalQuery appends the canonical query string: every key=value
// pair decoded and re-encoded per RFC 3986 (so '+' becomes %20), sorted by
// encoded key and then encoded value, joined by '&'. A presigned request
// signs its query without X-Amz-Signature.
func appendCanonicalQuery(buf []byte, q string, presigned bool) []byte {
	if q == "" {
		return buf
	}
	var arr [16]queryParam
	params := arr[:0]
	for q != "" {
		var seg string
		seg, q, _ = strings.Cut(q, "&")
		if seg == "" || strings.IndexByte(seg, ';') >= 0 {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		ek, ok := canonicalComponent(k)
		if !ok {
			continue
		}
		ev, ok := canonicalComponent(v)
		if !ok {
			continue
		}
		if presigned && ek == "X-Amz-Signature" {
			continue
		}
		params = append(params, queryParam{ek, ev})
	}
	slices.SortFunc(params, func(a, b queryParam) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	for i, p := range params {
		if i > 0 {
			buf = append(buf, '&')
		}
		buf = append(buf, p.key...)
		buf = append(buf, '=')
		buf = append(buf, p.value...)
	}
	return buf
}

// appendCanonicalHeaders appends one "name:value\n" line for every name in
// signedHeaders, in the order given. host comes from r.Host, the value the
// client sent including any port.
func appendCanonicalHeaders(buf []byte, r *http.Request, signedHeaders string) []byte {
	for rest := signedHeaders; rest != ""; {
		var name string
		name, rest, _ = strings.Cut(rest, ";")
		buf = append(buf, name...)
		buf = append(buf, ':')
		if name == "host" {
			host := r.Host
			if host == "" && r.URL != nil {
				host = r.URL.Host
			}
			buf = appendTrimmed(buf, host)
		} else if values := lookupHeader(r.Header, name); len(values) > 0 {
			for i, v := range values {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = appendTrimmed(buf, v)
			}
		} else if name == "content-length" && r.ContentLength > 0 {
			// Client-side requests keep the length only in r.ContentLength.
			buf = strconv.AppendInt(buf, r.ContentLength, 10)
		} else if name == "transfer-encoding" {
			// The server moves this header into r.TransferEncoding.
			buf = append(buf, strings.Join(r.TransferEncoding, ",")...)
		}
		buf = append(buf, '\n')
	}
	return buf
}

// lookupHeader returns the values of the header named name (any case). For
// the usual lower-case names it canonicalises into a stack buffer, so the
// lookup does not allocate.
func lookupHeader(h http.Header, name string) []string {
	var b [64]byte
	if len(name) > len(b) {
		return lookupHeaderSlow(h, name)
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z':
			if upper {
				c -= 'a' - 'A'
			}
		case 'A' <= c && c <= 'Z':
			if !upper {
				c += 'a' - 'A'
			}
		case c == '-' || '0' <= c && c <= '9':
		default:
			return lookupHeaderSlow(h, name)
		}
		b[i] = c
		upper = c == '-'
	}
	if v, ok := h[string(b[:len(name)])]; ok {
		return v
	}
	return lookupHeaderFold(h, name)
}

func lookupHeaderSlow(h http.Header, name string) []string {
	if v, ok := h[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return v
	}
	return lookupHeaderFold(h, name)
}

// lookupHeaderFold finds headers stored under a non-canonical key, which
// only happens for requests built by hand rather than parsed by net/http.
func lookupHeaderFold(h http.Header, name string) []string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// appendTrimmed appends v without leading and trailing white space and with
// runs of spaces collapsed to one, matching the SDK's
// strings.TrimSpace(StripExcessSpaces(v)).
func appendTrimmed(buf []byte, v string) []byte {
	v = strings.TrimSpace(v)
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		buf = append(buf, v[i])
	}
	return buf
}
