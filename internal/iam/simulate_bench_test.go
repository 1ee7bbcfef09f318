package iam_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/iam"
)

// simulateLoad builds simulation inputs for the benchmarks and tests.
type simulateLoad struct {
	actions, resources []string
	policies           []string
	context            map[string][]string
}

// fill returns statements holding as many copies of pattern (in element,
// "Action", "Resource" or a condition) as fit in about size bytes of policy
// documents of at most 128 KiB each (the model's limit).
func fill(element, pattern string, size int) []string {
	var docs []string
	for size > 0 {
		n := min(size, 128<<10-200) / (len(pattern) + 3)
		if n == 0 {
			break
		}
		list := `["` + strings.Repeat(pattern+`","`, n-1) + pattern + `"]`
		var st string
		switch element {
		case "Action":
			st = `{"Effect":"Allow","Action":` + list + `,"Resource":"*"}`
		case "Resource":
			st = `{"Effect":"Allow","Action":"*","Resource":` + list + `}`
		default:
			st = `{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringLike":{"` + element + `":` + list + `}}}`
		}
		docs = append(docs, `{"Version":"2012-10-17","Statement":[`+st+`]}`)
		size -= n * (len(pattern) + 3)
	}
	return docs
}

func numbered(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

// The request body is at most 1 MiB: the worst allowed requests use about
// that much policy text.
const maxPolicyText = 1000 << 10

func worstLoads() []struct {
	name string
	load simulateLoad
} {
	longResource := "arn:aws:s3:::" + strings.Repeat("a", 2030)
	var fivehundred []string
	for i := range 500 {
		fivehundred = append(fivehundred, fmt.Sprintf(`"arn:aws:s3:::bucket-%d-*/*/key*%d"`, i, i))
	}
	return []struct {
		name string
		load simulateLoad
	}{
		// The request that held a core for 37-54 s: 1,000 actions x 1,000
		// resources and 500 wildcard patterns.
		{"1000x1000x500patterns", simulateLoad{
			actions:   numbered("s3:GetObject%d", 1000),
			resources: numbered("arn:aws:s3:::bucket-%d/path/to/key-9", 1000),
			policies: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:*Object*"],"Resource":[` +
				strings.Join(fivehundred, ",") + `]}]}`},
		}},
		// Patterns a backtracking matcher is quadratic on, against the
		// longest resource.
		{"resources-near-miss", simulateLoad{
			actions: numbered("s3:GetObject%d", 1000), resources: []string{longResource},
			policies: fill("Resource", "arn:aws:s3:::*"+strings.Repeat("a", 30)+"b*", maxPolicyText),
		}},
		{"resources-quest", simulateLoad{
			actions: numbered("s3:GetObject%d", 1000), resources: []string{longResource},
			policies: fill("Resource", "arn:aws:s3:::*a?b*", 440<<10),
		}},
		{"actions-not-ascii", simulateLoad{
			actions:   []string{"s3:" + strings.Repeat("é", 62) + "x"},
			resources: numbered("arn:aws:s3:::b%d", 1000),
			policies:  fill("Action", "s3:*"+strings.Repeat("é", 8)+"y*", 370<<10),
		}},
		{"conditions", simulateLoad{
			actions: numbered("s3:GetObject%d", 1000), resources: numbered("arn:aws:s3:::b%d", 1000),
			policies: fill("aws:PrincipalTag/team", "*a?b*", 200<<10),
			context:  map[string][]string{"aws:PrincipalTag/team": numbered("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%d", 10)},
		}},
	}
}

// BenchmarkSimulateWorstPage times one page of the costliest simulations
// the server accepts: a page is cut to fit iam.SimulationWork, so each
// stays near a quarter of a second on one core however large the request.
func BenchmarkSimulateWorstPage(b *testing.B) {
	for _, c := range worstLoads() {
		b.Run(c.name, func(b *testing.B) {
			s, _ := newService(&testing.T{})
			in := iam.SimulateInput{Policies: c.load.policies, Actions: c.load.actions, Resources: c.load.resources,
				Context: c.load.context, MaxResults: iam.MaxSimulationResults}
			var res iam.SimulateOutput
			var err error
			for b.Loop() {
				if res, err = s.Simulate(context.Background(), acct, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(res.Results)), "pairs/op")
		})
	}
}
