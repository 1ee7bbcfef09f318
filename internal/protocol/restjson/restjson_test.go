package restjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/protocol/restjson"
)

// input mimics an Account input wire struct: pointer members named as in
// the model, a list and a nested structure.
type input struct {
	AccountId               *string
	MaxResults              *int32
	RegionOptStatusContains []string
	ContactInformation      *struct {
		PhoneNumber *string `json:"PhoneNumber,omitempty"`
	}
}

func serialization(t *testing.T, err error, wantMsg string) {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok {
		t.Fatalf("got %v, want SerializationException", err)
	}
	if e.Code != "SerializationException" {
		t.Errorf("code %q, want SerializationException", e.Code)
	}
	if e.Fault != apierr.Client {
		t.Errorf("fault %v, want client", e.Fault)
	}
	if e.Reason != "" || e.Fields != nil {
		t.Errorf("reason %q fields %v, want none", e.Reason, e.Fields)
	}
	if wantMsg != "" && e.Message != wantMsg {
		t.Errorf("message %q, want %q", e.Message, wantMsg)
	}
}

func TestCodeSerializationIsTheWireName(t *testing.T) {
	if restjson.CodeSerialization != "SerializationException" {
		t.Errorf("CodeSerialization = %q", restjson.CodeSerialization)
	}
}

func TestDecodeAccepts(t *testing.T) {
	for _, body := range []string{``, ` `, "\n\t\r ", `{}`, ` {} `, "\n{}\n", `{"Unknown":1}`, `{"Unknown":{"a":[1,2,{"b":null}]}}`} {
		var in input
		if err := restjson.Decode([]byte(body), &in); err != nil {
			t.Errorf("Decode(%q) = %v, want nil", body, err)
		}
		if in.AccountId != nil || in.MaxResults != nil || in.RegionOptStatusContains != nil || in.ContactInformation != nil {
			t.Errorf("Decode(%q) set members: %+v", body, in)
		}
	}
}

func TestDecodeMembers(t *testing.T) {
	var in input
	body := `{"AccountId":"123456789012","MaxResults":7,"RegionOptStatusContains":["ENABLED"],"ContactInformation":{"PhoneNumber":"+1"},"Other":"ignored"}`
	if err := restjson.Decode([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	if in.AccountId == nil || *in.AccountId != "123456789012" || in.MaxResults == nil || *in.MaxResults != 7 ||
		len(in.RegionOptStatusContains) != 1 || in.ContactInformation == nil || *in.ContactInformation.PhoneNumber != "+1" {
		t.Errorf("decoded %+v", in)
	}
}

func TestDecodeNullIsAbsent(t *testing.T) {
	var in input
	if err := restjson.Decode([]byte(`{"AccountId":null,"ContactInformation":null,"MaxResults":null}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.AccountId != nil || in.ContactInformation != nil || in.MaxResults != nil {
		t.Errorf("null members set: %+v", in)
	}
}

// Smithy member names are case-sensitive: a differently cased key is an
// unknown member, which AWS ignores.
func TestDecodeMemberNamesAreCaseSensitive(t *testing.T) {
	var in input
	if err := restjson.Decode([]byte(`{"accountid":"SECRET"}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.AccountId != nil {
		t.Errorf(`{"accountid":"SECRET"} was decoded into AccountId = %q; want it ignored as an unknown member (Smithy member names are case-sensitive)`, *in.AccountId)
	}
	var in2 input
	if err := restjson.Decode([]byte(`{"maxResults":"not a number"}`), &in2); err != nil {
		t.Errorf(`{"maxResults":"not a number"} = %v; want it ignored as an unknown member`, err)
	}
}

func TestDecodeNotAnObject(t *testing.T) {
	for _, body := range []string{`[]`, `[{}]`, `1`, `-1`, `"s"`, `true`, `false`, `null`, ` null `, "\xef\xbb\xbf{}"} {
		var in input
		err := restjson.Decode([]byte(body), &in)
		serialization(t, err, "Request body must be a JSON object.")
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, body := range []string{`{`, `{"AccountId":}`, `{"AccountId":"x"`, `{} x`, `{}{}`, `{}]`, `{"a":1,}`, `{'a':1}`, `{"a":01}`, `{"a":NaN}`} {
		var in input
		serialization(t, restjson.Decode([]byte(body), &in), "Request body is not valid JSON.")
	}
}

func TestDecodeBadUTF8(t *testing.T) {
	for _, body := range []string{"{\"AccountId\":\"\xff\"}", "{\"\xc3\":1}", "\xff", "{\"AccountId\":\"a\xed\xa0\x80\"}"} {
		var in input
		serialization(t, restjson.Decode([]byte(body), &in), "Request body is not valid UTF-8.")
	}
}

func TestDecodeWrongTypes(t *testing.T) {
	cases := []struct{ body, msg string }{
		{`{"AccountId":1}`, "Unexpected value type for member 'AccountId': expected a string."},
		{`{"AccountId":true}`, "Unexpected value type for member 'AccountId': expected a string."},
		{`{"AccountId":{}}`, "Unexpected value type for member 'AccountId': expected a string."},
		{`{"AccountId":[]}`, "Unexpected value type for member 'AccountId': expected a string."},
		{`{"MaxResults":"1"}`, "Unexpected value type for member 'MaxResults': expected a number."},
		{`{"MaxResults":1.5}`, "Unexpected value type for member 'MaxResults': expected a number."},
		{`{"MaxResults":2147483648}`, "Unexpected value type for member 'MaxResults': expected a number."},
		{`{"RegionOptStatusContains":"ENABLED"}`, "Unexpected value type for member 'RegionOptStatusContains': expected a list."},
		{`{"ContactInformation":"x"}`, "Unexpected value type for member 'ContactInformation': expected an object."},
		{`{"ContactInformation":[]}`, "Unexpected value type for member 'ContactInformation': expected an object."},
		{`{"ContactInformation":{"PhoneNumber":5}}`, "Unexpected value type for member 'ContactInformation.PhoneNumber': expected a string."},
		{`{"RegionOptStatusContains":[1]}`, ""},
	}
	for _, c := range cases {
		var in input
		err := restjson.Decode([]byte(c.body), &in)
		serialization(t, err, c.msg)
		if e, ok := apierr.As(err); ok {
			if !strings.HasPrefix(e.Message, "Unexpected value type for member '") {
				t.Errorf("%s: message %q", c.body, e.Message)
			}
			if strings.Contains(e.Message, "SECRET") {
				t.Errorf("%s: message echoes the value", c.body)
			}
		}
	}
}

// header returns the value of header name looked up case-insensitively
// (the server may store AWS's spelling, e.g. x-amzn-ErrorType, verbatim).
func header(h http.Header, name string) (string, int) {
	var vals []string
	for k, v := range h {
		if strings.EqualFold(k, name) {
			vals = append(vals, v...)
		}
	}
	if len(vals) == 0 {
		return "", 0
	}
	return vals[0], len(vals)
}

func TestWriteError(t *testing.T) {
	cases := []struct {
		name   string
		status int
		err    *apierr.Error
		body   string
	}{
		{
			name: "validation", status: 400,
			err: &apierr.Error{Code: "ValidationException", Message: "1 validation error detected: Value at 'AccountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}",
				Reason: "fieldValidationFailed", Fields: []apierr.Field{{Name: "AccountId", Message: "Value at 'AccountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}"}},
				Fault: apierr.Client, Err: errors.New("internal detail")},
			body: `{"__type":"ValidationException","message":"1 validation error detected: Value at 'AccountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}","reason":"fieldValidationFailed","fieldList":[{"name":"AccountId","message":"Value at 'AccountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}"}]}`,
		},
		{
			name: "reason without fields", status: 400,
			err:  &apierr.Error{Code: "ValidationException", Message: "Unable to switch region status because of its current opt-in status.", Reason: "invalidRegionOptTarget", Fault: apierr.Client},
			body: `{"__type":"ValidationException","message":"Unable to switch region status because of its current opt-in status.","reason":"invalidRegionOptTarget"}`,
		},
		{
			name: "access denied", status: 403,
			err:  apierr.New("AccessDeniedException", "User: arn:aws:iam::000000000000:root is not authorized to perform: account:GetPrimaryEmail"),
			body: `{"__type":"AccessDeniedException","message":"User: arn:aws:iam::000000000000:root is not authorized to perform: account:GetPrimaryEmail"}`,
		},
		{
			name: "empty message is still sent", status: 404,
			err:  apierr.New("ResourceNotFoundException", ""),
			body: `{"__type":"ResourceNotFoundException","message":""}`,
		},
		{
			name: "internal", status: 500,
			err:  &apierr.Error{Code: "InternalServerException", Message: "An internal error occurred.", Fault: apierr.Server, Err: errors.New("disk on fire")},
			body: `{"__type":"InternalServerException","message":"An internal error occurred."}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			restjson.WriteError(rec, c.status, c.err)
			if rec.Code != c.status {
				t.Errorf("status %d, want %d", rec.Code, c.status)
			}
			if ct, n := header(rec.Header(), "Content-Type"); ct != "application/json" || n != 1 {
				t.Errorf("Content-Type %q (%d values), want application/json", ct, n)
			}
			if et, n := header(rec.Header(), "X-Amzn-ErrorType"); et != c.err.Code || n != 1 {
				t.Errorf("X-Amzn-ErrorType %q (%d values), want %q once", et, n, c.err.Code)
			}
			if got := rec.Body.String(); got != c.body {
				t.Errorf("body\n got  %s\n want %s", got, c.body)
			}
			if strings.Contains(rec.Body.String(), "internal detail") || strings.Contains(rec.Body.String(), "disk on fire") {
				t.Error("body leaks Err")
			}
		})
	}
}

// Messages with characters JSON encoders may escape must survive a decode.
func TestWriteErrorSpecialCharacters(t *testing.T) {
	msg := "a <b> & \"c\" \\ \u2028 é \x01"
	rec := httptest.NewRecorder()
	restjson.WriteError(rec, 400, apierr.New("ValidationException", msg))
	var got struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("body %q: %v", rec.Body.Bytes(), err)
	}
	if got.Type != "ValidationException" || got.Message != msg {
		t.Errorf("decoded %+v", got)
	}
}

func TestWriteOK(t *testing.T) {
	c := &restjson.Codec{}
	for _, tc := range []struct{ in, want string }{{"", "{}"}, {`{"Status":"PENDING"}`, `{"Status":"PENDING"}`}} {
		rec := httptest.NewRecorder()
		var body []byte
		if tc.in != "" {
			body = []byte(tc.in)
		}
		c.WriteOK(rec, body)
		if rec.Code != 200 {
			t.Errorf("status %d", rec.Code)
		}
		if ct, _ := header(rec.Header(), "Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		if et, n := header(rec.Header(), "X-Amzn-ErrorType"); n != 0 {
			t.Errorf("success carries X-Amzn-ErrorType %q", et)
		}
		if rec.Body.String() != tc.want {
			t.Errorf("body %q, want %q", rec.Body.String(), tc.want)
		}
	}
}

func TestCodecStatusAndErrorFor(t *testing.T) {
	c := &restjson.Codec{
		Status: func(code string) int {
			if code == "AccessDeniedException" {
				return 403
			}
			return 0
		},
		InternalCode: "InternalServerException",
	}
	if s := c.StatusOf(apierr.New("AccessDeniedException", "")); s != 403 {
		t.Errorf("mapped status %d", s)
	}
	if s := c.StatusOf(apierr.New("SomethingElse", "")); s != 400 {
		t.Errorf("unknown client fault status %d, want 400", s)
	}
	if s := c.StatusOf(&apierr.Error{Code: "X", Fault: apierr.Server}); s != 500 {
		t.Errorf("unknown server fault status %d, want 500", s)
	}
	if s := (&restjson.Codec{}).StatusOf(apierr.New("X", "")); s != 400 {
		t.Errorf("nil Status func: %d", s)
	}

	orig := apierr.New("ConflictException", "c")
	if e, ok := c.ErrorFor(orig); !ok || e != orig {
		t.Errorf("ErrorFor(apierr) = %v, %v", e, ok)
	}
	cause := errors.New("secret internal cause")
	e, ok := c.ErrorFor(cause)
	if ok || e.Code != "InternalServerException" || e.Fault != apierr.Server || !errors.Is(e, cause) {
		t.Errorf("ErrorFor(plain) = %+v, %v", e, ok)
	}
	if strings.Contains(e.Message, "secret") {
		t.Errorf("internal message leaks cause: %q", e.Message)
	}
	if c.StatusOf(e) != 500 {
		t.Errorf("internal status %d", c.StatusOf(e))
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		``, ` `, `{}`, `[]`, `null`, `1`, `"x"`, `{"AccountId":"1"}`, `{"AccountId":1}`, `{"MaxResults":1e400}`,
		`{"RegionOptStatusContains":["A",null]}`, `{"ContactInformation":{"PhoneNumber":"+1"}}`, `{} x`, "\xff",
		"{\"AccountId\":\"\xff\"}", `{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
		`{"accountid":"x"}`, `{"AccountId":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in input
		err := restjson.Decode(body, &in)
		trimmed := bytes.TrimSpace(body)
		if err != nil {
			e, ok := apierr.As(err)
			if !ok || e.Code != "SerializationException" || e.Fault != apierr.Client {
				t.Fatalf("Decode(%q) = %v, want a SerializationException", body, err)
			}
			if !utf8.ValidString(e.Message) {
				t.Fatalf("message is not UTF-8: %q", e.Message)
			}
			if len(trimmed) > 0 && trimmed[0] == '{' && utf8.Valid(trimmed) && json.Valid(trimmed) &&
				!strings.HasPrefix(e.Message, "Unexpected value type") {
				t.Fatalf("Decode(%q) rejected a valid JSON object: %v", body, err)
			}
			return
		}
		if len(trimmed) > 0 && (trimmed[0] != '{' || !json.Valid(trimmed) || !utf8.Valid(trimmed)) {
			t.Fatalf("Decode(%q) accepted a body that is not a JSON object", body)
		}
	})
}
