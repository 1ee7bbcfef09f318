package orgsapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/operation/operationtest"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/orgsapi"
	"github.com/accountplane/accountplane/internal/sqlite"
)

// ---------------------------------------------------------------------------
// The model (testdata/ holds a copy of organizations-2016-11-28.service-2.json).

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
	Exception bool                `json:"exception"`
	Error     *struct {
		SenderFault bool `json:"senderFault"`
	} `json:"error"`
	Fault bool `json:"fault"`
}

type operationDef struct {
	Name   string     `json:"name"`
	Input  *shapeRef  `json:"input"`
	Output *shapeRef  `json:"output"`
	Errors []shapeRef `json:"errors"`
}

type model struct {
	Metadata struct {
		Protocol     string `json:"protocol"`
		JSONVersion  string `json:"jsonVersion"`
		TargetPrefix string `json:"targetPrefix"`
	} `json:"metadata"`
	Operations map[string]*operationDef `json:"operations"`
	Shapes     map[string]*shapeDef     `json:"shapes"`
}

func loadModel(tb testing.TB) *model {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "organizations-2016-11-28.service-2.json"))
	if err != nil {
		tb.Fatalf("read model: %v", err)
	}
	var m model
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatalf("parse model: %v", err)
	}
	return &m
}

func (m *model) shape(tb testing.TB, name string) *shapeDef {
	tb.Helper()
	s := m.Shapes[name]
	if s == nil {
		tb.Fatalf("model has no shape %s", name)
	}
	return s
}

// exceptionCodes lists every exception shape of the model.
func (m *model) exceptionCodes() []string {
	var out []string
	for name, s := range m.Shapes {
		if s.Exception {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// ---------------------------------------------------------------------------
// The system under test: the real SQLite store in memory, the account and
// organizations services on one fixed clock.

const (
	mgmtID    = "111111111111"
	inviteeID = "222222222222"
	loneID    = "333333333333"
)

var (
	mgmt    = identity.RootPrincipal(mgmtID, "")
	invitee = identity.RootPrincipal(inviteeID, "")
	lone    = identity.RootPrincipal(loneID, "")
	// epoch is the clock: 2025-01-02T03:04:05.678Z.
	epoch     = time.Date(2025, 1, 2, 3, 4, 5, 678e6, time.UTC)
	epochWire = "1735787045.678"
)

type env struct {
	ops map[string]operation.Operation

	mu  sync.Mutex
	now time.Time
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// advance moves the clock of both services and the binding forward.
func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:", sqlite.Options{})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	e := &env{ops: map[string]operation.Operation{}, now: epoch}
	clock := e.clock
	acct := account.NewService(db, account.Options{Now: clock})
	for _, u := range []account.SignUp{
		{ID: mgmtID, Name: "Management", Email: "mgmt@example.com"},
		{ID: inviteeID, Name: "Invitee", Email: "invitee@example.com"},
		{ID: loneID, Name: "Lone", Email: "lone@example.com"},
	} {
		if _, err := acct.EnsureSignUp(ctx, u); err != nil {
			tb.Fatalf("sign up %s: %v", u.ID, err)
		}
	}
	svc := organizations.NewService(db.Organizations(), organizations.Options{Now: clock})
	for _, op := range orgsapi.Service(svc, orgsapi.Options{TokenKey: []byte("orgsapi-test-key"), Now: clock}).Operations {
		if _, dup := e.ops[op.Name]; dup {
			tb.Fatalf("operation %s listed twice", op.Name)
		}
		e.ops[op.Name] = op
	}
	return e
}

// call invokes op with body (a JSON string or a value to marshal) and
// returns the output decoded with json.Number, or the error.
func (e *env) call(tb testing.TB, caller identity.Principal, op string, body any) (map[string]any, error) {
	tb.Helper()
	o, ok := e.ops[op]
	if !ok {
		tb.Fatalf("no operation %s", op)
	}
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case nil:
		raw = []byte("{}")
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			tb.Fatalf("marshal %s body: %v", op, err)
		}
	}
	out, err := operationtest.InvokeJSON(context.Background(), o, caller, raw)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if out == nil {
		return m, nil
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		tb.Fatalf("%s: output is not a JSON object: %v: %s", op, err, out)
	}
	return m, nil
}

// must is call that fails the test on error.
func (e *env) must(tb testing.TB, caller identity.Principal, op string, body any) map[string]any {
	tb.Helper()
	out, err := e.call(tb, caller, op, body)
	if err != nil {
		tb.Fatalf("%s: %v", op, err)
	}
	return out
}

// apiErr asserts err is an *apierr.Error with code and returns it.
func apiErr(tb testing.TB, err error, code string) *apierr.Error {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got success, want %s", code)
	}
	e, ok := apierr.As(err)
	if !ok {
		tb.Fatalf("got %v (%T), want *apierr.Error %s", err, err, code)
	}
	if e.Code != code {
		tb.Fatalf("got %s (%s, reason %q), want %s", e.Code, e.Message, e.Reason, code)
	}
	return e
}

// ---------------------------------------------------------------------------
// The operation table against the model.

func TestOperationsMatchModel(t *testing.T) {
	m := loadModel(t)
	if m.Metadata.Protocol != "json" || m.Metadata.JSONVersion != "1.1" || m.Metadata.TargetPrefix+"." != orgsapi.TargetPrefix {
		t.Fatalf("model metadata %+v does not match TargetPrefix %q", m.Metadata, orgsapi.TargetPrefix)
	}
	if got := len(m.Operations); got != 63 {
		t.Fatalf("model has %d operations, want 63", got)
	}
	e := newEnv(t)
	if got := len(e.ops); got != 63 {
		t.Errorf("Operations() has %d entries, want all 63", got)
	}
	for name, op := range e.ops {
		if m.Operations[name] == nil {
			t.Errorf("operation %s is not in the model", name)
		}
		if want := "organizations:" + name; op.Action != want {
			t.Errorf("%s: Action = %q, want %q", name, op.Action, want)
		}
		readOnly := strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "List")
		if op.ReadOnly != readOnly {
			t.Errorf("%s: ReadOnly = %v, want %v", name, op.ReadOnly, readOnly)
		}
		if op.Prepare == nil {
			t.Errorf("%s: nil Invoke", name)
		}
	}
	for name := range m.Operations {
		if _, ok := e.ops[name]; !ok {
			t.Errorf("model operation %s is not implemented", name)
		}
	}
}

func TestStatusOf(t *testing.T) {
	m := loadModel(t)
	for _, code := range m.exceptionCodes() {
		s := m.Shapes[code]
		want := http.StatusBadRequest
		if s.Fault {
			want = http.StatusInternalServerError
		}
		if got := orgsapi.StatusOf(code); got != want {
			t.Errorf("StatusOf(%s) = %d, want %d", code, got, want)
		}
	}
	if got := orgsapi.StatusOf("SerializationException"); got != http.StatusBadRequest {
		t.Errorf("StatusOf(SerializationException) = %d, want 400", got)
	}
}

// The domain's exception codes must be the model's shape names.
func TestDomainCodesAreModelled(t *testing.T) {
	m := loadModel(t)
	codes := m.exceptionCodes()
	for _, c := range []string{
		organizations.CodeAWSOrganizationsNotInUse, organizations.CodeAccessDenied, organizations.CodeAccountAlreadyClosed,
		organizations.CodeAccountAlreadyRegistered, organizations.CodeAccountNotFound, organizations.CodeAccountNotRegistered,
		organizations.CodeAlreadyInOrganization, organizations.CodeChildNotFound, organizations.CodeConflict,
		organizations.CodeConstraintViolation, organizations.CodeCreateAccountStatusNotFound,
		organizations.CodeDestinationParentNotFound, organizations.CodeDuplicateAccount, organizations.CodeDuplicateHandshake,
		organizations.CodeDuplicateOrganizationalUnit, organizations.CodeDuplicatePolicy, organizations.CodeDuplicatePolicyAttachment,
		organizations.CodeHandshakeAlreadyInState, organizations.CodeHandshakeConstraintViolation, organizations.CodeHandshakeNotFound,
		organizations.CodeInvalidHandshakeTransition, organizations.CodeInvalidInput, organizations.CodeMalformedPolicyDocument,
		organizations.CodeMasterCannotLeaveOrganization, organizations.CodeOrganizationNotEmpty,
		organizations.CodeOrganizationalUnitNotEmpty, organizations.CodeOrganizationalUnitNotFound, organizations.CodeParentNotFound,
		organizations.CodePolicyInUse, organizations.CodePolicyNotAttached, organizations.CodePolicyNotFound,
		organizations.CodePolicyTypeAlreadyEnabled, organizations.CodePolicyTypeNotEnabled, organizations.CodeRootNotFound,
		organizations.CodeService, organizations.CodeSourceParentNotFound, organizations.CodeTargetNotFound,
		organizations.CodeTooManyRequests, organizations.CodeUnsupportedAPIEndpoint,
	} {
		if !slices.Contains(codes, c) {
			t.Errorf("domain code %s is not a model exception", c)
		}
	}
	reasons := m.shape(t, "InvalidInputExceptionReason").Enum
	for _, r := range []string{
		organizations.InputReasonInputRequired, organizations.InputReasonMinLengthExceeded, organizations.InputReasonMaxLengthExceeded,
		organizations.InputReasonMinValueExceeded, organizations.InputReasonMaxValueExceeded, organizations.InputReasonInvalidPattern,
		organizations.InputReasonInvalidPatternTargetID, organizations.InputReasonInvalidSyntaxPolicyID, organizations.InputReasonInvalidEnum,
		organizations.InputReasonInvalidEnumPolicyType, organizations.InputReasonInvalidListMember, organizations.InputReasonInvalidRoleName,
		organizations.InputReasonMaxLimitExceededFilter, organizations.InputReasonInvalidEmailTarget, organizations.InputReasonInvalidNextToken,
	} {
		if !slices.Contains(reasons, r) {
			t.Errorf("reason %s is not in the model's InvalidInputExceptionReason", r)
		}
	}
}
