package storetest

import (
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/kernel"
)

func TestDiff(t *testing.T) {
	utc := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	zone := time.FixedZone("X", 3600)
	tests := []struct {
		name      string
		got, want any
		equal     bool
	}{
		{"same struct", &kernel.Account{ID: "1", CreatedAt: utc}, &kernel.Account{ID: "1", CreatedAt: utc}, true},
		{"other field", &kernel.Account{ID: "1"}, &kernel.Account{ID: "2"}, false},
		{"same instant in UTC", account.RegionOpt{DueAt: utc}, account.RegionOpt{DueAt: utc.In(zone)}, true},
		{"same instant, got not in UTC", account.RegionOpt{DueAt: utc.In(zone)}, account.RegionOpt{DueAt: utc}, false},
		{"a nanosecond apart", account.RegionOpt{DueAt: utc}, account.RegionOpt{DueAt: utc.Add(1)}, false},
		{"zero times", account.RegionOpt{}, account.RegionOpt{}, true},
		{"nil and empty slice", []account.RegionOpt(nil), []account.RegionOpt{}, true},
		{"slice lengths", []account.RegionOpt{{}}, []account.RegionOpt{}, false},
		{"slice elements", []account.RegionOpt{{Region: "a"}}, []account.RegionOpt{{Region: "b"}}, false},
		{"nil pointer", (*kernel.Account)(nil), &kernel.Account{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := diff(tt.got, tt.want)
			if got := d == ""; got != tt.equal {
				t.Errorf("diff(%+v, %+v) = %q: got equal %v, want %v", tt.got, tt.want, d, got, tt.equal)
			}
		})
	}
}
