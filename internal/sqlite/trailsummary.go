package sqlite

import (
	"context"
	"encoding/binary"
	"slices"
	"strconv"

	"github.com/accountplane/accountplane/internal/kernel"
)

// The postings of a block come in two forms (migration 0018).
//
// A block of changes' records (one record, in its change's transaction)
// gets one posting per lookup value it holds, as in 0017: a lookup by the
// value finds it directly. (On SQLite the indexer writes them a moment
// after the change: trailindex.go.)
//
// A block of reads' records (up to blockRecords, written in the
// background) holds records of many accounts — a record goes to the
// history of the account the call acts on — and posting each value of each
// account cost about five random b-tree inserts per record, most of a
// read's cost. Such a block gets summaries instead: the accounts are
// spread over summaryBuckets buckets by their hash, and each bucket the
// block has records of gets one posting (the bucket's, no account) with
// attrs, the sorted hashes of the accounts and of every lookup value of
// their records in the block, hashed with no account (the accounts of a
// bucket share most values — the same operation, user, source — so a
// summary holds a few hashes beyond its accounts'; summaries written
// before December 2026 hash each value with its record's account). A
// lookup reads both the postings of its value and the summaries of its
// account's bucket that hold the account's hash and the value's (or the
// value's hashed with the account; with no value, the account's), merged
// newest first (newCandidates): a summary can hold both when another
// account of the bucket had the value, and the lookup then reads a block
// it finds nothing in (it filters every record it reads). It reads one summary
// per block of reads with records of the bucket, never a record: at most
// one row per block. A block of reads thus costs at most summaryBuckets
// random inserts, however many accounts it holds (a few hundred when calls
// act on many accounts, as the benchmark's do).
//
// (The first form of summaries, one per account keyed by the account's
// posting, was written for a few hours before buckets; lookups still read
// it, and deleting a block deletes either.)
//
// Which form a block's postings have is found in the store (hasSummaries),
// so that rewriting or deleting a block finds its postings again.

// summaryBuckets is how many buckets the accounts of a block of reads are
// spread over. More cost a block of reads more inserts when its records
// belong to many accounts; fewer make a lookup read more summaries of
// other accounts' blocks.
const summaryBuckets = 32

// bucketHash is the posting of the summaries of the bucket of the account
// whose posting (attrHash with no attribute) is acct.
func bucketHash(acct int64) int64 {
	return attrHash("", "summary-bucket", strconv.FormatInt(acct%summaryBuckets, 10))
}

// posting is one row of cloudtrail_postings but its block: the newest
// event time of the records it stands for and, for a summary, the hashes
// of their lookup values (nil for a posting of one value).
type posting struct {
	maxTime int64
	attrs   []byte
}

// hasSummaries reports whether the postings of block id, which holds evs,
// are bucket summaries: whether the summary of the bucket of its first
// record's account is there. (It asks the store, not the records: a
// block's form must not depend on anything that can change, such as the
// key of event ids an import brings.)
func (t *tx) hasSummaries(ctx context.Context, id int64, evs []kernel.TrailEvent) (bool, error) {
	if len(evs) == 0 {
		return false, nil
	}
	bucket := bucketHash(attrHash(string(evs[0].Account), "", ""))
	newest := evs[0].Time.Unix()
	for i := range evs {
		if bucketHash(attrHash(string(evs[i].Account), "", "")) == bucket {
			newest = max(newest, evs[i].Time.Unix())
		}
	}
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM cloudtrail_postings WHERE attr_h = ? AND max_time = ? AND block = ?`,
		bucket, newest, id).Scan(&n)
	return n > 0, err
}

// postingsOf returns the postings of a block holding evs, by hash: one
// per lookup value, or (summaries) one per account. Either way, an event
// id the store did not make has a posting of its own (ids are unique in
// the whole store), and one it made has none: it gives its block.
func postingsOf(evs []kernel.TrailEvent, ids *eventIDs, summaries bool) map[int64]posting {
	out := map[int64]posting{}
	newest := func(h, t int64) {
		if cur, ok := out[h]; !ok || t > cur.maxTime {
			out[h] = posting{maxTime: t}
		}
	}
	values := map[int64][]uint32{} // per bucket posting, for summaries
	for i := range evs {
		ev := &evs[i]
		t := ev.Time.Unix()
		if !ids.derived(ev.ID) {
			newest(eventIDHash(ev.ID), t)
		}
		acct := attrHash(string(ev.Account), "", "")
		if !summaries {
			newest(acct, t)
			lookupValues(ev, func(h int64) { newest(h, t) })
			continue
		}
		bucket := bucketHash(acct)
		newest(bucket, t)
		values[bucket] = append(values[bucket], uint32(acct))
		lookupValuesOf(ev, "", func(h int64) { values[bucket] = append(values[bucket], uint32(h)) })
	}
	for bucket, hs := range values {
		slices.Sort(hs)
		hs = slices.Compact(hs)
		attrs := make([]byte, 0, 4*len(hs))
		for _, h := range hs {
			attrs = binary.BigEndian.AppendUint32(attrs, h)
		}
		p := out[bucket]
		p.attrs = attrs
		out[bucket] = p
	}
	return out
}

// postingKeys returns the keys (hash → newest time) of every posting a
// block holding evs may have: those postingsOf gives it and, for
// summaries, those of the first form of summaries (one per account). A
// block of the first form is not one of summaries here: its keys are
// among those of a posting per value.
func postingKeys(evs []kernel.TrailEvent, ids *eventIDs, summaries bool) map[int64]int64 {
	out := map[int64]int64{}
	for h, p := range postingsOf(evs, ids, summaries) {
		out[h] = p.maxTime
	}
	if summaries {
		for i := range evs {
			acct, t := attrHash(string(evs[i].Account), "", ""), evs[i].Time.Unix()
			if cur, ok := out[acct]; !ok || t > cur {
				out[acct] = t
			}
		}
	}
	return out
}

// lookupValues calls add with the hash of each lookup value of ev in its
// account's history (see matches for what each value means).
func lookupValues(ev *kernel.TrailEvent, add func(h int64)) {
	lookupValuesOf(ev, string(ev.Account), add)
}

// lookupValuesOf is lookupValues with the values hashed with acct ("":
// with no account, as bucket summaries hold them).
func lookupValuesOf(ev *kernel.TrailEvent, acct string, add func(h int64)) {
	ro := "false"
	if ev.ReadOnly {
		ro = "true"
	}
	add(attrHash(acct, kernel.AttrReadOnly, ro))
	add(attrHash(acct, kernel.AttrEventName, ev.Name))
	add(attrHash(acct, kernel.AttrUsername, ev.Username))
	add(attrHash(acct, kernel.AttrEventSource, ev.Source))
	add(attrHash(acct, kernel.AttrAccessKeyID, ev.AccessKeyID))
	for _, r := range ev.Resources {
		add(attrHash(acct, kernel.AttrResourceType, r.Type))
		add(attrHash(acct, kernel.AttrResourceName, r.Name))
	}
}

// summaryHolds reports whether the summary attrs holds the hash h.
func summaryHolds(attrs []byte, h int64) bool {
	lo, hi := 0, len(attrs)/4
	for lo < hi {
		mid := (lo + hi) / 2
		v := int64(binary.BigEndian.Uint32(attrs[4*mid:]))
		switch {
		case v == h:
			return true
		case v < h:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return false
}

// candidate is a block a lookup may find records in, with the newest
// event time of the records its posting stands for, and its records if
// the stream that found it read them (a pending block filtered by value).
type candidate struct {
	block, maxTime int64
	evs            []kernel.TrailEvent
}

// after reports whether c comes after d in the order lookups read blocks:
// newest posting first, then the later-written block.
func (c candidate) after(d candidate) bool {
	if c.maxTime != d.maxTime {
		return c.maxTime < d.maxTime
	}
	return c.block < d.block
}

// candidates merges, newest first, the postings a lookup reads: the
// value's own, on SQLite the account's blocks still pending (for a lookup
// by a value, those whose record has it), and, for a lookup by an
// attribute, the summaries of the account that hold the value's hash.
type candidates struct{ streams []*postingStream }

func newCandidates(t *tx, q kernel.TrailQuery, anchor *kernel.TrailEvent) *candidates {
	bound, bounded := int64(0), false // blocks must start at or before bound
	if !q.End.IsZero() {
		bound, bounded = q.End.Unix(), true
	}
	if anchor != nil && (!bounded || anchor.Time.Unix() < bound) {
		bound, bounded = anchor.Time.Unix(), true
	}
	base := postingStream{t: t, bound: bound, bounded: bounded}
	if !q.Start.IsZero() {
		base.start, base.started = ceilSeconds(q.Start), true
	}
	own := base
	own.hash, own.chunk = queryHash(q), 32
	c := &candidates{streams: []*postingStream{&own}}
	acct := attrHash(string(q.Account), "", "")
	if t.mayHavePending() { // blocks not indexed yet (trailindex.go)
		pending := base
		pending.pending, pending.hash, pending.chunk = true, acct, 256
		switch q.Key {
		case kernel.AttrEventID:
			pending.byID, pending.value = true, own.hash
		case "": // every record of the account: every block is one
		default: // a block is a candidate if its record has the value
			pending.keep = func(id int64, payload []byte) ([]kernel.TrailEvent, bool) {
				evs, err := decodeBlock(id, payload)
				if err != nil {
					return nil, true // read again by the lookup, to fail there
				}
				return evs, slices.ContainsFunc(evs, func(ev kernel.TrailEvent) bool { return selects(q, &ev) })
			}
		}
		c.streams = append(c.streams, &pending)
	}
	if q.Key == kernel.AttrEventID {
		return c
	}
	bucket := base
	bucket.hash, bucket.chunk = bucketHash(acct), 256
	bucket.summaries, bucket.holds = true, own.hash // own.hash is acct with no value
	if q.Key != "" {
		bucket.byValue, bucket.acct, bucket.value = true, acct, attrHash("", q.Key, q.Value)
	}
	c.streams = append(c.streams, &bucket)
	if q.Key != "" { // the first form: with no value, own reads those too
		first := base
		first.hash, first.chunk = acct, 256
		first.summaries, first.holds = true, own.hash
		c.streams = append(c.streams, &first)
	}
	return c
}

// next returns the next candidate, or false when there is none; if
// floored, blocks whose newest record is older than floor (unix seconds)
// are none: a stream stops reading there.
func (c *candidates) next(ctx context.Context, floor int64, floored bool) (candidate, bool, error) {
	var best *postingStream
	for _, s := range c.streams {
		if err := s.fill(ctx, floor, floored); err != nil {
			return candidate{}, false, err
		}
		if len(s.buf) > 0 && (best == nil || best.buf[0].after(s.buf[0])) {
			best = s
		}
	}
	if best == nil {
		return candidate{}, false, nil
	}
	next := best.buf[0]
	best.buf = best.buf[1:]
	return next, true, nil
}

// postingStream reads the postings of one hash, newest first, a chunk at
// a time (keyset paging: each chunk starts after the last posting read).
type postingStream struct {
	t     *tx
	hash  int64
	chunk int
	// summaries: read only summaries, and keep those that hold holds, or
	// (byValue) both acct and value: bucket summaries hold each lookup
	// value of their records hashed with the record's account (until
	// 2026-12) or with no account, next to the accounts' hashes.
	summaries, byValue bool
	holds, acct, value int64
	// pending: read the blocks of account hash that wait for their
	// postings (trailindex.go), or (byID) those of them with the event
	// id whose posting is value; keep, if set, says which of them hold a
	// record the lookup selects (given the block's id and payload), so
	// that the lookup reads no other, and gives their records.
	pending, byID bool
	keep          func(id int64, payload []byte) ([]kernel.TrailEvent, bool)
	// start: postings of records at or after it; bound: blocks whose
	// oldest record is at or before it.
	start, bound     int64
	started, bounded bool

	buf  []candidate
	done bool
	read bool // a chunk was read: last is where the next starts
	last candidate
}

func (s *postingStream) fill(ctx context.Context, floor int64, floored bool) error {
	for len(s.buf) == 0 && !s.done {
		query := `SELECT p.block, p.max_time, p.attrs FROM cloudtrail_postings p JOIN cloudtrail_blocks b ON b.id = p.block WHERE p.attr_h = ?`
		maxTime := "p.max_time"
		args := []any{s.hash}
		if s.pending { // a pending block holds one record: its max_time is the record's
			payload := "NULL"
			if s.keep != nil {
				payload = "b.payload"
			}
			query = `SELECT p.block, b.max_time, ` + payload + ` FROM cloudtrail_unindexed p JOIN cloudtrail_blocks b ON b.id = p.block WHERE p.acct_h = ?`
			maxTime = "b.max_time"
			if s.byID {
				query += ` AND p.id_h = ?`
				args = append(args, s.value)
			}
		}
		if s.summaries {
			query += ` AND p.attrs IS NOT NULL`
		}
		if s.started {
			query += ` AND ` + maxTime + ` >= ?`
			args = append(args, s.start)
		}
		if s.bounded {
			query += ` AND b.min_time <= ?`
			args = append(args, s.bound)
		}
		if s.read {
			query += ` AND ` + maxTime + ` <= ? AND NOT (` + maxTime + ` = ? AND p.block >= ?)`
			args = append(args, s.last.maxTime, s.last.maxTime, s.last.block)
		}
		rows, err := s.t.query(ctx, query+` ORDER BY `+maxTime+` DESC, p.block DESC LIMIT `+strconv.Itoa(s.chunk), args...)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var c candidate
			var attrs []byte
			if err := rows.Scan(&c.block, &c.maxTime, &attrs); err != nil {
				rows.Close()
				return err
			}
			n++
			s.last, s.read = c, true
			if floored && c.maxTime < floor { // this and every later row: older than the page
				s.done = true
				break
			}
			if s.keep != nil { // attrs: the pending block's payload
				evs, keep := s.keep(c.block, attrs)
				if !keep {
					continue
				}
				c.evs = evs
			}
			if !s.summaries || summaryHolds(attrs, s.holds) ||
				(s.byValue && summaryHolds(attrs, s.acct) && summaryHolds(attrs, s.value)) {
				s.buf = append(s.buf, c)
			}
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		rows.Close()
		s.done = s.done || n < s.chunk
	}
	return nil
}
