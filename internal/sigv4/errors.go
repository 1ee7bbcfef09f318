package sigv4

import (
	"strconv"
	"strings"
	"time"
)

// Kind classifies a verification failure. The protocol layer maps each Kind
// to its wire error code; the mapping differs between protocols.
type Kind uint8

// Kinds of verification failure.
const (
	// Missing means the request carries neither an Authorization header nor
	// an X-Amz-Algorithm query parameter (AWS: MissingAuthenticationToken).
	Missing Kind = iota + 1
	// Incomplete means the signature information is malformed or partial
	// (AWS: IncompleteSignature).
	Incomplete
	// UnknownKey means the access key ID is not known
	// (AWS: InvalidClientTokenId or UnrecognizedClientException).
	UnknownKey
	// Mismatch means the signature does not match the one computed from the
	// request (AWS: SignatureDoesNotMatch).
	Mismatch
	// Expired means the request date is outside the allowed window or a
	// presigned URL has expired.
	Expired
	// BadToken means the session token does not belong to the access key
	// (AWS: InvalidClientTokenId or UnrecognizedClientException).
	BadToken
	// ExpiredToken means the key is a session that has expired
	// (AWS: ExpiredToken or ExpiredTokenException).
	ExpiredToken
)

var kindNames = [...]string{
	Missing:      "missing authentication",
	Incomplete:   "incomplete signature",
	UnknownKey:   "unknown access key",
	Mismatch:     "signature mismatch",
	Expired:      "request expired",
	BadToken:     "invalid security token",
	ExpiredToken: "expired security token",
}

// String returns a short lowercase description of k for logs.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Error is a signature verification failure. Message is safe to send to the
// client: it never contains a signature value or a secret.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return "sigv4: " + e.Kind.String() + ": " + e.Message }

// Client-visible messages. They follow the wording of responses observed from
// AWS query and JSON services.
// TODO(fidelity): verify the exact wording against real AWS with awscheck.
const (
	msgMissing      = "Missing Authentication Token"
	msgExpiredToken = "The security token included in the request is expired"
	msgBadToken     = "The security token included in the request is invalid."
	msgMismatch     = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgPresignExp   = "Request has expired"
	msgBothAuth     = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"
	msgHostSigned   = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
)

// mustBeSigned is the message for a header that is present but not signed,
// worded like msgHostSigned.
func mustBeSigned(header string) string {
	return "'" + header + "' must be a 'SignedHeader' in the AWS Authorization."
}

func newError(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }

func incomplete(msg string) *Error { return newError(Incomplete, msg) }

func mismatch() *Error { return newError(Mismatch, msgMismatch) }

func dateScopeMismatch(scopeDate, amzDate string) *Error {
	return newError(Mismatch, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
		safe(scopeDate)+"' != '"+amzDate[:8]+"', from '"+amzDate+"'.")
}

func badDate(got string) *Error {
	return incomplete("Date must be in ISO-8601 'basic format'. Got '" + safe(got) + "'. See http://en.wikipedia.org/wiki/ISO_8601")
}

// expired reports a request date outside now±skew in the AWS wording, e.g.
// "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z (20260101T002000Z - 15 min.)".
func expired(amzDate string, now time.Time, skew time.Duration, future bool) *Error {
	var msg strings.Builder
	if future {
		msg.WriteString("Signature not yet current: ")
		msg.WriteString(amzDate)
		msg.WriteString(" is still later than ")
		msg.WriteString(now.Add(skew).UTC().Format(isoBasic))
		msg.WriteString(" (")
		msg.WriteString(now.UTC().Format(isoBasic))
		msg.WriteString(" + ")
	} else {
		msg.WriteString("Signature expired: ")
		msg.WriteString(amzDate)
		msg.WriteString(" is now earlier than ")
		msg.WriteString(now.Add(-skew).UTC().Format(isoBasic))
		msg.WriteString(" (")
		msg.WriteString(now.UTC().Format(isoBasic))
		msg.WriteString(" - ")
	}
	if skew%time.Minute == 0 {
		msg.WriteString(strconv.FormatInt(int64(skew/time.Minute), 10))
		msg.WriteString(" min.)")
	} else {
		msg.WriteString(skew.String())
		msg.WriteString(")")
	}
	return newError(Expired, msg.String())
}

// maxEcho bounds how much client-supplied text an error message repeats.
const maxEcho = 256

// safe returns s truncated to maxEcho bytes with bytes outside printable
// ASCII replaced by '?', so echoed client input cannot smuggle control
// characters into messages or logs.
func safe(s string) string {
	clean := len(s) <= maxEcho
	for i := 0; clean && i < len(s); i++ {
		clean = s[i] >= 0x20 && s[i] < 0x7f
	}
	if clean {
		return s
	}
	suffix := ""
	if len(s) > maxEcho {
		s, suffix = s[:maxEcho], "..."
	}
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c >= 0x7f {
			b[i] = '?'
		}
	}
	return string(b) + suffix
}

// redactAuthorization returns the Authorization header value for an error
// message with every Signature value removed.
func redactAuthorization(h string) string {
	alg, rest, _ := strings.Cut(h, " ")
	var b strings.Builder
	b.WriteString(alg)
	first := true
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if first {
			b.WriteByte(' ')
			first = false
		} else {
			b.WriteString(", ")
		}
		if k, _, ok := strings.Cut(part, "="); ok && strings.Contains(strings.ToLower(k), "signature") && k != "SignedHeaders" {
			b.WriteString(k)
			b.WriteString("=<redacted>")
			continue
		}
		b.WriteString(part)
	}
	return safe(b.String())
}
