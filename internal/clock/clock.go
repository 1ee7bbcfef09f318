// Package clock is the emulator's domain clock: real time (or an injected
// base) plus an offset that only moves forward. Every delay of the domain
// (Region transitions, account creation and closure, handshake expiry,
// one-time codes) reads it, so advancing it makes every due transition
// happen; request signatures keep using the real time.
//
// It imports only the standard library.
package clock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Clock is a movable clock. Its zero value is not usable; use New.
type Clock struct {
	base   func() time.Time
	offset atomic.Int64 // nanoseconds
	path   string       // where the offset persists ("" for none)
	mu     sync.Mutex   // serializes Advance and its persistence
	// shared, if set, holds the offset for every replica; the clock
	// reloads it at most every maxAge (loaded: real time of the last load,
	// unix nanoseconds).
	shared Shared
	maxAge time.Duration
	loaded atomic.Int64
}

// Shared is an offset kept where every replica reads it (the store).
type Shared interface {
	// Load returns the offset.
	Load() (time.Duration, error)
	// Add adds d to the offset (reset: sets it to 0) and returns it;
	// concurrent additions all count.
	Add(d time.Duration, reset bool) (time.Duration, error)
}

// NewShared returns a clock over base whose offset lives in s: Advance and
// Reset change it there, and Now reloads it at most every maxAge, so that
// an advance on one replica reaches the others within maxAge.
func NewShared(base func() time.Time, s Shared, maxAge time.Duration) (*Clock, error) {
	if base == nil {
		base = time.Now
	}
	c := &Clock{base: base, shared: s, maxAge: maxAge}
	off, err := s.Load()
	if err != nil {
		return nil, fmt.Errorf("clock: load: %w", err)
	}
	c.offset.Store(int64(off))
	c.loaded.Store(time.Now().UnixNano())
	return c, nil
}

// New returns a clock over base (time.Now if nil) whose offset persists in
// the file path (none if ""), loading any offset saved there.
func New(base func() time.Time, path string) (*Clock, error) {
	if base == nil {
		base = time.Now
	}
	c := &Clock{base: base, path: path}
	if path == "" {
		return c, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	} else if err != nil {
		return nil, fmt.Errorf("clock: read %s: %w", path, err)
	}
	var saved struct {
		OffsetNanos int64 `json:"offsetNanos"`
	}
	if err := json.Unmarshal(b, &saved); err != nil || saved.OffsetNanos < 0 {
		return nil, fmt.Errorf("clock: %s is not a saved clock", path)
	}
	c.offset.Store(saved.OffsetNanos)
	return c, nil
}

// Now returns the domain time.
func (c *Clock) Now() time.Time { return c.base().Add(c.Offset()) }

// Offset returns how far the clock is ahead of its base.
func (c *Clock) Offset() time.Duration {
	if c.shared != nil {
		c.refresh()
	}
	return time.Duration(c.offset.Load())
}

// refresh reloads a shared offset older than maxAge. A failed load keeps
// the offset known (the store answers the requests' own failures).
func (c *Clock) refresh() {
	now := time.Now().UnixNano()
	last := c.loaded.Load()
	if now-last < int64(c.maxAge) || !c.loaded.CompareAndSwap(last, now) {
		return
	}
	if off, err := c.shared.Load(); err == nil {
		c.offset.Store(int64(off))
	}
}

// Advance moves the clock forward by d (which must not be negative), saves
// the new offset and returns it. Concurrent advances add up; none is lost.
func (c *Clock) Advance(d time.Duration) (time.Duration, error) {
	if d < 0 {
		return c.Offset(), errors.New("clock: time only moves forward")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shared != nil {
		off, err := c.shared.Add(d, false)
		if err != nil {
			return c.Offset(), fmt.Errorf("clock: advance: %w", err)
		}
		c.offset.Store(int64(off))
		return off, nil
	}
	off := time.Duration(c.offset.Add(int64(d)))
	return off, c.save(off)
}

// Reset sets the offset back to zero (the emulator's reset).
func (c *Clock) Reset() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shared != nil {
		if _, err := c.shared.Add(0, true); err != nil {
			return fmt.Errorf("clock: reset: %w", err)
		}
		c.offset.Store(0)
		return nil
	}
	c.offset.Store(0)
	return c.save(0)
}

func (c *Clock) save(off time.Duration) error {
	if c.path == "" {
		return nil
	}
	b, _ := json.Marshal(map[string]int64{"offsetNanos": int64(off)})
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("clock: save: %w", err)
	}
	if err := os.Rename(tmp, c.path); err != nil {
		return fmt.Errorf("clock: save: %w", err)
	}
	return nil
}

// ParseDuration reads a duration in Go's syntax with days added: "15d",
// "360h", "1d12h", "90m".
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseFloat(s[:i], 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("clock: bad duration %q", s)
		}
		days = time.Duration(n * float64(24*time.Hour))
		s = s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("clock: bad duration %q", s)
	}
	return days + d, nil
}

// Path returns the file the clock of a data directory persists in.
func Path(dataDir string) string { return filepath.Join(dataDir, "clock.json") }
