package sigv4_test

import (
	"context"
	"testing"
)

// BenchmarkVerify measures verifying a signed account POST with a warm key
// cache, the common case on the request path.
func BenchmarkVerify(b *testing.B) {
	r, body := overTheWire(b, signedCases()[0].request(b))
	v := newVerifier(signTime)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, r, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyParallel(b *testing.B) {
	r, body := overTheWire(b, signedCases()[0].request(b))
	v := newVerifier(signTime)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(ctx, r, body); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
