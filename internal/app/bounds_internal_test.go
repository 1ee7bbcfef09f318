package app

import "testing"

// The trail's and the event log's bounds: a flag's value, none for a
// negative one, else the store's default (smaller for :memory:).
func TestBounds(t *testing.T) {
	for _, tt := range []struct {
		name            string
		cfg             Config
		trail, eventLog int64
	}{
		{"disk defaults", Config{DataDir: "/data"}, DefaultTrailMaxEvents, DefaultEventLogMax},
		{"memory defaults", Config{DataDir: MemoryData}, DefaultMemoryTrailMaxEvents, DefaultMemoryEventLogMax},
		{"shared store", Config{DataDir: MemoryData, Store: "postgres://x"}, DefaultTrailMaxEvents, DefaultEventLogMax},
		{"set", Config{DataDir: MemoryData, TrailMaxEvents: 7, EventLogMax: 9}, 7, 9},
		{"no bound", Config{DataDir: "/data", TrailMaxEvents: -1, EventLogMax: -1}, 0, 0},
	} {
		a := &App{cfg: tt.cfg}
		if got, got2 := a.trailMaxEvents(), a.eventLogMax(); got != tt.trail || got2 != tt.eventLog {
			t.Errorf("%s: trail %d, event log %d; want %d, %d", tt.name, got, got2, tt.trail, tt.eventLog)
		}
	}
}
