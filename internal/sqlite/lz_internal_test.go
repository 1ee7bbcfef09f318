package sqlite

import (
	"bytes"
	"runtime"
	"testing"
)

// What lzCompress writes, lzDecompress reads back, with or without a
// dictionary; and no input makes lzDecompress fail otherwise than with
// an error.
func FuzzLZ(f *testing.F) {
	f.Add([]byte(""), []byte(""))
	f.Add([]byte("abcdabcdabcdabcd"), []byte("abcd"))
	f.Add([]byte(`{"eventVersion":"1.08","eventName":"GetAlternateContact"}{"eventVersion":"1.08","eventName":"GetAlternateContact"}`), []byte(trailDictV1))
	f.Add(bytes.Repeat([]byte{0}, 100), []byte(nil))
	f.Fuzz(func(t *testing.T, src, dict []byte) {
		enc := lzCompress(nil, dict, src)
		got, err := lzDecompress(dict, enc, len(src))
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("round trip of %q (dict %q): %q, %v", src, dict, got, err)
		}
		// The stream read as anything else, or cut short, is an error or
		// the right length, never a panic.
		for _, size := range []int{0, len(src) / 2, len(src) + 1} {
			if out, err := lzDecompress(dict, enc, size); err == nil && len(out) != size {
				t.Fatalf("decompressed %d bytes for size %d", len(out), size)
			}
		}
		for cut := range len(enc) {
			if _, err := lzDecompress(dict, enc[:cut], len(src)); err == nil {
				t.Fatalf("a stream cut at %d of %d read without error", cut, len(enc))
			}
		}
		if out, err := lzDecompress(dict, src, len(dict)); err == nil && len(out) != len(dict) {
			t.Fatalf("decompressed %d bytes for size %d", len(out), len(dict))
		}
	})
}

// A damaged length claims a gigabyte: the decoder fails without making
// room for it first.
func TestLZDamagedLengthAllocatesLittle(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := lzDecompress([]byte(trailDictV1), []byte{0, 0}, 1<<30); err == nil {
		t.Fatal("a stream of nothing decompressed to a gigabyte")
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("decoding a damaged block allocated %d bytes", grew)
	}
}

// lzCompress appends the compression of src (with history dict) to dst.
func lzCompress(dst, dict, src []byte) []byte {
	buf := make([]byte, 0, len(dict)+len(src))
	buf = append(append(buf, dict...), src...)
	return lzCompressFrom(dst, buf, len(dict))
}
