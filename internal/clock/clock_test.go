package clock_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/clock"
)

func TestAdvancePersistsAndAddsUp(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "clock.json")
	c, err := clock.New(func() time.Time { return base }, path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Advance(time.Hour); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got, want := c.Now(), base.Add(50*time.Hour); !got.Equal(want) {
		t.Errorf("after 50 racing advances of 1h: got %v, want %v", got, want)
	}
	again, err := clock.New(func() time.Time { return base }, path)
	if err != nil {
		t.Fatal(err)
	}
	if again.Offset() != 50*time.Hour {
		t.Errorf("reloaded offset: got %v, want 50h", again.Offset())
	}
	if _, err := c.Advance(-time.Second); err == nil {
		t.Error("negative advance: got nil error")
	}
	if err := c.Reset(); err != nil || c.Offset() != 0 {
		t.Errorf("reset: offset %v, err %v", c.Offset(), err)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"15d", 15 * 24 * time.Hour, true},
		{"360h", 360 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"0.5d", 12 * time.Hour, true},
		{"-1d", 0, false},
		{"soon", 0, false},
		{"3dx", 0, false},
	}
	for _, tt := range tests {
		got, err := clock.ParseDuration(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
