package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
)

// accountIDOps calls every SDK operation that takes AccountId, with an
// otherwise valid input, for account id.
var accountIDOps = []struct {
	op   string
	call func(c *account.Client, id *string) error
}{
	{"AcceptPrimaryEmailUpdate", func(c *account.Client, id *string) error {
		_, err := c.AcceptPrimaryEmailUpdate(ctx, &account.AcceptPrimaryEmailUpdateInput{AccountId: id, PrimaryEmail: aws.String("new@example.com"), Otp: aws.String("123456")})
		return err
	}},
	{"DeleteAlternateContact", func(c *account.Client, id *string) error {
		_, err := c.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AccountId: id, AlternateContactType: types.AlternateContactTypeBilling})
		return err
	}},
	{"DisableRegion", func(c *account.Client, id *string) error {
		_, err := c.DisableRegion(ctx, &account.DisableRegionInput{AccountId: id, RegionName: aws.String("af-south-1")})
		return err
	}},
	{"EnableRegion", func(c *account.Client, id *string) error {
		_, err := c.EnableRegion(ctx, &account.EnableRegionInput{AccountId: id, RegionName: aws.String("af-south-1")})
		return err
	}},
	{"GetAccountInformation", func(c *account.Client, id *string) error {
		_, err := c.GetAccountInformation(ctx, &account.GetAccountInformationInput{AccountId: id})
		return err
	}},
	{"GetAlternateContact", func(c *account.Client, id *string) error {
		_, err := c.GetAlternateContact(ctx, &account.GetAlternateContactInput{AccountId: id, AlternateContactType: types.AlternateContactTypeSecurity})
		return err
	}},
	{"GetContactInformation", func(c *account.Client, id *string) error {
		_, err := c.GetContactInformation(ctx, &account.GetContactInformationInput{AccountId: id})
		return err
	}},
	{"GetPrimaryEmail", func(c *account.Client, id *string) error {
		_, err := c.GetPrimaryEmail(ctx, &account.GetPrimaryEmailInput{AccountId: id})
		return err
	}},
	{"GetPrimaryEmailUpdateStatus", func(c *account.Client, id *string) error {
		_, err := c.GetPrimaryEmailUpdateStatus(ctx, &account.GetPrimaryEmailUpdateStatusInput{AccountId: id})
		return err
	}},
	{"GetRegionOptStatus", func(c *account.Client, id *string) error {
		_, err := c.GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{AccountId: id, RegionName: aws.String("af-south-1")})
		return err
	}},
	{"ListRegions", func(c *account.Client, id *string) error {
		_, err := c.ListRegions(ctx, &account.ListRegionsInput{AccountId: id})
		return err
	}},
	{"PutAccountName", func(c *account.Client, id *string) error {
		_, err := c.PutAccountName(ctx, &account.PutAccountNameInput{AccountId: id, AccountName: aws.String("renamed")})
		return err
	}},
	{"PutAlternateContact", func(c *account.Client, id *string) error {
		in := altContact(types.AlternateContactTypeBilling, "Other")
		in.AccountId = id
		_, err := c.PutAlternateContact(ctx, in)
		return err
	}},
	{"PutContactInformation", func(c *account.Client, id *string) error {
		_, err := c.PutContactInformation(ctx, &account.PutContactInformationInput{AccountId: id, ContactInformation: contactInfo()})
		return err
	}},
	{"StartPrimaryEmailUpdate", func(c *account.Client, id *string) error {
		_, err := c.StartPrimaryEmailUpdate(ctx, &account.StartPrimaryEmailUpdateInput{AccountId: id, PrimaryEmail: aws.String("new@example.com")})
		return err
	}},
}

func wantAccessDenied(t *testing.T, err error, callerARN, op string) {
	t.Helper()
	ad := wantAPIError[*types.AccessDeniedException](t, err, "AccessDeniedException", http.StatusForbidden)
	want := "User: " + callerARN + " is not authorized to perform: account:" + op
	if got := aws.ToString(ad.Message); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

// A standalone account may not use AccountId at all, not even with its own
// id (spec/behaviour.md §2.3).
func TestAccountIDDenied(t *testing.T) {
	t.Parallel()
	srv, client := start(t)
	r := newRaw(t, srv)
	before := getContact(t, client)

	for _, id := range []string{defaultAccountID, "111111111111"} {
		t.Run(id, func(t *testing.T) {
			for _, o := range accountIDOps {
				t.Run(o.op, func(t *testing.T) {
					wantAccessDenied(t, o.call(client, aws.String(id)), defaultRootARN, o.op)
				})
			}
			for _, o := range []struct{ op, path, body string }{
				{"SendPhoneNumberVerification", "/sendPhoneNumberVerification", `{"AccountId":"` + id + `"}`},
				{"VerifyPhoneNumber", "/verifyPhoneNumber", `{"AccountId":"` + id + `","Otp":"123456"}`},
			} {
				t.Run(o.op, func(t *testing.T) {
					e := r.post(o.path, o.body).restErr(t, http.StatusForbidden, "AccessDeniedException")
					want := "User: " + defaultRootARN + " is not authorized to perform: account:" + o.op
					if e.Message != want {
						t.Errorf("message = %q, want %q", e.Message, want)
					}
				})
			}
		})
	}

	t.Run("NothingChanged", func(t *testing.T) {
		sameContact(t, getContact(t, client), before)
		wantStatus(t, client, "af-south-1", types.RegionOptStatusDisabled)
		out, err := client.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.AccountName) != "default" {
			t.Errorf("AccountName = %q, want default", aws.ToString(out.AccountName))
		}
		_, err = getAlt(t, client, types.AlternateContactTypeBilling)
		wantAPIError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", http.StatusNotFound)
	})

	// Input validation comes before the AccountId decision (spec/api.md §8).
	t.Run("ValidationBeforeAccessDenied", func(t *testing.T) {
		in := altContact(types.AlternateContactTypeBilling, "x")
		in.AccountId = aws.String("111111111111")
		in.EmailAddress = aws.String("not-an-email")
		_, err := client.PutAlternateContact(ctx, in)
		wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed, "EmailAddress")
	})

	t.Run("BadAccountIdPattern", func(t *testing.T) {
		for _, id := range []string{"12345", "1234567890123", "abcdefghijkl"} {
			_, err := client.GetContactInformation(ctx, &account.GetContactInformationInput{AccountId: aws.String(id)})
			wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed, "AccountId")
		}
	})
}

// AccountId "" is treated as absent: the call acts on the caller's account.
func TestEmptyAccountID(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	rec := &recordingHTTPClient{}
	client := accountClient(srv.Config, func(o *account.Options) { o.HTTPClient = rec })
	empty := aws.String("")

	t.Run("SDKSendsEmptyString", func(t *testing.T) {
		if _, err := client.GetContactInformation(ctx, &account.GetContactInformationInput{AccountId: empty}); err != nil {
			t.Fatal(err)
		}
		if got := rec.last(); !strings.Contains(got, `"AccountId":""`) {
			t.Fatalf("the SDK sent %s, want an explicit \"AccountId\":\"\"", got)
		}
	})

	t.Run("Reads", func(t *testing.T) {
		info, err := client.GetAccountInformation(ctx, &account.GetAccountInformationInput{AccountId: empty})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(info.AccountId) != defaultAccountID {
			t.Errorf("AccountId = %q, want %q", aws.ToString(info.AccountId), defaultAccountID)
		}
		if _, err := client.ListRegions(ctx, &account.ListRegionsInput{AccountId: empty}); err != nil {
			t.Errorf("ListRegions: %v", err)
		}
		if _, err := client.GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{AccountId: empty, RegionName: aws.String("us-east-1")}); err != nil {
			t.Errorf("GetRegionOptStatus: %v", err)
		}
	})

	t.Run("Writes", func(t *testing.T) {
		in := altContact(types.AlternateContactTypeSecurity, "Sec")
		in.AccountId = empty
		if _, err := client.PutAlternateContact(ctx, in); err != nil {
			t.Fatal(err)
		}
		out, err := client.GetAlternateContact(ctx, &account.GetAlternateContactInput{AccountId: empty, AlternateContactType: types.AlternateContactTypeSecurity})
		if err != nil {
			t.Fatal(err)
		}
		sameAlt(t, out.AlternateContact, in)
		if _, err := client.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AccountId: empty, AlternateContactType: types.AlternateContactTypeSecurity}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.PutAccountName(ctx, &account.PutAccountNameInput{AccountId: empty, AccountName: aws.String("via-empty")}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.PutContactInformation(ctx, &account.PutContactInformationInput{AccountId: empty, ContactInformation: contactInfo()}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.EnableRegion(ctx, &account.EnableRegionInput{AccountId: empty, RegionName: aws.String("af-south-1")}); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, client, "af-south-1", types.RegionOptStatusEnabled)
		if _, err := client.DisableRegion(ctx, &account.DisableRegionInput{AccountId: empty, RegionName: aws.String("af-south-1")}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("PhoneOpsRaw", func(t *testing.T) {
		// Writes replaced the phone number, so it is UNVERIFIED:
		// Send works with AccountId "".
		var out statusWire
		newRaw(t, srv).post("/sendPhoneNumberVerification", `{"AccountId":""}`).ok(t, &out)
		if out.Status != "PENDING" {
			t.Errorf("Status = %q, want PENDING", out.Status)
		}
	})

	// GetPrimaryEmail and the other primary-email operations require
	// AccountId; "" is not a 12-digit id.
	t.Run("RequiredAccountIdEmpty", func(t *testing.T) {
		_, err := client.GetPrimaryEmail(ctx, &account.GetPrimaryEmailInput{AccountId: empty})
		wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed, "AccountId")
	})
}
