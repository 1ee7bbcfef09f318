package events

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// DetailTypeAPICall is the detail-type of the events that carry a
// CloudTrail record of an API call, and DetailTypeSignIn of those that
// carry a console sign-in's (eventType AwsConsoleSignIn).
const (
	DetailTypeAPICall = "AWS API Call via CloudTrail"
	DetailTypeSignIn  = "AWS Console Sign In via CloudTrail"
)

// apiCallHeader is what AppendAPICall reads of a record.
type apiCallHeader struct {
	EventSource string `json:"eventSource"`
	EventType   string `json:"eventType"`
	ErrorCode   string `json:"errorCode"`
	ReadOnly    bool   `json:"readOnly"`
}

// AppendAPICall appends an "AWS API Call via CloudTrail" event whose
// detail is rec (a CloudTrail record as JSON), or for a console sign-in's
// record (eventType AwsConsoleSignIn, its failures included) an "AWS
// Console Sign In via CloudTrail" event, to the log, and queues it for
// every active target whose pattern matches, in tx. acct is the receiving
// account (the record's recipient), t the call's domain time and now the
// real time. Records of reads (readOnly true) and of failed calls
// (errorCode set) are not events: it then appends nothing and reports
// false. The caller must call the Service's Committed once tx commits (the
// unit of work does, from the after func of its [kernel.BeforeCommit]).
func AppendAPICall(ctx context.Context, tx Tx, rec []byte, acct string, t, now time.Time) (bool, error) {
	h, err := readHeader(rec)
	if err != nil {
		return false, fmt.Errorf("events: read CloudTrail record: %w", err)
	}
	if h.ReadOnly || h.ErrorCode != "" {
		return false, nil
	}
	t = t.UTC().Truncate(time.Second)
	detailType := DetailTypeAPICall
	if h.EventType == "AwsConsoleSignIn" {
		detailType = DetailTypeSignIn
	}
	seq, id, err := tx.BusReserve(ctx)
	if err != nil {
		return false, err
	}
	ev := &Event{
		Version:    "0",
		ID:         id,
		DetailType: detailType,
		Source:     "aws." + strings.TrimSuffix(h.EventSource, ".amazonaws.com"),
		Account:    acct,
		Time:       t.Format(TimeFormat),
		Region:     BusRegion,
		Resources:  []string{},
	}
	body, err := withDetail(ev, rec)
	if err != nil {
		return false, fmt.Errorf("events: encode event: %w", err)
	}
	r := &Record{
		Seq: seq, ID: ev.ID, Time: t, Account: acct, Source: ev.Source, DetailType: ev.DetailType,
		Body: body, Created: now,
	}
	if err := tx.BusAppend(ctx, r); err != nil {
		return false, err
	}
	targets, err := tx.BusTargets(ctx)
	if err != nil {
		return false, err
	}
	for _, tg := range targets {
		p, err := compileCached(tg.Pattern)
		if err != nil {
			continue // a bad pattern receives nothing (emit logs it)
		}
		if !p.Match(body) {
			continue
		}
		if err := tx.BusAddDelivery(ctx, tg.ID, r.Seq, now); err != nil {
			return false, err
		}
	}
	return true, nil
}

// patternCache holds the compiled patterns of AppendAPICall's targets, by
// source (there are few targets).
var patternCache sync.Map

func compileCached(src string) (*Pattern, error) {
	if v, ok := patternCache.Load(src); ok {
		return v.(*Pattern), nil
	}
	p, err := CompilePattern(src)
	if err != nil {
		return nil, err
	}
	patternCache.Store(src, p)
	return p, nil
}

// readHeader reads what AppendAPICall needs of a record, valid JSON: its
// top-level members alone, skipping the rest (a record is a kilobyte or
// two, and encoding/json decodes all of it); anything it does not expect
// goes to encoding/json.
func readHeader(rec []byte) (apiCallHeader, error) {
	if !json.Valid(rec) {
		var h apiCallHeader
		return h, json.Unmarshal(rec, &h) // its error
	}
	if h, ok := scanHeader(rec); ok {
		return h, nil
	}
	var h apiCallHeader
	err := json.Unmarshal(rec, &h)
	return h, err
}

// scanHeader reads the header's members of valid JSON, an object whose
// member names have no escapes; ok is false for anything else.
func scanHeader(b []byte) (h apiCallHeader, ok bool) {
	r := jsonScanner{b: b}
	if !r.byte('{') {
		return h, false
	}
	if r.peek() == '}' {
		r.i++
		return h, r.end()
	}
	for {
		name, ok := r.name()
		if !ok || !r.byte(':') {
			return h, false
		}
		start := r.skipSpace()
		if !r.skipValue() {
			return h, false
		}
		value := b[start:r.i]
		var err error
		switch {
		case name == "eventSource":
			err = json.Unmarshal(value, &h.EventSource)
		case name == "eventType":
			err = json.Unmarshal(value, &h.EventType)
		case name == "errorCode":
			err = json.Unmarshal(value, &h.ErrorCode)
		case name == "readOnly":
			err = json.Unmarshal(value, &h.ReadOnly)
		case strings.EqualFold(name, "eventSource"), strings.EqualFold(name, "eventType"),
			strings.EqualFold(name, "errorCode"), strings.EqualFold(name, "readOnly"):
			return h, false // encoding/json matches names case-insensitively
		}
		if err != nil {
			return h, false
		}
		switch r.skipSpace(); r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return h, r.end()
		default:
			return h, false
		}
	}
}

// withDetail returns ev as JSON with rec, a valid record encoding/json
// wrote (compact, HTML-escaped; readHeader checked it is valid), as its
// detail: what json.Marshal gives for Detail json.RawMessage(rec),
// without its second pass over rec.
func withDetail(ev *Event, rec []byte) ([]byte, error) {
	ev.Detail = nil
	head, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	const tail = `null}` // Detail is the last member
	body := make([]byte, 0, len(head)-len(tail)+len(rec)+1)
	body = append(body, head[:len(head)-len(tail)]...)
	body = append(body, rec...)
	ev.Detail = json.RawMessage(rec)
	return append(body, '}'), nil
}

// jsonScanner walks JSON text without decoding it.
type jsonScanner struct {
	b []byte
	i int
}

func (r *jsonScanner) skipSpace() int {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\t' || r.b[r.i] == '\n' || r.b[r.i] == '\r') {
		r.i++
	}
	return r.i
}

func (r *jsonScanner) peek() byte {
	r.skipSpace()
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

func (r *jsonScanner) byte(c byte) bool {
	if r.peek() != c {
		return false
	}
	r.i++
	return true
}

func (r *jsonScanner) end() bool { return r.skipSpace() == len(r.b) }

// name reads a member name without escapes.
func (r *jsonScanner) name() (string, bool) {
	if !r.byte('"') {
		return "", false
	}
	for j := r.i; j < len(r.b); j++ {
		switch r.b[j] {
		case '"':
			s := string(r.b[r.i:j])
			r.i = j + 1
			return s, true
		case '\\':
			return "", false
		}
	}
	return "", false
}

// skipValue moves past one value (string, number, literal, object or
// array) of valid JSON.
func (r *jsonScanner) skipValue() bool {
	depth, start := 0, r.i
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch c {
		case '"':
			r.i++
			for r.i < len(r.b) && r.b[r.i] != '"' {
				if r.b[r.i] == '\\' {
					r.i++
				}
				r.i++
			}
			if r.i >= len(r.b) {
				return false
			}
			r.i++
		case '{', '[':
			depth++
			r.i++
		case '}', ']':
			if depth == 0 {
				return r.i > start
			}
			depth--
			r.i++
		case ',':
			if depth == 0 {
				return r.i > start
			}
			r.i++
		default:
			r.i++
		}
		if depth == 0 && (c == '"' || c == '}' || c == ']') {
			return true
		}
	}
	return depth == 0 && r.i > start
}
