package iam_test

import (
	"context"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/iam"
)

// TestSimulatePages pages through 30 actions x 40 resources: each pair
// once, in action-major order, MaxResults at a time.
func TestSimulatePages(t *testing.T) {
	s, _ := newService(t)
	in := iam.SimulateInput{
		Policies:   []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b1*"}]}`},
		Actions:    append(numbered("s3:GetObject%d", 15), numbered("s3:PutObject%d", 15)...),
		Resources:  numbered("arn:aws:s3:::b%d", 40),
		MaxResults: 70,
	}
	var got []string
	pages := 0
	for {
		res, err := s.Simulate(context.Background(), acct, in)
		must(t, err)
		pages++
		if res.Pairs != 1200 || len(res.Results) == 0 || len(res.Results) > 70 || res.Next != in.First+len(res.Results) {
			t.Fatalf("page from %d: %d results, next %d of %d", in.First, len(res.Results), res.Next, res.Pairs)
		}
		for _, r := range res.Results {
			got = append(got, r.Action+" "+r.Resource+" "+r.Decision)
		}
		if res.Next == res.Pairs {
			break
		}
		in.First = res.Next
	}
	if pages != 18 || len(got) != 1200 {
		t.Fatalf("%d pages, %d results; want 18 pages of at most 70, 1200 results", pages, len(got))
	}
	for i, g := range got {
		action, res := in.Actions[i/40], in.Resources[i%40]
		want := iam.DecisionImplicitDeny
		if strings.HasPrefix(action, "s3:Get") && strings.HasPrefix(res, "arn:aws:s3:::b1") {
			want = iam.DecisionAllowed
		}
		if g != action+" "+res+" "+want {
			t.Fatalf("result %d = %q, want %s %s %s", i, g, action, res, want)
		}
	}

	in.First = 1201
	_, err := s.Simulate(context.Background(), acct, in)
	wantCode(t, err, iam.CodeInvalidInput)
}

// TestSimulateBoundedWork: a page holds fewer pairs when the policies are
// large, and a simulation whose one pair would cost more than
// SimulationWork is refused.
func TestSimulateBoundedWork(t *testing.T) {
	s, _ := newService(t)
	long := "arn:aws:s3:::" + strings.Repeat("a", 2000)
	// About 2,100 characters per pattern and pair: 10,000 patterns make
	// a pair cost about 21,000,000, so a page holds two.
	in := iam.SimulateInput{
		Policies:  fill("Resource", "arn:aws:s3:::*a?b*", 10000*21),
		Actions:   numbered("s3:GetObject%d", 10),
		Resources: []string{long},
	}
	res, err := s.Simulate(context.Background(), acct, in)
	must(t, err)
	if len(res.Results) < 1 || len(res.Results) >= 10 || res.Next != len(res.Results) || res.Pairs != 10 {
		t.Errorf("large policies: %d results, next %d of %d; want a short page", len(res.Results), res.Next, res.Pairs)
	}
	for _, r := range res.Results {
		if r.Decision != iam.DecisionImplicitDeny {
			t.Errorf("%s: %s", r.Action, r.Decision)
		}
	}

	// 10,000 condition values, each compared with 1,000 context values.
	in = iam.SimulateInput{
		Policies: fill("aws:PrincipalTag/team", "a*", 10000*5),
		Actions:  []string{"s3:GetObject"},
		Context:  map[string][]string{"aws:PrincipalTag/team": numbered("x%d", 1000)},
	}
	_, err = s.Simulate(context.Background(), acct, in)
	wantCode(t, err, iam.CodeInvalidInput)
	// The same with ten context values is fine.
	in.Context["aws:PrincipalTag/team"] = numbered("a%d", 10)
	res, err = s.Simulate(context.Background(), acct, in)
	must(t, err)
	if len(res.Results) != 1 || res.Results[0].Decision != iam.DecisionAllowed {
		t.Errorf("ten context values: %+v", res.Results)
	}
}
