package trail

import (
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// Every record is encoded once per call (and the record of every read is
// one), so records have their own encoder: json.Marshal's reflection over
// Record was a tenth of a read's cost. appendJSON writes exactly what
// json.Marshal writes (FuzzRecordJSON holds it to that); members of maps
// whose values are not strings, booleans or nulls are left to json.Marshal.

// appendJSON appends r as json.Marshal encodes it.
func (r *Record) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"eventVersion":`...)
	b = appendJSONString(b, r.EventVersion)
	b = append(b, `,"userIdentity":`...)
	b = r.UserIdentity.appendJSON(b)
	b = appendMember(b, "eventTime", r.EventTime)
	b = appendMember(b, "eventSource", r.EventSource)
	b = appendMember(b, "eventName", r.EventName)
	b = appendMember(b, "awsRegion", r.AWSRegion)
	b = appendMember(b, "sourceIPAddress", r.SourceIPAddress)
	b = appendMember(b, "userAgent", r.UserAgent)
	b = appendOptional(b, "errorCode", r.ErrorCode)
	b = appendOptional(b, "errorMessage", r.ErrorMessage)
	var err error
	b = append(b, `,"requestParameters":`...)
	if b, err = appendAnyMap(b, r.RequestParameters); err != nil {
		return nil, err
	}
	b = append(b, `,"responseElements":`...)
	if b, err = appendAnyMap(b, r.ResponseElements); err != nil {
		return nil, err
	}
	if len(r.AdditionalEventData) > 0 {
		b = append(b, `,"additionalEventData":{`...)
		var buf [8]string
		for i, k := range sortedKeys(r.AdditionalEventData, buf[:]) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, r.AdditionalEventData[k])
		}
		b = append(b, '}')
	}
	b = appendOptional(b, "requestID", r.RequestID)
	b = appendMember(b, "eventID", r.EventID)
	b = appendBool(b, "readOnly", r.ReadOnly)
	b = appendMember(b, "eventType", r.EventType)
	b = appendBool(b, "managementEvent", r.ManagementEvent)
	b = appendMember(b, "eventCategory", r.EventCategory)
	b = appendMember(b, "recipientAccountId", r.RecipientAccount)
	if t := r.TLSDetails; t != nil {
		b = append(b, `,"tlsDetails":{"tlsVersion":`...)
		b = appendJSONString(b, t.TLSVersion)
		b = appendMember(b, "cipherSuite", t.CipherSuite)
		b = appendMember(b, "clientProvidedHostHeader", t.ClientProvidedHostHeader)
		b = append(b, '}')
	}
	b = appendOptional(b, "sessionCredentialFromConsole", r.SessionCredentialFromConsole)
	return append(b, '}'), nil
}

func (u *UserIdentity) appendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = appendJSONString(b, u.Type)
	b = appendMember(b, "principalId", u.PrincipalID)
	b = appendMember(b, "arn", u.ARN)
	b = appendMember(b, "accountId", u.AccountID)
	b = appendOptional(b, "accessKeyId", u.AccessKeyID)
	b = appendOptional(b, "userName", u.UserName)
	if s := u.SessionContext; s != nil {
		b = append(b, `,"sessionContext":{`...)
		if i := s.SessionIssuer; i != nil {
			b = append(b, `"sessionIssuer":{"type":`...)
			b = appendJSONString(b, i.Type)
			b = appendMember(b, "principalId", i.PrincipalID)
			b = appendMember(b, "arn", i.ARN)
			b = appendMember(b, "accountId", i.AccountID)
			b = appendMember(b, "userName", i.UserName)
			b = append(b, `},`...)
		}
		if s.WebIDFederationData != nil {
			b = append(b, `"webIdFederationData":{},`...)
		}
		b = append(b, `"attributes":{"mfaAuthenticated":`...)
		b = appendJSONString(b, s.Attributes.MFAAuthenticated)
		b = appendMember(b, "creationDate", s.Attributes.CreationDate)
		b = append(b, '}')
		b = appendOptional(b, "assumedRoot", s.AssumedRoot)
		b = append(b, '}')
	}
	return append(b, '}')
}

// sortedKeys returns m's keys in order, in buf when they fit (a record's
// maps are small: no allocation for their keys).
func sortedKeys[V any](m map[string]V, buf []string) []string {
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendMember appends ,"name":value.
func appendMember(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
}

// appendOptional is appendMember for an omitempty member.
func appendOptional(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	return appendMember(b, name, value)
}

func appendBool(b []byte, name string, v bool) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendAnyMap appends m (nil: null), its keys sorted; maps with values
// other than strings, booleans and nulls go to json.Marshal.
func appendAnyMap(b []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	for _, v := range m {
		switch v.(type) {
		case string, bool, nil:
		default:
			enc, err := json.Marshal(m)
			if err != nil {
				return nil, err
			}
			return append(b, enc...), nil
		}
	}
	b = append(b, '{')
	var buf [8]string
	for i, k := range sortedKeys(m, buf[:]) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		switch v := m[k].(type) {
		case string:
			b = appendJSONString(b, v)
		case bool:
			if v {
				b = append(b, "true"...)
			} else {
				b = append(b, "false"...)
			}
		default:
			b = append(b, "null"...)
		}
	}
	return append(b, '}'), nil
}

// appendJSONString appends s quoted as encoding/json quotes strings (HTML
// characters escaped, invalid UTF-8 replaced).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
