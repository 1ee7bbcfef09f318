package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

func outbox(t *testing.T, s account.Store) kernel.Outbox {
	t.Helper()
	o, ok := s.(kernel.Outbox)
	if !ok {
		t.Skipf("%T does not implement kernel.Outbox", s)
	}
	return o
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

func testOutboxNewestFirst(t *testing.T, s account.Store) {
	o := outbox(t, s)
	var want []kernel.Message
	for i := range 5 {
		m := message(i, t0.Add(time.Duration(i)*time.Second))
		mustUpdate(t, s, func(tx account.Tx) error { return tx.AddMessage(t.Context(), m) })
		want = append([]kernel.Message{*m}, want...)
	}
	wantEqual(t, "Messages(10)", mustMessages(t, o, 10), want)
}

func testOutboxOneTransaction(t *testing.T, s account.Store) {
	o := outbox(t, s)
	var want []kernel.Message
	mustUpdate(t, s, func(tx account.Tx) error {
		for i := range 3 {
			m := message(i, t0) // the same time: insertion order decides
			if err := tx.AddMessage(t.Context(), m); err != nil {
				return err
			}
			want = append([]kernel.Message{*m}, want...)
		}
		return nil
	})
	wantEqual(t, "Messages(3)", mustMessages(t, o, 3), want)
}

func testOutboxLimit(t *testing.T, s account.Store) {
	o := outbox(t, s)
	var all []kernel.Message
	for i := range 5 {
		m := message(i, t0.Add(time.Duration(i)*time.Second))
		mustUpdate(t, s, func(tx account.Tx) error { return tx.AddMessage(t.Context(), m) })
		all = append([]kernel.Message{*m}, all...)
	}
	for _, limit := range []int{1, 2, 5, 6} {
		want := all[:min(limit, len(all))]
		wantEqual(t, fmt.Sprintf("Messages(%d)", limit), mustMessages(t, o, limit), want)
	}
}

func testOutboxEmpty(t *testing.T, s account.Store) {
	o := outbox(t, s)
	if got := mustMessages(t, o, 10); len(got) != 0 {
		t.Errorf("Messages of an empty outbox: got %d, want 0", len(got))
	}
}

func testTimeRoundTrip(t *testing.T, s account.Store) {
	tests := []struct {
		name string
		at   time.Time
	}{
		{"nanoseconds", t0},
		{"zero", time.Time{}},
		{"now with a monotonic reading", time.Now()},
		{"now in UTC", time.Now().UTC()},
		{"another zone", time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.FixedZone("IST", 5*3600+1800))},
		{"before 1970", time.Date(1969, 7, 20, 20, 17, 40, 1, time.UTC)},
		{"year 2200", time.Date(2200, 12, 31, 23, 59, 59, 999999999, time.UTC)},
		{"epoch", time.Unix(0, 0).UTC()},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAccount(i)
			a.CreatedAt = tt.at
			o := &account.RegionOpt{Region: "af-south-1", Target: account.RegionEnabled, RequestedAt: tt.at, DueAt: tt.at}
			u := &account.EmailUpdate{NewEmail: "x@example.com", Status: account.EmailUpdatePending, ExpiresAt: tt.at, UpdatedAt: tt.at}
			v := &kernel.PhoneVerification{Status: kernel.PhonePending, Code: "1", ExpiresAt: tt.at}
			m := message(i, tt.at)
			mustUpdate(t, s, func(tx account.Tx) error {
				return errors.Join(
					tx.PutAccount(t.Context(), a),
					tx.PutRegionOpt(t.Context(), a.ID, o),
					tx.PutEmailUpdate(t.Context(), a.ID, u),
					tx.PutPhoneVerification(t.Context(), a.ID, v),
					tx.AddMessage(t.Context(), m),
				)
			})
			mustView(t, s, func(tx account.Tx) error {
				checkRead(t, "Account", a, func() (any, error) { return tx.Account(t.Context(), a.ID) })
				checkRead(t, "RegionOpt", o, func() (any, error) { return tx.RegionOpt(t.Context(), a.ID, o.Region) })
				checkRead(t, "EmailUpdate", u, func() (any, error) { return tx.EmailUpdate(t.Context(), a.ID) })
				checkRead(t, "PhoneVerification", v, func() (any, error) { return tx.PhoneVerification(t.Context(), a.ID) })
				return nil
			})
			if ob, ok := s.(kernel.Outbox); ok {
				ms := mustMessages(t, ob, 1)
				if len(ms) != 1 {
					t.Fatalf("Messages(1): got %d messages, want 1", len(ms))
				}
				wantEqual(t, "Message", &ms[0], m)
			}
		})
	}
}

// checkRead fails t unless read returns want.
func checkRead(t *testing.T, what string, want any, read func() (any, error)) {
	t.Helper()
	got, err := read()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	wantEqual(t, what, got, want)
}

func credentials(t *testing.T, s account.Store) CredentialStore {
	t.Helper()
	c, ok := s.(CredentialStore)
	if !ok {
		t.Skipf("%T does not implement storetest.CredentialStore", s)
	}
	return c
}

func testCredentialsPutGet(t *testing.T, s account.Store) {
	c := credentials(t, s)
	keys := []identity.AccessKey{
		{ID: "AKIAROOT0000000000001", Secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Account: accountID(1), Active: true},
		{ID: "AKIAUSER0000000000002", Secret: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", Account: accountID(2), User: "alice", Active: true},
		{ID: "AKIAINACTIVE00000003", Secret: "s3cr3t", Account: accountID(1), User: "bob", CreatedAt: t0},
	}
	for _, k := range keys {
		if err := c.PutAccessKey(t.Context(), k); err != nil {
			t.Fatalf("PutAccessKey(%s): %v", k.ID, err)
		}
	}
	for _, want := range keys {
		got, err := c.AccessKey(t.Context(), want.ID)
		if err != nil {
			t.Errorf("AccessKey(%s): %v", want.ID, err)
			continue
		}
		wantEqual(t, "AccessKey("+want.ID+")", got, want)
	}
}

func testCredentialsReplace(t *testing.T, s account.Store) {
	c := credentials(t, s)
	k := identity.AccessKey{ID: "AKIAROOT0000000000001", Secret: "old", Account: accountID(1), Active: true}
	if err := c.PutAccessKey(t.Context(), k); err != nil {
		t.Fatalf("PutAccessKey: %v", err)
	}
	want := identity.AccessKey{ID: k.ID, Secret: "new", Account: accountID(2), User: "carol", Active: false, CreatedAt: t0}
	if err := c.PutAccessKey(t.Context(), want); err != nil {
		t.Fatalf("PutAccessKey: %v", err)
	}
	got, err := c.AccessKey(t.Context(), k.ID)
	if err != nil {
		t.Fatalf("AccessKey: %v", err)
	}
	wantEqual(t, "AccessKey after replace", got, want)
}

func testCredentialsNotFound(t *testing.T, s account.Store) {
	c := credentials(t, s)
	_, err := c.AccessKey(t.Context(), "AKIANOSUCHKEY0000000")
	wantNotFound(t, "AccessKey on an empty store", err)
	if err := c.PutAccessKey(t.Context(), identity.AccessKey{ID: "AKIAROOT0000000000001", Secret: "x", Account: accountID(1), Active: true}); err != nil {
		t.Fatalf("PutAccessKey: %v", err)
	}
	_, err = c.AccessKey(t.Context(), "akiaroot0000000000001")
	wantNotFound(t, "AccessKey of the id in another case", err)
}

func testEmpty(t *testing.T, s account.Store) {
	e, ok := s.(EmptyReporter)
	if !ok {
		t.Skipf("%T does not implement storetest.EmptyReporter", s)
	}
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
	_ = s.Update(t.Context(), func(tx account.Tx) error {
		if err := tx.PutAccount(t.Context(), newAccount(1)); err != nil {
			return err
		}
		return errBoom
	})
	check("after a rolled-back PutAccount", true)
	mustSeed(t, s, 1)
	check("after PutAccount", false)
}
