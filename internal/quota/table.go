package quota

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Limit is one request-rate quota: a bucket of Burst tokens refilled at Rate
// tokens per second, one token per request.
type Limit struct {
	Rate  float64 // tokens per second, > 0
	Burst int     // bucket capacity, >= 1
}

// Validate reports whether l can be enforced.
func (l Limit) Validate() error {
	if math.IsNaN(l.Rate) || math.IsInf(l.Rate, 0) || l.Rate <= 0 {
		return fmt.Errorf("rate %v: must be a positive number", l.Rate)
	}
	// One nanosecond per token is the finest interval a Limiter resolves.
	if l.Rate > 1e9 {
		return fmt.Errorf("rate %v: must be at most 1e9 per second", l.Rate)
	}
	if l.Burst < 1 {
		return fmt.Errorf("burst %d: must be at least 1", l.Burst)
	}
	return nil
}

// Table maps "service:Operation" (the IAM action spelling, for example
// "account:GetContactInformation") to its Limit. Operations absent from the
// table are not throttled; a nil Table throttles nothing.
type Table map[string]Limit

// maxBurst bounds the burst an override file may set; far beyond any AWS
// quota, and exactly representable in a float64.
const maxBurst = 1 << 50

// Key returns the Table key of an operation: service + ":" + operation.
func Key(service, operation string) string { return service + ":" + operation }

// AWS returns AWS's default request-rate quotas, a fresh copy on each call.
//
// Account Management: the table of "Quotas for AWS Account Management"
// (https://docs.aws.amazon.com/accounts/latest/reference/quotas.html; spec
// quotas.md §1). The spec's copy lacks the newer operations
// (AcceptPrimaryEmailUpdate, GetAccountInformation, GetPrimaryEmail,
// PutAccountName, StartPrimaryEmailUpdate); their rows come from the same
// AWS page, where they are stated "per caller account".
//
// TODO(fidelity): AWS also caps StartPrimaryEmailUpdate at 3 requests per 30
// seconds per target account; a Limiter keys on one account, so the caller
// would need a second Allow keyed on the target to enforce it.
//
// TODO(fidelity): Organizations documents no per-operation request rates:
// its quotas page ("Quotas and service limits for AWS Organizations") lists
// entity counts, not requests per second, and awsdocs/aws-organizations-docs
// issue #39 asking for them was closed unanswered. Real Organizations does
// throttle (TooManyRequestsException, "You have sent too many requests in
// too short a period of time"), at undocumented rates, so no organizations
// entries are made up here; an override file can add them.
func AWS() Table {
	return Table{
		"account:AcceptPrimaryEmailUpdate": {Rate: 1, Burst: 1},
		"account:DeleteAlternateContact":   {Rate: 1, Burst: 6},
		"account:DisableRegion":            {Rate: 1, Burst: 1},
		"account:EnableRegion":             {Rate: 1, Burst: 1},
		"account:GetAccountInformation":    {Rate: 3, Burst: 3},
		"account:GetAlternateContact":      {Rate: 10, Burst: 15},
		"account:GetContactInformation":    {Rate: 10, Burst: 15},
		"account:GetPrimaryEmail":          {Rate: 3, Burst: 3},
		"account:GetRegionOptStatus":       {Rate: 5, Burst: 5},
		"account:ListRegions":              {Rate: 5, Burst: 5},
		"account:PutAccountName":           {Rate: 1, Burst: 1},
		"account:PutAlternateContact":      {Rate: 5, Burst: 8},
		"account:PutContactInformation":    {Rate: 5, Burst: 8},
		"account:StartPrimaryEmailUpdate":  {Rate: 1, Burst: 1},
	}
}

// Modes of the --quotas flag besides a file path.
const (
	ModeAWS = "aws" // AWS's numbers, the default
	ModeOff = "off" // never throttle
)

// Parse interprets the --quotas flag: "aws" or "" gives [AWS], "off" gives
// a nil Table (never throttles), anything else is the path of an override
// file read with [Load]. A file actually named "aws" or "off" must be
// given as "./aws" or "./off".
func Parse(mode string) (Table, error) {
	switch mode {
	case "", ModeAWS:
		return AWS(), nil
	case ModeOff:
		return nil, nil
	}
	return Load(mode)
}

// override is one entry of an override file. Missing fields keep the value
// being overridden. Burst is decoded as a float because yaml.v3 would
// silently truncate "burst: 1.5" into an int; merge insists on a whole number.
type override struct {
	Rate  *float64 `json:"rate" yaml:"rate"`
	Burst *float64 `json:"burst" yaml:"burst"`
}

// Load reads an override file and returns [AWS] with its entries merged in.
// The file maps "service:Operation" to {"rate": tokens per second, "burst":
// capacity}:
//
//	account:EnableRegion: {rate: 2, burst: 4}
//	account:ListRegions: {burst: 50}       # keeps AWS's rate of 5
//	account:PutAlternateContact: null      # not throttled at all
//	organizations:ListAccounts: {rate: 20, burst: 40}
//
// A file whose name ends in ".json" is read as strict JSON, any other as
// YAML (of which JSON is a subset). An entry for an operation AWS() does not
// limit must give both fields. Unknown fields, malformed keys and values that
// fail [Limit.Validate] are errors; an empty file changes nothing.
func Load(path string) (Table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("quota: %w", err)
	}
	entries, err := decode(data, strings.EqualFold(filepath.Ext(path), ".json"))
	if err != nil {
		return nil, fmt.Errorf("quota: parse %s: %w", path, err)
	}
	t, err := merge(AWS(), entries)
	if err != nil {
		return nil, fmt.Errorf("quota: %s: %w", path, err)
	}
	return t, nil
}

func decode(data []byte, asJSON bool) (map[string]*override, error) {
	var entries map[string]*override
	if asJSON {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&entries); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if dec.More() {
			return nil, errors.New("trailing data after the top-level object")
		}
		return entries, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&entries); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return entries, nil
}

// merge applies entries over base, in place, and returns it.
func merge(base Table, entries map[string]*override) (Table, error) {
	// Sorted, so that error reports do not depend on map order.
	for _, key := range slices.Sorted(maps.Keys(entries)) {
		o := entries[key]
		service, op, ok := strings.Cut(key, ":")
		if !ok || service == "" || op == "" || strings.ContainsAny(op, ": \t") || strings.ContainsAny(service, " \t") {
			return nil, fmt.Errorf("key %q: want \"service:Operation\"", key)
		}
		if o == nil {
			delete(base, key)
			continue
		}
		l, had := base[key]
		if !had && (o.Rate == nil || o.Burst == nil) {
			return nil, fmt.Errorf("%s: AWS sets no quota here, so both rate and burst are required", key)
		}
		if o.Rate != nil {
			l.Rate = *o.Rate
		}
		if o.Burst != nil {
			b := *o.Burst
			if b != math.Trunc(b) || b < 0 || b > maxBurst {
				return nil, fmt.Errorf("%s: burst %v: must be a whole number from 1 to %d", key, b, maxBurst)
			}
			l.Burst = int(b)
		}
		if err := l.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		base[key] = l
	}
	return base, nil
}
