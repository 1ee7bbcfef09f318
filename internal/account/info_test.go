package account_test

import (
	"testing"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
)

func TestEnsureSignUp(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	a, err := w.svc.Information(w.ctx, self(p))
	must(t, err, "Information")
	if a.Name != "Alpha" || a.Email != emailOf("Alpha") || a.State != account.StateActive || !a.CreatedAt.Equal(epoch) ||
		!a.PaymentMethod || a.Origin != account.OriginSignUp {
		t.Errorf("signed-up account %+v", a)
	}
	// Again: nothing changes, even with other details.
	created, err := w.svc.EnsureSignUp(w.ctx, account.SignUp{ID: p.Account, Name: "Other", Email: "other@example.com"})
	must(t, err, "EnsureSignUp again")
	if created {
		t.Error("EnsureSignUp of an existing id reports created")
	}
	if a, _ := w.svc.Information(w.ctx, self(p)); a.Name != "Alpha" {
		t.Errorf("EnsureSignUp overwrote the name: %q", a.Name)
	}
	// An address belongs to one account only (case-insensitively).
	_, err = w.svc.EnsureSignUp(w.ctx, account.SignUp{ID: "299999999999", Name: "Dup", Email: "ALPHA@example.com"})
	if err == nil {
		t.Fatal("EnsureSignUp with a taken email succeeded")
	}
	if _, ok := apierr.As(err); ok {
		t.Errorf("EnsureSignUp error %v is a client exception; it is an operator error", err)
	}
	// A given contact is kept as is.
	c := fullContact("+12065550188")
	_, err = w.svc.EnsureSignUp(w.ctx, account.SignUp{ID: "288888888888", Name: "Given", Email: "given@example.com", Contact: &c})
	must(t, err, "EnsureSignUp with a contact")
	got, st := w.contact(t, self(identity.RootPrincipal("288888888888", "")))
	if got != c || st != account.PhoneVerified {
		t.Errorf("contact %+v %s, want the given one, VERIFIED", got, st)
	}
}

func TestRename(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	must(t, w.svc.Rename(w.ctx, self(p), "Beta"), "Rename")
	a, err := w.svc.Information(w.ctx, self(p))
	must(t, err, "Information")
	if a.Name != "Beta" {
		t.Errorf("name %q, want Beta", a.Name)
	}
}

func TestGovCloudAccount(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	_, err := w.svc.GovCloudAccount(w.ctx, self(p))
	wantCode(t, err, account.CodeResourceNotFound)
}

// TestUnknownAccount: a caller whose account has no record (a resolved
// target always exists; a bare id need not).
func TestUnknownAccount(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	ghost := identity.RootPrincipal("277777777777", "")
	_, err := w.svc.Information(w.ctx, self(ghost))
	wantCode(t, err, account.CodeResourceNotFound)
	wantCode(t, w.svc.PutAlternateContact(w.ctx, self(ghost), alt(account.Billing, "B")), account.CodeResourceNotFound)
}
