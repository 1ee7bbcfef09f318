package storetest

import (
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

func getAccount(t *testing.T, s account.Store, id identity.AccountID) (a *kernel.Account, err error) {
	t.Helper()
	mustView(t, s, func(tx account.Tx) error {
		a, err = tx.Account(t.Context(), id)
		return nil
	})
	return a, err
}

func getAccountByEmail(t *testing.T, s account.Store, email string) (a *kernel.Account, err error) {
	t.Helper()
	mustView(t, s, func(tx account.Tx) error {
		a, err = tx.AccountByEmail(t.Context(), email)
		return nil
	})
	return a, err
}

func testAccountPutGet(t *testing.T, s account.Store) {
	want := newAccount(1)
	mustUpdate(t, s, func(tx account.Tx) error { return tx.PutAccount(t.Context(), want) })
	got, err := getAccount(t, s, want.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	wantEqual(t, "Account", got, want)

	// Every field, the other way round.
	other := &kernel.Account{ID: accountID(2), Name: "", Email: "x@example.org", State: kernel.StateSuspended}
	mustUpdate(t, s, func(tx account.Tx) error { return tx.PutAccount(t.Context(), other) })
	got, err = getAccount(t, s, other.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	wantEqual(t, "Account", got, other)
}

func testAccountNotFound(t *testing.T, s account.Store) {
	_, err := getAccount(t, s, accountID(1))
	wantNotFound(t, "Account on an empty store", err)
	_, err = getAccountByEmail(t, s, newAccount(1).Email)
	wantNotFound(t, "AccountByEmail on an empty store", err)

	mustSeed(t, s, 1)
	_, err = getAccount(t, s, accountID(2))
	wantNotFound(t, "Account of another id", err)
	_, err = getAccountByEmail(t, s, "nobody@example.com")
	wantNotFound(t, "AccountByEmail of another email", err)
}

func testAccountReplace(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	old := newAccount(1)
	want := &kernel.Account{
		ID: old.ID, Name: "renamed", Email: "new-owner@example.net",
		State: kernel.StateClosed, CreatedAt: t0.Add(-time.Nanosecond), PaymentMethod: false,
	}
	mustUpdate(t, s, func(tx account.Tx) error { return tx.PutAccount(t.Context(), want) })

	got, err := getAccount(t, s, want.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	wantEqual(t, "Account after replace", got, want)
	got, err = getAccountByEmail(t, s, want.Email)
	if err != nil {
		t.Fatalf("AccountByEmail of the new email: %v", err)
	}
	wantEqual(t, "AccountByEmail of the new email", got, want)
	_, err = getAccountByEmail(t, s, old.Email)
	wantNotFound(t, "AccountByEmail of the old email", err)
}

func testAccountByEmail(t *testing.T, s account.Store) {
	a := newAccount(1)
	a.Email = "Mixed.Case@Example.COM"
	b := newAccount(2)
	mustUpdate(t, s, func(tx account.Tx) error {
		if err := tx.PutAccount(t.Context(), a); err != nil {
			return err
		}
		return tx.PutAccount(t.Context(), b)
	})
	for _, email := range []string{"Mixed.Case@Example.COM", "mixed.case@example.com", "MIXED.CASE@EXAMPLE.COM"} {
		got, err := getAccountByEmail(t, s, email)
		if err != nil {
			t.Errorf("AccountByEmail(%q): %v", email, err)
			continue
		}
		// The stored spelling comes back, whatever the query's case.
		wantEqual(t, "AccountByEmail("+email+")", got, a)
	}
	got, err := getAccountByEmail(t, s, "OWNER2@example.com")
	if err != nil {
		t.Fatalf("AccountByEmail: %v", err)
	}
	wantEqual(t, "AccountByEmail(OWNER2@example.com)", got, b)
	_, err = getAccountByEmail(t, s, "mixed.case@example.co")
	wantNotFound(t, "AccountByEmail of a prefix", err)
}

func testAccountClosedOriginSeller(t *testing.T, s account.Store) {
	closing := newAccount(1)
	closing.ClosedAt = t0.Add(42 * time.Nanosecond)
	closing.Origin = kernel.OriginCreated
	closing.Seller = "AISPL"
	open := newAccount(2)
	open.Origin = kernel.OriginSignUp // ClosedAt zero, Seller "" (AWS)
	mustUpdate(t, s, func(tx account.Tx) error {
		return errors.Join(tx.PutAccount(t.Context(), closing), tx.PutAccount(t.Context(), open))
	})
	for _, want := range []*kernel.Account{closing, open} {
		got, err := getAccount(t, s, want.ID)
		if err != nil {
			t.Fatalf("Account: %v", err)
		}
		wantEqual(t, "Account "+string(want.ID), got, want)
		if want.ClosedAt.IsZero() && !got.ClosedAt.IsZero() {
			t.Errorf("Account %s: ClosedAt got %v, want the zero time", want.ID, got.ClosedAt)
		}
		got, err = getAccountByEmail(t, s, want.Email)
		if err != nil {
			t.Fatalf("AccountByEmail: %v", err)
		}
		wantEqual(t, "AccountByEmail "+want.Email, got, want)
	}

	// Reopening clears ClosedAt; the other fields are replaced too.
	reopened := *closing
	reopened.ClosedAt, reopened.Origin, reopened.Seller = time.Time{}, "", ""
	mustUpdate(t, s, func(tx account.Tx) error { return tx.PutAccount(t.Context(), &reopened) })
	got, err := getAccount(t, s, closing.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	wantEqual(t, "Account after clearing ClosedAt, Origin and Seller", got, &reopened)
	if !got.ClosedAt.IsZero() {
		t.Errorf("ClosedAt after clearing: got %v, want the zero time", got.ClosedAt)
	}
}

func getAlternate(t *testing.T, s account.Store, id identity.AccountID, typ account.AlternateContactType) (c *account.AlternateContact, err error) {
	t.Helper()
	mustView(t, s, func(tx account.Tx) error {
		c, err = tx.AlternateContact(t.Context(), id, typ)
		return nil
	})
	return c, err
}

func deleteAlternate(t *testing.T, s account.Store, id identity.AccountID, typ account.AlternateContactType) error {
	t.Helper()
	return s.Update(t.Context(), func(tx account.Tx) error {
		return tx.DeleteAlternateContact(t.Context(), id, typ)
	})
}

func putAlternate(t *testing.T, s account.Store, id identity.AccountID, c *account.AlternateContact) {
	t.Helper()
	mustUpdate(t, s, func(tx account.Tx) error { return tx.PutAlternateContact(t.Context(), id, c) })
}

func alternate(typ account.AlternateContactType, name string) *account.AlternateContact {
	return &account.AlternateContact{
		Type: typ, Name: name, Title: "Title of " + name,
		EmailAddress: name + "@example.com", PhoneNumber: "+1 206 555 0100",
	}
}

func testAlternatePutGet(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	for _, typ := range []account.AlternateContactType{account.Billing, account.Operations, account.Security} {
		want := alternate(typ, "contact-"+string(typ))
		putAlternate(t, s, accountID(1), want)
		got, err := getAlternate(t, s, accountID(1), typ)
		if err != nil {
			t.Fatalf("AlternateContact(%s): %v", typ, err)
		}
		wantEqual(t, "AlternateContact("+string(typ)+")", got, want)
	}
}

func testAlternateReplace(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	putAlternate(t, s, accountID(1), alternate(account.Billing, "first"))
	want := &account.AlternateContact{Type: account.Billing, Name: "second", EmailAddress: "second@example.com", PhoneNumber: "+44 20 7946 0000"}
	putAlternate(t, s, accountID(1), want)
	got, err := getAlternate(t, s, accountID(1), account.Billing)
	if err != nil {
		t.Fatalf("AlternateContact: %v", err)
	}
	wantEqual(t, "AlternateContact after replace", got, want)
}

func testAlternateDelete(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	putAlternate(t, s, accountID(1), alternate(account.Security, "sec"))
	if err := deleteAlternate(t, s, accountID(1), account.Security); err != nil {
		t.Fatalf("DeleteAlternateContact: %v", err)
	}
	_, err := getAlternate(t, s, accountID(1), account.Security)
	wantNotFound(t, "AlternateContact after delete", err)
	wantNotFound(t, "second DeleteAlternateContact", deleteAlternate(t, s, accountID(1), account.Security))

	// It can be set again.
	want := alternate(account.Security, "again")
	putAlternate(t, s, accountID(1), want)
	got, err := getAlternate(t, s, accountID(1), account.Security)
	if err != nil {
		t.Fatalf("AlternateContact after re-put: %v", err)
	}
	wantEqual(t, "AlternateContact after re-put", got, want)
}

func testAlternateDeleteAbsent(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	wantNotFound(t, "DeleteAlternateContact of a contact never set", deleteAlternate(t, s, accountID(1), account.Operations))
	_, err := getAlternate(t, s, accountID(1), account.Operations)
	wantNotFound(t, "AlternateContact never set", err)
}

func testAlternateTypeIsolation(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	billing := alternate(account.Billing, "bill")
	putAlternate(t, s, accountID(1), billing)
	putAlternate(t, s, accountID(1), alternate(account.Operations, "ops"))

	_, err := getAlternate(t, s, accountID(1), account.Security)
	wantNotFound(t, "AlternateContact(SECURITY) with BILLING and OPERATIONS set", err)
	wantNotFound(t, "DeleteAlternateContact(SECURITY)", deleteAlternate(t, s, accountID(1), account.Security))
	if err := deleteAlternate(t, s, accountID(1), account.Operations); err != nil {
		t.Fatalf("DeleteAlternateContact(OPERATIONS): %v", err)
	}
	got, err := getAlternate(t, s, accountID(1), account.Billing)
	if err != nil {
		t.Fatalf("AlternateContact(BILLING) after deleting OPERATIONS: %v", err)
	}
	wantEqual(t, "AlternateContact(BILLING) after deleting OPERATIONS", got, billing)
}

func testAlternateAccountIsolation(t *testing.T, s account.Store) {
	mustSeed(t, s, 1, 2)
	putAlternate(t, s, accountID(1), alternate(account.Billing, "one"))
	two := alternate(account.Billing, "two")
	putAlternate(t, s, accountID(2), two)

	if err := deleteAlternate(t, s, accountID(1), account.Billing); err != nil {
		t.Fatalf("DeleteAlternateContact: %v", err)
	}
	got, err := getAlternate(t, s, accountID(2), account.Billing)
	if err != nil {
		t.Fatalf("other account's AlternateContact after delete: %v", err)
	}
	wantEqual(t, "other account's AlternateContact", got, two)
	_, err = getAlternate(t, s, accountID(3), account.Billing)
	wantNotFound(t, "AlternateContact of an account without contacts", err)
}

func getContact(t *testing.T, s account.Store, id identity.AccountID) (c *kernel.ContactInformation, err error) {
	t.Helper()
	mustView(t, s, func(tx account.Tx) error {
		c, err = tx.ContactInformation(t.Context(), id)
		return nil
	})
	return c, err
}

func putContact(t *testing.T, s account.Store, id identity.AccountID, c *kernel.ContactInformation) {
	t.Helper()
	mustUpdate(t, s, func(tx account.Tx) error { return tx.PutContactInformation(t.Context(), id, c) })
}

func fullContact() *kernel.ContactInformation {
	return &kernel.ContactInformation{
		FullName: "Jane Doe", AddressLine1: "1 Main St", AddressLine2: "Suite 2", AddressLine3: "Floor 3",
		City: "Springfield", StateOrRegion: "IL", DistrictOrCounty: "Sangamon", PostalCode: "62701",
		CountryCode: "US", PhoneNumber: "+12175550100", CompanyName: "Example Corp",
		WebsiteURL: "https://example.com",
	}
}

func testContactPutGet(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	want := fullContact()
	putContact(t, s, accountID(1), want)
	got, err := getContact(t, s, accountID(1))
	if err != nil {
		t.Fatalf("ContactInformation: %v", err)
	}
	wantEqual(t, "ContactInformation", got, want)
}

func testContactReplace(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	putContact(t, s, accountID(1), fullContact())
	// Optional members set before and absent now must be gone.
	want := &kernel.ContactInformation{
		FullName: "John Roe", AddressLine1: "9 Side Rd", City: "Shelbyville",
		PostalCode: "62565", CountryCode: "US", PhoneNumber: "+12175550199",
	}
	putContact(t, s, accountID(1), want)
	got, err := getContact(t, s, accountID(1))
	if err != nil {
		t.Fatalf("ContactInformation: %v", err)
	}
	wantEqual(t, "ContactInformation after replace", got, want)
}

func testContactNotFound(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	_, err := getContact(t, s, accountID(1))
	wantNotFound(t, "ContactInformation never set", err)
}

func testContactAccountIsolation(t *testing.T, s account.Store) {
	mustSeed(t, s, 1, 2)
	one := fullContact()
	putContact(t, s, accountID(1), one)
	two := &kernel.ContactInformation{FullName: "Two", AddressLine1: "2 Road", City: "Town", PostalCode: "2", CountryCode: "GB", PhoneNumber: "+442079460000"}
	putContact(t, s, accountID(2), two)
	got, err := getContact(t, s, accountID(1))
	if err != nil {
		t.Fatalf("ContactInformation: %v", err)
	}
	wantEqual(t, "first account's ContactInformation", got, one)
	got, err = getContact(t, s, accountID(2))
	if err != nil {
		t.Fatalf("ContactInformation: %v", err)
	}
	wantEqual(t, "second account's ContactInformation", got, two)
}

func getPhone(t *testing.T, s account.Store, id identity.AccountID) (v *kernel.PhoneVerification, err error) {
	t.Helper()
	mustView(t, s, func(tx account.Tx) error {
		v, err = tx.PhoneVerification(t.Context(), id)
		return nil
	})
	return v, err
}

func putPhone(t *testing.T, s account.Store, id identity.AccountID, v *kernel.PhoneVerification) {
	t.Helper()
	mustUpdate(t, s, func(tx account.Tx) error { return tx.PutPhoneVerification(t.Context(), id, v) })
}

func testPhonePutGet(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	want := &kernel.PhoneVerification{Status: kernel.PhonePending, Code: "123456", ExpiresAt: t0.Add(10 * time.Minute)}
	putPhone(t, s, accountID(1), want)
	got, err := getPhone(t, s, accountID(1))
	if err != nil {
		t.Fatalf("PhoneVerification: %v", err)
	}
	wantEqual(t, "PhoneVerification", got, want)
}

func testPhoneReplace(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	putPhone(t, s, accountID(1), &kernel.PhoneVerification{Status: kernel.PhonePending, Code: "123456", ExpiresAt: t0})
	want := &kernel.PhoneVerification{Status: kernel.PhoneVerified} // no code, zero expiry
	putPhone(t, s, accountID(1), want)
	got, err := getPhone(t, s, accountID(1))
	if err != nil {
		t.Fatalf("PhoneVerification: %v", err)
	}
	wantEqual(t, "PhoneVerification after replace", got, want)
	if !got.ExpiresAt.IsZero() {
		t.Errorf("ExpiresAt: got %v, want the zero time", got.ExpiresAt)
	}
}

func testPhoneNotFound(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	_, err := getPhone(t, s, accountID(1))
	wantNotFound(t, "PhoneVerification never set", err)
}

func getRegionOpts(t *testing.T, s account.Store, id identity.AccountID) (opts []account.RegionOpt) {
	t.Helper()
	mustView(t, s, func(tx account.Tx) (err error) {
		opts, err = tx.RegionOpts(t.Context(), id)
		return err
	})
	return opts
}

func getRegionOpt(t *testing.T, s account.Store, id identity.AccountID, region string) (o *account.RegionOpt, err error) {
	t.Helper()
	mustView(t, s, func(tx account.Tx) error {
		o, err = tx.RegionOpt(t.Context(), id, region)
		return nil
	})
	return o, err
}

func putRegionOpt(t *testing.T, s account.Store, id identity.AccountID, o *account.RegionOpt) {
	t.Helper()
	mustUpdate(t, s, func(tx account.Tx) error { return tx.PutRegionOpt(t.Context(), id, o) })
}

func regionOpt(region string, target account.RegionStatus, at time.Time) *account.RegionOpt {
	return &account.RegionOpt{Region: region, Target: target, RequestedAt: at, DueAt: at.Add(90 * time.Second)}
}

func testRegionPutGet(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	want := regionOpt("af-south-1", account.RegionEnabled, t0)
	putRegionOpt(t, s, accountID(1), want)
	got, err := getRegionOpt(t, s, accountID(1), "af-south-1")
	if err != nil {
		t.Fatalf("RegionOpt: %v", err)
	}
	wantEqual(t, "RegionOpt", got, want)
}

func testRegionNotFound(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	putRegionOpt(t, s, accountID(1), regionOpt("af-south-1", account.RegionEnabled, t0))
	_, err := getRegionOpt(t, s, accountID(1), "ap-east-1")
	wantNotFound(t, "RegionOpt never set", err)
}

func testRegionListSorted(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	// Names whose byte order differs from a locale-aware collation's.
	names := []string{"me-south-1", "ap-southeast-4", "ap-south-2", "ap-east-1", "af-south-1", "ap-southeast-3", "Z-upper-1", "ap-east-2", "ca-west-1", "ap-south-1"}
	var want []account.RegionOpt
	for i, n := range names {
		target := account.RegionEnabled
		if i%2 == 1 {
			target = account.RegionDisabled
		}
		o := regionOpt(n, target, t0.Add(time.Duration(i)*time.Minute))
		putRegionOpt(t, s, accountID(1), o)
		want = append(want, *o)
	}
	sort.Slice(want, func(i, j int) bool { return want[i].Region < want[j].Region })
	wantEqual(t, "RegionOpts", getRegionOpts(t, s, accountID(1)), want)
}

func testRegionListEmpty(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	if got := getRegionOpts(t, s, accountID(1)); len(got) != 0 {
		t.Errorf("RegionOpts of an account without any: got %d, want 0", len(got))
	}
}

func testRegionReplace(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	putRegionOpt(t, s, accountID(1), regionOpt("il-central-1", account.RegionEnabled, t0))
	want := regionOpt("il-central-1", account.RegionDisabled, t0.Add(time.Hour))
	putRegionOpt(t, s, accountID(1), want)
	got, err := getRegionOpt(t, s, accountID(1), "il-central-1")
	if err != nil {
		t.Fatalf("RegionOpt: %v", err)
	}
	wantEqual(t, "RegionOpt after replace", got, want)
	wantEqual(t, "RegionOpts after replace", getRegionOpts(t, s, accountID(1)), []account.RegionOpt{*want})
}

func testRegionAccountIsolation(t *testing.T, s account.Store) {
	mustSeed(t, s, 1, 2)
	one := regionOpt("af-south-1", account.RegionEnabled, t0)
	two := regionOpt("ap-east-1", account.RegionDisabled, t0)
	putRegionOpt(t, s, accountID(1), one)
	putRegionOpt(t, s, accountID(2), two)
	wantEqual(t, "first account's RegionOpts", getRegionOpts(t, s, accountID(1)), []account.RegionOpt{*one})
	wantEqual(t, "second account's RegionOpts", getRegionOpts(t, s, accountID(2)), []account.RegionOpt{*two})
	_, err := getRegionOpt(t, s, accountID(2), "af-south-1")
	wantNotFound(t, "RegionOpt set only for another account", err)
}

func getEmailUpdate(t *testing.T, s account.Store, id identity.AccountID) (u *account.EmailUpdate, err error) {
	t.Helper()
	mustView(t, s, func(tx account.Tx) error {
		u, err = tx.EmailUpdate(t.Context(), id)
		return nil
	})
	return u, err
}

func putEmailUpdate(t *testing.T, s account.Store, id identity.AccountID, u *account.EmailUpdate) {
	t.Helper()
	mustUpdate(t, s, func(tx account.Tx) error { return tx.PutEmailUpdate(t.Context(), id, u) })
}

func testEmailUpdatePutGet(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	want := &account.EmailUpdate{
		NewEmail: "New@Example.com", Code: "654321", ExpiresAt: t0.Add(24 * time.Hour),
		Status: account.EmailUpdatePending, UpdatedAt: t0,
	}
	putEmailUpdate(t, s, accountID(1), want)
	got, err := getEmailUpdate(t, s, accountID(1))
	if err != nil {
		t.Fatalf("EmailUpdate: %v", err)
	}
	wantEqual(t, "EmailUpdate", got, want)
}

func testEmailUpdateReplace(t *testing.T, s account.Store) {
	mustSeed(t, s, 1, 2)
	putEmailUpdate(t, s, accountID(1), &account.EmailUpdate{
		NewEmail: "new@example.com", Code: "654321", ExpiresAt: t0.Add(time.Hour),
		Status: account.EmailUpdatePending, UpdatedAt: t0,
	})
	want := &account.EmailUpdate{NewEmail: "new@example.com", Status: account.EmailUpdateAccepted, UpdatedAt: t0.Add(time.Minute)}
	putEmailUpdate(t, s, accountID(1), want)
	got, err := getEmailUpdate(t, s, accountID(1))
	if err != nil {
		t.Fatalf("EmailUpdate: %v", err)
	}
	wantEqual(t, "EmailUpdate after replace", got, want)
	_, err = getEmailUpdate(t, s, accountID(2))
	wantNotFound(t, "EmailUpdate of another account", err)
}

func testEmailUpdateNotFound(t *testing.T, s account.Store) {
	mustSeed(t, s, 1)
	_, err := getEmailUpdate(t, s, accountID(1))
	wantNotFound(t, "EmailUpdate never started", err)
}
