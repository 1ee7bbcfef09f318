package trail

import (
	"crypto/tls"

	"github.com/accountplane/accountplane/internal/kernel"
)

// The stored form of records and the lookup query are the kernel's (the
// store keeps them without knowing the record format).
type (
	AttributeKey = kernel.TrailAttributeKey
	Query        = kernel.TrailQuery
)

// The lookup attributes.
const (
	AttrEventID      = kernel.AttrEventID
	AttrEventName    = kernel.AttrEventName
	AttrReadOnly     = kernel.AttrReadOnly
	AttrUsername     = kernel.AttrUsername
	AttrResourceType = kernel.AttrResourceType
	AttrResourceName = kernel.AttrResourceName
	AttrEventSource  = kernel.AttrEventSource
	AttrAccessKeyID  = kernel.AttrAccessKeyID
)

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
