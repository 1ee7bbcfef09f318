package account_test

import (
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
)

func alt(typ account.AlternateContactType, name string) account.AlternateContact {
	return account.AlternateContact{Type: typ, Name: name, Title: "Lead", EmailAddress: strings.ToLower(name) + "@example.com", PhoneNumber: "+1 206-555-0100"}
}

func TestAlternateContacts(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	types := []account.AlternateContactType{account.Billing, account.Operations, account.Security}
	for _, typ := range types {
		t.Run(string(typ), func(t *testing.T) {
			_, err := w.svc.AlternateContact(w.ctx, self(p), typ)
			wantCode(t, err, account.CodeResourceNotFound)
			first := alt(typ, "First"+string(typ))
			must(t, w.svc.PutAlternateContact(w.ctx, self(p), first), "put")
			got, err := w.svc.AlternateContact(w.ctx, self(p), typ)
			must(t, err, "get")
			if *got != first {
				t.Errorf("got %+v, want %+v", *got, first)
			}
			// A second put replaces the contact.
			second := account.AlternateContact{Type: typ, Name: "Second", Title: "T", EmailAddress: "second@example.com", PhoneNumber: "555"}
			must(t, w.svc.PutAlternateContact(w.ctx, self(p), second), "put again")
			got, err = w.svc.AlternateContact(w.ctx, self(p), typ)
			must(t, err, "get")
			if *got != second {
				t.Errorf("after the second put: %+v, want %+v", *got, second)
			}
		})
	}
	// The three types are independent: deleting one keeps the others.
	must(t, w.svc.DeleteAlternateContact(w.ctx, self(p), account.Billing), "delete BILLING")
	wantCode(t, w.svc.DeleteAlternateContact(w.ctx, self(p), account.Billing), account.CodeResourceNotFound)
	_, err := w.svc.AlternateContact(w.ctx, self(p), account.Billing)
	wantCode(t, err, account.CodeResourceNotFound)
	for _, typ := range types[1:] {
		if _, err := w.svc.AlternateContact(w.ctx, self(p), typ); err != nil {
			t.Errorf("%s after deleting BILLING: %v", typ, err)
		}
	}
	// Another account's contacts are its own.
	q := w.signUp(t, "Bravo")
	_, err = w.svc.AlternateContact(w.ctx, self(q), account.Security)
	wantCode(t, err, account.CodeResourceNotFound)
	wantCode(t, w.svc.DeleteAlternateContact(w.ctx, self(q), account.Security), account.CodeResourceNotFound)
}

func TestAlternateContactTypeOutsideEnum(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	for _, typ := range []account.AlternateContactType{"", "billing", "TECHNICAL"} {
		_, err := w.svc.AlternateContact(w.ctx, self(p), typ)
		wantField(t, err, "AlternateContactType")
		wantField(t, w.svc.PutAlternateContact(w.ctx, self(p), alt(typ, "X")), "AlternateContactType")
		wantField(t, w.svc.DeleteAlternateContact(w.ctx, self(p), typ), "AlternateContactType")
	}
}

// fullContact is a contact information with every member set.
func fullContact(phone string) account.ContactInformation {
	return account.ContactInformation{
		FullName: "Jane Doe", AddressLine1: "1 Main St", AddressLine2: "Suite 2", AddressLine3: "Floor 3",
		City: "Seattle", StateOrRegion: "WA", DistrictOrCounty: "King", PostalCode: "98101", CountryCode: "US",
		PhoneNumber: phone, CompanyName: "Example Corp", WebsiteURL: "https://example.com",
	}
}

func (w *world) contact(tb testing.TB, t account.Target) (account.ContactInformation, account.PhoneStatus) {
	tb.Helper()
	c, st, err := w.svc.ContactInformation(w.ctx, t)
	must(tb, err, "ContactInformation")
	return *c, st
}

func TestContactInformationReplace(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	c, st := w.contact(t, self(p))
	if c.FullName != "Alpha" || c.PhoneNumber == "" || c.CountryCode != "US" || st != account.PhoneVerified {
		t.Errorf("after sign-up: %+v %s, want Alpha's derived contact with a VERIFIED phone", c, st)
	}
	full := fullContact(c.PhoneNumber)
	must(t, w.svc.PutContactInformation(w.ctx, self(p), full), "put full")
	got, st := w.contact(t, self(p))
	if got != full {
		t.Errorf("got %+v, want %+v", got, full)
	}
	if st != account.PhoneVerified {
		t.Errorf("the same phone number: %s, want still VERIFIED", st)
	}
	// The put replaces the whole contact: absent optional members are cleared.
	minimal := account.ContactInformation{FullName: "Min", AddressLine1: "2 Side St", City: "Paris", PostalCode: "75001", CountryCode: "FR", PhoneNumber: c.PhoneNumber}
	must(t, w.svc.PutContactInformation(w.ctx, self(p), minimal), "put minimal")
	if got, _ := w.contact(t, self(p)); got != minimal {
		t.Errorf("got %+v, want exactly %+v", got, minimal)
	}
	// A new number is not verified.
	changed := minimal
	changed.PhoneNumber = "+33 1 23 45 67 89"
	must(t, w.svc.PutContactInformation(w.ctx, self(p), changed), "put a new number")
	if _, st := w.contact(t, self(p)); st != account.PhoneUnverified {
		t.Errorf("after changing the number: %s, want UNVERIFIED", st)
	}
}

func TestContactInformationMissing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	mgmt := w.signUp(t, "Mgmt")
	w.org(t, mgmt)
	st, err := w.orgs.CreateAccount(w.ctx, mgmt, newAccount("created"))
	must(t, err, "CreateAccount")
	created := on(mgmt, st.Account)
	// A created account has no contact information.
	_, _, err = w.svc.ContactInformation(w.ctx, created)
	wantCode(t, err, account.CodeResourceNotFound)
	_, err = w.svc.SendPhoneVerification(w.ctx, created)
	wantCode(t, err, account.CodeResourceNotFound)
	_, err = w.svc.VerifyPhone(w.ctx, created, "123456")
	wantCode(t, err, account.CodeResourceNotFound)
	// The first put leaves the phone UNVERIFIED.
	must(t, w.svc.PutContactInformation(w.ctx, created, fullContact("+12065550123")), "put")
	if _, st := w.contact(t, created); st != account.PhoneUnverified {
		t.Errorf("first contact: %s, want UNVERIFIED", st)
	}
}

// TestPhoneVerification: the code goes to the outbox; a wrong or expired
// code is refused; a verified number cannot be verified again until it
// changes.
func TestPhoneVerification(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	const number = "+1 206-555-0199"

	_, err := w.svc.SendPhoneVerification(w.ctx, self(p))
	wantCode(t, err, account.CodeConflict) // a sign-up's number is verified
	_, err = w.svc.VerifyPhone(w.ctx, self(p), "000000")
	wantCode(t, err, account.CodeConflict)

	must(t, w.svc.PutContactInformation(w.ctx, self(p), fullContact(number)), "change the number")
	_, err = w.svc.VerifyPhone(w.ctx, self(p), "000000")
	wantCode(t, err, account.CodeResourceNotFound) // no code sent yet

	st, err := w.svc.SendPhoneVerification(w.ctx, self(p))
	must(t, err, "SendPhoneVerification")
	if st != account.PhonePending {
		t.Errorf("SendPhoneVerification = %s, want PENDING", st)
	}
	if _, st := w.contact(t, self(p)); st != account.PhonePending {
		t.Errorf("ContactInformation status %s, want PENDING", st)
	}
	m := w.lastMessage(t)
	if m.To != number || m.Account != string(p.Account) || len(m.Code) != 6 || !strings.Contains(m.Body, m.Code) {
		t.Fatalf("verification message %+v: want a 6-digit code texted to %s", m, number)
	}
	wrong := "000000"
	if m.Code == wrong {
		wrong = "111111"
	}
	_, err = w.svc.VerifyPhone(w.ctx, self(p), wrong)
	wantField(t, err, "Otp")

	// The code expires after 10 minutes.
	w.clk.Advance(10 * time.Minute)
	_, err = w.svc.VerifyPhone(w.ctx, self(p), m.Code)
	wantField(t, err, "Otp")

	// A new code replaces the old one.
	_, err = w.svc.SendPhoneVerification(w.ctx, self(p))
	must(t, err, "send again")
	m2 := w.lastMessage(t)
	if m2.Code != m.Code {
		_, err = w.svc.VerifyPhone(w.ctx, self(p), m.Code)
		wantField(t, err, "Otp")
	}
	w.clk.Advance(10*time.Minute - time.Second)
	st, err = w.svc.VerifyPhone(w.ctx, self(p), m2.Code)
	must(t, err, "VerifyPhone")
	if st != account.PhoneVerified {
		t.Errorf("VerifyPhone = %s, want VERIFIED", st)
	}
	if _, st := w.contact(t, self(p)); st != account.PhoneVerified {
		t.Errorf("ContactInformation status %s, want VERIFIED", st)
	}
	_, err = w.svc.VerifyPhone(w.ctx, self(p), m2.Code)
	wantCode(t, err, account.CodeConflict)
	_, err = w.svc.SendPhoneVerification(w.ctx, self(p))
	wantCode(t, err, account.CodeConflict)

	// Changing the number resets the status and voids any code.
	must(t, w.svc.PutContactInformation(w.ctx, self(p), fullContact("+1 206-555-0200")), "change the number again")
	if _, st := w.contact(t, self(p)); st != account.PhoneUnverified {
		t.Errorf("after a new number: %s, want UNVERIFIED", st)
	}
	_, err = w.svc.VerifyPhone(w.ctx, self(p), m2.Code)
	wantCode(t, err, account.CodeResourceNotFound)
}

func TestPhoneCodeTTLOption(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{PhoneCodeTTL: time.Minute})
	p := w.signUp(t, "Alpha")
	must(t, w.svc.PutContactInformation(w.ctx, self(p), fullContact("+12065550111")), "put")
	_, err := w.svc.SendPhoneVerification(w.ctx, self(p))
	must(t, err, "send")
	w.clk.Advance(time.Minute)
	_, err = w.svc.VerifyPhone(w.ctx, self(p), w.lastMessage(t).Code)
	wantField(t, err, "Otp")
}

// TestPhoneCodesDeterministic: one-time codes come from the injected
// random source.
func TestPhoneCodesDeterministic(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{Rand: zeros{}})
	p := w.signUp(t, "Alpha")
	must(t, w.svc.PutContactInformation(w.ctx, self(p), fullContact("+12065550111")), "put")
	_, err := w.svc.SendPhoneVerification(w.ctx, self(p))
	must(t, err, "send")
	if got := w.lastMessage(t).Code; got != "000000" {
		t.Errorf("code %q from an all-zero random source, want 000000", got)
	}
}

// zeros is a random source of zero bytes.
type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}
