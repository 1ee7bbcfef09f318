package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"maps"
	"sync"
	"sync/atomic"
)

const (
	cacheShards   = 16
	shardCapacity = 64 // a full shard is cleared, bounding the cache at 1024 keys
	blockSize     = sha256.BlockSize
)

// keyCache maps secret+date+region+service to a derived signing key.
// Each shard holds an immutable map behind an atomic pointer, so lookups take
// no lock and do not contend; a miss that then verifies a request copies the
// shard's map under the shard's mutex. Only keys that verified a request are
// inserted, so unauthenticated traffic cannot evict entries.
type keyCache struct {
	shards [cacheShards]keyShard
}

type keyMap = map[string][sha256.Size]byte

type keyShard struct {
	mu sync.Mutex // serialises writers only
	m  atomic.Pointer[keyMap]
	_  [48]byte // one shard per 64-byte cache line
}

// appendCacheKey appends an unambiguous encoding of the key parts:
// each part is prefixed by its two-byte length.
func appendCacheKey(buf []byte, parts ...string) []byte {
	for _, p := range parts {
		buf = append(buf, byte(len(p)>>8), byte(len(p)))
		buf = append(buf, p...)
	}
	return buf
}

func shardOf(key []byte) int {
	h := uint32(2166136261) // FNV-1a
	for _, c := range key {
		h ^= uint32(c)
		h *= 16777619
	}
	return int(h % cacheShards)
}

func (c *keyCache) get(key []byte) ([sha256.Size]byte, bool) {
	m := c.shards[shardOf(key)].m.Load()
	if m == nil {
		return [sha256.Size]byte{}, false
	}
	k, ok := (*m)[string(key)]
	return k, ok
}

func (c *keyCache) put(key []byte, k [sha256.Size]byte) {
	s := &c.shards[shardOf(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	var old keyMap
	if m := s.m.Load(); m != nil {
		old = *m
	}
	if _, ok := old[string(key)]; ok {
		return
	}
	if len(old) >= shardCapacity {
		old = nil // start over rather than track recency
	}
	m := make(keyMap, len(old)+1)
	maps.Copy(m, old)
	m[string(key)] = k
	s.m.Store(&m)
}

// deriveKey computes the SigV4 signing key
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveKey(secret, date, region, service string) [sha256.Size]byte {
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+secret), date)
	k = mac(k, region)
	k = mac(k, service)
	k = mac(k, terminator)
	return [sha256.Size]byte(k)
}

// hmacPrefixed returns HMAC-SHA256(key, msg[blockSize:]). The first
// blockSize bytes of msg are scratch space for the inner key pad, which lets
// the inner hash run over one contiguous buffer without crypto/hmac's
// allocations. The key is shorter than a block, so it is used zero-padded.
func hmacPrefixed(key *[sha256.Size]byte, msg []byte) [sha256.Size]byte {
	for i := range blockSize {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		msg[i] = k ^ 0x36
	}
	inner := sha256.Sum256(msg)
	var outer [blockSize + sha256.Size]byte
	for i := range blockSize {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		outer[i] = k ^ 0x5c
	}
	copy(outer[blockSize:], inner[:])
	return sha256.Sum256(outer[:])
}
