package e2e_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/account/types"
)

func TestBadInput(t *testing.T) {
	t.Parallel()
	srv, client := start(t)
	r := newRaw(t, srv)

	// A BILLING contact to check that no rejected request changes it.
	original := altContact(types.AlternateContactTypeBilling, "Original")
	if _, err := client.PutAlternateContact(ctx, original); err != nil {
		t.Fatal(err)
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		got, err := getAlt(t, client, types.AlternateContactTypeBilling)
		if err != nil {
			t.Fatal(err)
		}
		sameAlt(t, got, original)
		_, err = getAlt(t, client, types.AlternateContactTypeOperations)
		wantAPIError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", http.StatusNotFound)
	}

	const valid = `"AlternateContactType":"BILLING","EmailAddress":"x@example.com","Name":"Changed","PhoneNumber":"555","Title":"t"`
	serialization := []struct{ name, body string }{
		{"MalformedJSON", `{"AlternateContactType":"BILLING",`},
		{"TrailingGarbage", `{` + valid + `} {`},
		{"Array", `[{` + valid + `}]`},
		{"ScalarString", `"BILLING"`},
		{"ScalarNumber", `42`},
		{"Null", `null`},
		{"WrongMemberType", `{"AlternateContactType":5,"EmailAddress":"x@example.com","Name":"Changed","PhoneNumber":"555","Title":"t"}`},
		{"WrongMemberTypeObject", `{"AlternateContactType":"BILLING","EmailAddress":"x@example.com","Name":{"n":1},"PhoneNumber":"555","Title":"t"}`},
		{"InvalidUTF8", "{\"AlternateContactType\":\"BILLING\",\"EmailAddress\":\"x@example.com\",\"Name\":\"\xff\xfe\",\"PhoneNumber\":\"555\",\"Title\":\"t\"}"},
	}
	for _, c := range serialization {
		t.Run(c.name, func(t *testing.T) {
			r.post("/putAlternateContact", c.body).restErr(t, http.StatusBadRequest, "SerializationException")
			unchanged(t)
		})
	}

	t.Run("WrongMemberTypeOnGet", func(t *testing.T) {
		r.post("/getAlternateContact", `{"AlternateContactType": 5}`).restErr(t, http.StatusBadRequest, "SerializationException")
	})

	t.Run("ListRegionsMaxResultsString", func(t *testing.T) {
		r.post("/listRegions", `{"MaxResults":"5"}`).restErr(t, http.StatusBadRequest, "SerializationException")
	})

	t.Run("MissingRequired", func(t *testing.T) {
		cases := []struct{ path, body, field string }{
			{"/putAlternateContact", `{"AlternateContactType":"OPERATIONS","EmailAddress":"x@example.com","PhoneNumber":"555","Title":"t"}`, "Name"},
			{"/putContactInformation", `{}`, "ContactInformation"},
			{"/putAccountName", `{}`, "AccountName"},
			{"/enableRegion", `{}`, "RegionName"},
			{"/disableRegion", `{}`, "RegionName"},
			{"/getRegionOptStatus", `{}`, "RegionName"},
			{"/getPrimaryEmail", `{}`, "AccountId"},
			{"/startPrimaryEmailUpdate", `{"AccountId":"111111111111"}`, "PrimaryEmail"},
			{"/acceptPrimaryEmailUpdate", `{"AccountId":"111111111111","PrimaryEmail":"a@example.com"}`, "Otp"},
			{"/verifyPhoneNumber", `{}`, "Otp"},
		}
		for _, c := range cases {
			t.Run(strings.TrimPrefix(c.path, "/"), func(t *testing.T) {
				e := r.post(c.path, c.body).restErr(t, http.StatusBadRequest, "ValidationException")
				if e.Reason != "fieldValidationFailed" {
					t.Errorf("reason = %q, want fieldValidationFailed", e.Reason)
				}
				if !e.hasField(c.field) {
					t.Errorf("fieldList %+v does not name %s", e.FieldList, c.field)
				}
			})
		}
		t.Run("ContactInformationMembers", func(t *testing.T) {
			e := r.post("/putContactInformation", `{"ContactInformation":{"FullName":"x"}}`).restErr(t, http.StatusBadRequest, "ValidationException")
			for _, m := range []string{"AddressLine1", "City", "PostalCode", "CountryCode", "PhoneNumber"} {
				found := false
				for _, f := range e.FieldList {
					found = found || strings.HasSuffix(f.Name, m)
				}
				if !found {
					t.Errorf("fieldList %+v does not name %s", e.FieldList, m)
				}
			}
		})
		unchanged(t)
	})

	t.Run("UnknownMembersIgnored", func(t *testing.T) {
		r.post("/getContactInformation", `{"Bogus":1,"Nested":{"a":[1,2]}}`).ok(t, nil)
		r.post("/putAlternateContact", `{"AlternateContactType":"OPERATIONS","EmailAddress":"ops@example.com","Name":"Ops","PhoneNumber":"555","Title":"t","Extra":"x"}`).ok(t, nil)
		got, err := getAlt(t, client, types.AlternateContactTypeOperations)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name == nil || *got.Name != "Ops" {
			t.Errorf("OPERATIONS contact not stored: %+v", got)
		}
		r.post("/deleteAlternateContact", `{"AlternateContactType":"OPERATIONS"}`).ok(t, nil)
	})

	t.Run("BodyTooLarge", func(t *testing.T) {
		big := append([]byte(`{"AlternateContactType":"BILLING","Name":"`), bytes.Repeat([]byte("a"), 1<<20)...)
		big = append(big, `"}`...)
		resp := r.do(http.MethodPost, "/putAlternateContact", big, map[string]string{"Content-Type": "application/json"}, signing{})
		if resp.status != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413; body %.200s", resp.status, resp.body)
		}
		unchanged(t)
	})

	t.Run("UnknownPath", func(t *testing.T) {
		r.post("/noSuchOperation", `{}`).restErr(t, http.StatusNotFound, "UnknownOperationException")
	})

	t.Run("GetMethod", func(t *testing.T) {
		resp := r.do(http.MethodGet, "/getContactInformation", nil, nil, signing{})
		resp.restErr(t, http.StatusNotFound, "UnknownOperationException")
	})

	t.Run("XAmzTarget", func(t *testing.T) {
		var out contactWire
		r.do(http.MethodPost, "/", []byte(`{}`), map[string]string{
			"Content-Type": "application/x-amz-json-1.1",
			"X-Amz-Target": "AWSAccountV20210201.GetContactInformation",
		}, signing{}).ok(t, &out)
		if out.ContactInformation.PhoneNumber == "" {
			t.Errorf("no contact information in the X-Amz-Target answer")
		}
	})

	t.Run("XAmzTargetUnknownOperation", func(t *testing.T) {
		r.do(http.MethodPost, "/", []byte(`{}`), map[string]string{
			"Content-Type": "application/x-amz-json-1.1",
			"X-Amz-Target": "AWSAccountV20210201.NoSuchOperation",
		}, signing{}).restErr(t, http.StatusNotFound, "UnknownOperationException")
	})

	t.Run("SuccessfulWriteBody", func(t *testing.T) {
		resp := r.post("/putAccountName", `{"AccountName":"default"}`)
		resp.ok(t, nil)
		if b := strings.TrimSpace(string(resp.body)); b != "" && b != "{}" {
			t.Errorf("write answered %q, want an empty body or {}", b)
		}
	})
}
