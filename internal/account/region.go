package account

import (
	"sort"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// RegionStatus is the kernel's (the event bus records transitions).
type RegionStatus = kernel.RegionStatus

// Region opt-in statuses (the model's enum values).
const (
	RegionEnabled          = kernel.RegionEnabled
	RegionEnabling         = kernel.RegionEnabling
	RegionDisabling        = kernel.RegionDisabling
	RegionDisabled         = kernel.RegionDisabled
	RegionEnabledByDefault = kernel.RegionEnabledByDefault
)

// CatalogRegion is one commercial Region the emulator knows.
type CatalogRegion struct {
	Name string
	// DefaultEnabled is true for the Regions introduced before 20 March 2019:
	// they report ENABLED_BY_DEFAULT and cannot be opted in or out.
	DefaultEnabled bool
}

// Catalog lists every commercial Region, sorted by name. The 17 default
// Regions and the opt-in set follow spec/behaviour.md §8.2, plus the opt-in
// Regions AWS launched since (Malaysia, Thailand, Mexico, Taipei, New Zealand).
var Catalog = sortedCatalog([]CatalogRegion{
	{"us-east-1", true}, {"us-east-2", true}, {"us-west-1", true}, {"us-west-2", true},
	{"ap-south-1", true}, {"ap-northeast-1", true}, {"ap-northeast-2", true}, {"ap-northeast-3", true},
	{"ap-southeast-1", true}, {"ap-southeast-2", true}, {"ca-central-1", true}, {"eu-central-1", true},
	{"eu-west-1", true}, {"eu-west-2", true}, {"eu-west-3", true}, {"eu-north-1", true}, {"sa-east-1", true},
	{"af-south-1", false}, {"ap-east-1", false}, {"ap-south-2", false}, {"ap-southeast-3", false},
	{"ap-southeast-4", false}, {"ca-west-1", false}, {"eu-south-1", false}, {"eu-south-2", false},
	{"eu-central-2", false}, {"il-central-1", false}, {"me-south-1", false}, {"me-central-1", false},
	{"ap-southeast-5", false}, {"ap-southeast-7", false}, {"mx-central-1", false},
	{"ap-east-2", false}, {"ap-southeast-6", false},
})

func sortedCatalog(rs []CatalogRegion) []CatalogRegion {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Name < rs[j].Name })
	return rs
}

// catalogRegion finds name in Catalog.
func catalogRegion(name string) (CatalogRegion, bool) {
	i := sort.Search(len(Catalog), func(i int) bool { return Catalog[i].Name >= name })
	if i < len(Catalog) && Catalog[i].Name == name {
		return Catalog[i], true
	}
	return CatalogRegion{}, false
}

// RegionOpt is the last opt-in or opt-out request for one Region of one
// account. The status is derived from the clock rather than stored, so a
// zero delay, a restart mid-transition and a clock moved forward all work.
type RegionOpt struct {
	Region string
	// Target is RegionEnabled or RegionDisabled.
	Target      RegionStatus
	RequestedAt time.Time
	// DueAt is when the transition completes.
	DueAt time.Time
}

// StatusAt returns the Region's status at now.
func (o RegionOpt) StatusAt(now time.Time) RegionStatus {
	if now.Before(o.DueAt) {
		if o.Target == RegionEnabled {
			return RegionEnabling
		}
		return RegionDisabling
	}
	return o.Target
}

// InFlightAt reports whether the transition is still running at now.
func (o RegionOpt) InFlightAt(now time.Time) bool { return now.Before(o.DueAt) }

// Region is one Region with its status for an account.
type Region struct {
	Name   string
	Status RegionStatus
}

// regionStatus derives the status of r from the account's opt record (nil:
// never touched).
func regionStatus(r CatalogRegion, opt *RegionOpt, now time.Time) RegionStatus {
	if r.DefaultEnabled {
		return RegionEnabledByDefault
	}
	if opt == nil {
		return RegionDisabled
	}
	return opt.StatusAt(now)
}
