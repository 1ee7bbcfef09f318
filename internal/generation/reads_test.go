package generation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/accountplane/accountplane/internal/generation"
)

// stamped is a store that stamps its reads: a stamp is fresh while the
// store's version is the one it was read at.
type stamped struct {
	fakeStore
	version  int
	noStamps bool
}

type versionStamp struct {
	s  *stamped
	at int
}

func (v versionStamp) Fresh() bool { return v.s.version == v.at }

func (s *stamped) ViewStamped(ctx context.Context, fn func(int) error) (generation.Stamp, error) {
	err := s.View(ctx, fn)
	if s.noStamps {
		return nil, err
	}
	return versionStamp{s, s.version}, err
}

func TestReadsServeWhileFresh(t *testing.T) {
	ctx := context.Background()
	s := &stamped{}
	r := generation.NewReads[int](s)
	value := 1
	read := func(key string) int {
		t.Helper()
		v, err := generation.View(ctx, r, generation.Viewer[int](s), key, func(int) (int, error) { return value, nil })
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if read("a") != 1 || read("a") != 1 || s.views != 1 {
		t.Fatalf("two reads of one key, nothing changed: %d views, want 1", s.views)
	}
	value = 2
	if got := read("a"); got != 1 {
		t.Errorf("fresh stamp: %d, want the cached 1", got)
	}
	s.version++
	if got := read("a"); got != 2 || s.views != 2 {
		t.Errorf("stale stamp: %d after %d views, want 2 after 2", got, s.views)
	}
	if h, m := r.Stats(); h != 2 || m != 2 {
		t.Errorf("stats: %d hits, %d misses; want 2, 2", h, m)
	}

	// A read the store gives no stamp is not kept.
	s.noStamps = true
	s.version++
	before := s.views
	read("a")
	read("a")
	if s.views != before+2 {
		t.Errorf("reads without a stamp: %d views for two reads, want 2", s.views-before)
	}
}

func TestReadsKeepNoError(t *testing.T) {
	ctx := context.Background()
	s := &stamped{}
	r := generation.NewReads[int](s)
	boom := errors.New("boom")
	_, err := generation.View(ctx, r, generation.Viewer[int](s), "k", func(int) (int, error) { return 0, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	v, err := generation.View(ctx, r, generation.Viewer[int](s), "k", func(int) (int, error) { return 7, nil })
	if err != nil || v != 7 || s.views != 2 {
		t.Fatalf("after a failed read: %d, %v after %d views; want 7 from a second view", v, err, s.views)
	}

	// A store that cannot stamp gets no cache, and a nil cache reads.
	if generation.NewReads[int](&fakeStore{}) != nil {
		t.Error("NewReads of a store without ViewStamped is not nil")
	}
	v, err = generation.View(ctx, nil, generation.Viewer[int](s), "k", func(int) (int, error) { return 9, nil })
	if err != nil || v != 9 {
		t.Errorf("nil cache: %d, %v; want 9", v, err)
	}
}
