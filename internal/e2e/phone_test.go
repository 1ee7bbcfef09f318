package e2e_test

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
)

// SendPhoneNumberVerification and VerifyPhoneNumber (and the
// VerificationStatus member of GetContactInformation) are newer than
// service/account v1.35.0, so they are driven with hand-signed requests.
//
// Not covered: the ResourceNotFoundException for an account without contact
// information. Every account made today (default world or seed) signs up with
// a contact, and no operation removes it.

type contactWire struct {
	ContactInformation struct {
		PhoneNumber string
	}
	VerificationStatus string
}

type statusWire struct {
	Status string
}

func TestPhoneVerification(t *testing.T) {
	t.Parallel()
	srv, client := start(t)
	r := newRaw(t, srv)

	verificationStatus := func(t *testing.T) string {
		t.Helper()
		var out contactWire
		r.post("/getContactInformation", `{}`).ok(t, &out)
		return out.VerificationStatus
	}

	t.Run("DefaultIsVerified", func(t *testing.T) {
		if got := verificationStatus(t); got != "VERIFIED" {
			t.Errorf("VerificationStatus = %q, want VERIFIED", got)
		}
		r.post("/sendPhoneNumberVerification", `{}`).restErr(t, http.StatusConflict, "ConflictException")
		r.post("/verifyPhoneNumber", `{"Otp":"123456"}`).restErr(t, http.StatusConflict, "ConflictException")
	})

	const newPhone = "+44 20 7946 0958"
	t.Run("NewNumberIsUnverified", func(t *testing.T) {
		in := contactInfo()
		in.PhoneNumber = aws.String(newPhone)
		if _, err := client.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: in}); err != nil {
			t.Fatal(err)
		}
		if got := verificationStatus(t); got != "UNVERIFIED" {
			t.Errorf("VerificationStatus = %q, want UNVERIFIED", got)
		}
	})

	t.Run("VerifyBeforeSend", func(t *testing.T) {
		r.post("/verifyPhoneNumber", `{"Otp":"123456"}`).restErr(t, http.StatusNotFound, "ResourceNotFoundException")
	})

	t.Run("OtpValidation", func(t *testing.T) {
		for _, body := range []string{`{}`, `{"Otp":"12345"}`, `{"Otp":"12345!"}`} {
			e := r.post("/verifyPhoneNumber", body).restErr(t, http.StatusBadRequest, "ValidationException")
			if !e.hasField("Otp") {
				t.Errorf("%s: fieldList %+v does not name Otp", body, e.FieldList)
			}
		}
	})

	var code string
	t.Run("Send", func(t *testing.T) {
		var out statusWire
		r.post("/sendPhoneNumberVerification", `{}`).ok(t, &out)
		if out.Status != "PENDING" {
			t.Errorf("Status = %q, want PENDING", out.Status)
		}
		if got := verificationStatus(t); got != "PENDING" {
			t.Errorf("VerificationStatus = %q, want PENDING", got)
		}
		code = r.outboxCode(newPhone)
		if len(code) != 6 {
			t.Errorf("code %q is not 6 characters", code)
		}
	})
	if code == "" {
		t.Fatal("no code was sent")
	}

	t.Run("WrongCode", func(t *testing.T) {
		r.post("/verifyPhoneNumber", `{"Otp":"ZZZZZZ"}`).restErr(t, http.StatusBadRequest, "ValidationException")
		if got := verificationStatus(t); got != "PENDING" {
			t.Errorf("VerificationStatus = %q after a wrong code, want PENDING", got)
		}
	})

	t.Run("RightCode", func(t *testing.T) {
		var out statusWire
		r.post("/verifyPhoneNumber", `{"Otp":"`+code+`"}`).ok(t, &out)
		if out.Status != "VERIFIED" {
			t.Errorf("Status = %q, want VERIFIED", out.Status)
		}
		if got := verificationStatus(t); got != "VERIFIED" {
			t.Errorf("VerificationStatus = %q, want VERIFIED", got)
		}
	})

	t.Run("VerifyAgain", func(t *testing.T) {
		r.post("/verifyPhoneNumber", `{"Otp":"`+code+`"}`).restErr(t, http.StatusConflict, "ConflictException")
		r.post("/sendPhoneNumberVerification", `{}`).restErr(t, http.StatusConflict, "ConflictException")
	})

	t.Run("SamePhoneKeepsVerification", func(t *testing.T) {
		in := contactInfo()
		in.PhoneNumber = aws.String(newPhone)
		in.City = aws.String("London")
		if _, err := client.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: in}); err != nil {
			t.Fatal(err)
		}
		if got := verificationStatus(t); got != "VERIFIED" {
			t.Errorf("VerificationStatus = %q after a Put with the same phone, want VERIFIED", got)
		}
	})
}
