package policy

import (
	"strconv"
	"strings"
	"time"
)

// parseDate parses a Date condition value or a date context value: either
// epoch seconds ("1563278400") or ISO 8601 in any of the forms IAM's legacy
// parser accepts, from a bare year ("2020") to
// "2016-12-13T21:20:37.593194+00:00". Letters are case-insensitive; a value
// without a time zone is UTC. Like IAM, a value containing neither "t" nor
// "-" is read as epoch seconds.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	ls := strings.ToLower(s)
	if !strings.ContainsAny(ls, "t-") {
		n, ok := parseDigits(ls, 19)
		if !ok {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	datePart, timePart, _ := strings.Cut(ls, "t")

	neg := strings.HasPrefix(datePart, "-")
	if neg {
		datePart = datePart[1:]
	}
	fields := strings.Split(datePart, "-")
	if len(fields) > 3 {
		return time.Time{}, false
	}
	year, ok := parseDigits(fields[0], 9)
	if !ok || year > 292278993 || (neg && year > 292275054) {
		return time.Time{}, false
	}
	if neg {
		year = -year
	}
	month, day := int64(1), int64(1)
	if len(fields) > 1 {
		if month, ok = parseDigits(fields[1], 2); !ok || month < 1 || month > 12 {
			return time.Time{}, false
		}
	}
	if len(fields) > 2 {
		if day, ok = parseDigits(fields[2], 2); !ok || day < 1 || day > 31 {
			return time.Time{}, false
		}
	}

	var hour, minute, sec, nsec int64
	loc := time.UTC
	if timePart != "" {
		clock, zone := timePart, ""
		if i := strings.IndexAny(timePart, "z+-"); i >= 0 {
			clock, zone = timePart[:i], timePart[i:]
		}
		hms := strings.Split(clock, ":")
		if len(hms) > 3 {
			return time.Time{}, false
		}
		if hms[0] != "" {
			if hour, ok = parseDigits(hms[0], 2); !ok || hour > 23 {
				return time.Time{}, false
			}
		} else if len(hms) > 1 {
			return time.Time{}, false
		}
		if len(hms) > 1 {
			if minute, ok = parseDigits(hms[1], 2); !ok || minute > 59 {
				return time.Time{}, false
			}
		}
		if len(hms) > 2 {
			secs, frac, hasFrac := strings.Cut(hms[2], ".")
			if sec, ok = parseDigits(secs, 2); !ok || sec > 59 {
				return time.Time{}, false
			}
			if hasFrac {
				if len(frac) == 0 || len(frac) > 9 {
					return time.Time{}, false
				}
				f, ok := parseDigits(frac, 9)
				if !ok {
					return time.Time{}, false
				}
				for range 9 - len(frac) {
					f *= 10
				}
				nsec = f
			}
		}
		if zone != "" {
			if loc, ok = parseZone(zone); !ok {
				return time.Time{}, false
			}
		}
	}
	return time.Date(int(year), time.Month(month), int(day), int(hour), int(minute), int(sec), int(nsec), loc).UTC(), true
}

// parseZone parses "z", "+hh", "+hh:mm" or "+hhmm" (or the same with "-").
func parseZone(z string) (*time.Location, bool) {
	if z == "z" {
		return time.UTC, true
	}
	sign := int64(1)
	switch z[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return nil, false
	}
	z = z[1:]
	var hh, mm string
	switch {
	case len(z) == 2:
		hh = z
	case len(z) == 5 && z[2] == ':':
		hh, mm = z[:2], z[3:]
	case len(z) == 4:
		hh, mm = z[:2], z[2:]
	default:
		return nil, false
	}
	h, ok := parseDigits(hh, 2)
	if !ok || h > 23 {
		return nil, false
	}
	var m int64
	if mm != "" {
		if m, ok = parseDigits(mm, 2); !ok || m > 59 {
			return nil, false
		}
	}
	return time.FixedZone("", int(sign*(h*3600+m*60))), true
}

// parseDigits parses 1 to max ASCII digits.
func parseDigits(s string, max int) (int64, bool) {
	if len(s) == 0 || len(s) > max {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
