package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/app"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

func TestClockAdvanceExpiresHandshakeAndSurvivesRestart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	a, err := app.Start(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: data, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mgmt := identity.RootPrincipal("000000000000", "")
	if _, err := a.Orgs.CreateOrganization(ctx, mgmt, ""); err != nil {
		t.Fatal(err)
	}
	var other struct{ AccountId string }
	if code := adminCall(t, http.MethodPost, a.URL()+"/_accountplane/accounts", map[string]string{"name": "b", "email": "b@example.com"}, &other); code != http.StatusCreated {
		t.Fatalf("sign up: %d", code)
	}
	h, err := a.Orgs.InviteAccount(ctx, mgmt, invitation(other.AccountId))
	if err != nil {
		t.Fatal(err)
	}
	var clk struct {
		Offset        string
		OffsetSeconds float64
	}
	if code := adminCall(t, http.MethodPost, a.URL()+"/_accountplane/clock", map[string]string{"advance": "15d"}, &clk); code != http.StatusOK || clk.OffsetSeconds != (15*24*time.Hour).Seconds() {
		t.Fatalf("advance 15d: got %d %+v", code, clk)
	}
	got, err := a.Orgs.DescribeHandshake(ctx, mgmt, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st := got.StateAt(a.Clock().Now()); st != "EXPIRED" {
		t.Errorf("handshake after advance 15d: %s, want EXPIRED", st)
	}
	if err := a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := app.Start(ctx, app.Config{Addr: "127.0.0.1:0", DataDir: data, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Shutdown(ctx)
	if off := b.Clock().Offset(); off != 15*24*time.Hour {
		t.Errorf("offset after restart: %v, want 360h", off)
	}
	if code := adminCall(t, http.MethodPost, b.URL()+"/_accountplane/clock", map[string]string{"advance": "soon"}, nil); code != http.StatusBadRequest {
		t.Errorf("bad advance: got %d, want 400", code)
	}
	if code := adminCall(t, http.MethodPost, b.URL()+"/_accountplane/reset", nil, nil); code != http.StatusOK {
		t.Fatalf("reset: %d", code)
	}
	if off := b.Clock().Offset(); off != 0 {
		t.Errorf("offset after reset: %v, want 0", off)
	}
	if _, _, ok, err := b.Orgs.MembershipOf(ctx, "000000000000"); err != nil || ok {
		t.Errorf("organization after reset: ok=%v err=%v, want none", ok, err)
	}
	var list struct{ Accounts []struct{ AccountId string } }
	adminCall(t, http.MethodGet, b.URL()+"/_accountplane/accounts", nil, &list)
	if len(list.Accounts) != 1 || list.Accounts[0].AccountId != "000000000000" {
		t.Errorf("accounts after reset: %+v, want only the default account", list.Accounts)
	}
}

func invitation(id string) organizations.Invitation {
	return organizations.Invitation{TargetType: organizations.PartyAccount, Target: id}
}

func TestStateExportImport(t *testing.T) {
	ctx := context.Background()
	a := start(t, app.Config{DataDir: app.MemoryData})
	mgmt := identity.RootPrincipal("000000000000", "")
	if _, err := a.Orgs.CreateOrganization(ctx, mgmt, ""); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(a.URL() + "/_accountplane/state")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(doc), `"format":"accountplane-state/1"`) {
		t.Fatalf("export: %d %.200s", resp.StatusCode, doc)
	}
	b := start(t, app.Config{DataDir: app.MemoryData})
	req, _ := http.NewRequest(http.MethodPut, b.URL()+"/_accountplane/state", bytes.NewReader(doc))
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("import: %d", resp.StatusCode)
	}
	orgA, _, _, _ := a.Orgs.MembershipOf(ctx, "000000000000")
	orgB, _, ok, err := b.Orgs.MembershipOf(ctx, "000000000000")
	if err != nil || !ok || orgA != orgB {
		t.Errorf("imported organization: %s (ok %v, err %v), want %s", orgB, ok, err, orgA)
	}
	infoA, _ := a.Accounts.Information(ctx, accountTarget())
	infoB, _ := b.Accounts.Information(ctx, accountTarget())
	if infoA == nil || infoB == nil || !infoA.CreatedAt.Equal(infoB.CreatedAt) {
		t.Errorf("created date after import: %v vs %v (timestamps must survive exactly)", infoA, infoB)
	}
	req, _ = http.NewRequest(http.MethodPut, b.URL()+"/_accountplane/state", strings.NewReader(`{"format":"other"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("import of a foreign document: %d, want 400", resp.StatusCode)
	}
}

func accountTarget() account.Target {
	return account.Target{Caller: identity.RootPrincipal("000000000000", "")}
}

func TestClockAdvanceClosedAccountLeavesAfter90Days(t *testing.T) {
	ctx := context.Background()
	a := start(t, app.Config{DataDir: app.MemoryData, CloseDelay: time.Hour})
	mgmt := identity.RootPrincipal("000000000000", "")
	if _, err := a.Orgs.CreateOrganization(ctx, mgmt, ""); err != nil {
		t.Fatal(err)
	}
	st, err := a.Orgs.CreateAccount(ctx, mgmt, organizations.NewAccount{Name: "tmp", Email: "tmp@example.com"})
	if err != nil || st.Account == "" {
		t.Fatalf("create account: %+v %v", st, err)
	}
	if err := a.Orgs.EnableServiceAccess(ctx, mgmt, organizations.AccountServicePrincipal); err != nil {
		t.Fatal(err)
	}
	if err := a.Orgs.CloseAccount(ctx, mgmt, st.Account); err != nil {
		t.Fatal(err)
	}
	onMember := account.Target{Caller: mgmt, AccountID: st.Account}
	state := func() string {
		v, err := a.Orgs.DescribeAccount(ctx, mgmt, st.Account)
		if err != nil {
			return err.Error()
		}
		return string(v.State)
	}
	if got := state(); got != "PENDING_CLOSURE" {
		t.Fatalf("right after closing: %s, want PENDING_CLOSURE", got)
	}
	for _, step := range []struct {
		advance, want string
	}{{"1h", "SUSPENDED"}, {"89d", "SUSPENDED"}, {"1d", "AccountNotFoundException"}} {
		if code := adminCall(t, http.MethodPost, a.URL()+"/_accountplane/clock", map[string]string{"advance": step.advance}, nil); code != http.StatusOK {
			t.Fatalf("advance %s: %d", step.advance, code)
		}
		if got := state(); !strings.Contains(got, step.want) {
			t.Errorf("after advancing %s more: %s, want %s", step.advance, got, step.want)
		}
		if step.advance == "1h" {
			// A SUSPENDED account can be read, not changed.
			if info, err := a.Accounts.Information(ctx, onMember); err != nil || info.State != kernel.StateSuspended {
				t.Errorf("GetAccountInformation of the suspended member: %+v, %v", info, err)
			}
			if err := a.Accounts.Rename(ctx, onMember, "x"); err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
				t.Errorf("PutAccountName on the suspended member: got %v, want AccessDeniedException", err)
			}
		}
	}
	list, err := a.Orgs.ListAccounts(ctx, mgmt, "")
	if err != nil || len(list) != 1 {
		t.Errorf("members after the post-closure period: %d (%v), want only the management account", len(list), err)
	}
}
