package policy_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/policy"
)

// corpusDocuments returns every policy document in the evaluation corpus,
// as fuzz seeds.
func corpusDocuments(tb testing.TB) []string {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.json"))
	var docs []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var cases []corpusCase
		if err := json.Unmarshal(b, &cases); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		for _, c := range cases {
			for _, d := range c.Identity {
				docs = append(docs, string(d))
			}
			for _, d := range c.Resource {
				docs = append(docs, string(d))
			}
			for _, d := range c.Trust {
				docs = append(docs, string(d))
			}
			for _, level := range c.SCPs {
				for _, d := range level {
					docs = append(docs, string(d))
				}
			}
		}
	}
	return docs
}

var allKinds = []policy.Kind{policy.Identity, policy.Resource, policy.Trust, policy.SCP, policy.Boundary, policy.Session, policy.RCP}

// FuzzParse feeds arbitrary documents to Parse: it must never panic, must
// fail only with a *ParseError, and a parsed policy must evaluate without
// panicking.
func FuzzParse(f *testing.F) {
	for _, d := range corpusDocuments(f) {
		f.Add([]byte(d))
	}
	for _, d := range []string{
		``, `{}`, `[]`, `null`, `"x"`, `{"Statement":{}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${aws:username, 'x''y'}${*}${"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:DateEqualsIfExists":{"k":["-1","01T","2020-01-01t1:2:3.4+05:30"]}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["::ffff:1.2.3.4/200","1.2.3.4/33","fe80::1%eth0"]}}}}`,
	} {
		f.Add([]byte(d))
	}
	req := policy.Request{
		Action:       "account:GetAlternateContact",
		Resource:     "arn:aws:account::111111111111:account",
		PrincipalARN: "arn:aws:iam::111111111111:user/alice",
		Context: map[string][]string{
			"aws:username": {"alice"}, "aws:SourceIp": {"203.0.113.5"}, "aws:TagKeys": {"a", "b"},
			"k": {"2020-01-01T00:00:00Z"}, "s3:max-keys": {"10"}, "aws:SecureTransport": {"true"},
		},
		Now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, k := range allKinds {
			p, err := policy.Parse(doc, k)
			if err != nil {
				var pe *policy.ParseError
				if !errors.As(err, &pe) || pe.Message == "" {
					t.Fatalf("Parse(%s) error %v is not a *ParseError with a message", k, err)
				}
				continue
			}
			set := policy.PolicySet{Identity: []*policy.Policy{p}, Resource: []*policy.Policy{p}, SCPs: [][]*policy.Policy{{p}}}
			d := policy.Evaluate(req, set)
			checkDecision(t, d)
		}
	})
}

// FuzzEvaluate evaluates arbitrary requests against a parsed document and
// checks the decision's invariants.
func FuzzEvaluate(f *testing.F) {
	docs := corpusDocuments(f)
	for i, d := range docs {
		f.Add(d, "account:GetAlternateContact", "arn:aws:account::111111111111:account", "arn:aws:iam::111111111111:user/alice", "aws:PrincipalTag/team", "blue", i%2 == 0)
	}
	f.Add(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"a:*","NotResource":"arn:*:*:*:*:${k}","Condition":{"ForAnyValue:ArnNotLikeIfExists":{"k":"arn:aws:iam::*:${k}"}}}}`,
		"b:c", "arn:aws:iam::1:x", "", "k", "arn:aws:iam::1:x", false)
	f.Fuzz(func(t *testing.T, doc, action, resource, principal, key, value string, root bool) {
		p, err := policy.Parse([]byte(doc), policy.Identity)
		if err != nil {
			return
		}
		req := policy.Request{
			Action: action, Resource: resource, PrincipalARN: principal,
			Context: map[string][]string{key: {value}, "aws:TagKeys": {value, key}},
			Now:     time.Unix(1700000000, 0),
		}
		d := policy.Evaluate(req, policy.PolicySet{Identity: []*policy.Policy{p}, RootUser: root})
		checkDecision(t, d)
		// Evaluation is deterministic.
		if d2 := policy.Evaluate(req, policy.PolicySet{Identity: []*policy.Policy{p}, RootUser: root}); d2.Effect != d.Effect || len(d2.Reasons) != len(d.Reasons) {
			t.Fatalf("non-deterministic: %+v vs %+v", d, d2)
		}
	})
}

func checkDecision(t *testing.T, d policy.Decision) {
	t.Helper()
	denies, allows := 0, 0
	for _, r := range d.Reasons {
		switch r.Effect {
		case policy.Allow:
			allows++
		case policy.ExplicitDeny:
			denies++
		default:
			t.Fatalf("reason with effect %v", r.Effect)
		}
	}
	switch d.Effect {
	case policy.ExplicitDeny:
		if denies == 0 || d.DeniedBy == policy.NoKind {
			t.Fatalf("explicit deny without a deny reason or kind: %+v", d)
		}
	case policy.Allow:
		if denies != 0 || d.DeniedBy != policy.NoKind {
			t.Fatalf("allow with a deny reason or a kind: %+v", d)
		}
	case policy.ImplicitDeny:
		if denies != 0 || d.DeniedBy == policy.NoKind {
			t.Fatalf("implicit deny with a deny reason or without a kind: %+v", d)
		}
	}
}
