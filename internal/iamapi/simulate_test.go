package iamapi_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/iam"
)

// simulateForm is SimulateCustomPolicy with policy, actions x resources.
func simulateForm(policy string, actions, resources int, extra string) string {
	var b strings.Builder
	b.WriteString("Action=SimulateCustomPolicy&PolicyInputList.member.1=" + q(policy))
	for i := range actions {
		fmt.Fprintf(&b, "&ActionNames.member.%d=s3:GetObject%d", i+1, i)
	}
	for i := range resources {
		fmt.Fprintf(&b, "&ResourceArns.member.%d=%s", i+1, q(fmt.Sprintf("arn:aws:s3:::bucket-%d/path/to/key-9", i)))
	}
	return b.String() + extra
}

var (
	reMarker  = regexp.MustCompile(`<Marker>([^<]+)</Marker>`)
	reResults = regexp.MustCompile(`<EvalActionName>`)
)

// TestSimulateIsPaged: the request that used to hold a core for most of a
// minute (1,000 actions x 1,000 resources, 500 wildcard patterns) answers
// one page at a time; the markers go on where the page ended.
func TestSimulateIsPaged(t *testing.T) {
	h := newHarness(t, nil)
	var pats []string
	for i := range 500 {
		pats = append(pats, fmt.Sprintf(`"arn:aws:s3:::bucket-%d*/*/key*9"`, i))
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*"],"Resource":[` + strings.Join(pats, ",") + `]}]}`
	form := simulateForm(policy, 1000, 1000, "")

	out := h.ok(form)
	if n := len(reResults.FindAllString(out, -1)); n != 100 || !strings.Contains(out, "<IsTruncated>true</IsTruncated>") {
		t.Fatalf("default page: %d results, truncated %v; want 100 and true", n, strings.Contains(out, "<IsTruncated>true"))
	}
	m := reMarker.FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no Marker on a truncated page")
	}
	out = h.ok(form + "&MaxItems=1000&Marker=" + q(m[1]))
	if n := len(reResults.FindAllString(out, -1)); n != 1000 || !strings.Contains(out, "<IsTruncated>true</IsTruncated>") {
		t.Fatalf("second page: %d results; want 1000, truncated", n)
	}
	// The second page starts at pair 100: action 0, resource 100.
	if !strings.HasPrefix(out[strings.Index(out, "<member>"):], "<member><EvalActionName>s3:GetObject0</EvalActionName><EvalResourceName>arn:aws:s3:::bucket-100/path/to/key-9</EvalResourceName><EvalDecision>allowed</EvalDecision>") {
		t.Errorf("second page starts %.300s", out[strings.Index(out, "<member>"):])
	}

	// The last page.
	small := simulateForm(policy, 3, 5, "&MaxItems=10")
	out = h.ok(small)
	m = reMarker.FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no Marker after 10 of 15 pairs")
	}
	out = h.ok(small + "&Marker=" + q(m[1]))
	if n := len(reResults.FindAllString(out, -1)); n != 5 || !strings.Contains(out, "<IsTruncated>false</IsTruncated>") || reMarker.MatchString(out) {
		t.Errorf("last page: %d results, want 5, not truncated, no marker: %.200s", n, out)
	}
	// A marker belongs to its request.
	h.fails(simulateForm(policy, 3, 4, "&Marker="+q(m[1])), iam.CodeValidation, 400)
}

// TestSimulateTooLarge: a simulation whose one pair would exceed the work
// bound is refused with InvalidInput.
func TestSimulateTooLarge(t *testing.T) {
	h := newHarness(t, nil)
	values := `"a*"` + strings.Repeat(`,"a*"`, 9999)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalTag/team":[` + values + `]}}}]}`
	var ctx strings.Builder
	ctx.WriteString("&ContextEntries.member.1.ContextKeyName=aws:PrincipalTag/team&ContextEntries.member.1.ContextKeyType=stringList")
	for i := range 1000 {
		fmt.Fprintf(&ctx, "&ContextEntries.member.1.ContextKeyValues.member.%d=x%d", i+1, i)
	}
	msg := h.fails(simulateForm(policy, 1, 1, ctx.String()), iam.CodeInvalidInput, 400)
	if !strings.Contains(msg, "too large") {
		t.Errorf("message %q", msg)
	}
}
