package sqlite

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/uuid"
)

// The records of reads get their event ids from the store when they are
// written: a random-looking version 4 UUID that is a keyed permutation of
// the record's sequence. Their lookup by EventId then needs no index
// entry (the id gives the block), and they need no uniqueness check (no
// two records share a sequence). A change's own record keeps the id it
// was made with (its event on the bus carries it before the store sees
// it), with an index entry like any id that is not the store's.
//
// The permutation is a four-round Feistel network over the 122 free bits
// of a UUID (61-bit halves; round function AES-128 under a key kept in the
// settings table, the same for every replica and restart). The value
// permuted is the sequence in the low 50 bits and zeros above: an id whose
// inverse has a bit set above is not the store's.

// eventIDs derives and reads back the store's event ids.
type eventIDs struct {
	block cipher.Block
	key   []byte
	// domain tells the ids of one kind from another's (0: CloudTrail
	// events; busDomain: EventBridge events): an id of one never decodes
	// as the other's.
	domain byte
	// bus makes the EventBridge events' ids from the same key.
	bus *eventIDs
}

const busDomain = 'b'

const (
	half61   = uint64(1)<<61 - 1
	seqBits  = 50
	idRounds = 4
)

// initEventIDs loads (or makes, once per store) the key of event ids. A
// store imported without one keeps the key this process had.
func (db *DB) initEventIDs(ctx context.Context) error {
	b := make([]byte, 16)
	if cur := db.idsOrNil(); cur != nil {
		b = cur.key
	} else if _, err := rand.Read(b); err != nil {
		return err
	}
	v, err := db.InitSetting(ctx, "trail_id_key", hex.EncodeToString(b))
	if err != nil {
		return err
	}
	key, err := hex.DecodeString(v)
	if err != nil {
		return fmt.Errorf("sqlite: the store's event id key is not hex: %v", err)
	}
	ids, err := newEventIDs(key)
	if err != nil {
		return fmt.Errorf("sqlite: the store's event id key: %w", err)
	}
	db.ids.Store(ids)
	return nil
}

func newEventIDs(key []byte) (*eventIDs, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &eventIDs{block: b, key: key, bus: &eventIDs{block: b, key: key, domain: busDomain}}, nil
}

// round is the Feistel round function: AES of the round and the half.
// buf is scratch room (the cipher's arguments escape: one buffer for all
// the rounds of an id costs one allocation, not two per round).
func (e *eventIDs) round(buf *[32]byte, r int, x uint64) uint64 {
	in, out := buf[:16], buf[16:]
	clear(in)
	in[0] = byte(r)
	in[1] = e.domain
	binary.BigEndian.PutUint64(in[8:], x)
	e.block.Encrypt(out, in)
	return binary.BigEndian.Uint64(out[:8]) & half61
}

// id returns the event id of sequence seq.
func (e *eventIDs) id(seq int64) string {
	l, r := uint64(0), uint64(seq)&(1<<seqBits-1)
	buf := new([32]byte)
	for i := range idRounds {
		l, r = r, l^e.round(buf, i, r)
	}
	// The 122 bits l·r, most significant first, fill the UUID around its
	// version (4) and variant (10) bits: 48, 4, 8, 6 and 56 bits.
	var u [16]byte
	var first [8]byte
	binary.BigEndian.PutUint64(first[:], l>>13)
	copy(u[0:6], first[2:])
	u[6] = 0x40 | byte(l>>9&0x0f)
	u[7] = byte(l >> 1)
	binary.BigEndian.PutUint64(u[8:], r&(1<<56-1))
	u[8] = 0x80 | byte(l&1)<<5 | byte(r>>56&0x1f)
	return uuid.Format(u)
}

// seqOf returns the sequence of a store-made event id.
func (e *eventIDs) seqOf(id string) (int64, bool) {
	if e == nil || len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' || id[14] != '4' {
		return 0, false
	}
	var u [16]byte
	for i, part := range [5][2]int{{0, 8}, {9, 13}, {14, 18}, {19, 23}, {24, 36}} {
		off := [5]int{0, 4, 6, 8, 10}[i]
		if _, err := hex.Decode(u[off:], []byte(id[part[0]:part[1]])); err != nil {
			return 0, false
		}
	}
	if u[8]>>6 != 2 {
		return 0, false
	}
	var first [8]byte
	copy(first[2:], u[0:6])
	l := binary.BigEndian.Uint64(first[:])<<13 | uint64(u[6]&0x0f)<<9 | uint64(u[7])<<1 | uint64(u[8]>>5&1)
	r := uint64(u[8]&0x1f)<<56 | binary.BigEndian.Uint64(u[8:])&(1<<56-1)
	buf := new([32]byte)
	for i := idRounds - 1; i >= 0; i-- {
		l, r = r^e.round(buf, i, l), l
	}
	if l != 0 || r>>seqBits != 0 {
		return 0, false
	}
	return int64(r), true
}

// derived reports whether id is one the store made.
func (e *eventIDs) derived(id string) bool {
	_, ok := e.seqOf(id)
	return ok
}

// withStoreIDs numbers evs as the records of block id and gives those
// that let it (StoreID) the store's event ids, in their records too.
func (e *eventIDs) withStoreIDs(id int64, evs []kernel.TrailEvent) []kernel.TrailEvent {
	out := make([]kernel.TrailEvent, len(evs))
	var arena []byte // the changed records, in one allocation
	for i, ev := range evs {
		ev.Seq = int64(i)
		if ev.StoreID {
			newID := e.id(id*blockCap + int64(i))
			if ev.ID != "" {
				if arena == nil {
					arena = make([]byte, 0, (len(evs)-i)*(len(ev.Record)+64))
				}
				start := len(arena)
				arena = replaceAll(arena, ev.Record, ev.ID, newID)
				ev.Record = arena[start:len(arena):len(arena)]
			}
			ev.ID, ev.StoreID = newID, false
		}
		out[i] = ev
	}
	return out
}

// replaceAll appends rec with every old replaced by new.
func replaceAll(dst, rec []byte, old, new string) []byte {
	for {
		i := bytes.Index(rec, []byte(old))
		if i < 0 {
			return append(dst, rec...)
		}
		dst = append(append(dst, rec[:i]...), new...)
		rec = rec[i+len(old):]
	}
}

// busSeqOf returns the seq an EventBridge event id was made from.
func (e *eventIDs) busSeqOf(id string) (int64, bool) {
	if e == nil {
		return 0, false
	}
	return e.bus.seqOf(id)
}

// idsOrNil is db.ids, nil for a DB not (yet) open (migrations run before).
func (db *DB) idsOrNil() *eventIDs {
	if db == nil {
		return nil
	}
	return db.ids.Load()
}
