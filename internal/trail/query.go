package trail

import (
	"crypto/tls"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// AttributeKey names what LookupEvents filters on (the model's
// LookupAttributeKey).
type AttributeKey string

// The lookup attributes.
const (
	AttrEventID      AttributeKey = "EventId"
	AttrEventName    AttributeKey = "EventName"
	AttrReadOnly     AttributeKey = "ReadOnly"
	AttrUsername     AttributeKey = "Username"
	AttrResourceType AttributeKey = "ResourceType"
	AttrResourceName AttributeKey = "ResourceName"
	AttrEventSource  AttributeKey = "EventSource"
	AttrAccessKeyID  AttributeKey = "AccessKeyId"
)

// Query is a lookup in one account's event history: events at or after
// Start and at or before End (zero: unbounded), matching the attribute if
// one is given, newest first, from after the event with sequence After
// (0: from the newest), at most Limit.
type Query struct {
	Account    identity.AccountID
	Start, End time.Time
	Key        AttributeKey // "" for none
	Value      string
	After      int64
	Limit      int
}

// TLSDetailsOf describes a TLS connection as records do, or nil for none.
func TLSDetailsOf(cs *tls.ConnectionState, host string) *TLSDetails {
	if cs == nil {
		return nil
	}
	d := &TLSDetails{ClientProvidedHostHeader: host, CipherSuite: tls.CipherSuiteName(cs.CipherSuite)}
	switch cs.Version {
	case tls.VersionTLS10:
		d.TLSVersion = "TLSv1"
	case tls.VersionTLS11:
		d.TLSVersion = "TLSv1.1"
	case tls.VersionTLS12:
		d.TLSVersion = "TLSv1.2"
	case tls.VersionTLS13:
		d.TLSVersion = "TLSv1.3"
	}
	if name, ok := opensslNames[cs.CipherSuite]; ok {
		d.CipherSuite = name // AWS writes TLS 1.2 suites by their OpenSSL names
	}
	return d
}

var opensslNames = map[uint16]string{
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:       "ECDHE-RSA-AES128-GCM-SHA256",
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:       "ECDHE-RSA-AES256-GCM-SHA384",
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:     "ECDHE-ECDSA-AES128-GCM-SHA256",
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:     "ECDHE-ECDSA-AES256-GCM-SHA384",
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-RSA-CHACHA20-POLY1305",
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:          "ECDHE-RSA-AES128-SHA",
	tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:          "ECDHE-RSA-AES256-SHA",
}
