package app

import (
	"context"
	"fmt"
	"time"

	"github.com/accountplane/accountplane/internal/events"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/trail"
)

// unitOfWork records every change where it is made: in each write
// transaction, after the change and before the commit, it appends the
// CloudTrail record of the request that made the change (the pipeline's
// pending record, handed to the invoke stage) and, for a successful write,
// its "AWS API Call via CloudTrail" event. The store only stores them, in
// the change's own transaction; whether a call is recorded and what its
// record and event say is decided here and in trail and events.
type unitOfWork struct {
	// committed wakes the event bus after a commit that appended events.
	committed func()
	// recorded counts a CloudTrail record a commit wrote (toward the
	// trims of --trail-max-events); nil: not counted.
	recorded func()
	// realNow is the real clock (the bus's event creation times).
	realNow func() time.Time
}

// beforeCommit implements kernel.BeforeCommit.
func (u unitOfWork) beforeCommit(ctx context.Context, tx kernel.RecordTx) (func(committed bool), error) {
	p := trail.PendingFrom(ctx)
	if p == nil {
		return nil, nil
	}
	ev, ok, err := p.Claim()
	if err != nil {
		return nil, fmt.Errorf("pending CloudTrail record: %w", err)
	}
	if !ok { // an earlier transaction of the same call wrote it
		return nil, nil
	}
	if err := tx.AppendTrailEvent(ctx, ev); err != nil {
		p.Settle(false)
		return nil, err
	}
	appended := false
	if !ev.ReadOnly { // reads are no events: skip decoding their records
		if appended, err = events.AppendAPICall(ctx, tx, ev.Record, string(ev.Account), ev.Time, u.realNow()); err != nil {
			p.Settle(false)
			return nil, fmt.Errorf("API call event of %s: %w", ev.ID, err)
		}
	}
	return func(committed bool) {
		p.Settle(committed)
		if committed && u.recorded != nil {
			u.recorded()
		}
		if committed && appended && u.committed != nil {
			u.committed()
		}
	}, nil
}
