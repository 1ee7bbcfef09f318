package generation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/accountplane/accountplane/internal/generation"
)

// counted is a store that is a Source: its generation is set by the test.
type counted struct {
	fakeStore
	gen     uint64
	tellsNo bool
}

func (c *counted) Generation(context.Context) (uint64, bool) { return c.gen, !c.tellsNo }

func TestReadsServeOneGeneration(t *testing.T) {
	ctx := context.Background()
	s := &counted{}
	r := generation.NewReads(s)
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
		t.Fatalf("two reads of one key at one generation: %d views, want 1", s.views)
	}
	value = 2
	if got := read("a"); got != 1 {
		t.Errorf("same generation: %d, want the cached 1", got)
	}
	s.gen++
	if got := read("a"); got != 2 || s.views != 2 {
		t.Errorf("new generation: %d after %d views, want 2 after 2", got, s.views)
	}
	if h, m := r.Stats(); h != 2 || m != 2 {
		t.Errorf("stats: %d hits, %d misses; want 2, 2", h, m)
	}

	// A store that cannot tell its generation is read every time.
	s.tellsNo = true
	before := s.views
	read("a")
	read("a")
	if s.views != before+2 {
		t.Errorf("a store without a generation: %d views for two reads, want 2", s.views-before)
	}
}

func TestReadsKeepNoErrorAndNoStaleGeneration(t *testing.T) {
	ctx := context.Background()
	s := &counted{gen: 5}
	r := generation.NewReads(s)
	boom := errors.New("boom")
	_, err := generation.View(ctx, r, generation.Viewer[int](s), "k", func(int) (int, error) { return 0, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	v, err := generation.View(ctx, r, generation.Viewer[int](s), "k", func(int) (int, error) { return 7, nil })
	if err != nil || v != 7 || s.views != 2 {
		t.Fatalf("after a failed read: %d, %v after %d views; want 7 from a second view", v, err, s.views)
	}

	// A nil cache (a store that is no Source) always reads.
	if generation.NewReads(&fakeStore{}) != nil {
		t.Error("NewReads of a store without Generation is not nil")
	}
	v, err = generation.View(ctx, nil, generation.Viewer[int](s), "k", func(int) (int, error) { return 9, nil })
	if err != nil || v != 9 {
		t.Errorf("nil cache: %d, %v; want 9", v, err)
	}
}
