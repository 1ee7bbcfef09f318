package sqlite

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// The CloudTrail event history is kept in blocks (table cloudtrail_blocks,
// migration 0017): the records one transaction writes — one for a change,
// which records itself in its own transaction, up to blockRecords for the
// records of reads, which the server writes in batches — in one row, and
// one row of cloudtrail_postings per lookup value the block holds. A
// record costs a share of one row and a few postings instead of a row and
// an index entry per lookup attribute: a batch of reads is written with a
// handful of b-tree inserts, and on disk a record takes about a tenth of
// its JSON.
//
// A record's sequence (its place in the order of writing, and the anchor
// of NextTokens) is its block's id times blockCap plus its index in the
// block; trimming and purging rewrite a block without the records they
// drop, and the others keep their sequences.
//
// The payload of a block is
//
//	byte 0   blockTokensV1 (each record with trailTokensV1 replaced),
//	         blockLZV1 (for blocks of compressFrom records or more: the
//	         uvarint length of the frames, then the frames compressed by
//	         lz.go with trailDictV1 as the history) or, in blocks written
//	         before it, blockFlateV1 (the frames deflated with trailDictV1
//	         as the preset dictionary)
//	then     per record: its facts (see appendFacts) and the record as
//	         written, each after its uvarint length.

const (
	// blockCap is the room a block has in the sequences; blockRecords how
	// many records a batch puts in one block (smaller blocks cost lookups
	// less to read, larger ones cost writes and disk less).
	blockCap     = 1024
	blockRecords = 1024
	compressFrom = 8

	blockTokensV1 = 1
	blockFlateV1  = 2
	blockLZV1     = 3

	// maxRecordFrame bounds what a record and its facts may take in a
	// block, for the decoder's sake (a record is a few kilobytes).
	maxRecordFrame = 1 << 20
)

// appendFacts appends ev's facts in their binary form: its index in the
// block, unix time and read-only flag, then account, id, name, source,
// username and access key id, and its resources (a count, then type and
// name of each); strings as a uvarint length and bytes.
func appendFacts(b []byte, ev *kernel.TrailEvent) []byte {
	b = binary.AppendUvarint(b, uint64(ev.Seq%blockCap))
	b = binary.AppendVarint(b, ev.Time.Unix())
	ro := byte(0)
	if ev.ReadOnly {
		ro = 1
	}
	b = append(b, ro)
	for _, s := range []string{string(ev.Account), ev.ID, ev.Name, ev.Source, ev.Username, ev.AccessKeyID} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(ev.Resources)))
	for _, r := range ev.Resources {
		b = appendString(appendString(b, r.Type), r.Name)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// factsReader reads what appendFacts wrote; the first error sticks.
type factsReader struct {
	b   []byte
	err error
}

func (r *factsReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *factsReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *factsReader) bytes(n uint64) []byte {
	if r.err != nil || uint64(len(r.b)) < n {
		r.fail()
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *factsReader) string() string { return string(r.bytes(r.uvarint())) }

func (r *factsReader) fail() {
	if r.err == nil {
		r.err = errors.New("truncated record")
	}
	r.b = nil
}

// readFacts fills ev (whose Seq is its block's first) from r.
func readFacts(r *factsReader, ev *kernel.TrailEvent) error {
	index := r.uvarint()
	ev.Time = time.Unix(r.varint(), 0).UTC()
	ro := r.bytes(1)
	ev.ReadOnly = len(ro) == 1 && ro[0] == 1
	ev.Account = identity.AccountID(r.string())
	ev.ID, ev.Name, ev.Source, ev.Username, ev.AccessKeyID = r.string(), r.string(), r.string(), r.string(), r.string()
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
	}
	for i := uint64(0); i < n && r.err == nil; i++ {
		ev.Resources = append(ev.Resources, kernel.TrailResource{Type: r.string(), Name: r.string()})
	}
	if r.err == nil && index >= blockCap {
		r.err = fmt.Errorf("record index %d", index)
	}
	ev.Seq += int64(index)
	return r.err
}

// encodeBlock returns the payload of a block of evs: tokenized when it is
// small, else compressed by lz.go with the trail's dictionary (blocks of
// flate, written before, are still read).
func encodeBlock(evs []kernel.TrailEvent) ([]byte, error) {
	if len(evs) < compressFrom {
		raw, err := blockFrames(blockTokensV1, evs, tokenize)
		if err == nil {
			return raw, nil
		} // a record with a control character: compressed
	}
	bp := frameBufs.Get().(*[]byte)
	defer frameBufs.Put(bp)
	need := len(trailDictV1)
	for i := range evs {
		need += len(evs[i].Record) + 256 // facts take less
	}
	hist := append(slices.Grow((*bp)[:0], need), trailDictV1...)
	hist = appendFrames(hist, evs)
	*bp = hist
	frames := len(hist) - len(trailDictV1)
	out := make([]byte, 1, 16+frames/4)
	out[0] = blockLZV1
	out = binary.AppendUvarint(out, uint64(frames))
	return lzCompressFrom(out, hist, len(trailDictV1)), nil
}

// frameBufs keeps the buffers blocks are framed in between blocks (a
// block of reads frames a few hundred kilobytes).
var frameBufs = sync.Pool{New: func() any { return new([]byte) }}

// blockFrames returns the encoding byte, then each record's facts and
// record (changed by edit, if any), each after its uvarint length.
func blockFrames(encoding byte, evs []kernel.TrailEvent, edit func([]byte) ([]byte, error)) ([]byte, error) {
	out := make([]byte, 1, 1+len(evs)*(len(evs[0].Record)+192))
	out[0] = encoding
	if edit == nil {
		return appendFrames(out, evs), nil
	}
	var facts []byte
	for i := range evs {
		facts = appendFacts(facts[:0], &evs[i])
		rec, err := edit(evs[i].Record)
		if err != nil {
			return nil, err
		}
		out = appendBytes(appendBytes(out, facts), rec)
	}
	return out, nil
}

// appendFrames appends each record's facts and record, each after its
// uvarint length.
func appendFrames(out []byte, evs []kernel.TrailEvent) []byte {
	var factsBuf [256]byte
	for i := range evs {
		facts := appendFacts(factsBuf[:0], &evs[i])
		out = appendBytes(appendBytes(out, facts), evs[i].Record)
	}
	return out
}

func appendBytes(b, s []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// trailDictV1 primes the compressors (blockLZV1, blockFlateV1) with what
// records share. Blocks written with it can only be read with it: never
// change it; add an encoding (blockLZV2) with a new dictionary instead.
// Nearer matches cost fewer bytes, so the commonest text is last.
const trailDictV1 = `"AWS::Organizations::Account","AWS::Organizations::Policy","AWS::Organizations::OrganizationalUnit","AWS::IAM::User","AWS::IAM::Role",` +
	`"signin.amazonaws.com","cloudtrail.amazonaws.com","sts.amazonaws.com","iam.amazonaws.com","organizations.amazonaws.com",` +
	`"errorCode":"AccessDenied","errorMessage":"User: arn:aws:iam:: is not authorized to perform: ",` +
	`"errorCode":"ResourceNotFoundException","ValidationException",` +
	`"sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA","arn":"arn:aws:iam::","accountId":"","userName":"OrganizationAccountAccessRole"},` +
	`"webIdFederationData":{},"attributes":{"creationDate":"2026-","mfaAuthenticated":"false"}}},` +
	`"aws-sdk-go-v2/1.36.3 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/account#1.22.4","aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython cfg/retry-mode#legacy botocore/1.43.11",` +
	`"requestParameters":{"accountId":"","alternateContactType":"BILLING","regionName":"","maxResults":20,"nextToken":""},` +
	`["000000000000","",1796000000,true,"GetAlternateContact","account.amazonaws.com","root","",[]]` + "\n" +
	`{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"","arn":"arn:aws:iam:::root","accountId":"","accessKeyId":""},` +
	`"eventTime":"2026-12-07T00:00:00Z","eventSource":"account.amazonaws.com","eventName":"GetAlternateContact","awsRegion":"us-east-1",` +
	`"sourceIPAddress":"127.0.0.1","userAgent":"Go-http-client/1.1","requestParameters":{"accountId":"","alternateContactType":"BILLING"},` +
	`"responseElements":null,"requestID":"","eventID":"","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,` +
	`"eventCategory":"Management","recipientAccountId":""}`

// decodeBlock returns the records of block id, with their sequences.
func decodeBlock(id int64, p []byte) ([]kernel.TrailEvent, error) {
	if len(p) == 0 {
		return nil, errors.New("empty block")
	}
	frames := p[1:]
	switch p[0] {
	case blockTokensV1:
	case blockFlateV1:
		r := flate.NewReaderDict(bytes.NewReader(frames), []byte(trailDictV1))
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("block %d: inflate: %w", id, err)
		}
		frames = b
	case blockLZV1:
		size, n := binary.Uvarint(frames)
		if n <= 0 || size > uint64(blockCap)*maxRecordFrame {
			return nil, fmt.Errorf("block %d: bad length", id)
		}
		b, err := lzDecompress([]byte(trailDictV1), frames[n:], int(size))
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", id, err)
		}
		frames = b
	default:
		return nil, fmt.Errorf("block %d: unknown encoding %d", id, p[0])
	}
	var out []kernel.TrailEvent
	r := &factsReader{b: frames}
	for len(r.b) > 0 && r.err == nil {
		ev := kernel.TrailEvent{Seq: id * blockCap}
		facts := &factsReader{b: r.bytes(r.uvarint())}
		rec := r.bytes(r.uvarint())
		if r.err != nil {
			break
		}
		if err := readFacts(facts, &ev); err != nil {
			return nil, fmt.Errorf("block %d: %w", id, err)
		}
		ev.Record = rec
		if p[0] == blockTokensV1 {
			var err error
			if ev.Record, err = untokenize(rec); err != nil {
				return nil, fmt.Errorf("block %d: %w", id, err)
			}
		}
		out = append(out, ev)
	}
	if r.err != nil {
		return nil, fmt.Errorf("block %d: %w", id, r.err)
	}
	return out, nil
}

// DecodeTrailBlock returns the records a cloudtrail_blocks row holds,
// given its id and payload (for tests and tools that read the store's
// rows).
func DecodeTrailBlock(id int64, payload []byte) ([]kernel.TrailEvent, error) {
	return decodeBlock(id, payload)
}

// eventIDHash is the posting of an event id: of every account, as ids are
// unique in the whole store.
func eventIDHash(id string) int64 { return attrHash("", kernel.AttrEventID, id) }

// queryHash is the posting a lookup reads.
func queryHash(q kernel.TrailQuery) int64 {
	switch q.Key {
	case "":
		return attrHash(string(q.Account), "", "")
	case kernel.AttrEventID:
		return eventIDHash(q.Value)
	}
	return attrHash(string(q.Account), q.Key, q.Value)
}

// selects reports whether q selects ev, but for After.
func selects(q kernel.TrailQuery, ev *kernel.TrailEvent) bool {
	if ev.Account != q.Account || (!q.Start.IsZero() && ev.Time.Before(q.Start)) || (!q.End.IsZero() && ev.Time.After(q.End)) {
		return false
	}
	switch q.Key {
	case kernel.AttrEventID:
		return ev.ID == q.Value
	case kernel.AttrReadOnly:
		return ev.ReadOnly == (q.Value == "true")
	}
	return matches(ev, q.Key, q.Value)
}

// newer reports whether a comes before b in LookupEvents' order: newest
// first, ties in the reverse of the order of writing.
func newer(a, b *kernel.TrailEvent) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.After(b.Time)
	}
	return a.Seq > b.Seq
}
