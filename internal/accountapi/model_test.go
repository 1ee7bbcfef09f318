package accountapi_test

// Tests derived from the Account Management model: the operation table must
// list exactly the model's operations (plus the supplement's two), and every
// constraint of every input member (required, length, pattern, enum, range,
// JSON type) must be enforced exactly as the model states it. The expected
// ValidationException of each request is computed from the model by an
// independent oracle (expectStruct), not from the code under test.
//
// testdata/ holds copies of account-2021-02-01.service-2.json and
// account-2021-02-01.newer-ops-supplement.json.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/operation/operationtest"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/accountapi"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/sqlite"
)

// ---------------------------------------------------------------------------
// The model.

type shapeRef struct {
	Shape string `json:"shape"`
}

type shapeDef struct {
	Type      string              `json:"type"`
	Min       *int64              `json:"min"`
	Max       *int64              `json:"max"`
	Pattern   string              `json:"pattern"`
	Enum      []string            `json:"enum"`
	Required  []string            `json:"required"`
	Members   map[string]shapeRef `json:"members"`
	Member    *shapeRef           `json:"member"`
	Sensitive bool                `json:"sensitive"`
	Exception bool                `json:"exception"`
}

type operationDef struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input  *shapeRef  `json:"input"`
	Output *shapeRef  `json:"output"`
	Errors []shapeRef `json:"errors"`
}

type model struct {
	Operations      map[string]*operationDef       `json:"operations"`
	Shapes          map[string]*shapeDef           `json:"shapes"`
	MemberAdditions map[string]map[string]shapeRef `json:"memberAdditions"`
}

// loadModel reads the official model and merges the supplement into it the
// way the supplement's _comment says.
func loadModel(tb testing.TB) *model {
	tb.Helper()
	read := func(name string) *model {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			tb.Fatalf("read model: %v", err)
		}
		var m model
		if err := json.Unmarshal(b, &m); err != nil {
			tb.Fatalf("parse %s: %v", name, err)
		}
		return &m
	}
	m := read("account-2021-02-01.service-2.json")
	sup := read("account-2021-02-01.newer-ops-supplement.json")
	for n, op := range sup.Operations {
		if _, dup := m.Operations[n]; dup {
			tb.Fatalf("supplement redefines operation %s", n)
		}
		m.Operations[n] = op
	}
	for n, s := range sup.Shapes {
		if _, dup := m.Shapes[n]; dup {
			tb.Fatalf("supplement redefines shape %s", n)
		}
		m.Shapes[n] = s
	}
	for shape, members := range sup.MemberAdditions {
		s := m.Shapes[shape]
		if s == nil {
			tb.Fatalf("supplement adds members to unknown shape %s", shape)
		}
		for name, ref := range members {
			s.Members[name] = ref
		}
	}
	return m
}

func (m *model) shape(tb testing.TB, name string) *shapeDef {
	tb.Helper()
	s := m.Shapes[name]
	if s == nil {
		tb.Fatalf("model has no shape %s", name)
	}
	return s
}

func sortedOps(m *model) []string {
	names := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func sortedMembers(s *shapeDef) []string {
	names := make([]string, 0, len(s.Members))
	for n := range s.Members {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ---------------------------------------------------------------------------
// The system under test.

const defaultAccount = "000000000000"

var caller = identity.RootPrincipal(defaultAccount, "")

// newService returns an account service over a fresh in-memory store with
// the default account signed up, as the server's first start leaves it.
func newService(tb testing.TB) *account.Service {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:", sqlite.Options{})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	svc := account.NewService(db, account.Options{})
	if _, err := svc.EnsureSignUp(ctx, account.SignUp{ID: defaultAccount, Name: "default", Email: "root@example.com"}); err != nil {
		tb.Fatalf("sign up default account: %v", err)
	}
	return svc
}

func operationsByName(tb testing.TB, svc *account.Service) map[string]operation.Operation {
	tb.Helper()
	ops := map[string]operation.Operation{}
	for _, op := range accountapi.Service(svc, accountapi.Options{TokenKey: []byte("model-test-key")}).Operations {
		if _, dup := ops[op.Name]; dup {
			tb.Fatalf("operation %s listed twice", op.Name)
		}
		ops[op.Name] = op
	}
	return ops
}

// ---------------------------------------------------------------------------
// The operation table.

func TestOperationsMatchModel(t *testing.T) {
	m := loadModel(t)
	if got := len(m.Operations); got != 18 {
		t.Fatalf("merged model has %d operations, want 16+2", got)
	}
	ops := accountapi.Service(newService(t), accountapi.Options{}).Operations
	if len(ops) != len(m.Operations) {
		t.Errorf("Operations() has %d entries, model has %d", len(ops), len(m.Operations))
	}
	seenPath := map[string]string{}
	for _, op := range ops {
		def := m.Operations[op.Name]
		if def == nil {
			t.Errorf("operation %s is not in the model", op.Name)
			continue
		}
		if def.Name != op.Name {
			t.Errorf("%s: model name %q", op.Name, def.Name)
		}
		if op.Path != def.HTTP.RequestURI {
			t.Errorf("%s: Path = %q, model requestUri %q", op.Name, op.Path, def.HTTP.RequestURI)
		}
		if def.HTTP.Method != "POST" || def.HTTP.ResponseCode != 200 {
			t.Errorf("%s: model http %+v; the server only routes POST with 200", op.Name, def.HTTP)
		}
		if want := "account:" + op.Name; op.Action != want {
			t.Errorf("%s: Action = %q, want %q", op.Name, op.Action, want)
		}
		readOnly := strings.HasPrefix(op.Name, "Get") || strings.HasPrefix(op.Name, "List")
		if op.ReadOnly != readOnly {
			t.Errorf("%s: ReadOnly = %v, want %v", op.Name, op.ReadOnly, readOnly)
		}
		if op.Prepare == nil {
			t.Errorf("%s: nil Invoke", op.Name)
		}
		if other, dup := seenPath[op.Path]; dup {
			t.Errorf("%s and %s share path %s", op.Name, other, op.Path)
		}
		seenPath[op.Path] = op.Name
	}
	for name := range m.Operations {
		if _, ok := seenPath[m.Operations[name].HTTP.RequestURI]; !ok {
			t.Errorf("model operation %s (%s) is missing from Operations()", name, m.Operations[name].HTTP.RequestURI)
		}
	}
}

// ---------------------------------------------------------------------------
// The oracle: what AWS's validation reports for a request body, from the
// model alone.

func validationMessage(path string, null bool, constraint string) string {
	v := "Value"
	if null {
		v = "Value null"
	}
	return fmt.Sprintf("%s at '%s' failed to satisfy constraint: %s", v, path, constraint)
}

// emptyMeansAbsent reports whether "" in an optional member of shape counts
// as absent. This is the emulator's documented leniency for AccountId
// (Terraform sends "AccountId": ""), not a model rule.
func emptyMeansAbsent(shape string, required bool, v any) bool {
	return shape == "AccountId" && !required && v == ""
}

// expectStruct returns the constraint messages AWS reports for obj against
// structure s, members in name order (the order AWS uses is not asserted).
func expectStruct(tb testing.TB, m *model, s *shapeDef, obj map[string]any, prefix string) []string {
	var out []string
	for _, name := range sortedMembers(s) {
		ref := s.Members[name]
		path := prefix + name
		required := slices.Contains(s.Required, name)
		v, present := obj[name]
		if present && (v == nil || emptyMeansAbsent(ref.Shape, required, v)) {
			present = false
		}
		if !present {
			if required {
				out = append(out, validationMessage(path, true, "Member must not be null"))
			}
			continue
		}
		out = append(out, expectValue(tb, m, m.shape(tb, ref.Shape), v, path)...)
	}
	return out
}

func expectValue(tb testing.TB, m *model, s *shapeDef, v any, path string) []string {
	var out []string
	switch s.Type {
	case "string":
		str := v.(string)
		if len(s.Enum) > 0 {
			if !slices.Contains(s.Enum, str) {
				out = append(out, validationMessage(path, false, "Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]"))
			}
			return out
		}
		n := int64(utf8.RuneCountInString(str))
		if s.Min != nil && n < *s.Min {
			out = append(out, validationMessage(path, false, "Member must have length greater than or equal to "+strconv.FormatInt(*s.Min, 10)))
		}
		if s.Max != nil && n > *s.Max {
			out = append(out, validationMessage(path, false, "Member must have length less than or equal to "+strconv.FormatInt(*s.Max, 10)))
		}
		if s.Pattern != "" && !fullMatch(s.Pattern, str) {
			out = append(out, validationMessage(path, false, "Member must satisfy regular expression pattern: "+s.Pattern))
		}
	case "integer":
		n, err := v.(json.Number).Int64()
		if err != nil {
			tb.Fatalf("%s: oracle given non-integer %v", path, v)
		}
		if s.Min != nil && n < *s.Min {
			out = append(out, validationMessage(path, false, "Member must have value greater than or equal to "+strconv.FormatInt(*s.Min, 10)))
		}
		if s.Max != nil && n > *s.Max {
			out = append(out, validationMessage(path, false, "Member must have value less than or equal to "+strconv.FormatInt(*s.Max, 10)))
		}
	case "list":
		for i, e := range v.([]any) {
			out = append(out, expectValue(tb, m, m.shape(tb, s.Member.Shape), e, path+"."+strconv.Itoa(i+1))...)
		}
	case "structure":
		out = append(out, expectStruct(tb, m, s, v.(map[string]any), path+".")...)
	default:
		tb.Fatalf("%s: oracle does not know type %s", path, s.Type)
	}
	return out
}

// fullMatch applies a model pattern as a whole-string match (README §5: the
// botocore patterns are unanchored, validate them as full matches).
func fullMatch(pattern, s string) bool {
	return regexp.MustCompile(`^(?:` + pattern + `)$`).MatchString(s)
}

// ---------------------------------------------------------------------------
// Sample values.

// samples are valid values for shapes that a generic rule cannot produce
// (patterns, or values the domain needs). AccountId is only used where the
// model requires it; optional AccountIds stay absent (standalone mode).
var samples = map[string]any{
	"AccountId":                     defaultAccount,
	"AccountName":                   "x",
	"AlternateContactType":          "BILLING",
	"ContactInformationPhoneNumber": "+1 555 0100",
	"CountryCode":                   "US",
	"EmailAddress":                  "a@example.com",
	"Otp":                           "123456",
	"PhoneNumber":                   "+1 555 0100",
	"PrimaryEmailAddress":           "a@example.com",
	"RegionName":                    "af-south-1",
}

// sample returns a valid value of shape name: required members only.
func sample(tb testing.TB, m *model, name string) any {
	tb.Helper()
	if v, ok := samples[name]; ok {
		return v
	}
	s := m.shape(tb, name)
	switch s.Type {
	case "structure":
		obj := map[string]any{}
		for _, member := range s.Required {
			obj[member] = sample(tb, m, s.Members[member].Shape)
		}
		return obj
	case "string":
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		if s.Pattern != "" {
			tb.Fatalf("shape %s has pattern %q: add a sample", name, s.Pattern)
		}
		n := int64(1)
		if s.Min != nil && *s.Min > n {
			n = *s.Min
		}
		return strings.Repeat("x", int(n))
	case "integer":
		if s.Min != nil {
			return json.Number(strconv.FormatInt(*s.Min, 10))
		}
		return json.Number("1")
	case "list":
		return []any{}
	}
	tb.Fatalf("shape %s: no sample for type %s", name, s.Type)
	return nil
}

// secret returns n characters of "SECRETVALUE" repeated: distinctive, so a
// message that echoes it is caught.
func secret(n int) string {
	return strings.Repeat("SECRETVALUE", n/11+1)[:n]
}

// fill returns a value of exactly n characters that satisfies the pattern of
// s, or ok=false if the test does not know how to make one.
func fill(s *shapeDef, n int) (v string, ok bool) {
	switch s.Pattern {
	case "", `[ -;=?-~]+`:
		v = secret(n)
	case `[+][\s0-9()-]+`:
		if n < 2 {
			return "", false
		}
		v = "+" + strings.Repeat("5", n-1)
	case `[\s0-9()+-]+`:
		v = strings.Repeat("5", n)
	case `[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*`:
		if n < 5 {
			return "", false
		}
		v = secret(n-4) + "@b.c"
	default:
		return "", false
	}
	if utf8.RuneCountInString(v) != n || (s.Pattern != "" && !fullMatch(s.Pattern, v)) {
		return "", false
	}
	return v, true
}

// breakers are values of a valid length that do not match each model
// pattern. A pattern missing here fails the test.
var breakers = map[string][]string{
	`\d{12}`: {
		"SECRETVALUE1",  // 12 characters, not digits
		"1234567890123", // 13 digits: contains 12 digits, must be a whole-string match
		"12345678901",   // 11 digits
		" 123456789012", // leading space
		"123456789012\n",
		"١٢٣٤٥٦٧٨٩٠١٢", // 12 Arabic-Indic digits: \d is ASCII
	},
	`[ -;=?-~]+`:                             {"SECRET<VALUE>", "SECRET\tVALUE", "SECRETVALUÉ"},
	`[+][\s0-9()-]+`:                         {"15550100SECRET", "+SECRETVALUE", "5550100"},
	`[\s0-9()+-]+`:                           {"SECRETVALUE", "555-0100 x12"},
	`[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*`: {"SECRETVALUE", "SECRET@VALUE", "SECRET@VALUE.", "SE<CRET>@example.com"},
	`[a-zA-Z0-9]{6}`:                         {"SECRE!", "SECRETV", "SECRE", "12345 "},
}

// ---------------------------------------------------------------------------
// Cases.

type caseKind int

const (
	// oracleCase: the oracle decides (expected violations, or none).
	oracleCase caseKind = iota
	// violationCase: like oracleCase, and the oracle must find a violation.
	violationCase
	// serializationCase: the body has a member of the wrong JSON type.
	serializationCase
)

type testCase struct {
	name string
	kind caseKind
	// set replaces the member at path (delete: value absentValue).
	path  []string
	value any
}

type absent struct{}

var absentValue = absent{}

// memberCases derives the cases for one member from its shape.
func memberCases(tb testing.TB, m *model, path []string, shapeName string, required bool) []testCase {
	s := m.shape(tb, shapeName)
	p := strings.Join(path, ".")
	var cs []testCase
	add := func(kind caseKind, name string, v any) {
		cs = append(cs, testCase{name: p + "/" + name, kind: kind, path: path, value: v})
	}
	if required {
		add(violationCase, "missing", absentValue)
		add(violationCase, "null", nil)
	} else {
		add(oracleCase, "absent", absentValue)
		add(oracleCase, "null", nil)
	}
	switch s.Type {
	case "string":
		add(serializationCase, "number", json.Number("12345"))
		add(serializationCase, "bool", true)
		add(serializationCase, "object", map[string]any{"SECRETVALUE": "SECRETVALUE"})
		add(serializationCase, "list", []any{"SECRETVALUE"})
		if len(s.Enum) > 0 {
			add(violationCase, "enum-unknown", "SECRETVALUE")
			add(violationCase, "enum-lowercase", strings.ToLower(s.Enum[0]))
			add(violationCase, "enum-padded", " "+s.Enum[0])
			add(violationCase, "enum-empty", "")
			for _, e := range s.Enum {
				add(oracleCase, "enum-"+e, e)
			}
			break
		}
		add(oracleCase, "empty", "")
		if s.Min != nil && *s.Min > 0 {
			n := int(*s.Min) - 1
			v, ok := fill(s, n)
			if !ok {
				v = secret(n)
			}
			add(violationCase, "below-min", v)
			if v, ok := fill(s, int(*s.Min)); ok {
				add(oracleCase, "exactly-min", v)
			} else {
				// No value of that length matches the pattern: the oracle
				// then expects only the pattern violation, not a length one.
				add(oracleCase, "exactly-min-pattern-only", secret(int(*s.Min)))
			}
		}
		if s.Max != nil {
			n := int(*s.Max)
			if v, ok := fill(s, n+1); ok {
				add(violationCase, "above-max", v)
			} else {
				tb.Errorf("%s: cannot fill %d characters of pattern %q", p, n+1, s.Pattern)
			}
			if v, ok := fill(s, n); ok {
				add(oracleCase, "exactly-max", v)
			} else {
				tb.Errorf("%s: cannot fill %d characters of pattern %q", p, n, s.Pattern)
			}
			if s.Pattern == "" {
				// Length counts characters, not bytes.
				add(oracleCase, "exactly-max-multibyte", strings.Repeat("é", n))
				add(violationCase, "above-max-multibyte", strings.Repeat("é", n+1))
			}
		}
		if s.Pattern != "" {
			bs, ok := breakers[s.Pattern]
			if !ok {
				tb.Errorf("%s: pattern %q has no breakers", p, s.Pattern)
			}
			for i, b := range bs {
				add(violationCase, "pattern-"+strconv.Itoa(i+1), b)
			}
		}
	case "integer":
		add(serializationCase, "string", "1")
		add(serializationCase, "fraction", json.Number("1.5"))
		add(serializationCase, "bool", true)
		add(serializationCase, "overflow", json.Number("2147483648"))
		if s.Min != nil {
			add(violationCase, "below-min", json.Number(strconv.FormatInt(*s.Min-1, 10)))
			add(oracleCase, "exactly-min", json.Number(strconv.FormatInt(*s.Min, 10)))
			add(violationCase, "negative", json.Number("-1"))
		}
		if s.Max != nil {
			add(violationCase, "above-max", json.Number(strconv.FormatInt(*s.Max+1, 10)))
			add(oracleCase, "exactly-max", json.Number(strconv.FormatInt(*s.Max, 10)))
		}
	case "list":
		add(serializationCase, "string", "SECRETVALUE")
		add(serializationCase, "object", map[string]any{})
		add(oracleCase, "empty", []any{})
		add(serializationCase, "element-number", []any{json.Number("1")})
		es := m.shape(tb, s.Member.Shape)
		if len(es.Enum) > 0 {
			add(oracleCase, "all-values", toAny(es.Enum))
			add(violationCase, "element-1", []any{"SECRETVALUE"})
			add(violationCase, "element-2", []any{es.Enum[0], "SECRETVALUE"})
			add(violationCase, "elements-1-and-3", []any{"SECRETVALUE", es.Enum[0], "SECRETVALUE2"})
		}
	case "structure":
		add(serializationCase, "string", "SECRETVALUE")
		add(serializationCase, "list", []any{})
		add(serializationCase, "number", json.Number("1"))
		add(violationCase, "empty-object", map[string]any{})
		for _, name := range sortedMembers(s) {
			cs = append(cs, memberCases(tb, m, append(slices.Clone(path), name), s.Members[name].Shape, slices.Contains(s.Required, name))...)
		}
	default:
		tb.Errorf("%s: no cases for type %s", p, s.Type)
	}
	return cs
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// deepCopy copies a JSON value built of maps, slices and scalars.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(v))
		for k, e := range v {
			c[k] = deepCopy(e)
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = deepCopy(e)
		}
		return c
	}
	return v
}

// apply returns a copy of base with the case's value set at its path;
// missing intermediate objects are created from their samples.
func apply(tb testing.TB, m *model, inputShape string, base map[string]any, c testCase) map[string]any {
	body := deepCopy(base).(map[string]any)
	obj := body
	s := m.shape(tb, inputShape)
	for _, name := range c.path[:len(c.path)-1] {
		ref := s.Members[name]
		next, ok := obj[name].(map[string]any)
		if !ok {
			next = sample(tb, m, ref.Shape).(map[string]any)
			obj[name] = next
		}
		obj, s = next, m.shape(tb, ref.Shape)
	}
	last := c.path[len(c.path)-1]
	if _, ok := c.value.(absent); ok {
		delete(obj, last)
	} else {
		obj[last] = deepCopy(c.value)
	}
	return body
}

// stringsIn lists the string values in v (to check they are not echoed).
func stringsIn(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case map[string]any:
		var out []string
		for k, e := range v {
			out = append(out, k)
			out = append(out, stringsIn(e)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, stringsIn(e)...)
		}
		return out
	}
	return nil
}

// memberShape returns the shape of the member at path.
func memberShape(tb testing.TB, m *model, in *shapeDef, path []string) *shapeDef {
	s := in
	for _, name := range path {
		s = m.shape(tb, s.Members[name].Shape)
	}
	return s
}

// isEnumValue reports whether v is a value of some enum of the model.
func isEnumValue(m *model, v string) bool {
	for _, s := range m.Shapes {
		if slices.Contains(s.Enum, v) {
			return true
		}
	}
	return false
}

// isConstraintError reports whether err is a ValidationException about
// model constraints (rather than a domain ValidationException such as an
// unknown Region or a wrong one-time code).
func isConstraintError(err error) bool {
	e, ok := apierr.As(err)
	if !ok || e.Code != account.CodeValidation {
		return false
	}
	for _, f := range e.Fields {
		if strings.Contains(f.Message, "failed to satisfy constraint") {
			return true
		}
	}
	return strings.Contains(e.Message, "failed to satisfy constraint")
}

// modelErrorCodes are the codes an operation may return: the model's error
// list plus SerializationException for undecodable bodies.
func modelErrorCodes(def *operationDef) []string {
	codes := []string{"SerializationException"}
	for _, e := range def.Errors {
		codes = append(codes, e.Shape)
	}
	return codes
}

// ---------------------------------------------------------------------------
// The tests.

func TestMinimalValidInputFromModel(t *testing.T) {
	m := loadModel(t)
	for _, name := range sortedOps(m) {
		def := m.Operations[name]
		t.Run(name, func(t *testing.T) {
			ops := operationsByName(t, newService(t)) // fresh state per operation
			op, ok := ops[name]
			if !ok {
				t.Fatalf("no operation %s", name)
			}
			body, _ := json.Marshal(sample(t, m, def.Input.Shape))
			out, err := operationtest.InvokeJSON(context.Background(), op, caller, body)
			t.Logf("%s %s -> out=%s err=%v", name, body, out, err)
			if err == nil {
				if out != nil && !json.Valid(out) {
					t.Errorf("output is not JSON: %q", out)
				}
				return
			}
			e, ok := apierr.As(err)
			if !ok {
				t.Fatalf("error is not an *apierr.Error: %v", err)
			}
			if !slices.Contains(modelErrorCodes(def), e.Code) {
				t.Errorf("code %s is not among the model's errors %v", e.Code, modelErrorCodes(def))
			}
			// DisableRegion of a Region that is already DISABLED is the
			// domain's invalidRegionOptTarget, not a constraint failure.
			if e.Code == account.CodeValidation && e.Reason != account.ReasonInvalidRegionOptTarget {
				t.Errorf("minimal valid input %s gives %v (reason %q, fields %v)", body, err, e.Reason, e.Fields)
			}
		})
	}
}

func TestValidationDerivedFromModel(t *testing.T) {
	m := loadModel(t)
	ctx := context.Background()
	ops := operationsByName(t, newService(t))
	for _, name := range sortedOps(m) {
		def := m.Operations[name]
		op, ok := ops[name]
		if !ok {
			t.Errorf("no operation %s", name)
			continue
		}
		in := m.shape(t, def.Input.Shape)
		base := sample(t, m, def.Input.Shape).(map[string]any)
		if exp := expectStruct(t, m, in, base, ""); len(exp) != 0 {
			t.Fatalf("%s: sample input violates the model: %v", name, exp)
		}
		var cases []testCase
		for _, member := range sortedMembers(in) {
			cases = append(cases, memberCases(t, m, []string{member}, in.Members[member].Shape, slices.Contains(in.Required, member))...)
		}
		t.Run(name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					bodyObj := apply(t, m, def.Input.Shape, base, c)
					body, err := json.Marshal(bodyObj)
					if err != nil {
						t.Fatal(err)
					}
					_, err = operationtest.InvokeJSON(ctx, op, caller, body)
					checkCase(t, m, def, in, c, bodyObj, body, err)
				})
			}
		})
	}
}

func checkCase(t *testing.T, m *model, def *operationDef, in *shapeDef, c testCase, bodyObj map[string]any, body []byte, err error) {
	t.Helper()
	if err != nil {
		e, ok := apierr.As(err)
		if !ok {
			t.Fatalf("%s: error is not an *apierr.Error: %v", body, err)
		}
		if !slices.Contains(modelErrorCodes(def), e.Code) {
			t.Errorf("%s: code %s is not among the model's errors", body, e.Code)
		}
		// Sensitive values are never echoed, neither are the offending ones.
		text := e.Message
		for _, f := range e.Fields {
			text += "\n" + f.Name + "\n" + f.Message
		}
		// Domain errors about non-sensitive members (e.g. "<name> is not a
		// valid region name.") may name the value, as AWS's do.
		check := isConstraintError(err) || memberShape(t, m, in, c.path).Sensitive
		for _, s := range stringsIn(c.value) {
			if check && len(s) >= 5 && !isEnumValue(m, s) && strings.Contains(text, s) {
				t.Errorf("%s: error echoes the value %q: %s", body, s, text)
			}
		}
	}
	if c.kind == serializationCase {
		if !apierr.HasCode(err, "SerializationException") {
			t.Errorf("%s: got %v, want SerializationException", body, err)
		}
		return
	}
	want := expectStruct(t, m, in, bodyObj, "")
	if c.kind == violationCase && slices.Equal(c.path, []string{"AlternateContactType"}) && c.value != absentValue && c.value != nil {
		// AWS's authorizer refuses a type outside the enum (it is the
		// account:AlternateContactTypes condition key) before validation.
		if !apierr.HasCode(err, "AccessDeniedException") || !strings.HasSuffix(err.Error(), "(You specified an invalid Alternate Contact type.)") {
			t.Errorf("%s: got %v, want the authorizer's AccessDeniedException", body, err)
		}
		return
	}
	if c.kind == violationCase && len(want) == 0 {
		t.Fatalf("test bug: %s violates nothing according to the model", body)
	}
	if len(want) == 0 {
		if isConstraintError(err) {
			e, _ := apierr.As(err)
			t.Errorf("%s: the model accepts this input, got %s (fields %v)", body, e.Message, e.Fields)
		}
		if apierr.HasCode(err, "SerializationException") {
			t.Errorf("%s: got %v", body, err)
		}
		return
	}
	e, ok := apierr.As(err)
	if !ok || e.Code != account.CodeValidation {
		t.Fatalf("%s: got %v, want ValidationException %v", body, err, want)
	}
	if e.Reason != account.ReasonFieldValidationFailed {
		t.Errorf("%s: reason %q, want %q", body, e.Reason, account.ReasonFieldValidationFailed)
	}
	got := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		got[i] = f.Message
		if !strings.HasPrefix(f.Message, "Value") || !strings.Contains(f.Message, "failed to satisfy constraint") {
			t.Errorf("%s: field message %q", body, f.Message)
		}
		if !strings.Contains(f.Message, "at '"+f.Name+"'") {
			t.Errorf("%s: field %q has message %q about another member", body, f.Name, f.Message)
		}
	}
	sortedGot, sortedWant := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(sortedGot, sortedWant) {
		t.Errorf("%s:\n got fields  %q\n want fields %q", body, sortedGot, sortedWant)
	}
	// The member path must name the offending member.
	wantPath := strings.Join(c.path, ".")
	found := false
	for _, f := range e.Fields {
		if f.Name == wantPath || strings.HasPrefix(f.Name, wantPath+".") {
			found = true
		}
	}
	if !found {
		t.Errorf("%s: no field names %s: %v", body, wantPath, e.Fields)
	}
	noun := "error"
	if len(e.Fields) > 1 {
		noun = "errors"
	}
	prefix := fmt.Sprintf("%d validation %s detected: ", len(e.Fields), noun)
	if len(want) == 1 && !strings.HasPrefix(e.Message, "1 validation error detected: ") {
		t.Errorf("%s: message %q", body, e.Message)
	}
	if wantMsg := prefix + strings.Join(got, "; "); e.Message != wantMsg {
		t.Errorf("%s: message\n got  %q\n want %q", body, e.Message, wantMsg)
	}
}

// TestEveryConstraintIsExercised checks that the derivation reaches every
// constrained input member of the model with at least one violating case, so
// a model update that adds a constraint cannot go untested.
func TestEveryConstraintIsExercised(t *testing.T) {
	m := loadModel(t)
	for _, name := range sortedOps(m) {
		in := m.shape(t, m.Operations[name].Input.Shape)
		violated := map[string]bool{}
		for _, member := range sortedMembers(in) {
			for _, c := range memberCases(t, m, []string{member}, in.Members[member].Shape, slices.Contains(in.Required, member)) {
				if c.kind == violationCase {
					violated[strings.Join(c.path, ".")] = true
				}
			}
		}
		var walk func(s *shapeDef, path string)
		walk = func(s *shapeDef, path string) {
			for _, member := range sortedMembers(s) {
				p := path + member
				ms := m.shape(t, s.Members[member].Shape)
				constrained := slices.Contains(s.Required, member) || ms.Min != nil || ms.Max != nil || ms.Pattern != "" || len(ms.Enum) > 0
				if ms.Type == "list" {
					es := m.shape(t, ms.Member.Shape)
					constrained = constrained || es.Min != nil || es.Max != nil || es.Pattern != "" || len(es.Enum) > 0
				}
				if constrained && !violated[p] {
					t.Errorf("%s: constrained member %s has no violating case", name, p)
				}
				if ms.Type == "structure" {
					walk(ms, p+".")
				}
			}
		}
		walk(in, "")
		t.Logf("%s: %d members with violating cases", name, len(violated))
	}
}
