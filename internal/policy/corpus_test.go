package policy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/policy"
)

// The corpus in testdata/corpus/*.json is the conformance suite of the
// evaluator, in the spirit of cedar-go's corpus tests. Each file holds a
// list of cases; a case is a policy set and a list of requests, each with
// the expected effect, the kind of policy that denied it and the
// statements that matched:
//
//	{
//	  "name": "...",
//	  "identity": [<policy document>, ...],
//	  "boundary": <policy document>,
//	  "session": [<policy document>, ...],      // absent: no session policies
//	  "scps": [[<root level>...], [<OU>...], [<account>...]],
//	  "rcps": [[<root level>...], ...],          // the resource's account's RCPs
//	  "resource": [<resource-based policy>, ...],
//	  "trust": [<trust policy>, ...],           // parsed as Trust, evaluated as resource-based
//	  "rootUser": false,
//	  "evaluate": "" | "resource",              // "resource": the resource side alone (EvaluateResource)
//	  "defaults": <request fields shared by every request>,
//	  "requests": [{
//	    "name": "...", "action": "...", "resource": "...", "principal": "...",
//	    "principalService": "...", "principalFederated": "...",
//	    "context": {"key": "value" | ["v1", "v2"] | null}, "now": "RFC 3339",
//	    "effect": "Allow" | "ImplicitDeny" | "ExplicitDeny",
//	    "deniedBy": "" | "identity" | "scp" | "rcp" | "boundary" | "session" | "resource",
//	    "reasons": ["identity:Sid", "scp1:#0", "rcp0:#0", ...]   // kind[level]:Sid, or #index without Sid
//	  }]
//	}
//
// A request's context is merged over the defaults' context; null removes a
// key. Reasons are compared as a multiset.

type corpusCase struct {
	Name     string              `json:"name"`
	Identity []json.RawMessage   `json:"identity"`
	Boundary json.RawMessage     `json:"boundary"`
	Session  *[]json.RawMessage  `json:"session"`
	SCPs     [][]json.RawMessage `json:"scps"`
	RCPs     [][]json.RawMessage `json:"rcps"`
	Resource []json.RawMessage   `json:"resource"`
	Trust    []json.RawMessage   `json:"trust"`
	RootUser bool                `json:"rootUser"`
	Evaluate string              `json:"evaluate"`
	Defaults corpusRequest       `json:"defaults"`
	Requests []corpusRequest     `json:"requests"`
}

type corpusRequest struct {
	Name               string                     `json:"name"`
	Action             string                     `json:"action"`
	Resource           string                     `json:"resource"`
	Principal          string                     `json:"principal"`
	PrincipalService   string                     `json:"principalService"`
	PrincipalFederated string                     `json:"principalFederated"`
	Context            map[string]json.RawMessage `json:"context"`
	Now                string                     `json:"now"`
	Effect             string                     `json:"effect"`
	DeniedBy           *string                    `json:"deniedBy"`
	Reasons            *[]string                  `json:"reasons"`
}

var shortKind = map[policy.Kind]string{
	policy.NoKind:   "",
	policy.Identity: "identity",
	policy.Resource: "resource",
	policy.Trust:    "trust",
	policy.SCP:      "scp",
	policy.Boundary: "boundary",
	policy.Session:  "session",
	policy.RCP:      "rcp",
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	total := 0
	for _, file := range files {
		cases := loadCorpus(t, file)
		for _, c := range cases {
			total += len(c.Requests)
		}
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			t.Parallel()
			for _, c := range cases {
				t.Run(c.Name, func(t *testing.T) {
					set := mustPolicySet(t, c)
					for i, r := range c.Requests {
						name := r.Name
						if name == "" {
							name = fmt.Sprint(i)
						}
						t.Run(name, func(t *testing.T) {
							runCorpusRequest(t, c.Evaluate, set, c.Defaults, r)
						})
					}
				})
			}
		})
	}
	t.Logf("%d corpus requests in %d files", total, len(files))
}

func loadCorpus(t *testing.T, file string) []corpusCase {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var cases []corpusCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	names := map[string]bool{}
	for _, c := range cases {
		if c.Name == "" || names[c.Name] {
			t.Fatalf("%s: case name %q empty or repeated", file, c.Name)
		}
		names[c.Name] = true
		if len(c.Requests) == 0 {
			t.Fatalf("%s: case %q has no requests", file, c.Name)
		}
		if c.Evaluate != "" && c.Evaluate != "resource" {
			t.Fatalf("%s: case %q: evaluate %q, want \"\" or \"resource\"", file, c.Name, c.Evaluate)
		}
	}
	return cases
}

func mustParse(t *testing.T, doc json.RawMessage, kind policy.Kind, name string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse(doc, kind)
	if err != nil {
		t.Fatalf("parse %s policy %s: %v\n%s", shortKind[kind], name, err, doc)
	}
	p.Name = name
	return p
}

func mustPolicySet(t *testing.T, c corpusCase) policy.PolicySet {
	t.Helper()
	var set policy.PolicySet
	for i, d := range c.Identity {
		set.Identity = append(set.Identity, mustParse(t, d, policy.Identity, fmt.Sprintf("identity[%d]", i)))
	}
	if len(c.Boundary) > 0 && string(c.Boundary) != "null" {
		set.Boundary = mustParse(t, c.Boundary, policy.Boundary, "boundary")
	}
	if c.Session != nil {
		set.Session = []*policy.Policy{}
		for i, d := range *c.Session {
			set.Session = append(set.Session, mustParse(t, d, policy.Session, fmt.Sprintf("session[%d]", i)))
		}
	}
	if c.SCPs != nil {
		set.SCPs = [][]*policy.Policy{}
		for lvl, level := range c.SCPs {
			ps := []*policy.Policy{}
			for i, d := range level {
				ps = append(ps, mustParse(t, d, policy.SCP, fmt.Sprintf("scp[%d][%d]", lvl, i)))
			}
			set.SCPs = append(set.SCPs, ps)
		}
	}
	for lvl, level := range c.RCPs {
		ps := []*policy.Policy{}
		for i, d := range level {
			ps = append(ps, mustParse(t, d, policy.RCP, fmt.Sprintf("rcp[%d][%d]", lvl, i)))
		}
		set.RCPs = append(set.RCPs, ps)
	}
	for i, d := range c.Resource {
		set.Resource = append(set.Resource, mustParse(t, d, policy.Resource, fmt.Sprintf("resource[%d]", i)))
	}
	for i, d := range c.Trust {
		set.Resource = append(set.Resource, mustParse(t, d, policy.Trust, fmt.Sprintf("trust[%d]", i)))
	}
	set.RootUser = c.RootUser
	return set
}

func runCorpusRequest(t *testing.T, mode string, set policy.PolicySet, def, r corpusRequest) {
	req := policy.Request{
		Action:             or(r.Action, def.Action),
		Resource:           or(r.Resource, def.Resource),
		PrincipalARN:       or(r.Principal, def.Principal),
		PrincipalService:   or(r.PrincipalService, def.PrincipalService),
		PrincipalFederated: or(r.PrincipalFederated, def.PrincipalFederated),
		Context:            map[string][]string{},
	}
	for _, ctx := range []map[string]json.RawMessage{def.Context, r.Context} {
		for k, raw := range ctx {
			if string(raw) == "null" {
				delete(req.Context, k)
				continue
			}
			var one string
			if err := json.Unmarshal(raw, &one); err == nil {
				req.Context[k] = []string{one}
				continue
			}
			var many []string
			if err := json.Unmarshal(raw, &many); err != nil {
				t.Fatalf("context %s: want a string or a list of strings, got %s", k, raw)
			}
			req.Context[k] = many
		}
	}
	if now := or(r.Now, def.Now); now != "" {
		var err error
		if req.Now, err = time.Parse(time.RFC3339, now); err != nil {
			t.Fatalf("now: %v", err)
		}
	}
	if r.Effect == "" {
		t.Fatal("request has no expected effect")
	}

	var d policy.Decision
	implicitBy := "identity"
	if mode == "resource" {
		d = policy.EvaluateResource(req, set.Resource)
		implicitBy = "resource"
	} else {
		d = policy.Evaluate(req, set)
	}

	if got := d.Effect.String(); got != r.Effect {
		t.Errorf("effect: got %s, want %s (reasons %v)", got, r.Effect, formatReasons(d.Reasons))
	}
	wantDeniedBy := ""
	if r.DeniedBy != nil {
		wantDeniedBy = *r.DeniedBy
	} else if r.Effect == "ImplicitDeny" {
		wantDeniedBy = implicitBy
	}
	if r.Effect == "ExplicitDeny" && r.DeniedBy == nil {
		t.Fatal("an ExplicitDeny request must say deniedBy")
	}
	if got := shortKind[d.DeniedBy]; got != wantDeniedBy {
		t.Errorf("deniedBy: got %q, want %q", got, wantDeniedBy)
	}
	if r.Reasons != nil {
		got := formatReasons(d.Reasons)
		want := slices.Clone(*r.Reasons)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("reasons: got %q, want %q", got, want)
		}
	}
	if d.Allowed() != (d.Effect == policy.Allow) {
		t.Errorf("Allowed() = %v for effect %v", d.Allowed(), d.Effect)
	}
	if d.Effect == policy.Allow && d.DeniedBy != policy.NoKind {
		t.Errorf("allowed with DeniedBy %v", d.DeniedBy)
	}
}

func formatReasons(rs []policy.Reason) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		k := shortKind[r.Kind]
		if r.Kind == policy.SCP || r.Kind == policy.RCP {
			k += fmt.Sprint(r.Level)
		}
		id := r.Sid
		if id == "" {
			id = fmt.Sprintf("#%d", r.Statement)
		}
		out = append(out, k+":"+id)
	}
	return out
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestCorpusCoverage checks that the corpus exercises every condition
// operator, each set operator and IfExists, and the policy variables.
func TestCorpusCoverage(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.json"))
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	text := all.String()
	ops := []string{
		"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
		"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
		"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
		"Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
	}
	for _, op := range ops {
		if !strings.Contains(text, `"`+op+`"`) {
			t.Errorf("no corpus case uses %s", op)
		}
		if op != "Null" && !strings.Contains(text, op+`IfExists"`) {
			t.Errorf("no corpus case uses %sIfExists", op)
		}
	}
	for _, s := range []string{
		`"ForAnyValue:StringEquals"`, `"ForAllValues:StringEquals"`, `"ForAnyValue:StringNotEquals"`, `"ForAllValues:StringNotLike"`,
		`"NotAction"`, `"NotResource"`, `"NotPrincipal"`, "${aws:username}", "${aws:PrincipalAccount}", "${*}", "${?}", "${$}", ", 'company-wide'}",
		"AWSAccountManagementReadOnlyAccess", "AWSAccountManagementFullAccess",
		"account:AlternateContactTypes", "account:TargetRegion", "account:AccountResourceOrgPaths", "account:AccountResourceOrgTags/", "aws:PrincipalOrgID",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("no corpus case uses %s", s)
		}
	}
}
