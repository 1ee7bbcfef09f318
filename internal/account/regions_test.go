package account_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

const delay = time.Hour

// optIn lists opt-in Regions of the catalog.
func optIn(tb testing.TB, n int) []string {
	tb.Helper()
	var out []string
	for _, r := range account.Catalog {
		if !r.DefaultEnabled {
			out = append(out, r.Name)
		}
	}
	if len(out) < n {
		tb.Fatalf("the catalog has %d opt-in Regions, want at least %d", len(out), n)
	}
	return out[:n]
}

func (w *world) status(tb testing.TB, t account.Target, region string) account.RegionStatus {
	tb.Helper()
	st, err := w.svc.RegionStatus(w.ctx, t, region)
	must(tb, err, "RegionStatus "+region)
	return st
}

func TestRegionsDefault(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	rs, err := w.svc.Regions(w.ctx, self(p), nil)
	must(t, err, "Regions")
	if len(rs) != len(account.Catalog) {
		t.Fatalf("%d Regions, want the catalog's %d", len(rs), len(account.Catalog))
	}
	defaults := 0
	for i, r := range rs {
		if i > 0 && rs[i-1].Name >= r.Name {
			t.Errorf("Regions not sorted: %s before %s", rs[i-1].Name, r.Name)
		}
		switch r.Status {
		case account.RegionEnabledByDefault:
			defaults++
		case account.RegionDisabled:
		default:
			t.Errorf("%s is %s on a new account", r.Name, r.Status)
		}
	}
	if defaults != 17 {
		t.Errorf("%d Regions enabled by default, want 17", defaults)
	}
	for name, want := range map[string]account.RegionStatus{
		"us-east-1": account.RegionEnabledByDefault, "eu-west-1": account.RegionEnabledByDefault,
		"af-south-1": account.RegionDisabled, "me-central-1": account.RegionDisabled,
	} {
		if got := w.status(t, self(p), name); got != want {
			t.Errorf("%s is %s, want %s", name, got, want)
		}
	}
}

// TestRegionStateMachine walks spec/behaviour.md §8.4 on the clock.
func TestRegionStateMachine(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{RegionTransitionDelay: delay})
	p := w.signUp(t, "Alpha")
	const r = "af-south-1"
	enable := func() error { return w.svc.EnableRegion(w.ctx, self(p), r) }
	disable := func() error { return w.svc.DisableRegion(w.ctx, self(p), r) }
	wantNoChange := func(err error) {
		t.Helper()
		wantReason(t, err, account.CodeValidation, account.ReasonInvalidRegionOptTarget)
	}
	expect := func(want account.RegionStatus) {
		t.Helper()
		if got := w.status(t, self(p), r); got != want {
			t.Fatalf("%s is %s, want %s", r, got, want)
		}
	}

	expect(account.RegionDisabled)
	wantNoChange(disable())
	must(t, enable(), "EnableRegion")
	expect(account.RegionEnabling)
	wantCode(t, enable(), account.CodeConflict)
	wantCode(t, disable(), account.CodeConflict)
	w.clk.Advance(delay - time.Second)
	expect(account.RegionEnabling)
	w.clk.Advance(time.Second)
	expect(account.RegionEnabled)
	wantNoChange(enable())
	must(t, disable(), "DisableRegion")
	expect(account.RegionDisabling)
	wantCode(t, enable(), account.CodeConflict)
	wantCode(t, disable(), account.CodeConflict)
	w.clk.Advance(delay)
	expect(account.RegionDisabled)
	wantNoChange(disable())
	must(t, enable(), "EnableRegion again")
	expect(account.RegionEnabling)

	// The filter keeps the statuses asked for.
	rs, err := w.svc.Regions(w.ctx, self(p), []account.RegionStatus{account.RegionEnabling, account.RegionEnabled})
	must(t, err, "Regions filtered")
	if len(rs) != 1 || rs[0].Name != r || rs[0].Status != account.RegionEnabling {
		t.Errorf("Regions(ENABLING, ENABLED) = %+v, want only %s ENABLING", rs, r)
	}
}

func TestRegionInstantByDefault(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	must(t, w.svc.EnableRegion(w.ctx, self(p), "il-central-1"), "EnableRegion")
	if got := w.status(t, self(p), "il-central-1"); got != account.RegionEnabled {
		t.Errorf("with no delay: %s, want ENABLED at once", got)
	}
	must(t, w.svc.DisableRegion(w.ctx, self(p), "il-central-1"), "DisableRegion")
	if got := w.status(t, self(p), "il-central-1"); got != account.RegionDisabled {
		t.Errorf("with no delay: %s, want DISABLED at once", got)
	}
}

func TestRegionRefusals(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p := w.signUp(t, "Alpha")
	for _, r := range []string{"us-east-1", "eu-central-1", "sa-east-1"} {
		wantReason(t, w.svc.EnableRegion(w.ctx, self(p), r), account.CodeValidation, account.ReasonInvalidRegionOptTarget)
		wantReason(t, w.svc.DisableRegion(w.ctx, self(p), r), account.CodeValidation, account.ReasonInvalidRegionOptTarget)
		if got := w.status(t, self(p), r); got != account.RegionEnabledByDefault {
			t.Errorf("%s is %s, want ENABLED_BY_DEFAULT", r, got)
		}
	}
	for _, r := range []string{"us-east-9", "mars-north-1", "US-EAST-1", ""} {
		wantField(t, w.svc.EnableRegion(w.ctx, self(p), r), "RegionName")
		wantField(t, w.svc.DisableRegion(w.ctx, self(p), r), "RegionName")
		_, err := w.svc.RegionStatus(w.ctx, self(p), r)
		wantField(t, err, "RegionName")
	}
}

// TestRegionRequestsPerAccount: at most 6 requests in flight per account;
// a completed one frees its place.
func TestRegionRequestsPerAccount(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{RegionTransitionDelay: delay})
	p, q := w.signUp(t, "Alpha"), w.signUp(t, "Bravo")
	rs := optIn(t, 8)
	must(t, w.svc.EnableRegion(w.ctx, self(p), rs[7]), "enable the Region to opt out of later")
	w.clk.Advance(delay)
	start := w.clk.Now()
	for i, r := range rs[:5] {
		must(t, w.svc.EnableRegion(w.ctx, self(p), r), fmt.Sprintf("request %d", i+1))
		w.clk.Advance(time.Minute)
	}
	// An opt-out counts as a request too: 6 in flight.
	must(t, w.svc.DisableRegion(w.ctx, self(p), rs[7]), "request 6 (an opt-out)")
	wantCode(t, w.svc.EnableRegion(w.ctx, self(p), rs[6]), account.CodeTooManyRequests)
	wantCode(t, w.svc.DisableRegion(w.ctx, self(p), rs[7]), account.CodeConflict) // in flight itself
	// Another account has its own limit (neither is in an organization).
	must(t, w.svc.EnableRegion(w.ctx, self(q), rs[6]), "another account")
	// The first request completes one hour after it started.
	w.clk.Advance(start.Add(delay).Sub(w.clk.Now()) - time.Second)
	wantCode(t, w.svc.EnableRegion(w.ctx, self(p), rs[6]), account.CodeTooManyRequests)
	w.clk.Advance(time.Second)
	must(t, w.svc.DisableRegion(w.ctx, self(p), rs[0]), "opt out of the first Region once enabled")
	wantCode(t, w.svc.EnableRegion(w.ctx, self(p), rs[6]), account.CodeTooManyRequests)
	w.clk.Advance(time.Minute)
	must(t, w.svc.EnableRegion(w.ctx, self(p), rs[6]), "after the second request completed")
	if got := w.status(t, self(p), rs[6]); got != account.RegionEnabling {
		t.Errorf("%s is %s, want ENABLING", rs[6], got)
	}
}

func TestRegionRequestsPerAccountOption(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{RegionTransitionDelay: delay, MaxRegionRequests: 1})
	p := w.signUp(t, "Alpha")
	rs := optIn(t, 2)
	must(t, w.svc.EnableRegion(w.ctx, self(p), rs[0]), "first")
	wantCode(t, w.svc.EnableRegion(w.ctx, self(p), rs[1]), account.CodeTooManyRequests)
}

// TestRegionRequestsPerOrganization: at most 20 requests in flight across
// an organization's members, whoever makes them.
func TestRegionRequestsPerOrganization(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{RegionTransitionDelay: delay})
	mgmt := w.signUp(t, "Mgmt")
	var members []identity.Principal
	for i := 0; i < 4; i++ {
		members = append(members, w.signUp(t, fmt.Sprintf("Member%d", i)))
	}
	lone := w.signUp(t, "Lone")
	w.org(t, mgmt, members...)
	rs := optIn(t, 7)
	// Three members at their own limit of 6: 18 in flight.
	for _, m := range members[:3] {
		for _, r := range rs[:6] {
			must(t, w.svc.EnableRegion(w.ctx, self(m), r), "enable "+r+" in "+string(m.Account))
		}
	}
	// The management account, acting on the fourth member, adds 2: 20.
	for _, r := range rs[:2] {
		must(t, w.svc.EnableRegion(w.ctx, on(mgmt, members[3].Account), r), "enable "+r+" for the fourth member")
	}
	tests := []struct {
		name   string
		target account.Target
	}{
		{"a member with none in flight", self(mgmt)},
		{"the fourth member itself", self(members[3])},
		{"the management account for a member", on(mgmt, members[3].Account)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, w.svc.EnableRegion(w.ctx, tt.target, rs[6]), account.CodeTooManyRequests)
		})
	}
	// An account outside the organization is not limited by it.
	must(t, w.svc.EnableRegion(w.ctx, self(lone), rs[6]), "standalone account")
	// When the requests complete the organization may make more.
	w.clk.Advance(delay)
	must(t, w.svc.EnableRegion(w.ctx, self(mgmt), rs[6]), "after the requests completed")
}

func TestRegionRequestsPerOrganizationOption(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{RegionTransitionDelay: delay, MaxOrgRegionRequests: 2})
	mgmt, m, lone := w.signUp(t, "Mgmt"), w.signUp(t, "Member"), w.signUp(t, "Lone")
	w.org(t, mgmt, m)
	rs := optIn(t, 3)
	// Transitions in flight of an account outside the organization do not
	// count toward its limit.
	must(t, w.svc.EnableRegion(w.ctx, self(lone), rs[0]), "standalone")
	must(t, w.svc.EnableRegion(w.ctx, self(lone), rs[1]), "standalone")
	must(t, w.svc.EnableRegion(w.ctx, self(mgmt), rs[0]), "mgmt")
	must(t, w.svc.EnableRegion(w.ctx, self(m), rs[1]), "member")
	wantCode(t, w.svc.EnableRegion(w.ctx, self(m), rs[2]), account.CodeTooManyRequests)
	// Leaving the organization frees the member from its limit.
	must(t, w.orgs.LeaveOrganization(w.ctx, m), "LeaveOrganization")
	must(t, w.svc.EnableRegion(w.ctx, self(m), rs[2]), "after leaving")
}

// TestRegionsPerAccount: opting in one account changes no other.
func TestRegionsPerAccount(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	p, q := w.signUp(t, "Alpha"), w.signUp(t, "Bravo")
	must(t, w.svc.EnableRegion(w.ctx, self(p), "ap-east-1"), "EnableRegion")
	if got := w.status(t, self(q), "ap-east-1"); got != account.RegionDisabled {
		t.Errorf("the other account's Region is %s, want DISABLED", got)
	}
}

// TestRegionRequestsRace: concurrent requests across an organization never
// exceed the limits: of 5 accounts × 6 Regions requested at once, exactly
// 20 are accepted and the rest are TooManyRequests.
func TestRegionRequestsRace(t *testing.T) {
	t.Parallel()
	stores := []struct {
		name string
		open func(testing.TB, account.Options) *world
	}{
		{"memory", newWorld},
		{"file", newFileWorld},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			w := st.open(t, account.Options{RegionTransitionDelay: delay})
			accounts := []identity.Principal{w.signUp(t, "Mgmt")}
			for i := 0; i < 4; i++ {
				accounts = append(accounts, w.signUp(t, fmt.Sprintf("Member%d", i)))
			}
			w.org(t, accounts[0], accounts[1:]...)
			rs := optIn(t, 7)
			type req struct {
				p identity.Principal
				r string
			}
			var reqs []req
			for _, p := range accounts {
				for _, r := range rs { // 7 per account: one over the account limit
					reqs = append(reqs, req{p, r})
				}
			}
			errs := make([]error, len(reqs))
			var wg sync.WaitGroup
			for i, rq := range reqs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = w.svc.EnableRegion(w.ctx, self(rq.p), rq.r)
				}()
			}
			wg.Wait()
			ok := 0
			perAccount := map[identity.AccountID]int{}
			for i, err := range errs {
				if err == nil {
					ok++
					perAccount[reqs[i].p.Account]++
					continue
				}
				wantCode(t, err, account.CodeTooManyRequests)
			}
			if ok != 20 {
				t.Errorf("%d requests accepted, want 20", ok)
			}
			for id, n := range perAccount {
				if n > 6 {
					t.Errorf("%s has %d requests in flight, want at most 6", id, n)
				}
			}
		})
	}
}

// events records the Region events; fail makes RegionRequested fail.
type events struct {
	mu        sync.Mutex
	fail      error
	requested []account.RegionChange
	committed int
}

func (e *events) RegionRequested(_ context.Context, _ kernel.BusTx, c account.RegionChange) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail != nil {
		return e.fail
	}
	e.requested = append(e.requested, c)
	return nil
}

func (e *events) Committed() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.committed++
}

// TestRegionEvents: the event of a request is recorded in its transaction
// (naming the caller and the account it changes); a failure to record it
// rolls the request back, and Committed follows only a commit.
func TestRegionEvents(t *testing.T) {
	t.Parallel()
	ev := &events{}
	w := newWorld(t, account.Options{RegionTransitionDelay: delay, Events: ev})
	mgmt, member := w.signUp(t, "Mgmt"), w.signUp(t, "Member")
	w.org(t, mgmt, member)
	must(t, w.svc.EnableRegion(w.ctx, on(mgmt, member.Account), "eu-south-2"), "EnableRegion")
	if len(ev.requested) != 1 || ev.committed != 1 {
		t.Fatalf("%d events, %d commits; want 1 and 1", len(ev.requested), ev.committed)
	}
	c := ev.requested[0]
	want := account.RegionOpt{Region: "eu-south-2", Target: account.RegionEnabled, RequestedAt: epoch, DueAt: epoch.Add(delay)}
	if c.Caller != mgmt.Account || c.Account != member.Account || c.Opt != want {
		t.Errorf("event %+v, want caller %s, account %s, %+v", c, mgmt.Account, member.Account, want)
	}
	// A refused request records nothing.
	wantCode(t, w.svc.EnableRegion(w.ctx, on(mgmt, member.Account), "eu-south-2"), account.CodeConflict)
	ev.fail = errors.New("event store down")
	err := w.svc.EnableRegion(w.ctx, self(member), "eu-central-2")
	if !errors.Is(err, ev.fail) {
		t.Fatalf("EnableRegion with a failing event store: %v, want its error", err)
	}
	if _, ok := apierr.As(err); ok {
		t.Errorf("the event store's failure %v became a client exception", err)
	}
	if got := w.status(t, self(member), "eu-central-2"); got != account.RegionDisabled {
		t.Errorf("after a failed event: %s, want DISABLED (rolled back)", got)
	}
	if len(ev.requested) != 1 || ev.committed != 1 {
		t.Errorf("%d events, %d commits after refused and failed requests; want 1 and 1", len(ev.requested), ev.committed)
	}
}
