package kernel

import (
	"context"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// TrailEvent is a CloudTrail record as a store keeps it: the record's JSON
// and the columns LookupEvents filters and answers on.
type TrailEvent struct {
	// Seq orders the events of a store (assigned by the store on write).
	Seq int64
	ID  string
	// Account is the recipient: the account whose event history holds it.
	Account     identity.AccountID
	Time        time.Time // whole seconds
	Name        string
	Source      string
	Username    string
	AccessKeyID string
	ReadOnly    bool
	Resources   []TrailResource
	// Record is the record as JSON.
	Record []byte
	// StoreID lets the store replace ID, and its text in Record, by an id
	// of its own when it writes the event (the records of reads: no one
	// has seen their ids yet, and an id the store derives from where it
	// keeps the record needs no index).
	StoreID bool
	// FreshID says ID was drawn at random for this event just now (a
	// version 4 UUID from crypto/rand: 122 random bits): the store need
	// not look for another event with it.
	FreshID bool
}

// TrailResource is a resource a call names, as LookupEvents reports it.
type TrailResource struct {
	Type string // e.g. AWS::IAM::User
	Name string // e.g. the user name or an ARN
}

// TrailAttributeKey names what LookupEvents filters on (the model's
// LookupAttributeKey).
type TrailAttributeKey string

// The lookup attributes.
const (
	AttrEventID      TrailAttributeKey = "EventId"
	AttrEventName    TrailAttributeKey = "EventName"
	AttrReadOnly     TrailAttributeKey = "ReadOnly"
	AttrUsername     TrailAttributeKey = "Username"
	AttrResourceType TrailAttributeKey = "ResourceType"
	AttrResourceName TrailAttributeKey = "ResourceName"
	AttrEventSource  TrailAttributeKey = "EventSource"
	AttrAccessKeyID  TrailAttributeKey = "AccessKeyId"
)

// TrailQuery is a lookup in one account's event history: events at or
// after Start and at or before End (zero: unbounded), matching the
// attribute if one is given, newest first, from after the event with
// sequence After (0: from the newest), at most Limit.
type TrailQuery struct {
	Account    identity.AccountID
	Start, End time.Time
	Key        TrailAttributeKey // "" for none
	Value      string
	After      int64
	Limit      int
}

// TrailTx is what a change's transaction offers to record the change: its
// CloudTrail record, in the same transaction.
type TrailTx interface {
	AppendTrailEvent(ctx context.Context, ev TrailEvent) error
}

// RecordTx is the transaction a unit of work sees before it commits: it
// appends the change's CloudTrail record and its events.
type RecordTx interface {
	TrailTx
	BusTx
}

// BeforeCommit runs in every write transaction, after the change and
// before the commit: the composition root's unit of work appends the
// change's CloudTrail record and events there. after (nil: nothing) learns
// whether the transaction committed.
type BeforeCommit func(ctx context.Context, tx RecordTx) (after func(committed bool), err error)
