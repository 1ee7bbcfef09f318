package generation_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/accountplane/accountplane/internal/generation"
)

type benchKey struct{ caller, target string }

// BenchmarkViewHit is a cached read served from memory, from every core,
// over a cache holding as many keys as a 1,000-account run fills.
func BenchmarkViewHit(b *testing.B) {
	ctx := context.Background()
	s := &stamped{}
	r := generation.NewReads[int](s)
	keys := make([]benchKey, 5000)
	for i := range keys {
		keys[i] = benchKey{"arn:aws:iam::111111111111:root", fmt.Sprintf("%012d", i)}
		if _, err := generation.View(ctx, r, generation.Viewer[int](s), keys[i], func(int) (int, error) { return i, nil }); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := next.Add(7919)
		for pb.Next() {
			i += 7919
			k := keys[i%uint64(len(keys))]
			v, err := generation.View(ctx, r, generation.Viewer[int](s), k, func(int) (int, error) { return -1, nil })
			if err != nil || v < 0 {
				b.Fatalf("missed %v: %d, %v", k, v, err)
			}
		}
	})
}
