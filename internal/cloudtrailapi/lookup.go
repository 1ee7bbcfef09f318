package cloudtrailapi

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/pagetoken"
	"github.com/accountplane/accountplane/internal/protocol/jsonbody"
	"github.com/accountplane/accountplane/internal/trail"
)

// TargetPrefix is the X-Amz-Target prefix of the CloudTrail operations
// (the model's targetPrefix). ServicePrefix is the other form AWS accepts,
// the Smithy service shape's name, which aws-sdk-go-v2 sends.
const (
	TargetPrefix  = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
	ServicePrefix = "CloudTrail_20131101."
)

// Exception codes of LookupEvents (the model's error shapes).
const (
	CodeInvalidLookupAttributes = "InvalidLookupAttributesException"
	CodeInvalidTimeRange        = "InvalidTimeRangeException"
	CodeInvalidMaxResults       = "InvalidMaxResultsException"
	CodeInvalidNextToken        = "InvalidNextTokenException"
	CodeInvalidEventCategory    = "InvalidEventCategoryException"
)

// Store is the event history LookupEvents reads.
type Store interface {
	LookupEvents(ctx context.Context, q trail.Query) ([]trail.Event, error)
}

// Options configure the binding.
type Options struct {
	// TokenKey signs NextTokens (empty: a random key).
	TokenKey []byte
	// Now is the domain clock, which the retention window is measured on
	// (default time.Now).
	Now func() time.Time
	// Retention is how long records stay visible (default 90 days, as in
	// AWS's event history).
	Retention time.Duration
	// Settle, if set, is called before a lookup reads the store: it waits
	// for the records of calls already answered (written in the
	// background) so that a client finds them.
	Settle func()
}

// ServiceName is the signing name of CloudTrail.
const ServiceName = "cloudtrail"

// Service returns CloudTrail with its one operation, LookupEvents,
// authorized as cloudtrail:LookupEvents on "*" (the action has no
// resource type).
func Service(store Store, opts Options) operation.Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Retention <= 0 {
		opts.Retention = trail.DefaultRetention
	}
	l := &lookup{store: store, opts: opts, tokens: pagetoken.New(opts.TokenKey)}
	return operation.Service{
		Name: ServiceName, Protocol: operation.AWSJSON, Targets: []string{TargetPrefix, ServicePrefix},
		InternalFailure: "InternalFailure", AccessDenied: "AccessDeniedException", Throttled: "ThrottlingException",
		Unknown: func(name string) *apierr.Error {
			return apierr.New("UnknownOperationException", "Operation "+name+" is not supported by this endpoint.")
		},
		Operations: []operation.Operation{{
			Service: ServiceName, Name: "LookupEvents", Action: "cloudtrail:LookupEvents", ReadOnly: true,
			Input: reflect.TypeFor[lookupEventsInput](), Output: reflect.TypeFor[lookupEventsOutput](),
			Prepare: l.prepare,
		}},
	}
}

type lookupAttribute struct {
	AttributeKey   *string
	AttributeValue *string
}

type lookupEventsInput struct {
	LookupAttributes []lookupAttribute
	StartTime        *float64
	EndTime          *float64
	EventCategory    *string
	MaxResults       *int64
	NextToken        *string
}

type resource struct {
	ResourceType string `json:"ResourceType,omitempty"`
	ResourceName string `json:"ResourceName,omitempty"`
}

type event struct {
	EventID         string      `json:"EventId"`
	EventName       string      `json:"EventName"`
	ReadOnly        string      `json:"ReadOnly"`
	AccessKeyID     string      `json:"AccessKeyId,omitempty"`
	EventTime       json.Number `json:"EventTime"`
	EventSource     string      `json:"EventSource"`
	Username        string      `json:"Username,omitempty"`
	Resources       []resource  `json:"Resources"`
	CloudTrailEvent string      `json:"CloudTrailEvent"`
}

type lookupEventsOutput struct {
	Events    []event `json:"Events"`
	NextToken string  `json:"NextToken,omitempty"`
}

// attributeKeys are the model's LookupAttributeKey values.
var attributeKeys = map[string]trail.AttributeKey{
	"EventId": trail.AttrEventID, "EventName": trail.AttrEventName, "ReadOnly": trail.AttrReadOnly,
	"Username": trail.AttrUsername, "ResourceType": trail.AttrResourceType, "ResourceName": trail.AttrResourceName,
	"EventSource": trail.AttrEventSource, "AccessKeyId": trail.AttrAccessKeyID,
}

const (
	defaultMaxResults = 50
	maxValueLength    = 2000
	// maxEpoch bounds timestamps (the year 2255) so that they stay within
	// what stores keep (int64 nanoseconds).
	maxEpoch = 9e9
)

type lookup struct {
	store  Store
	opts   Options
	tokens pagetoken.Signer
}

// invoke runs LookupEvents: the caller's account's events, newest first.
// It returns InvalidLookupAttributesException for more than one attribute,
// an unknown key, or an empty, too long or (for ReadOnly) non-boolean
// value; InvalidTimeRangeException if StartTime is after EndTime;
// InvalidMaxResultsException outside 1..50; InvalidNextTokenException for
// a token not minted for the same request; InvalidEventCategoryException
// for a category other than insight (which selects no events here: the
// emulator has no Insights events).
func (l *lookup) prepare(r operation.Request, raw operation.Input) (operation.Call, error) {
	q, insights, scope, err := l.query(r.Caller, raw.Body)
	if err != nil {
		return operation.Call{}, err
	}
	return operation.Call{
		Access: func(context.Context) (operation.Access, error) {
			return operation.Access{Resources: []string{"*"}}, nil
		},
		Invoke: func(ctx context.Context) (any, error) { return l.run(ctx, q, insights, scope) },
	}, nil
}

// query validates a LookupEvents input and returns the store query, whether
// it asks for Insights events, and the scope its NextTokens are bound to.
func (l *lookup) query(caller identity.Principal, body []byte) (trail.Query, bool, string, error) {
	var in lookupEventsInput
	if err := jsonbody.Decode(body, &in); err != nil {
		return trail.Query{}, false, "", err
	}
	q := trail.Query{Account: caller.Account, Limit: defaultMaxResults}
	if len(in.LookupAttributes) > 1 {
		return trail.Query{}, false, "", apierr.New(CodeInvalidLookupAttributes, "You cannot specify more than one lookup attribute.")
	}
	var scope strings.Builder
	scope.WriteString("LookupEvents|" + string(caller.Account))
	if len(in.LookupAttributes) == 1 {
		a := in.LookupAttributes[0]
		if a.AttributeKey == nil || a.AttributeValue == nil {
			return trail.Query{}, false, "", apierr.New(CodeInvalidLookupAttributes, "A lookup attribute needs an AttributeKey and an AttributeValue.")
		}
		key, ok := attributeKeys[*a.AttributeKey]
		if !ok {
			return trail.Query{}, false, "", apierr.New(CodeInvalidLookupAttributes, "Invalid AttributeKey: "+*a.AttributeKey+
				". Valid keys are EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource and AccessKeyId.")
		}
		v := *a.AttributeValue
		if n := utf8.RuneCountInString(v); n < 1 || n > maxValueLength {
			return trail.Query{}, false, "", apierr.New(CodeInvalidLookupAttributes, "The AttributeValue must be 1 to 2000 characters long.")
		}
		if key == trail.AttrReadOnly {
			switch strings.ToLower(v) {
			case "true", "false":
				v = strings.ToLower(v)
			default:
				return trail.Query{}, false, "", apierr.New(CodeInvalidLookupAttributes, "The value of the ReadOnly attribute must be true or false.")
			}
		}
		q.Key, q.Value = key, v
		scope.WriteString("|" + string(key) + "=" + v)
	}
	for _, t := range []*float64{in.StartTime, in.EndTime} {
		if t != nil && (*t < 0 || *t > maxEpoch) {
			return trail.Query{}, false, "", apierr.New(CodeInvalidTimeRange, "The time range is outside the range of possible values.")
		}
	}
	if in.StartTime != nil {
		q.Start = epoch(*in.StartTime)
		scope.WriteString("|s" + strconv.FormatFloat(*in.StartTime, 'f', -1, 64))
	}
	if in.EndTime != nil {
		q.End = epoch(*in.EndTime)
		scope.WriteString("|e" + strconv.FormatFloat(*in.EndTime, 'f', -1, 64))
	}
	if !q.Start.IsZero() && !q.End.IsZero() && q.Start.After(q.End) {
		return trail.Query{}, false, "", apierr.New(CodeInvalidTimeRange, "Start time must not be after end time.")
	}
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > defaultMaxResults {
			return trail.Query{}, false, "", apierr.New(CodeInvalidMaxResults, "MaxResults must be between 1 and 50.")
		}
		q.Limit = int(*in.MaxResults)
	}
	insights := false
	if in.EventCategory != nil {
		if *in.EventCategory != "insight" {
			return trail.Query{}, false, "", apierr.New(CodeInvalidEventCategory, "The event category "+*in.EventCategory+" is not valid. The valid value is insight.")
		}
		insights = true
		scope.WriteString("|insight")
	}
	if in.NextToken != nil {
		after, ok := l.tokens.Open(scope.String(), *in.NextToken)
		if !ok || after <= 0 {
			return trail.Query{}, false, "", apierr.New(CodeInvalidNextToken, "Invalid NextToken.")
		}
		q.After = int64(after)
	}
	return q, insights, scope.String(), nil
}

func (l *lookup) run(ctx context.Context, q trail.Query, insights bool, scope string) (*lookupEventsOutput, error) {
	out := lookupEventsOutput{Events: []event{}}
	if insights { // no Insights events here
		return &out, nil
	}
	if l.opts.Settle != nil {
		l.opts.Settle()
	}
	// Records older than the retention window are gone.
	if oldest := l.opts.Now().Add(-l.opts.Retention); q.Start.Before(oldest) {
		q.Start = oldest
	}
	limit := q.Limit
	q.Limit++ // one more tells whether there is a next page
	evs, err := l.store.LookupEvents(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(evs) > limit {
		evs = evs[:limit]
		out.NextToken = l.tokens.Mint(scope, int(evs[limit-1].Seq))
	}
	for _, ev := range evs {
		out.Events = append(out.Events, wireEvent(ev))
	}
	return &out, nil
}

func wireEvent(ev trail.Event) event {
	e := event{
		EventID: ev.ID, EventName: ev.Name, ReadOnly: strconv.FormatBool(ev.ReadOnly), AccessKeyID: ev.AccessKeyID,
		EventTime: epochSeconds(ev.Time), EventSource: ev.Source, Username: ev.Username,
		Resources: make([]resource, len(ev.Resources)), CloudTrailEvent: string(ev.Record),
	}
	for i, r := range ev.Resources {
		e.Resources[i] = resource{ResourceType: r.Type, ResourceName: r.Name}
	}
	return e
}

// epoch is an awsJson timestamp (epoch seconds, fractions allowed) in
// 0..maxEpoch.
func epoch(s float64) time.Time {
	sec, frac := math.Modf(s)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

// epochSeconds is a Timestamp as awsJson sends it: epoch seconds as a JSON
// number.
func epochSeconds(t time.Time) json.Number {
	ms := t.UnixMilli()
	return json.Number(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64))
}
