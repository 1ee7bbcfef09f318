package trail

import (
	"strings"
	"testing"
	"time"
)

// Timestamp formats by hand what time.Format would: any instant, any
// zone, years beyond four digits included.
func FuzzTimestamp(f *testing.F) {
	for _, s := range []int64{0, 1, 1_700_000_000, -62135596800, 253402300799, 253402300800, -62135596801} {
		f.Add(s, int64(0), 0)
	}
	f.Add(int64(1_700_000_000), int64(999_999_999), -7*3600)
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int) {
		ts := time.Unix(sec, nsec).In(time.FixedZone("z", offset%(48*3600)))
		if ts.IsZero() {
			return // the zero time is "" (TestTimestampOfZeroIsEmpty)
		}
		if got, want := Timestamp(ts), ts.UTC().Format(timestampLayout); got != want {
			t.Fatalf("Timestamp(%v) = %q, want %q", ts, got, want)
		}
	})
}

func TestTimestampOfZeroIsEmpty(t *testing.T) {
	if got := Timestamp(time.Time{}); got != "" {
		t.Errorf("Timestamp(zero) = %q, want empty", got)
	}
}

// appendLower lower-cases as strings.ToLower does, any text included.
func FuzzAppendLower(f *testing.F) {
	for _, s := range []string{"", "alternateContactType", "PASSWORD", "Ünïcode", "a\xffb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendLower([]byte("x"), s)), "x"+strings.ToLower(s); got != want {
			t.Fatalf("appendLower(%q) = %q, want %q", s, got, want)
		}
	})
}
