package kernel

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RegionStatus is RegionOptStatus.
type RegionStatus string

// Region opt-in statuses.
const (
	RegionEnabled          RegionStatus = "ENABLED"
	RegionEnabling         RegionStatus = "ENABLING"
	RegionDisabling        RegionStatus = "DISABLING"
	RegionDisabled         RegionStatus = "DISABLED"
	RegionEnabledByDefault RegionStatus = "ENABLED_BY_DEFAULT"
)

// Valid reports whether s is one of the five modelled statuses.
func (s RegionStatus) Valid() bool {
	switch s {
	case RegionEnabled, RegionEnabling, RegionDisabling, RegionDisabled, RegionEnabledByDefault:
		return true
	}
	return false
}

// BusRecord is one event of the event bus's log.
type BusRecord struct {
	// Seq orders the log (increasing, never reused).
	Seq int64
	ID  string
	// Time is the event's time on the domain clock (whole seconds).
	Time       time.Time
	Account    string
	Source     string
	DetailType string
	// Body is the event as JSON, exactly as delivered.
	Body []byte
	// Created is when it was written, in real time.
	Created time.Time
}

// BusTarget is a webhook target.
type BusTarget struct {
	// ID is derived from URL and Pattern.
	ID  string
	URL string
	// Pattern is the event pattern's compact JSON ("" matches everything).
	Pattern string
}

// BusDelivery is a delivery of an event to a target: pending, or dead (given
// up after failing for Options.DeadAfter, kept until retried).
type BusDelivery struct {
	TargetID string
	// TargetURL is the target's URL (set by BusDeadDeliveries only).
	TargetURL   string
	Seq         int64
	Attempts    int
	NextAttempt time.Time // real time; zero: at once
	Created     time.Time // real time
	// FirstAttempt is when the first failed attempt started, on the domain
	// clock (zero: none failed yet).
	FirstAttempt time.Time
	// Dead is when the delivery was given up, on the domain clock (zero:
	// it is pending).
	Dead      time.Time
	LastError string
	// ClaimedBy and ClaimedUntil are the replica posting it and the end of
	// its lease, in real time (zero: unclaimed).
	ClaimedBy    string
	ClaimedUntil time.Time
	Event        BusRecord
}

// ID returns the delivery's ID.
func (d *BusDelivery) ID() DeliveryID { return DeliveryID{Target: d.TargetID, Seq: d.Seq} }

// DeliveryID names one delivery: a target and an event of the log. Its
// string form is "<target id>-<seq>".
type DeliveryID struct {
	Target string
	Seq    int64
}

func (id DeliveryID) String() string { return id.Target + "-" + strconv.FormatInt(id.Seq, 10) }

// ParseDeliveryID parses the string form of a DeliveryID.
func ParseDeliveryID(s string) (DeliveryID, error) {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 {
		return DeliveryID{}, fmt.Errorf("kernel: delivery id %q: want TARGET-SEQ", s)
	}
	seq, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil || seq <= 0 {
		return DeliveryID{}, fmt.Errorf("kernel: delivery id %q: want TARGET-SEQ", s)
	}
	return DeliveryID{Target: s[:i], Seq: seq}, nil
}

// DeliveryFailure is the outcome of a failed delivery attempt.
type DeliveryFailure struct {
	// At is when the attempt started, on the domain clock; it becomes the
	// delivery's FirstAttempt if it has none.
	At time.Time
	// Next is when to attempt again, in real time (ignored if Dead).
	Next time.Time
	// Dead, if not zero, gives the delivery up at that domain time: it is
	// kept but no longer attempted.
	Dead time.Time
	Err  string
}

// OutboxStats counts the webhook outbox.
type OutboxStats struct {
	// Pending counts the pending deliveries of active targets; Oldest is
	// the creation time of the oldest (zero: none).
	Pending int
	Oldest  time.Time
	// Dead counts the dead deliveries (of every target).
	Dead int
}

// RegionTransition is a Region transition whose completion event is due at DueAt.
type RegionTransition struct {
	ID          int64
	Caller      string // the calling account, which receives the events
	Account     string // the account whose Region changes
	Region      string
	Target      RegionStatus // ENABLED or DISABLED
	RequestedAt time.Time
	DueAt       time.Time
}

// BusTx is what the event bus reads and writes in one store transaction. Getters
// return errors wrapping kernel.ErrNotFound for absent rows.
type BusTx interface {
	// BusReserve gives the Seq and ID of the next event the transaction
	// appends: an ID the store finds again without an index of ids
	// (BusEventSeq), so appending an event costs no random index insert.
	BusReserve(ctx context.Context) (seq int64, id string, err error)
	// BusAppend appends r to the log. r.Seq is the one BusReserve gave
	// (with its ID), or 0: the store then gives one and sets r.Seq.
	BusAppend(ctx context.Context, r *BusRecord) error
	// BusEvents returns at most limit events with Seq > after and, unless
	// notBefore is zero, Time >= notBefore, by Seq.
	BusEvents(ctx context.Context, after int64, notBefore time.Time, limit int) ([]BusRecord, error)
	// BusLastSeq returns the highest Seq ever given (0: none).
	BusLastSeq(ctx context.Context) (int64, error)
	// BusEventSeq returns the Seq of the event id. An id BusReserve did not
	// give is looked for in every event (a scan).
	BusEventSeq(ctx context.Context, id string) (int64, error)

	// BusTargets returns the active targets, by ID.
	BusTargets(ctx context.Context) ([]BusTarget, error)
	// BusSetTargets makes ts the active targets (the others stay, inactive,
	// with their pending deliveries).
	BusSetTargets(ctx context.Context, ts []BusTarget, now time.Time) error
	BusAddDelivery(ctx context.Context, targetID string, seq int64, now time.Time) error
	// BusNextDelivery returns the target's oldest pending (not dead)
	// delivery.
	BusNextDelivery(ctx context.Context, targetID string) (*BusDelivery, error)
	// BusClaimDelivery claims a pending delivery for owner until until
	// (real time) unless another owner's lease runs past now; it reports
	// whether owner holds it.
	BusClaimDelivery(ctx context.Context, targetID string, seq int64, owner string, now, until time.Time) (bool, error)
	// BusDelivered removes a delivery.
	BusDelivered(ctx context.Context, targetID string, seq int64) error
	// BusDeliveryFailed counts a failed attempt, records its error and the
	// first attempt's time, and either schedules the next attempt or, if
	// f.Dead is set, gives the delivery up.
	BusDeliveryFailed(ctx context.Context, targetID string, seq int64, f DeliveryFailure) error
	// BusDeadDeliveries returns at most limit dead deliveries, with their
	// events and target URLs, by event Seq then target.
	BusDeadDeliveries(ctx context.Context, limit int) ([]BusDelivery, error)
	// BusRetryDelivery makes a dead delivery pending again, due at once,
	// with no attempts counted. It returns an error wrapping
	// ErrNotFound if there is no such dead delivery.
	BusRetryDelivery(ctx context.Context, targetID string, seq int64) error
	// BusOutboxStats counts the pending and dead deliveries.
	BusOutboxStats(ctx context.Context) (OutboxStats, error)
	// BusTrim deletes events older than the newest keep sequence numbers
	// but those a delivery (pending or dead) still names, oldest first and
	// at most limit of them, and returns how many it deleted.
	BusTrim(ctx context.Context, keep int64, limit int) (int64, error)

	// AddRegionTransition records a started transition and sets t.ID.
	AddRegionTransition(ctx context.Context, t *RegionTransition) error
	// DueRegionTransitions returns at most limit transitions not completed
	// whose DueAt <= now, by DueAt then ID.
	DueRegionTransitions(ctx context.Context, now time.Time, limit int) ([]RegionTransition, error)
	// CompleteRegionTransition marks a transition completed; it reports
	// false if it already was.
	CompleteRegionTransition(ctx context.Context, id int64) (bool, error)
	// PendingRegionTransitions counts the transitions not yet completed.
	PendingRegionTransitions(ctx context.Context) (int, error)
}
