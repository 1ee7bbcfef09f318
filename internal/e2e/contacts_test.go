package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
)

func altContact(typ types.AlternateContactType, name string) *account.PutAlternateContactInput {
	return &account.PutAlternateContactInput{
		AlternateContactType: typ,
		Name:                 aws.String(name),
		Title:                aws.String("Head of " + strings.ToLower(string(typ))),
		EmailAddress:         aws.String(strings.ToLower(string(typ)) + "+team@example.com"),
		PhoneNumber:          aws.String("+1 (206) 555-0100"),
	}
}

func getAlt(t *testing.T, client *account.Client, typ types.AlternateContactType) (*types.AlternateContact, error) {
	t.Helper()
	out, err := client.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: typ})
	if err != nil {
		return nil, err
	}
	return out.AlternateContact, nil
}

func sameAlt(t *testing.T, got *types.AlternateContact, want *account.PutAlternateContactInput) {
	t.Helper()
	if got == nil {
		t.Fatal("AlternateContact is missing")
	}
	if got.AlternateContactType != want.AlternateContactType ||
		aws.ToString(got.Name) != aws.ToString(want.Name) ||
		aws.ToString(got.Title) != aws.ToString(want.Title) ||
		aws.ToString(got.EmailAddress) != aws.ToString(want.EmailAddress) ||
		aws.ToString(got.PhoneNumber) != aws.ToString(want.PhoneNumber) {
		t.Errorf("got %+v, want %+v", *got, *want)
	}
}

func TestAlternateContacts(t *testing.T) {
	t.Parallel()
	srv, client := start(t)
	r := newRaw(t, srv)
	allTypes := []types.AlternateContactType{
		types.AlternateContactTypeBilling, types.AlternateContactTypeOperations, types.AlternateContactTypeSecurity,
	}

	t.Run("GetMissing", func(t *testing.T) {
		for _, typ := range allTypes {
			_, err := getAlt(t, client, typ)
			wantAPIError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", http.StatusNotFound)
		}
	})

	t.Run("PutGetEachType", func(t *testing.T) {
		for _, typ := range allTypes {
			in := altContact(typ, "Contact "+string(typ))
			if _, err := client.PutAlternateContact(ctx, in); err != nil {
				t.Fatalf("put %s: %v", typ, err)
			}
		}
		for _, typ := range allTypes {
			got, err := getAlt(t, client, typ)
			if err != nil {
				t.Fatalf("get %s: %v", typ, err)
			}
			sameAlt(t, got, altContact(typ, "Contact "+string(typ)))
		}
	})

	t.Run("Replace", func(t *testing.T) {
		in := altContact(types.AlternateContactTypeBilling, "Replaced Name")
		in.EmailAddress = aws.String("new.billing@example.com")
		in.PhoneNumber = aws.String("555 0199")
		if _, err := client.PutAlternateContact(ctx, in); err != nil {
			t.Fatal(err)
		}
		got, err := getAlt(t, client, types.AlternateContactTypeBilling)
		if err != nil {
			t.Fatal(err)
		}
		sameAlt(t, got, in)
		// The other types are untouched.
		got, err = getAlt(t, client, types.AlternateContactTypeSecurity)
		if err != nil {
			t.Fatal(err)
		}
		sameAlt(t, got, altContact(types.AlternateContactTypeSecurity, "Contact SECURITY"))
	})

	t.Run("Delete", func(t *testing.T) {
		if _, err := client.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: types.AlternateContactTypeOperations}); err != nil {
			t.Fatal(err)
		}
		_, err := getAlt(t, client, types.AlternateContactTypeOperations)
		wantAPIError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", http.StatusNotFound)
		_, err = client.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: types.AlternateContactTypeOperations})
		wantAPIError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", http.StatusNotFound)
		if _, err := getAlt(t, client, types.AlternateContactTypeBilling); err != nil {
			t.Errorf("deleting OPERATIONS affected BILLING: %v", err)
		}
	})

	t.Run("Validation", func(t *testing.T) {
		const typ = types.AlternateContactTypeOperations // not set after Delete
		cases := []struct {
			name  string
			edit  func(*account.PutAlternateContactInput)
			field string
		}{
			{"EmailPattern", func(in *account.PutAlternateContactInput) { in.EmailAddress = aws.String("not-an-email") }, "EmailAddress"},
			{"EmailTooLong", func(in *account.PutAlternateContactInput) {
				in.EmailAddress = aws.String(strings.Repeat("a", 243) + "@example.com")
			}, "EmailAddress"},
			{"PhonePattern", func(in *account.PutAlternateContactInput) { in.PhoneNumber = aws.String("call me +1 555") }, "PhoneNumber"},
			{"PhoneTooLong", func(in *account.PutAlternateContactInput) { in.PhoneNumber = aws.String(strings.Repeat("5", 26)) }, "PhoneNumber"},
			{"NameTooLong", func(in *account.PutAlternateContactInput) { in.Name = aws.String(strings.Repeat("x", 65)) }, "Name"},
			{"NameEmpty", func(in *account.PutAlternateContactInput) { in.Name = aws.String("") }, "Name"},
			{"TitleTooLong", func(in *account.PutAlternateContactInput) { in.Title = aws.String(strings.Repeat("x", 51)) }, "Title"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := altContact(typ, "Valid Name")
				c.edit(in)
				_, err := client.PutAlternateContact(ctx, in)
				wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed, c.field)
				_, err = getAlt(t, client, typ)
				wantAPIError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", http.StatusNotFound)
			})
		}

		// AWS's authorizer refuses a type outside the enum (it is the
		// account:AlternateContactTypes condition key), for each of the
		// three operations, naming the operation's own action.
		badEnum := func(t *testing.T, err error, op string) {
			t.Helper()
			e := wantAPIError[*types.AccessDeniedException](t, err, "AccessDeniedException", http.StatusForbidden)
			want := "User: arn:aws:iam::000000000000:root is not authorized to perform: account:" + op + " (You specified an invalid Alternate Contact type.)"
			if got := aws.ToString(e.Message); got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		}
		t.Run("BadEnum", func(t *testing.T) {
			in := altContact(typ, "Valid Name")
			in.AlternateContactType = "MARKETING"
			_, err := client.PutAlternateContact(ctx, in)
			badEnum(t, err, "PutAlternateContact")
			_, err = getAlt(t, client, typ)
			wantAPIError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", http.StatusNotFound)
		})
		t.Run("BadEnumOnGet", func(t *testing.T) {
			_, err := getAlt(t, client, "MARKETING")
			badEnum(t, err, "GetAlternateContact")
		})
		t.Run("BadEnumOnDelete", func(t *testing.T) {
			_, err := client.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: "marketing"})
			badEnum(t, err, "DeleteAlternateContact")
		})
		t.Run("NameMax64", func(t *testing.T) {
			in := altContact(typ, strings.Repeat("x", 64))
			in.EmailAddress = aws.String(strings.Repeat("a", 242) + "@example.com") // 254
			if _, err := client.PutAlternateContact(ctx, in); err != nil {
				t.Fatal(err)
			}
			got, err := getAlt(t, client, typ)
			if err != nil {
				t.Fatal(err)
			}
			sameAlt(t, got, in)
			if _, err := client.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: typ}); err != nil {
				t.Fatal(err)
			}
		})
	})

	// The SDK checks required members itself, so the server's own checks are
	// reached with hand-signed requests.
	t.Run("MissingRequiredServerSide", func(t *testing.T) {
		cases := []struct {
			name, path, body string
			fields           []string
		}{
			{"PutAllMissing", "/putAlternateContact", `{}`, []string{"AlternateContactType", "EmailAddress", "Name", "PhoneNumber", "Title"}},
			{"PutNameMissing", "/putAlternateContact", `{"AlternateContactType":"OPERATIONS","EmailAddress":"a@example.com","PhoneNumber":"555","Title":"t"}`, []string{"Name"}},
			{"PutTypeNull", "/putAlternateContact", `{"AlternateContactType":null,"EmailAddress":"a@example.com","Name":"n","PhoneNumber":"555","Title":"t"}`, []string{"AlternateContactType"}},
			{"GetTypeMissing", "/getAlternateContact", `{}`, []string{"AlternateContactType"}},
			{"DeleteTypeMissing", "/deleteAlternateContact", `{}`, []string{"AlternateContactType"}},
			{"EmptyBody", "/putAlternateContact", ``, []string{"AlternateContactType", "Name"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e := r.post(c.path, c.body).restErr(t, http.StatusBadRequest, "ValidationException")
				if e.Reason != "fieldValidationFailed" {
					t.Errorf("reason = %q, want fieldValidationFailed", e.Reason)
				}
				for _, f := range c.fields {
					if !e.hasField(f) {
						t.Errorf("fieldList %+v does not name %s", e.FieldList, f)
					}
				}
			})
		}
		_, err := getAlt(t, client, types.AlternateContactTypeOperations)
		wantAPIError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", http.StatusNotFound)
	})
}

func contactInfo() *types.ContactInformation {
	return &types.ContactInformation{
		FullName:      aws.String("Paulo Santos"),
		AddressLine1:  aws.String("123 Any Street"),
		AddressLine2:  aws.String("Suite 4"),
		City:          aws.String("Anytown"),
		StateOrRegion: aws.String("WA"),
		PostalCode:    aws.String("98101"),
		CountryCode:   aws.String("US"),
		PhoneNumber:   aws.String("+1 206-555-0179"),
		CompanyName:   aws.String("AnyCompany"),
		WebsiteUrl:    aws.String("https://www.example.com"),
	}
}

func getContact(t *testing.T, client *account.Client) *types.ContactInformation {
	t.Helper()
	out, err := client.GetContactInformation(ctx, &account.GetContactInformationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.ContactInformation == nil {
		t.Fatal("ContactInformation is missing")
	}
	return out.ContactInformation
}

func sameContact(t *testing.T, got, want *types.ContactInformation) {
	t.Helper()
	pairs := []struct {
		name      string
		got, want *string
	}{
		{"FullName", got.FullName, want.FullName}, {"AddressLine1", got.AddressLine1, want.AddressLine1},
		{"AddressLine2", got.AddressLine2, want.AddressLine2}, {"AddressLine3", got.AddressLine3, want.AddressLine3},
		{"City", got.City, want.City}, {"StateOrRegion", got.StateOrRegion, want.StateOrRegion},
		{"DistrictOrCounty", got.DistrictOrCounty, want.DistrictOrCounty}, {"PostalCode", got.PostalCode, want.PostalCode},
		{"CountryCode", got.CountryCode, want.CountryCode}, {"PhoneNumber", got.PhoneNumber, want.PhoneNumber},
		{"CompanyName", got.CompanyName, want.CompanyName}, {"WebsiteUrl", got.WebsiteUrl, want.WebsiteUrl},
	}
	for _, p := range pairs {
		if (p.got == nil) != (p.want == nil) || aws.ToString(p.got) != aws.ToString(p.want) {
			t.Errorf("%s = %v, want %v", p.name, strp(p.got), strp(p.want))
		}
	}
}

func strp(s *string) string {
	if s == nil {
		return "<absent>"
	}
	return "\"" + *s + "\""
}

func TestContactInformation(t *testing.T) {
	t.Parallel()
	_, client := start(t)

	t.Run("PutGet", func(t *testing.T) {
		in := contactInfo()
		if _, err := client.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: in}); err != nil {
			t.Fatal(err)
		}
		sameContact(t, getContact(t, client), in)
	})

	t.Run("PutReplacesWholeRecord", func(t *testing.T) {
		in := contactInfo()
		in.CompanyName, in.AddressLine2, in.WebsiteUrl = nil, nil, nil
		in.DistrictOrCounty = aws.String("King")
		if _, err := client.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: in}); err != nil {
			t.Fatal(err)
		}
		got := getContact(t, client)
		sameContact(t, got, in)
		if got.CompanyName != nil {
			t.Errorf("CompanyName = %q survived a Put that omitted it", *got.CompanyName)
		}
	})

	cases := []struct {
		name  string
		edit  func(*types.ContactInformation)
		field string
	}{
		{"CountryCodeTooLong", func(c *types.ContactInformation) { c.CountryCode = aws.String("USA") }, "CountryCode"},
		{"CountryCodeTooShort", func(c *types.ContactInformation) { c.CountryCode = aws.String("U") }, "CountryCode"},
		{"PhoneWithoutPlus", func(c *types.ContactInformation) { c.PhoneNumber = aws.String("12065550179") }, "PhoneNumber"},
		{"PhoneLetters", func(c *types.ContactInformation) { c.PhoneNumber = aws.String("+1 CALL-NOW") }, "PhoneNumber"},
		{"PhoneTooLong", func(c *types.ContactInformation) { c.PhoneNumber = aws.String("+" + strings.Repeat("1", 20)) }, "PhoneNumber"},
		{"FullNameTooLong", func(c *types.ContactInformation) { c.FullName = aws.String(strings.Repeat("x", 51)) }, "FullName"},
		{"WebsiteTooLong", func(c *types.ContactInformation) { c.WebsiteUrl = aws.String(strings.Repeat("w", 257)) }, "WebsiteUrl"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := getContact(t, client)
			in := contactInfo()
			c.edit(in)
			_, err := client.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: in})
			ve := wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed)
			found := false
			for _, f := range ve.FieldList {
				found = found || strings.HasSuffix(aws.ToString(f.Name), c.field)
			}
			if !found {
				t.Errorf("FieldList %s does not name %s", fieldNames(ve.FieldList), c.field)
			}
			sameContact(t, getContact(t, client), before)
		})
	}
}
