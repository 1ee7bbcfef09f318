package accountapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/operation/operationtest"

	"github.com/accountplane/accountplane/internal/apierr"
)

// fuzzCodes are the codes a request body may provoke: never an internal error.
var fuzzCodes = []string{
	"SerializationException",
	"ValidationException",
	"AccessDeniedException",
	"ResourceNotFoundException",
	"ConflictException",
	"TooManyRequestsException",
}

func fuzzSeeds() []string {
	deepArray := `{"ContactInformation":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`
	deepObject := `{"Unknown":` + strings.Repeat(`{"a":`, 2000) + `1` + strings.Repeat(`}`, 2000) + `}`
	return []string{
		``, `{}`, ` {} `, "\n\t{}\r\n", `null`, `[]`, `[{}]`, `1`, `"s"`, `true`, `{`, `}`, `{}}`, `{} x`, `{}{}`,
		`{"AccountId":""}`, `{"AccountId":"000000000000"}`, `{"AccountId":"111111111111"}`, `{"AccountId":1}`,
		`{"AccountId":null}`, `{"AccountId":"0000000000001"}`, `{"accountid":"x"}`,
		`{"AlternateContactType":"BILLING"}`, `{"AlternateContactType":"SECURITY","EmailAddress":"a@example.com","Name":"n","PhoneNumber":"+1 555 0100","Title":"t"}`,
		`{"ContactInformation":{"FullName":"x","AddressLine1":"x","City":"x","PostalCode":"x","CountryCode":"US","PhoneNumber":"+1 555 0100"}}`,
		`{"ContactInformation":{}}`, `{"ContactInformation":"x"}`, `{"ContactInformation":{"PhoneNumber":5}}`,
		`{"RegionName":"af-south-1"}`, `{"RegionName":"us-east-1"}`, `{"RegionName":"` + strings.Repeat("a", 51) + `"}`,
		`{"MaxResults":1}`, `{"MaxResults":50}`, `{"MaxResults":0}`, `{"MaxResults":-1}`, `{"MaxResults":1e400}`,
		`{"MaxResults":99999999999999999999999999}`, `{"MaxResults":1.5}`, `{"MaxResults":"1"}`,
		`{"NextToken":"MQ.abc"}`, `{"NextToken":"` + strings.Repeat("x", 1001) + `"}`,
		`{"RegionOptStatusContains":["ENABLED","DISABLED"]}`, `{"RegionOptStatusContains":[null]}`, `{"RegionOptStatusContains":"ENABLED"}`,
		`{"Otp":"123456"}`, `{"Otp":"ABCDEF"}`, `{"AccountId":"000000000000","PrimaryEmail":"a@example.com","Otp":"123456"}`,
		`{"AccountName":"x"}`, `{"AccountName":"<>"}`, `{"StandardAccountId":"000000000000"}`,
		"{\"AccountName\":\"\xff\xfe\"}", "\xef\xbb\xbf{}", `{"AccountName":"\ud800"}`, `{"AccountName":"\u0000"}`,
		deepArray, deepObject,
	}
}

// FuzzInvoke sends arbitrary bodies to every operation over an in-memory
// store. Invoke must not panic and must answer with a client exception the
// model lists for the operation, never an internal error.
func FuzzInvoke(f *testing.F) {
	m := loadModel(f)
	ops := operationsByName(f, newService(f))
	names := sortedOps(m)
	for i := range names {
		for _, s := range fuzzSeeds() {
			f.Add(uint8(i), []byte(s))
		}
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		name := names[int(which)%len(names)]
		op := ops[name]
		out, err := operationtest.InvokeJSON(ctx, op, caller, body)
		if err == nil {
			if out != nil && (!json.Valid(out) || !bytes.HasPrefix(out, []byte("{"))) {
				t.Fatalf("%s %q: output is not a JSON object: %q", name, body, out)
			}
			return
		}
		e, ok := apierr.As(err)
		if !ok {
			t.Fatalf("%s %q: error is not an *apierr.Error: %v", name, body, err)
		}
		if !slices.Contains(fuzzCodes, e.Code) {
			t.Fatalf("%s %q: code %s (%v), want one of %v", name, body, e.Code, err, fuzzCodes)
		}
		if allowed := modelErrorCodes(m.Operations[name]); !slices.Contains(allowed, e.Code) {
			t.Fatalf("%s %q: code %s is not among the model's errors %v", name, body, e.Code, allowed)
		}
		if e.Fault == apierr.Server {
			t.Fatalf("%s %q: server fault %v", name, body, err)
		}
		if e.Code == "ValidationException" && e.Reason == "" {
			t.Fatalf("%s %q: ValidationException without reason: %v", name, body, err)
		}
	})
}
