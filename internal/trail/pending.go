package trail

import (
	"context"
	"sync"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// Event is a record as a store keeps it (the kernel's TrailEvent).
type Event = kernel.TrailEvent

// EventOf returns the event of a record of call c.
func EventOf(c Call, opts Options) (Event, error) {
	rec := Build(c, opts)
	b, err := rec.appendJSON(make([]byte, 0, 1024))
	if err != nil {
		return Event{}, err
	}
	username := Username(c.Principal)
	if c.SignIn != nil && c.SignIn.HiddenUser {
		username = Hidden
	}
	return Event{
		ID:          rec.EventID,
		Account:     identity.AccountID(rec.RecipientAccount),
		Time:        c.Time.UTC().Truncate(time.Second),
		Name:        rec.EventName,
		Source:      rec.EventSource,
		Username:    username,
		AccessKeyID: c.Principal.AccessKeyID,
		ReadOnly:    c.ReadOnly,
		Resources:   Resources(c.Service, c.Params),
		Record:      b,
	}, nil
}

// Pending is the record of a call in progress. The server puts it in the
// request's context ([WithPending]); the store writes it in the first
// transaction of the call that commits a change ([Pending.Claim] and
// [Pending.Settle]), so that no change is without its record and no record
// describes a change that rolled back. If no transaction committed (reads,
// failures), the server writes it once the answer is decided
// ([Pending.Finish]). It is safe for concurrent use.
type Pending struct {
	mu    sync.Mutex
	call  Call
	opts  Options
	state uint8 // unwritten, claimed or written
	dirty bool  // changed since written
	// freshID: the event id was drawn here (NewPending), not given.
	freshID bool
	// built is the event as the call stands, made ahead by Prepare (nil
	// once the call changes).
	built *Event
}

const (
	unwritten uint8 = iota
	claimed
	written
)

// NewPending returns the pending record of c, with a new event id if c has
// none.
func NewPending(c Call, opts Options) *Pending {
	fresh := c.EventID == ""
	if fresh {
		c.EventID = NewEventID()
	}
	return &Pending{call: c, opts: opts, freshID: fresh}
}

// Prepare makes the event of a call that may change something as the
// call stands now, so that a Claim made before the call changes takes it
// as it is: the server prepares the record before the change's
// transaction, which runs one after another with every other change's and
// is better kept short. (A read's record is made once its answer is.)
func (p *Pending) Prepare() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.call.ReadOnly || p.state != unwritten || p.built != nil {
		return nil
	}
	ev, err := p.event()
	if err != nil {
		return err
	}
	p.built = &ev
	return nil
}

// event returns the event of the call as it stands (p.mu held).
func (p *Pending) event() (Event, error) {
	if p.built != nil {
		return *p.built, nil
	}
	ev, err := EventOf(p.call, p.opts)
	ev.FreshID = p.freshID
	return ev, err
}

type pendingKey struct{}

// WithPending returns ctx carrying p.
func WithPending(ctx context.Context, p *Pending) context.Context {
	return context.WithValue(ctx, pendingKey{}, p)
}

// PendingFrom returns the pending record ctx carries, or nil.
func PendingFrom(ctx context.Context) *Pending {
	p, _ := ctx.Value(pendingKey{}).(*Pending)
	return p
}

// Claim returns the event to write in a transaction about to commit, and
// true, if the record has not been written (or claimed) yet. A successful
// Claim must be followed by Settle with whether the transaction committed.
func (p *Pending) Claim() (Event, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != unwritten {
		return Event{}, false, nil
	}
	ev, err := p.event()
	if err != nil {
		return Event{}, false, err
	}
	p.state = claimed
	return ev, true, nil
}

// Settle ends a Claim: committed reports whether the transaction that
// wrote the event committed.
func (p *Pending) Settle(committed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != claimed {
		return
	}
	if committed {
		p.state, p.dirty = written, false
	} else {
		p.state = unwritten
	}
}

// Update changes the call the record describes (its answer, its target).
func (p *Pending) Update(fn func(c *Call)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn(&p.call)
	p.built = nil
	if p.state != unwritten {
		p.dirty = true
	}
}

// Call returns a copy of the call the record describes.
func (p *Pending) Call() Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.call
}

// Written reports whether a committed transaction wrote the record.
func (p *Pending) Written() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state == written
}

// Finish is what remains to do once the answer is decided.
type Finish uint8

// The outcomes of [Pending.Finish].
const (
	// Done: the record was written and has not changed since.
	Done Finish = iota
	// Insert: no transaction wrote the record; write it now.
	Insert
	// Replace: the record was written and has changed since (a failure
	// after a committed change, response elements, the recipient); replace
	// the stored event with this one (same id).
	Replace
)

// Finish returns the final event and what to do with it, and marks the
// record written: a store that fails to write it loses the record (the
// server logs that).
func (p *Pending) Finish() (Event, Finish, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var what Finish
	switch {
	case p.state == unwritten:
		what = Insert
	case p.state == written && p.dirty:
		what = Replace
	default:
		// claimed: a transaction is still deciding; it writes the record
		// as it stands.
		return Event{}, Done, nil
	}
	ev, err := p.event()
	if err != nil {
		return Event{}, Done, err
	}
	p.state, p.dirty = written, false
	return ev, what, nil
}
