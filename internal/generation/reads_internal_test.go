package generation

import (
	"testing"
	"unsafe"
)

// Each shard fills two cache lines of its own, so that cores reading
// different shards do not invalidate each other's lines.
func TestReadShardSize(t *testing.T) {
	if got := unsafe.Sizeof(readShard{}); got != 128 {
		t.Errorf("readShard is %d bytes, want 128", got)
	}
}

// A full cache is emptied, and fills again.
func TestReadsEmptiedWhenFull(t *testing.T) {
	r := &Reads{}
	for i := range r.shards {
		r.shards[i].m = map[any]*entry{}
	}
	for i := range DefaultMaxReads {
		put(r, i, &entry{})
	}
	if e, _ := get(r, 7); e == nil {
		t.Fatal("key 7 not kept below the bound")
	}
	put(r, -1, &entry{})
	if e, _ := get(r, 7); e != nil {
		t.Error("key 7 kept after the cache was full")
	}
	if e, _ := get(r, -1); e == nil || r.size.Load() != 1 {
		t.Errorf("after emptying: key -1 %v, size %d; want kept, 1", e, r.size.Load())
	}
}
