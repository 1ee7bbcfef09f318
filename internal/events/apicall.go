package events

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/accountplane/accountplane/internal/uuid"
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
	var h apiCallHeader
	if err := json.Unmarshal(rec, &h); err != nil {
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
	ev := &Event{
		Version:    "0",
		ID:         uuid.New(),
		DetailType: detailType,
		Source:     "aws." + strings.TrimSuffix(h.EventSource, ".amazonaws.com"),
		Account:    acct,
		Time:       t.Format(TimeFormat),
		Region:     BusRegion,
		Resources:  []string{},
		Detail:     json.RawMessage(rec),
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return false, fmt.Errorf("events: encode event: %w", err)
	}
	r := &Record{
		ID: ev.ID, Time: t, Account: acct, Source: ev.Source, DetailType: ev.DetailType,
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
