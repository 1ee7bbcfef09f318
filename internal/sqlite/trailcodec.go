package sqlite

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/uuid"
)

// The compact form of a CloudTrail event (table cloudtrail_records,
// migration 0016). A record is about a kilobyte of JSON, most of it the
// same in every record (member names, constant values, service names, the
// recipient's account id repeated in ARNs, the SDK's user agent). The
// payload column holds:
//
//	byte 0   the encoding: payloadRaw or payloadTokensV1
//	byte 1.. the lookup facts as a JSON array [name, source, username,
//	         access key id, [[resource type, resource name], ...]], a
//	         newline, and the record exactly as LookupEvents returns it;
//	         with payloadTokensV1, each of trailTokensV1 and the event's
//	         own account id, event id and event time replaced by one
//	         control byte (JSON never holds a raw control byte, and a text
//	         that does is stored raw).
//
// A lookup expands the payload and hands the record out as it was written:
// no JSON is encoded again. The lookup attributes live in the row as
// 31-bit hashes of (account, attribute, value) with an index each; a hash
// only narrows the rows down, and the facts in the payload decide (so a
// collision costs a row read, never a wrong answer).

const (
	payloadRaw      = 0
	payloadTokensV1 = 1
)

// Control bytes of payloadTokensV1 for the event's own values.
const (
	tokAccount = 0x01
	tokEventID = 0x02
	tokTime    = 0x03
	tokFirst   = 0x04 // trailTokensV1[i] is byte tokFirst+i (skipping '\n')
)

// trailTokensV1 are the texts records share. Payloads written with them
// can only be read with them: never change or reorder this list; add a
// payloadTokensV2 with a new one instead. Its bytes run from 0x04 to 0x1f,
// but for 0x0a, the newline that ends the facts.
var trailTokensV1 = []string{
	`{"eventVersion":"1.08","userIdentity":{"type":"`,
	`","principalId":"`,
	`","arn":"arn:aws:`,
	`","accountId":"`,
	`","accessKeyId":"`,
	`"},"eventTime":"`,
	`","eventSource":"`,
	`.amazonaws.com`,
	`","eventName":"`,
	`","awsRegion":"us-east-1","sourceIPAddress":"`,
	`","userAgent":"`,
	`","requestParameters":`,
	`,"responseElements":`,
	`,"requestID":"`,
	`","eventID":"`,
	`","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"eventCategory":"Management","recipientAccountId":"`,
	`","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"eventCategory":"Management","recipientAccountId":"`,
	`"sessionContext":{"sessionIssuer":{"type":"Role","principalId":"`,
	`"webIdFederationData":{},"attributes":{"creationDate":"`,
	`","mfaAuthenticated":"false"}`,
	`"errorCode":"`,
	`","errorMessage":"`,
	`aws-sdk-go-v2/`,
	` md/Botocore#`,
	` ua/2.1 os/linux#`,
	` md/arch#x86_64 lang/python#`,
	` md/GOOS#linux md/GOARCH#amd64 `,
}

var (
	tokenEncoder, tokenDecoder = tokenReplacers()
)

func tokenReplacers() (enc *strings.Replacer, dec [32]string) {
	var pairs []string
	b := byte(tokFirst)
	for _, t := range trailTokensV1 {
		if b == '\n' {
			b++
		}
		pairs = append(pairs, t, string(rune(b)))
		dec[b] = t
		b++
	}
	if b > 0x20 {
		panic("trailTokensV1: more tokens than control bytes")
	}
	return strings.NewReplacer(pairs...), dec
}

// tokenize replaces the texts of trailTokensV1 in frame by their bytes. A
// frame holding a control byte (but the newline after the facts) cannot be
// tokenized.
func tokenize(frame []byte) ([]byte, error) {
	if bytes.IndexFunc(frame, func(r rune) bool { return r < 0x20 && r != '\n' }) >= 0 {
		return nil, errors.New("a record holds a control character")
	}
	return []byte(tokenEncoder.Replace(string(frame))), nil
}

// untokenize reverses tokenize.
func untokenize(frame []byte) ([]byte, error) {
	out := make([]byte, 0, 3*len(frame))
	for _, c := range frame {
		if c < 0x20 && c != '\n' {
			t := tokenDecoder[c]
			if t == "" {
				return nil, fmt.Errorf("unknown token %#x", c)
			}
			out = append(out, t...)
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// rowEvent fills ev from the columns of its row.
func rowEvent(account int64, id []byte, seconds int64, payload []byte, ev *kernel.TrailEvent) error {
	ev.ID = eventIDString(id)
	ev.Time = time.Unix(seconds, 0).UTC()
	ev.Account = ""
	if account >= 0 {
		ev.Account = identity.AccountID(fmt.Sprintf("%012d", account))
	}
	if err := decodePayload(payload, ev); err != nil {
		return fmt.Errorf("event %s: %w", ev.ID, err)
	}
	return nil
}

// decodePayload fills ev's lookup facts and record from a payload column;
// ev's account, id and time are already set.
func decodePayload(p []byte, ev *kernel.TrailEvent) error {
	if len(p) == 0 {
		return errors.New("empty payload")
	}
	var text []byte
	switch p[0] {
	case payloadRaw:
		text = p[1:]
	case payloadTokensV1:
		text = make([]byte, 0, 3*len(p))
		for _, c := range p[1:] {
			switch {
			case c == tokAccount:
				text = append(text, ev.Account...)
			case c == tokEventID:
				text = append(text, ev.ID...)
			case c == tokTime:
				text = ev.Time.UTC().AppendFormat(text, time.RFC3339)
			case c < 0x20 && c != '\n':
				t := tokenDecoder[c]
				if t == "" {
					return fmt.Errorf("unknown token %#x", c)
				}
				text = append(text, t...)
			default:
				text = append(text, c)
			}
		}
	default:
		return fmt.Errorf("unknown payload encoding %d", p[0])
	}
	head, rec, ok := bytes.Cut(text, []byte{'\n'})
	if !ok {
		return errors.New("payload without a record")
	}
	var f lookupFacts
	if err := json.Unmarshal(head, &f); err != nil {
		return fmt.Errorf("lookup facts: %w", err)
	}
	ev.Name, ev.Source, ev.Username, ev.AccessKeyID, ev.Resources = f.Name, f.Source, f.Username, f.AccessKeyID, f.Resources
	ev.Record = rec
	return nil
}

// lookupFacts are the facts a payload of migration 0016 holds besides the
// record (read only to convert such rows, trailmigrate.go).
type lookupFacts struct {
	Name, Source, Username, AccessKeyID string
	Resources                           []kernel.TrailResource
}

func (f *lookupFacts) UnmarshalJSON(b []byte) error {
	var res [][2]string
	if err := json.Unmarshal(b, &[]any{&f.Name, &f.Source, &f.Username, &f.AccessKeyID, &res}); err != nil {
		return err
	}
	f.Resources = nil
	for _, r := range res {
		f.Resources = append(f.Resources, kernel.TrailResource{Type: r[0], Name: r[1]})
	}
	return nil
}

// attrHash is the 31-bit hash of one lookup attribute's value in one
// account's history (31 bits: SQLite stores it in 4 bytes).
func attrHash(account string, key kernel.TrailAttributeKey, value string) int64 {
	h := fnv.New32a()
	h.Write([]byte(account))
	h.Write([]byte{0})
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write([]byte(value))
	return int64(h.Sum32() & 0x7fffffff)
}

func eventIDString(b []byte) string {
	if len(b) == 16 {
		return uuid.Format([16]byte(b))
	}
	return strings.TrimRight(string(bytes.TrimPrefix(b, []byte{0})), "\x00")
}
