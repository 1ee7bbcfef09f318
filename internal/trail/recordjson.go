package trail

import (
	"encoding/json"
	"slices"

	"github.com/accountplane/accountplane/internal/jsonstr"
)

// Every record is encoded once per call (and the record of every read is
// one), so records have their own encoder: json.Marshal's reflection over
// Record was a tenth of a read's cost. appendJSON writes exactly what
// json.Marshal writes (FuzzRecordJSON holds it to that); members of maps
// whose values are not strings, booleans or nulls are left to json.Marshal.

// appendJSON appends r as json.Marshal encodes it.
func (r *Record) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"eventVersion":`...)
	b = jsonstr.Append(b, r.EventVersion)
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
			b = jsonstr.Append(b, k)
			b = append(b, ':')
			b = jsonstr.Append(b, r.AdditionalEventData[k])
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
		b = jsonstr.Append(b, t.TLSVersion)
		b = appendMember(b, "cipherSuite", t.CipherSuite)
		b = appendMember(b, "clientProvidedHostHeader", t.ClientProvidedHostHeader)
		b = append(b, '}')
	}
	b = appendOptional(b, "sessionCredentialFromConsole", r.SessionCredentialFromConsole)
	return append(b, '}'), nil
}

func (u *UserIdentity) appendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = jsonstr.Append(b, u.Type)
	b = appendMember(b, "principalId", u.PrincipalID)
	b = appendMember(b, "arn", u.ARN)
	b = appendMember(b, "accountId", u.AccountID)
	b = appendOptional(b, "accessKeyId", u.AccessKeyID)
	b = appendOptional(b, "userName", u.UserName)
	if s := u.SessionContext; s != nil {
		b = append(b, `,"sessionContext":{`...)
		if i := s.SessionIssuer; i != nil {
			b = append(b, `"sessionIssuer":{"type":`...)
			b = jsonstr.Append(b, i.Type)
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
		b = jsonstr.Append(b, s.Attributes.MFAAuthenticated)
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
	return jsonstr.Append(b, value)
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
		b = jsonstr.Append(b, k)
		b = append(b, ':')
		switch v := m[k].(type) {
		case string:
			b = jsonstr.Append(b, v)
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
