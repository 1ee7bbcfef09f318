package orgsapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/operation/operationtest"

	"github.com/accountplane/accountplane/internal/apierr"
)

func fuzzSeeds() []string {
	deep := `{"Tags":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`
	return []string{
		``, `{}`, ` {} `, `null`, `[]`, `1`, `"s"`, `{`, `{}}`, `{"a":1}`, "\xef\xbb\xbf{}", "{\"Name\":\"\xff\"}",
		`{"AccountId":"111111111111"}`, `{"AccountId":"222222222222"}`, `{"AccountId":1}`, `{"AccountId":null}`,
		`{"ParentId":"r-abcd","Name":"x"}`, `{"ParentId":"r-abcd","ChildType":"ACCOUNT"}`, `{"ChildId":"111111111111"}`,
		`{"OrganizationalUnitId":"ou-abcd-abcdefgh","Name":"y"}`,
		`{"Email":"new@example.com","AccountName":"New","RoleName":"R","IamUserAccessToBilling":"ALLOW","Tags":[{"Key":"k","Value":"v"}]}`,
		`{"CreateAccountRequestId":"car-abcdefgh"}`, `{"States":["IN_PROGRESS","FAILED"]}`, `{"States":[1]}`,
		`{"Target":{"Id":"222222222222","Type":"ACCOUNT"},"Notes":"n"}`, `{"Target":{"Id":"x@example.com","Type":"EMAIL"}}`,
		`{"Target":{"Id":"o-abcdefghij","Type":"ORGANIZATION"}}`, `{"Target":"x"}`,
		`{"HandshakeId":"h-abcdefgh"}`, `{"Filter":{"ActionType":"INVITE"}}`, `{"Filter":{"ParentHandshakeId":"h-abcdefgh"}}`,
		`{"ServicePrincipal":"account.amazonaws.com"}`, `{"ServicePrincipal":"x"}`,
		`{"AccountId":"222222222222","ServicePrincipal":"account.amazonaws.com"}`,
		`{"Content":"{}","Description":"","Name":"n","Type":"TAG_POLICY"}`, `{"Content":"nope","Description":"d","Name":"n","Type":"SERVICE_CONTROL_POLICY"}`,
		`{"PolicyId":"p-FullAWSAccess"}`, `{"PolicyId":"p-FullAWSAccess","TargetId":"r-abcd"}`, `{"PolicyId":"p-FullAWSAccess","Name":"x"}`,
		`{"Filter":"SERVICE_CONTROL_POLICY"}`, `{"TargetId":"111111111111","Filter":"SERVICE_CONTROL_POLICY"}`,
		`{"RootId":"r-abcd","PolicyType":"SERVICE_CONTROL_POLICY"}`, `{"FeatureSet":"CONSOLIDATED_BILLING"}`,
		`{"ResourceId":"111111111111","Tags":[{"Key":"k","Value":"v"}]}`, `{"ResourceId":"111111111111","TagKeys":["k"]}`,
		`{"MaxResults":1}`, `{"MaxResults":0}`, `{"MaxResults":1e400}`, `{"MaxResults":99999999999}`, `{"NextToken":"MQ.x"}`,
		`{"AccountId":"111111111111","SourceParentId":"r-abcd","DestinationParentId":"ou-abcd-abcdefgh"}`,
		`{"Name":"\u0000","Description":"\ud800"}`, deep,
	}
}

// FuzzInvoke sends arbitrary bodies to every operation, as the management
// account of an organization with some content. Invoke must not panic, must
// answer with a JSON object or a client exception the model defines (or
// SerializationException), never an internal error.
func FuzzInvoke(f *testing.F) {
	m := loadModel(f)
	e := newEnv(f)
	e.must(f, mgmt, "CreateOrganization", `{}`)
	root := list(f, e.must(f, mgmt, "ListRoots", `{}`)["Roots"])[0].(map[string]any)["Id"].(string)
	e.must(f, mgmt, "CreateOrganizationalUnit", map[string]any{"ParentId": root, "Name": "Engineering"})
	e.must(f, mgmt, "InviteAccountToOrganization", `{"Target":{"Id":"222222222222","Type":"ACCOUNT"}}`)

	names := make([]string, 0, len(e.ops))
	for n := range e.ops {
		names = append(names, n)
	}
	sort.Strings(names)
	codes := append(m.exceptionCodes(), "SerializationException")
	for i := range names {
		for _, s := range fuzzSeeds() {
			f.Add(uint8(i), []byte(strings.ReplaceAll(s, "r-abcd", root)))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		name := names[int(which)%len(names)]
		out, err := operationtest.InvokeJSON(context.Background(), e.ops[name], mgmt, body)
		if err == nil {
			if out != nil && (!json.Valid(out) || !bytes.HasPrefix(out, []byte("{"))) {
				t.Fatalf("%s %q: output is not a JSON object: %q", name, body, out)
			}
			return
		}
		ae, ok := apierr.As(err)
		if !ok {
			t.Fatalf("%s %q: internal error %v", name, body, err)
		}
		if ae.Fault != apierr.Client || ae.Code == "ServiceException" {
			t.Fatalf("%s %q: server fault %v", name, body, err)
		}
		if !slices.Contains(codes, ae.Code) {
			t.Fatalf("%s %q: code %s is not a model exception", name, body, ae.Code)
		}
		if ae.Code == "InvalidInputException" && ae.Reason == "" {
			t.Fatalf("%s %q: InvalidInputException without a reason", name, body)
		}
	})
}
