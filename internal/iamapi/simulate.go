package iamapi

import (
	"context"
	"strconv"
	"strings"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
)

type wPosition struct {
	Line   int `xml:"Line"`
	Column int `xml:"Column"`
}

type wStatement struct {
	SourcePolicyID   string     `xml:"SourcePolicyId"`
	SourcePolicyType string     `xml:"SourcePolicyType"`
	StartPosition    *wPosition `xml:"StartPosition,omitempty"`
	EndPosition      *wPosition `xml:"EndPosition,omitempty"`
}

type wOrgDetail struct {
	AllowedByOrganizations bool `xml:"AllowedByOrganizations"`
}

type wBoundaryDetail struct {
	AllowedByPermissionsBoundary bool `xml:"AllowedByPermissionsBoundary"`
}

type wEvaluationResult struct {
	EvalActionName                    string              `xml:"EvalActionName"`
	EvalResourceName                  string              `xml:"EvalResourceName"`
	EvalDecision                      string              `xml:"EvalDecision"`
	MatchedStatements                 members[wStatement] `xml:"MatchedStatements"`
	MissingContextValues              members[string]     `xml:"MissingContextValues"`
	OrganizationsDecisionDetail       *wOrgDetail         `xml:"OrganizationsDecisionDetail,omitempty"`
	PermissionsBoundaryDecisionDetail *wBoundaryDetail    `xml:"PermissionsBoundaryDecisionDetail,omitempty"`
}

type simulateResult struct {
	EvaluationResults members[wEvaluationResult] `xml:"EvaluationResults"`
	IsTruncated       bool                       `xml:"IsTruncated"`
	Marker            string                     `xml:"Marker,omitempty"`
}

// simulationInput reads the members both simulation operations share.
func (c *call) simulationInput(in *iam.SimulateInput, policiesRequired bool) {
	in.Policies = c.in.list("PolicyInputList", shPolicyDocument, 0, policiesRequired)
	in.Boundaries = c.in.list("PermissionsBoundaryPolicyInputList", shPolicyDocument, 0, false)
	in.Actions = c.in.list("ActionNames", shActionName, 0, true)
	in.Resources = c.in.list("ResourceArns", shResourceName, 0, false)
	in.ResourcePolicy = c.in.str("ResourcePolicy", shPolicyDocument, false)
	c.in.str("ResourceOwner", shResourceName, false)
	in.CallerARN = c.in.str("CallerArn", shResourceName, false)
	for _, n := range c.in.indexes("ContextEntries") {
		base := "ContextEntries.member." + strconv.Itoa(n)
		key := c.in.str(base+".ContextKeyName", shContextKeyName, false)
		vals := c.in.list(base+".ContextKeyValues", shAny, 0, false)
		c.in.str(base+".ContextKeyType", shContextKeyType, false)
		if key != "" {
			if in.Context == nil {
				in.Context = map[string][]string{}
			}
			in.Context[key] = append(in.Context[key], vals...)
		}
	}
	c.in.str("ResourceHandlingOption", pat(1, 64, ``, ``), false)
}

func (a *api) simulatePrincipalPolicy(ctx context.Context, c *call) (any, error) {
	var in iam.SimulateInput
	in.SourceARN = c.in.str("PolicySourceArn", shARN, true)
	c.simulationInput(&in, false)
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	if a.scps != nil {
		levels, mgmt, ok, err := a.scps.SCPs(ctx, c.acct)
		if err != nil {
			return nil, err
		}
		if ok {
			in.SCPsApply = true
			if !mgmt {
				in.SCPs = levels
			}
		}
	}
	return a.simulate(ctx, c, "SimulatePrincipalPolicy", in, marker, maxItems)
}

func (a *api) simulateCustomPolicy(ctx context.Context, c *call) (any, error) {
	var in iam.SimulateInput
	c.simulationInput(&in, true)
	for _, n := range c.in.indexes("OrderedOrganizationPolicyInputList") {
		base := "OrderedOrganizationPolicyInputList.member." + strconv.Itoa(n)
		level := c.in.list(base+".ServiceControlPolicyInputList", shPolicyDocument, 0, false)
		in.SCPs = append(in.SCPs, level)
		in.SCPsApply = true
	}
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return a.simulate(ctx, c, "SimulateCustomPolicy", in, marker, maxItems)
}

// simulate evaluates the page of in's (action, resource) pairs the Marker
// points at: at most MaxItems, fewer when the simulation's policies are
// large (IAM too "might return fewer than the MaxItems number of results
// even when there are more results available"); see iam.Simulate.
func (a *api) simulate(ctx context.Context, c *call, op string, in iam.SimulateInput, marker string, maxItems int) (any, error) {
	scope := op + "|" + string(c.acct) + "|" + strings.Join(append(append([]string{in.SourceARN, in.CallerARN}, in.Actions...), in.Resources...), "|")
	if marker != "" {
		off, ok := a.tokens.Open(scope, marker)
		if !ok || off < 0 || off > len(in.Actions)*max(1, len(in.Resources)) {
			return nil, apierr.New(iam.CodeValidation, "Invalid Marker.")
		}
		in.First = off
	}
	in.MaxResults = maxItems
	res, err := a.svc.Simulate(ctx, c.acct, in)
	if err != nil {
		return nil, err
	}
	pg := res.Results
	var next string
	if res.Next < res.Pairs {
		next = a.tokens.Mint(scope, res.Next)
	}
	more := next != ""
	out := make([]wEvaluationResult, len(pg))
	for i, r := range pg {
		w := wEvaluationResult{EvalActionName: r.Action, EvalResourceName: r.Resource, EvalDecision: r.Decision}
		sts := make([]wStatement, 0, len(r.Matched))
		for _, m := range r.Matched {
			st := wStatement{SourcePolicyID: m.Source.ID, SourcePolicyType: m.Source.Type}
			if start, end, ok := statementSpan(m.Source.Document, m.Statement); ok {
				st.StartPosition, st.EndPosition = &start, &end
			}
			sts = append(sts, st)
		}
		w.MatchedStatements = list(sts)
		if r.AllowedByOrganizations != nil {
			w.OrganizationsDecisionDetail = &wOrgDetail{AllowedByOrganizations: *r.AllowedByOrganizations}
		}
		if r.AllowedByBoundary != nil {
			w.PermissionsBoundaryDecisionDetail = &wBoundaryDetail{AllowedByPermissionsBoundary: *r.AllowedByBoundary}
		}
		out[i] = w
	}
	return simulateResult{EvaluationResults: list(out), IsTruncated: more, Marker: next}, nil
}

// statementSpan finds statement i of a policy document (the i-th element
// of a Statement list, or the Statement object itself) and returns the
// positions of its opening and closing braces, 1-based, with the end
// column just past the closing brace.
func statementSpan(doc string, i int) (start, end wPosition, ok bool) {
	depth, line, col := 0, 1, 0
	inString, escaped := false, false
	var key string
	var keyStart int
	stmtDepth := -1 // depth of the Statement value's container, once found
	index := -1
	for p := 0; p < len(doc); p++ {
		ch := doc[p]
		col++
		if ch == '\n' {
			line, col = line+1, 0
			continue
		}
		if inString {
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
				key = doc[keyStart:p]
			}
			continue
		}
		switch ch {
		case '"':
			inString, keyStart = true, p+1
		case ':':
			if depth == 1 && key == "Statement" && stmtDepth < 0 {
				stmtDepth = 1
			}
		case '[':
			depth++
			if stmtDepth == 1 && depth == 2 {
				stmtDepth = 2
			}
		case '{':
			depth++
			if (stmtDepth == 1 && depth == 2) || (stmtDepth == 2 && depth == 3) {
				index++
				if stmtDepth == 1 {
					stmtDepth = 0 // a single statement: no list follows
				}
				if index == i {
					start = wPosition{Line: line, Column: col}
				}
			}
		case '}':
			if index == i && (depth == 2 || (depth == 3 && stmtDepth == 2)) && start.Line > 0 {
				return start, wPosition{Line: line, Column: col + 1}, true
			}
			depth--
		case ']':
			depth--
			if stmtDepth == 2 && depth == 1 {
				return wPosition{}, wPosition{}, false
			}
		}
	}
	return wPosition{}, wPosition{}, false
}
