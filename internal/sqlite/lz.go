package sqlite

import (
	"encoding/binary"
	"errors"
	mathbits "math/bits"
	"sync"
)

// A small LZ77 codec for blocks of records (blockLZV1): DEFLATE's match
// finding without its Huffman stage costs about a third as much, and the
// records of a block repeat each other so much that matches do most of
// the work. The history starts with a dictionary (the trail's, so that a
// block's first record finds matches too); the dictionary is not part of
// the output.
//
// The stream is a sequence of steps, each: uvarint literal length, the
// literals, uvarint match length (0: the stream ends here), and if it is
// not 0, uvarint match distance (back from the next byte, into the
// dictionary too). Matches are at least lzMinMatch bytes.

const (
	lzMinMatch = 4
	lzMaxBits  = 14 // of the match finder's table, for large inputs
	lzMinBits  = 10
	lzMaxDist  = 1 << 20
)

func lzHash(u uint32, bits int) uint32 { return (u * 2654435761) >> (32 - bits) }

// lzTables keeps the match finders' tables between calls (a block's
// compression would otherwise allocate one of up to 64 KiB).
var lzTables = sync.Pool{New: func() any { return new([1 << lzMaxBits]int32) }}

// lzCompressFrom appends to dst the compression of buf[from:], with
// buf[:from] as the history.
func lzCompressFrom(dst, buf []byte, from int) []byte {
	// The table holds positions plus one (0: none), sized to the input.
	bits := min(max(lzMinBits, 64-mathbits.LeadingZeros64(uint64(len(buf)))), lzMaxBits)
	pooled := lzTables.Get().(*[1 << lzMaxBits]int32)
	defer lzTables.Put(pooled)
	table := pooled[:1<<bits]
	clear(table)
	for i := 0; i+lzMinMatch <= from; i++ {
		table[lzHash(binary.LittleEndian.Uint32(buf[i:]), bits)] = int32(i + 1)
	}
	i, lit := from, from
	for i+lzMinMatch <= len(buf) {
		u := binary.LittleEndian.Uint32(buf[i:])
		h := lzHash(u, bits)
		cand := int(table[h]) - 1
		table[h] = int32(i + 1)
		if cand < 0 || i-cand > lzMaxDist || binary.LittleEndian.Uint32(buf[cand:]) != u {
			i++
			continue
		}
		n := lzMinMatch
		for i+n+8 <= len(buf) {
			if x := binary.LittleEndian.Uint64(buf[cand+n:]) ^ binary.LittleEndian.Uint64(buf[i+n:]); x != 0 {
				n += mathbits.TrailingZeros64(x) / 8
				goto matched
			}
			n += 8
		}
		for i+n < len(buf) && buf[cand+n] == buf[i+n] {
			n++
		}
	matched:
		dst = binary.AppendUvarint(dst, uint64(i-lit))
		dst = append(dst, buf[lit:i]...)
		dst = binary.AppendUvarint(dst, uint64(n))
		dst = binary.AppendUvarint(dst, uint64(i-cand))
		// Remember a position inside the match too: the next record's
		// copy of this text starts there as often as not.
		if mid := i + n/2; mid+lzMinMatch <= len(buf) {
			table[lzHash(binary.LittleEndian.Uint32(buf[mid:]), bits)] = int32(mid + 1)
		}
		i += n
		lit = i
	}
	dst = binary.AppendUvarint(dst, uint64(len(buf)-lit))
	dst = append(dst, buf[lit:]...)
	return binary.AppendUvarint(dst, 0)
}

var errLZ = errors.New("corrupt LZ stream")

// lzDecompress returns what src decompresses to, given the history dict;
// size is the decompressed length (a bound it never exceeds).
func lzDecompress(dict, src []byte, size int) ([]byte, error) {
	// The output grows as the stream proves it: a damaged length must not
	// make a large allocation before the stream is found short.
	out := make([]byte, len(dict), len(dict)+min(size, 64<<10))
	copy(out, dict)
	limit := len(dict) + size
	r := factsReader{b: src}
	for {
		n := r.uvarint()
		if r.err != nil || n > uint64(limit-len(out)) {
			return nil, errLZ
		}
		out = append(out, r.bytes(n)...)
		if r.err != nil {
			return nil, errLZ
		}
		m := r.uvarint()
		if r.err != nil {
			return nil, errLZ
		}
		if m == 0 {
			if len(r.b) != 0 || len(out) != limit {
				return nil, errLZ
			}
			return out[len(dict):], nil
		}
		d := r.uvarint()
		if r.err != nil || m > uint64(limit-len(out)) || d == 0 || d > uint64(len(out)) {
			return nil, errLZ
		}
		from := len(out) - int(d)
		if int(d) >= int(m) {
			out = append(out, out[from:from+int(m)]...)
			continue
		}
		for k := range int(m) { // an overlapping copy repeats the text
			out = append(out, out[from+k])
		}
	}
}
