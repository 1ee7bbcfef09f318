package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// The records of account.Tx. The outbox's messages are not keyed records:
// they have tests of their own.

func accountStore(s Stores) kernel.Store[account.Tx] { return s.Account }

func accountKinds() []sampler[account.Tx] {
	return []sampler[account.Tx]{accountRecords, alternateContacts, contactInfos, phoneVerifications, regionOpts, emailUpdates}
}

// owned is a record the Tx keeps for an account without the account in it.
type owned[T any] struct {
	Account identity.AccountID
	V       T
}

// value returns *p, or the zero value with err.
func value[T any](p *T, err error) (T, error) {
	if err != nil || p == nil {
		var zero T
		return zero, err
	}
	return *p, nil
}

// ownedValue returns *p owned by acct, or err.
func ownedValue[T any](acct identity.AccountID, p *T, err error) (owned[T], error) {
	v, err := value(p, err)
	return owned[T]{acct, v}, err
}

var accountRecords = &kind[account.Tx, kernel.Account]{
	name: "Account", store: accountStore,
	sample: func(s, n int) kernel.Account {
		a := *newAccount(10*s + n)
		a.Origin = kernel.OriginSignUp
		if n%2 == 0 {
			a.ClosedAt, a.Origin, a.Seller = t0.Add(42*time.Nanosecond), kernel.OriginCreated, "AISPL"
		}
		return a
	},
	key: func(a kernel.Account) any { return a.ID },
	put: func(ctx context.Context, tx account.Tx, a kernel.Account) error { return tx.PutAccount(ctx, &a) },
	get: func(ctx context.Context, tx account.Tx, a kernel.Account) (kernel.Account, error) {
		return value(tx.Account(ctx, a.ID))
	},
	mutate: func(a kernel.Account) kernel.Account {
		a.Name, a.Email, a.State = "renamed", "New-"+a.Email, kernel.StateSuspended
		a.CreatedAt, a.PaymentMethod = a.CreatedAt.Add(-time.Nanosecond), !a.PaymentMethod
		if a.ClosedAt.IsZero() {
			a.ClosedAt, a.Origin, a.Seller = t0, kernel.OriginCreated, "AISPL"
		} else {
			a.ClosedAt, a.Origin, a.Seller = time.Time{}, "", ""
		}
		return a
	},
	// The email stays: it is unique.
	clear: func(a kernel.Account) kernel.Account { return kernel.Account{ID: a.ID, Email: a.Email} },
	times: func(a kernel.Account, at time.Time) kernel.Account { a.CreatedAt, a.ClosedAt = at, at; return a },
}

var alternateTypes = []account.AlternateContactType{account.Billing, account.Operations, account.Security}

var alternateContacts = &kind[account.Tx, owned[account.AlternateContact]]{
	name: "AlternateContact", store: accountStore,
	// Three types per account: the records of a scope share accounts.
	sample: func(s, n int) owned[account.AlternateContact] {
		name := fmt.Sprintf("contact-%d-%d", s, n)
		return owned[account.AlternateContact]{accountID(10*s + (n-1)/3), account.AlternateContact{
			Type: alternateTypes[(n-1)%3], Name: name, Title: "Title of " + name,
			EmailAddress: name + "@example.com", PhoneNumber: "+1 206 555 0100",
		}}
	},
	key: func(r owned[account.AlternateContact]) any { return [2]any{r.Account, r.V.Type} },
	put: func(ctx context.Context, tx account.Tx, r owned[account.AlternateContact]) error {
		return tx.PutAlternateContact(ctx, r.Account, &r.V)
	},
	get: func(ctx context.Context, tx account.Tx, r owned[account.AlternateContact]) (owned[account.AlternateContact], error) {
		c, err := tx.AlternateContact(ctx, r.Account, r.V.Type)
		return ownedValue(r.Account, c, err)
	},
	del: func(ctx context.Context, tx account.Tx, r owned[account.AlternateContact]) error {
		return tx.DeleteAlternateContact(ctx, r.Account, r.V.Type)
	},
	mutate: func(r owned[account.AlternateContact]) owned[account.AlternateContact] {
		r.V.Name, r.V.Title, r.V.EmailAddress, r.V.PhoneNumber = r.V.Name+" renamed", "", "second@example.com", "+44 20 7946 0000"
		return r
	},
	clear: func(r owned[account.AlternateContact]) owned[account.AlternateContact] {
		return owned[account.AlternateContact]{r.Account, account.AlternateContact{Type: r.V.Type}}
	},
}

var contactInfos = &kind[account.Tx, owned[kernel.ContactInformation]]{
	name: "ContactInformation", store: accountStore,
	sample: func(s, n int) owned[kernel.ContactInformation] {
		return owned[kernel.ContactInformation]{accountID(10*s + n), kernel.ContactInformation{
			FullName: fmt.Sprintf("Jane Doe %d", n), AddressLine1: "1 Main St", AddressLine2: "Suite 2", AddressLine3: "Floor 3",
			City: "Springfield", StateOrRegion: "IL", DistrictOrCounty: "Sangamon", PostalCode: "62701",
			CountryCode: "US", PhoneNumber: "+12175550100", CompanyName: "Example Corp", WebsiteURL: "https://example.com",
		}}
	},
	key: func(r owned[kernel.ContactInformation]) any { return r.Account },
	put: func(ctx context.Context, tx account.Tx, r owned[kernel.ContactInformation]) error {
		return tx.PutContactInformation(ctx, r.Account, &r.V)
	},
	get: func(ctx context.Context, tx account.Tx, r owned[kernel.ContactInformation]) (owned[kernel.ContactInformation], error) {
		c, err := tx.ContactInformation(ctx, r.Account)
		return ownedValue(r.Account, c, err)
	},
	// The optional members set before and absent now must be gone.
	mutate: func(r owned[kernel.ContactInformation]) owned[kernel.ContactInformation] {
		return owned[kernel.ContactInformation]{r.Account, kernel.ContactInformation{
			FullName: "John Roe", AddressLine1: "9 Side Rd", City: "Shelbyville",
			PostalCode: "62565", CountryCode: "GB", PhoneNumber: "+12175550199",
		}}
	},
	clear: func(r owned[kernel.ContactInformation]) owned[kernel.ContactInformation] {
		return owned[kernel.ContactInformation]{Account: r.Account}
	},
}

var phoneVerifications = &kind[account.Tx, owned[kernel.PhoneVerification]]{
	name: "PhoneVerification", store: accountStore,
	sample: func(s, n int) owned[kernel.PhoneVerification] {
		return owned[kernel.PhoneVerification]{accountID(10*s + n), kernel.PhoneVerification{
			Status: kernel.PhonePending, Code: fmt.Sprintf("%06d", n), ExpiresAt: t0.Add(10 * time.Minute),
		}}
	},
	key: func(r owned[kernel.PhoneVerification]) any { return r.Account },
	put: func(ctx context.Context, tx account.Tx, r owned[kernel.PhoneVerification]) error {
		return tx.PutPhoneVerification(ctx, r.Account, &r.V)
	},
	get: func(ctx context.Context, tx account.Tx, r owned[kernel.PhoneVerification]) (owned[kernel.PhoneVerification], error) {
		v, err := tx.PhoneVerification(ctx, r.Account)
		return ownedValue(r.Account, v, err)
	},
	mutate: func(r owned[kernel.PhoneVerification]) owned[kernel.PhoneVerification] {
		return owned[kernel.PhoneVerification]{r.Account, kernel.PhoneVerification{Status: kernel.PhoneVerified}}
	},
	clear: func(r owned[kernel.PhoneVerification]) owned[kernel.PhoneVerification] {
		return owned[kernel.PhoneVerification]{Account: r.Account}
	},
	times: func(r owned[kernel.PhoneVerification], at time.Time) owned[kernel.PhoneVerification] {
		r.V.ExpiresAt = at
		return r
	},
}

// regionNames are Region names whose byte order differs from a
// locale-aware collation's and from the order they are numbered in.
var regionNames = []string{"me-south-1", "ap-southeast-4", "Z-upper-1", "ap-south-2", "af-south-1",
	"ap-southeast-3", "ap-east-1", "ca-west-1", "ap-south-1", "ap-east-2"}

var regionOpts = &kind[account.Tx, owned[account.RegionOpt]]{
	name: "RegionOpt", store: accountStore,
	sample: func(s, n int) owned[account.RegionOpt] {
		target := account.RegionEnabled
		if n%2 == 0 {
			target = account.RegionDisabled
		}
		at := t0.Add(time.Duration(n) * time.Minute)
		return owned[account.RegionOpt]{accountID(s), account.RegionOpt{
			Region: regionNames[n-1], Target: target, RequestedAt: at, DueAt: at.Add(90 * time.Second),
		}}
	},
	key: func(r owned[account.RegionOpt]) any { return [2]any{r.Account, r.V.Region} },
	put: func(ctx context.Context, tx account.Tx, r owned[account.RegionOpt]) error {
		return tx.PutRegionOpt(ctx, r.Account, &r.V)
	},
	get: func(ctx context.Context, tx account.Tx, r owned[account.RegionOpt]) (owned[account.RegionOpt], error) {
		o, err := tx.RegionOpt(ctx, r.Account, r.V.Region)
		return ownedValue(r.Account, o, err)
	},
	list: func(ctx context.Context, tx account.Tx, r owned[account.RegionOpt]) ([]owned[account.RegionOpt], error) {
		os, err := tx.RegionOpts(ctx, r.Account)
		out := make([]owned[account.RegionOpt], len(os))
		for i, o := range os {
			out[i] = owned[account.RegionOpt]{r.Account, o}
		}
		return out, err
	},
	order: func(a, b owned[account.RegionOpt]) int { return strings.Compare(a.V.Region, b.V.Region) },
	mutate: func(r owned[account.RegionOpt]) owned[account.RegionOpt] {
		if r.V.Target == account.RegionEnabled {
			r.V.Target = account.RegionDisabled
		} else {
			r.V.Target = account.RegionEnabled
		}
		r.V.RequestedAt, r.V.DueAt = r.V.RequestedAt.Add(time.Hour), r.V.DueAt.Add(2*time.Hour)
		return r
	},
	clear: func(r owned[account.RegionOpt]) owned[account.RegionOpt] {
		return owned[account.RegionOpt]{r.Account, account.RegionOpt{Region: r.V.Region}}
	},
	times: func(r owned[account.RegionOpt], at time.Time) owned[account.RegionOpt] {
		r.V.RequestedAt, r.V.DueAt = at, at
		return r
	},
	recase: func(r owned[account.RegionOpt]) owned[account.RegionOpt] {
		r.V.Region = strings.ToUpper(r.V.Region)
		return r
	},
}

var emailUpdates = &kind[account.Tx, owned[account.EmailUpdate]]{
	name: "EmailUpdate", store: accountStore,
	sample: func(s, n int) owned[account.EmailUpdate] {
		return owned[account.EmailUpdate]{accountID(10*s + n), account.EmailUpdate{
			NewEmail: fmt.Sprintf("New%d@Example.com", n), Code: "654321", ExpiresAt: t0.Add(24 * time.Hour),
			Status: account.EmailUpdatePending, UpdatedAt: t0,
		}}
	},
	key: func(r owned[account.EmailUpdate]) any { return r.Account },
	put: func(ctx context.Context, tx account.Tx, r owned[account.EmailUpdate]) error {
		return tx.PutEmailUpdate(ctx, r.Account, &r.V)
	},
	get: func(ctx context.Context, tx account.Tx, r owned[account.EmailUpdate]) (owned[account.EmailUpdate], error) {
		u, err := tx.EmailUpdate(ctx, r.Account)
		return ownedValue(r.Account, u, err)
	},
	mutate: func(r owned[account.EmailUpdate]) owned[account.EmailUpdate] {
		return owned[account.EmailUpdate]{r.Account, account.EmailUpdate{
			NewEmail: "other@example.com", Status: account.EmailUpdateAccepted, UpdatedAt: t0.Add(time.Minute),
		}}
	},
	clear: func(r owned[account.EmailUpdate]) owned[account.EmailUpdate] {
		return owned[account.EmailUpdate]{Account: r.Account}
	},
	times: func(r owned[account.EmailUpdate], at time.Time) owned[account.EmailUpdate] {
		r.V.ExpiresAt, r.V.UpdatedAt = at, at
		return r
	},
}

var accountTests = []test{
	{"Account/ByEmail", testAccountByEmail},
	{"Account/EmailUnique", testAccountEmailUnique},
	{"Account/SharedWithOtherDomains", testSharedAccounts},
	{"Account/RollbackEveryKind", func(t *testing.T, s Stores) { testRollbackEveryKind(t, s.Account, accountKinds()) }},
	{"Outbox", testOutbox},
	{"Credentials", testCredentials},
	{"Empty", testEmpty},
}

func accountByEmail(t *testing.T, s Stores, email string) (*kernel.Account, error) {
	t.Helper()
	return read(t, s.Account, func(ctx context.Context, tx account.Tx) (*kernel.Account, error) {
		return tx.AccountByEmail(ctx, email)
	})
}

func putAccounts(t *testing.T, st account.Store, as ...*kernel.Account) {
	t.Helper()
	update(t, st, func(ctx context.Context, tx account.Tx) error {
		for _, a := range as {
			if err := tx.PutAccount(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// testAccountByEmail: the lookup ignores case and returns the stored
// spelling, follows a replaced email, and sees its own transaction's
// writes.
func testAccountByEmail(t *testing.T, s Stores) {
	_, err := accountByEmail(t, s, "owner1@example.com")
	wantNotFound(t, "AccountByEmail on an empty store", err)
	a, b := newAccount(1), newAccount(2)
	a.Email = "Mixed.Case@Example.COM"
	putAccounts(t, s.Account, a, b)
	for _, email := range []string{"Mixed.Case@Example.COM", "mixed.case@example.com", "MIXED.CASE@EXAMPLE.COM"} {
		checkRead(t, "AccountByEmail("+email+")", a, func() (any, error) { return accountByEmail(t, s, email) })
	}
	checkRead(t, "AccountByEmail(OWNER2@example.com)", b, func() (any, error) { return accountByEmail(t, s, "OWNER2@example.com") })
	_, err = accountByEmail(t, s, "mixed.case@example.co")
	wantNotFound(t, "AccountByEmail of a prefix", err)

	changed := *a
	changed.Email = "new-owner@example.net"
	update(t, s.Account, func(ctx context.Context, tx account.Tx) error {
		if err := tx.PutAccount(ctx, &changed); err != nil {
			return err
		}
		checkRead(t, "AccountByEmail in the writing transaction", &changed, func() (any, error) {
			return tx.AccountByEmail(ctx, "NEW-OWNER@example.net")
		})
		return nil
	})
	checkRead(t, "AccountByEmail of the new email", &changed, func() (any, error) { return accountByEmail(t, s, changed.Email) })
	_, err = accountByEmail(t, s, a.Email)
	wantNotFound(t, "AccountByEmail of the replaced email", err)
}

// testAccountEmailUnique: an email, in any case, belongs to one account;
// once its account changes email, another may take it.
func testAccountEmailUnique(t *testing.T, s Stores) {
	a, b := newAccount(1), newAccount(2)
	putAccounts(t, s.Account, a, b)
	taken := newAccount(3)
	taken.Email = strings.ToUpper(a.Email)
	err := write(t, s.Account, func(ctx context.Context, tx account.Tx) error { return tx.PutAccount(ctx, taken) })
	if err == nil {
		t.Errorf("PutAccount of a new account with a taken email: got nil error, want one")
	}
	moved := *b
	moved.Email = a.Email
	if err := write(t, s.Account, func(ctx context.Context, tx account.Tx) error { return tx.PutAccount(ctx, &moved) }); err == nil {
		t.Errorf("PutAccount giving an account another's email: got nil error, want one")
	}
	checkRead(t, "AccountByEmail of the taken email", a, func() (any, error) { return accountByEmail(t, s, a.Email) })
	checkRead(t, "Account refused an email", b, func() (any, error) {
		return read(t, s.Account, func(ctx context.Context, tx account.Tx) (*kernel.Account, error) { return tx.Account(ctx, b.ID) })
	})

	// An account may put its own email again, in another case; once it
	// changes it, the old one is free.
	again := *a
	again.Email = strings.ToUpper(a.Email)
	putAccounts(t, s.Account, &again)
	released := again
	released.Email = "elsewhere@example.com"
	putAccounts(t, s.Account, &released, taken)
	checkRead(t, "AccountByEmail of a released email", taken, func() (any, error) { return accountByEmail(t, s, a.Email) })
}

// testSharedAccounts: the account records are one set, whichever domain's
// view writes or reads them, and one Update of any view is rolled back
// whole.
func testSharedAccounts(t *testing.T, s Stores) {
	skipUnless(t, s.Organizations != nil && s.IAM != nil, "Organizations or IAM view")
	a := newAccount(1)
	a.ClosedAt, a.Origin, a.Seller = t0.Add(time.Nanosecond), kernel.OriginCreated, "AISPL"
	contact := contactInfos.sample(1, 1)
	contact.Account = a.ID
	phone := phoneVerifications.sample(1, 1)
	phone.Account = a.ID
	update(t, s.Account, func(ctx context.Context, tx account.Tx) error {
		return errors.Join(tx.PutAccount(ctx, a), tx.PutContactInformation(ctx, a.ID, &contact.V), tx.PutPhoneVerification(ctx, a.ID, &phone.V))
	})
	view(t, s.Organizations, func(ctx context.Context, tx organizations.Tx) error {
		checkRead(t, "Account through Organizations", a, func() (any, error) { return tx.Account(ctx, a.ID) })
		checkRead(t, "AccountByEmail through Organizations", a, func() (any, error) { return tx.AccountByEmail(ctx, "OWNER1@example.com") })
		checkRead(t, "ContactInformation through Organizations", &contact.V, func() (any, error) { return tx.ContactInformation(ctx, a.ID) })
		checkRead(t, "PhoneVerification through Organizations", &phone.V, func() (any, error) { return tx.PhoneVerification(ctx, a.ID) })
		_, err := tx.ContactInformation(ctx, accountID(2))
		wantNotFound(t, "ContactInformation never put, through Organizations", err)
		return nil
	})
	view(t, s.IAM, func(ctx context.Context, tx iam.Tx) error {
		checkRead(t, "Account through IAM", a, func() (any, error) { return tx.Account(ctx, a.ID) })
		_, err := tx.Account(ctx, accountID(2))
		wantNotFound(t, "Account never put, through IAM", err)
		return nil
	})

	b := newAccount(2)
	m := &kernel.Message{ID: "m1", Time: t0, Account: string(b.ID), To: b.Email, Subject: "s", Body: "b"}
	update(t, s.Organizations, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutAccount(ctx, b), tx.AddMessage(ctx, m))
	})
	checkRead(t, "Account written through Organizations", b, func() (any, error) { return getAccount(t, s.Account, b.ID) })
	for name, w := range map[string]func(ctx context.Context, tx organizations.Tx) error{
		"PutAccount": func(ctx context.Context, tx organizations.Tx) error { return tx.PutAccount(ctx, newAccount(3)) },
		"AddMessage": func(ctx context.Context, tx organizations.Tx) error { return tx.AddMessage(ctx, message(3, t0)) },
	} {
		_ = s.Organizations.View(t.Context(), func(tx organizations.Tx) error {
			if err := w(t.Context(), tx); err == nil {
				t.Errorf("%s in a View of Organizations: got nil error, want one", name)
			}
			return nil
		})
	}
	_, err := getAccount(t, s.Account, accountID(3))
	wantNotFound(t, "Account put in a View of Organizations", err)
	if s.Outbox != nil {
		wantEqual(t, "Messages written through Organizations", mustMessages(t, s.Outbox, 10), []kernel.Message{*m})
	}

	// A failed Update of Organizations or IAM rolls back the account
	// records it wrote with the rest.
	changed := *b
	changed.Name = "changed"
	err = write(t, s.Organizations, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutAccount(ctx, &changed), tx.PutOrganization(ctx, newOrg(1)), errBoom)
	})
	if !errors.Is(err, errBoom) {
		t.Errorf("failed Update through Organizations: got %v, want the callback's error", err)
	}
	checkRead(t, "Account after a failed Update through Organizations", b, func() (any, error) { return getAccount(t, s.Account, b.ID) })
	key := &identity.AccessKey{ID: "AKIAROLLEDBACK000001", Secret: "s", Account: a.ID, User: "Alice"}
	err = write(t, s.IAM, func(ctx context.Context, tx iam.Tx) error {
		return errors.Join(tx.PutAccessKey(ctx, key), tx.PutUser(ctx, &iam.User{Account: a.ID, Name: "Alice"}), errBoom)
	})
	if !errors.Is(err, errBoom) {
		t.Errorf("failed Update through IAM: got %v, want the callback's error", err)
	}
	if s.Credentials != nil {
		_, err := s.Credentials.AccessKey(t.Context(), key.ID)
		wantNotFound(t, "access key of a failed Update through IAM", err)
	}
}

func getAccount(t *testing.T, st account.Store, id identity.AccountID) (*kernel.Account, error) {
	t.Helper()
	return read(t, st, func(ctx context.Context, tx account.Tx) (*kernel.Account, error) { return tx.Account(ctx, id) })
}

// testRollbackEveryKind writes a record of every kind of a domain in one
// Update, which reads them back and then fails or panics: none is kept.
func testRollbackEveryKind[Tx any](t *testing.T, st kernel.Store[Tx], kinds []sampler[Tx]) {
	skipUnless(t, st != nil, "store for the domain")
	writeAll := func(ctx context.Context, tx Tx) {
		t.Helper()
		for _, k := range kinds {
			for n := 1; n <= 2; n++ {
				if err := k.putSample(ctx, tx, 1, n); err != nil {
					t.Errorf("%s: put: %v", k.kindName(), err)
				}
			}
		}
		for _, k := range kinds {
			k.wantSample(t, ctx, tx, 1, 1, true)
		}
	}
	wantNone := func(how string) {
		t.Helper()
		view(t, st, func(ctx context.Context, tx Tx) error {
			for _, k := range kinds {
				for n := 1; n <= 2; n++ {
					k.wantSample(t, ctx, tx, 1, n, false)
				}
			}
			return nil
		})
	}
	err := st.Update(t.Context(), func(tx Tx) error {
		writeAll(t.Context(), tx)
		return errBoom
	})
	if err != errBoom {
		t.Errorf("Update: got error %v, want the callback's error as is", err)
	}
	wantNone("failed")
	if got := updatePanics(t, st, func(ctx context.Context, tx Tx) { writeAll(ctx, tx); panic(boom{7}) }); got != (boom{7}) {
		t.Errorf("Update re-panicked with %v, want the callback's panic value", got)
	}
	wantNone("panicked")
	update(t, st, func(ctx context.Context, tx Tx) error {
		writeAll(ctx, tx)
		return nil
	})
}

func message(n int, at time.Time) *kernel.Message {
	return &kernel.Message{
		ID: fmt.Sprintf("%032x", n), Time: at, Account: string(accountID(1)),
		To: fmt.Sprintf("to%d@example.com", n), Subject: fmt.Sprintf("subject %d", n),
		Body: fmt.Sprintf("body %d\nwith a second line", n), Code: fmt.Sprintf("%06d", n),
	}
}

func mustMessages(t *testing.T, o kernel.Outbox, limit int) []kernel.Message {
	t.Helper()
	ms, err := o.Messages(t.Context(), limit)
	if err != nil {
		t.Fatalf("Messages(%d): %v", limit, err)
	}
	return ms
}

// testOutbox: messages list newest first (insertion order when their times
// tie), at most limit; a rolled-back or read-only AddMessage leaves none.
func testOutbox(t *testing.T, s Stores) {
	skipUnless(t, s.Outbox != nil, "outbox")
	if got := mustMessages(t, s.Outbox, 10); len(got) != 0 {
		t.Errorf("Messages of an empty outbox: got %d, want 0", len(got))
	}
	var want []kernel.Message // newest first
	for i := range 3 {
		m := message(i, t0.Add(time.Duration(i)*time.Second))
		update(t, s.Account, func(ctx context.Context, tx account.Tx) error { return tx.AddMessage(ctx, m) })
		want = append([]kernel.Message{*m}, want...)
	}
	update(t, s.Account, func(ctx context.Context, tx account.Tx) error {
		for i := 3; i < 6; i++ {
			m := message(i, t0.Add(time.Hour)) // the same time: insertion order decides
			if err := tx.AddMessage(ctx, m); err != nil {
				return err
			}
			want = append([]kernel.Message{*m}, want...)
		}
		return nil
	})
	_ = s.Account.Update(t.Context(), func(tx account.Tx) error {
		return errors.Join(tx.AddMessage(t.Context(), message(8, t0.Add(2*time.Hour))), errBoom)
	})
	_ = s.Account.View(t.Context(), func(tx account.Tx) error {
		if err := tx.AddMessage(t.Context(), message(9, t0.Add(2*time.Hour))); err == nil {
			t.Error("AddMessage in a View: got nil error, want one")
		}
		return nil
	})
	for _, limit := range []int{1, 2, 6, 7} {
		wantEqual(t, fmt.Sprintf("Messages(%d)", limit), mustMessages(t, s.Outbox, limit), want[:min(limit, len(want))])
	}
	for _, tt := range specialTimes {
		m := message(100, tt.at)
		m.ID = "time " + tt.name
		update(t, s.Account, func(ctx context.Context, tx account.Tx) error { return tx.AddMessage(ctx, m) })
		found := false
		for _, got := range mustMessages(t, s.Outbox, 100) {
			if got.ID == m.ID {
				found = true
				wantEqual(t, "Message at "+tt.name, &got, m)
			}
		}
		if !found {
			t.Errorf("Message at %s: not listed", tt.name)
		}
	}
}

// testCredentials: keys round-trip and are replaced whole, ids match
// exactly, and the verifier's keys are the IAM Tx's.
func testCredentials(t *testing.T, s Stores) {
	c := s.Credentials
	skipUnless(t, c != nil, "credential store")
	ctx := t.Context()
	_, err := c.AccessKey(ctx, "AKIANOSUCHKEY0000000")
	wantNotFound(t, "AccessKey on an empty store", err)
	keys := []identity.AccessKey{
		{ID: "AKIAROOT0000000000001", Secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Account: accountID(1), Active: true},
		{ID: "AKIAUSER0000000000002", Secret: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", Account: accountID(2), User: "alice", Active: true},
		{ID: "AKIAINACTIVE00000003", Secret: "s3cr3t", Account: accountID(1), User: "bob", CreatedAt: t0},
	}
	for _, k := range keys {
		if err := c.PutAccessKey(ctx, k); err != nil {
			t.Fatalf("PutAccessKey(%s): %v", k.ID, err)
		}
	}
	for _, want := range keys {
		checkRead(t, "AccessKey("+want.ID+")", want, func() (any, error) { return c.AccessKey(ctx, want.ID) })
	}
	_, err = c.AccessKey(ctx, strings.ToLower(keys[0].ID))
	wantNotFound(t, "AccessKey of the id in another case", err)
	replaced := identity.AccessKey{ID: keys[0].ID, Secret: "new", Account: accountID(2), User: "carol", CreatedAt: t0}
	if err := c.PutAccessKey(ctx, replaced); err != nil {
		t.Fatalf("PutAccessKey: %v", err)
	}
	checkRead(t, "AccessKey after replace", replaced, func() (any, error) { return c.AccessKey(ctx, replaced.ID) })

	if s.IAM == nil {
		return
	}
	viaIAM := identity.AccessKey{ID: "AKIAVIAIAM0000000001", Secret: "iam/secret", Account: accountID(1), User: "Alice", Active: true, CreatedAt: t0}
	update(t, s.IAM, func(ctx context.Context, tx iam.Tx) error { return tx.PutAccessKey(ctx, &viaIAM) })
	checkRead(t, "AccessKey of a key put through IAM", viaIAM, func() (any, error) { return c.AccessKey(ctx, viaIAM.ID) })
	checkRead(t, "IAM AccessKey of a key put by PutAccessKey", &keys[2], func() (any, error) {
		return read(t, s.IAM, func(ctx context.Context, tx iam.Tx) (*identity.AccessKey, error) {
			return tx.AccessKey(ctx, keys[2].ID)
		})
	})
	update(t, s.IAM, func(ctx context.Context, tx iam.Tx) error { return tx.DeleteAccessKey(ctx, keys[2].ID) })
	_, err = c.AccessKey(ctx, keys[2].ID)
	wantNotFound(t, "AccessKey of a key deleted through IAM", err)
}

func testEmpty(t *testing.T, s Stores) {
	e := s.Empty
	skipUnless(t, e != nil, "EmptyReporter")
	check := func(when string, want bool) {
		t.Helper()
		got, err := e.Empty(t.Context())
		if err != nil {
			t.Fatalf("Empty %s: %v", when, err)
		}
		if got != want {
			t.Errorf("Empty %s: got %v, want %v", when, got, want)
		}
	}
	check("on a new store", true)
	_ = s.Account.Update(t.Context(), func(tx account.Tx) error {
		return errors.Join(tx.PutAccount(t.Context(), newAccount(1)), errBoom)
	})
	check("after a rolled-back PutAccount", true)
	putAccounts(t, s.Account, newAccount(1))
	check("after PutAccount", false)
}
