package e2e_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// tableOps are the three Account API operations the decision table of
// spec/behaviour.md §2.3 is walked with.
var tableOps = []string{"PutAlternateContact", "ListRegions", "EnableRegion"}

// callAs calls op as caller with AccountId target; region is the Region
// EnableRegion asks for, contact the name PutAlternateContact stores (as the
// OPERATIONS contact).
func callAs(caller actor, op, target, region, contact string) error {
	id := aws.String(target)
	switch op {
	case "PutAlternateContact":
		in := altContact(atypes.AlternateContactTypeOperations, contact)
		in.AccountId = id
		_, err := caller.Acct.PutAlternateContact(ctx, in)
		return err
	case "ListRegions":
		_, err := caller.Acct.ListRegions(ctx, &account.ListRegionsInput{AccountId: id})
		return err
	case "EnableRegion":
		_, err := caller.Acct.EnableRegion(ctx, &account.EnableRegionInput{AccountId: id, RegionName: aws.String(region)})
		return err
	}
	panic("unknown op " + op)
}

// wantAllowed asserts that caller may act on target with all three
// operations, and that the writes reached target.
func wantAllowed(t *testing.T, caller, target actor, region, contact string) {
	t.Helper()
	for _, op := range tableOps {
		if err := callAs(caller, op, target.ID, region, contact); err != nil {
			t.Errorf("%s on %s: %v, want allowed", op, target.ID, err)
		}
	}
	alt, err := getAlt(t, target.Acct, atypes.AlternateContactTypeOperations)
	if err != nil || aws.ToString(alt.Name) != contact {
		t.Errorf("target's OPERATIONS contact = %+v (%v), want %q", alt, err, contact)
	}
	wantStatus(t, target.Acct, region, atypes.RegionOptStatusEnabled)
}

// wantDenied asserts AccessDeniedException with AWS's message for all three
// operations, and that nothing changed on target.
func wantDenied(t *testing.T, caller actor, target actor, region string) {
	t.Helper()
	before, beforeErr := getAlt(t, target.Acct, atypes.AlternateContactTypeOperations)
	for _, op := range tableOps {
		wantAccessDenied(t, callAs(caller, op, target.ID, region, "denied"), caller.ARN, op)
	}
	after, afterErr := getAlt(t, target.Acct, atypes.AlternateContactTypeOperations)
	if (beforeErr == nil) != (afterErr == nil) || (after != nil && before != nil && aws.ToString(after.Name) != aws.ToString(before.Name)) {
		t.Errorf("a denied PutAlternateContact changed the target's contact: %+v -> %+v", before, after)
	}
	wantStatus(t, target.Acct, region, atypes.RegionOptStatusDisabled)
}

func TestOrgAccountAPIDecisionTable(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	mgmt := e.mgmt
	createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	admin := e.createMember(t, mgmt, "admin", "table-admin@example.com")
	member := e.createMember(t, mgmt, "member", "table-member@example.com")
	invited := e.signUp(t, "invited", "table-invited@example.com")
	join(t, mgmt, invited)
	// Another organization, with trusted access of its own.
	x := e.signUp(t, "x", "table-x@example.com")
	createOrg(t, x.Org, otypes.OrganizationFeatureSetAll)
	enableTrustedAccess(t, x.Org, accountPrincipal)
	x1 := e.createMember(t, x, "x1", "table-x1@example.com")
	standalone := e.signUp(t, "standalone", "table-s@example.com")
	const denyRegion = "me-south-1"

	t.Run("BeforeTrustedAccess", func(t *testing.T) {
		wantDenied(t, mgmt, member, denyRegion)
		wantDenied(t, mgmt, invited, denyRegion)
		_, err := mgmt.Org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(admin.ID), ServicePrincipal: aws.String(accountPrincipal)})
		wantConstraint(t, err, otypes.ConstraintViolationExceptionReasonServiceAccessNotEnabled)
	})

	enableTrustedAccess(t, mgmt.Org, accountPrincipal)
	registerAdmin(t, mgmt.Org, admin.ID, accountPrincipal)

	t.Run("ManagementOnMember", func(t *testing.T) {
		wantAllowed(t, mgmt, member, "af-south-1", "set by management")
		wantAllowed(t, mgmt, invited, "af-south-1", "set by management")
	})
	t.Run("ManagementOnItself", func(t *testing.T) {
		wantDenied(t, mgmt, mgmt, denyRegion)
	})
	t.Run("DelegatedAdminOnMember", func(t *testing.T) {
		wantAllowed(t, admin, member, "ap-east-1", "set by the delegated admin")
		wantAllowed(t, admin, invited, "ap-east-1", "set by the delegated admin")
	})
	t.Run("DelegatedAdminOnItself", func(t *testing.T) {
		wantAllowed(t, admin, admin, "af-south-1", "set by the delegated admin itself")
	})
	t.Run("DelegatedAdminOnManagement", func(t *testing.T) {
		wantDenied(t, admin, mgmt, denyRegion)
	})
	t.Run("DelegatedAdminOfAnotherService", func(t *testing.T) {
		// Only the delegated administrator for account.amazonaws.com counts.
		enableTrustedAccess(t, mgmt.Org, configPrincipal)
		registerAdmin(t, mgmt.Org, member.ID, configPrincipal)
		wantDenied(t, member, invited, denyRegion)
		wantDenied(t, member, member, denyRegion)
		deregisterAdmin(t, mgmt.Org, member.ID, configPrincipal)
	})
	t.Run("MemberOnItselfAndOthers", func(t *testing.T) {
		wantDenied(t, member, member, denyRegion)
		wantDenied(t, member, admin, denyRegion)
		wantDenied(t, member, invited, denyRegion)
		wantDenied(t, member, mgmt, denyRegion)
	})
	t.Run("AnotherOrganization", func(t *testing.T) {
		wantDenied(t, x, member, denyRegion)
		wantDenied(t, x1, member, denyRegion)
		wantDenied(t, mgmt, x1, denyRegion)
		wantDenied(t, admin, x1, denyRegion)
		wantDenied(t, mgmt, x, denyRegion)
		// The other organization's management account does reach its own member.
		wantAllowed(t, x, x1, "af-south-1", "set by x")
	})
	t.Run("Standalone", func(t *testing.T) {
		wantDenied(t, standalone, member, denyRegion)
		wantDenied(t, standalone, standalone, denyRegion)
		wantDenied(t, mgmt, standalone, denyRegion)
		wantDenied(t, admin, standalone, denyRegion)
	})
	t.Run("ConsolidatedBillingOrganization", func(t *testing.T) {
		y := e.signUp(t, "y", "table-y@example.com")
		createOrg(t, y.Org, otypes.OrganizationFeatureSetConsolidatedBilling)
		z := e.signUp(t, "z", "table-z@example.com")
		join(t, y, z)
		wantDenied(t, y, z, denyRegion)
	})
	t.Run("StandaloneModeStillWorks", func(t *testing.T) {
		// Without AccountId every caller acts on itself.
		for _, a := range []actor{mgmt, admin, member, standalone} {
			in := altContact(atypes.AlternateContactTypeSecurity, "own")
			if _, err := a.Acct.PutAlternateContact(ctx, in); err != nil {
				t.Errorf("%s: standalone PutAlternateContact: %v", a.ID, err)
			}
			if _, err := a.Acct.ListRegions(ctx, &account.ListRegionsInput{}); err != nil {
				t.Errorf("%s: standalone ListRegions: %v", a.ID, err)
			}
		}
	})
	t.Run("AfterDeregistering", func(t *testing.T) {
		deregisterAdmin(t, mgmt.Org, admin.ID, accountPrincipal)
		wantDenied(t, admin, member, "eu-south-1")
		wantDenied(t, admin, admin, "eu-south-1")
		// The management account still reaches members.
		wantAllowed(t, mgmt, admin, "eu-south-1", "management again")
	})
	t.Run("AfterDisablingTrustedAccess", func(t *testing.T) {
		_, err := mgmt.Org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(accountPrincipal)})
		must(t, err, "DisableAWSServiceAccess")
		wantDenied(t, mgmt, member, "eu-south-2")
	})
}

// The primary-email flow in organization mode: the management account
// changes a member's root email.
func TestOrgAccountPrimaryEmail(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	mgmt := e.mgmt
	createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	enableTrustedAccess(t, mgmt.Org, accountPrincipal)
	m := e.createMember(t, mgmt, "m", "pe-m@example.com")
	const newEmail = "pe-m-new@example.com"
	id := aws.String(m.ID)

	t.Run("Start", func(t *testing.T) {
		out, err := mgmt.Acct.StartPrimaryEmailUpdate(ctx, &account.StartPrimaryEmailUpdateInput{AccountId: id, PrimaryEmail: aws.String(newEmail)})
		must(t, err, "StartPrimaryEmailUpdate")
		if out.Status != atypes.PrimaryEmailUpdateStatusPending {
			t.Errorf("Status = %q, want PENDING", out.Status)
		}
		st, err := mgmt.Acct.GetPrimaryEmailUpdateStatus(ctx, &account.GetPrimaryEmailUpdateStatusInput{AccountId: id})
		must(t, err, "GetPrimaryEmailUpdateStatus")
		if st.Status != atypes.PrimaryEmailUpdateStatusPending {
			t.Errorf("update status = %q, want PENDING", st.Status)
		}
	})
	code := e.codeFor(t, newEmail)

	t.Run("WrongCode", func(t *testing.T) {
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		_, err := mgmt.Acct.AcceptPrimaryEmailUpdate(ctx, &account.AcceptPrimaryEmailUpdateInput{AccountId: id, PrimaryEmail: aws.String(newEmail), Otp: aws.String(wrong)})
		wantAPIError[*atypes.ValidationException](t, err, "ValidationException", http.StatusBadRequest)
		out, err := mgmt.Acct.GetPrimaryEmail(ctx, &account.GetPrimaryEmailInput{AccountId: id})
		must(t, err, "GetPrimaryEmail")
		if aws.ToString(out.PrimaryEmail) != m.Email {
			t.Errorf("PrimaryEmail = %q after a wrong code, want %q", aws.ToString(out.PrimaryEmail), m.Email)
		}
	})

	t.Run("Accept", func(t *testing.T) {
		out, err := mgmt.Acct.AcceptPrimaryEmailUpdate(ctx, &account.AcceptPrimaryEmailUpdateInput{AccountId: id, PrimaryEmail: aws.String(newEmail), Otp: aws.String(code)})
		must(t, err, "AcceptPrimaryEmailUpdate")
		if out.Status != atypes.PrimaryEmailUpdateStatusAccepted {
			t.Errorf("Status = %q, want ACCEPTED", out.Status)
		}
		pe, err := mgmt.Acct.GetPrimaryEmail(ctx, &account.GetPrimaryEmailInput{AccountId: id})
		must(t, err, "GetPrimaryEmail")
		if aws.ToString(pe.PrimaryEmail) != newEmail {
			t.Errorf("PrimaryEmail = %q, want %q", aws.ToString(pe.PrimaryEmail), newEmail)
		}
		st, err := mgmt.Acct.GetPrimaryEmailUpdateStatus(ctx, &account.GetPrimaryEmailUpdateStatusInput{AccountId: id})
		must(t, err, "GetPrimaryEmailUpdateStatus")
		if st.Status != atypes.PrimaryEmailUpdateStatusAccepted {
			t.Errorf("update status = %q, want ACCEPTED", st.Status)
		}
		if got := aws.ToString(describeAccount(t, mgmt.Org, m.ID).Email); got != newEmail {
			t.Errorf("Organizations DescribeAccount Email = %q, want %q", got, newEmail)
		}
	})

	t.Run("EmailInUse", func(t *testing.T) {
		_, err := mgmt.Acct.StartPrimaryEmailUpdate(ctx, &account.StartPrimaryEmailUpdateInput{AccountId: id, PrimaryEmail: aws.String(defaultEmail)})
		wantAPIError[*atypes.ConflictException](t, err, "ConflictException", http.StatusConflict)
	})

	t.Run("ManagementCannotNameItself", func(t *testing.T) {
		_, err := mgmt.Acct.StartPrimaryEmailUpdate(ctx, &account.StartPrimaryEmailUpdateInput{AccountId: aws.String(defaultAccountID), PrimaryEmail: aws.String("pe-mgmt@example.com")})
		wantAccessDenied(t, err, defaultRootARN, "StartPrimaryEmailUpdate")
	})
}

// At most 20 Region requests in flight across an organization.
func TestOrgRegionRequestLimit(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{RegionTransitionDelay: time.Hour})
	mgmt := e.mgmt
	createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	enableTrustedAccess(t, mgmt.Org, accountPrincipal)
	m1 := e.createMember(t, mgmt, "m1", "rl-m1@example.com")
	m2 := e.createMember(t, mgmt, "m2", "rl-m2@example.com")
	m3 := e.createMember(t, mgmt, "m3", "rl-m3@example.com")
	enableFor := func(caller actor, target, region string) error {
		in := &account.EnableRegionInput{RegionName: aws.String(region)}
		if target != "" {
			in.AccountId = aws.String(target)
		}
		_, err := caller.Acct.EnableRegion(ctx, in)
		return err
	}
	wantTooMany := func(t *testing.T, err error) {
		t.Helper()
		wantAPIError[*atypes.TooManyRequestsException](t, err, "TooManyRequestsException", http.StatusTooManyRequests)
	}

	t.Run("Fill", func(t *testing.T) {
		for _, r := range optInRegions[:6] {
			must(t, enableFor(mgmt, "", r), "management EnableRegion "+r) // standalone mode, counted for the organization
			must(t, enableFor(mgmt, m1.ID, r), "EnableRegion for m1 "+r)
			must(t, enableFor(m2, "", r), "m2 EnableRegion "+r)
		}
		for _, r := range optInRegions[:2] {
			must(t, enableFor(mgmt, m3.ID, r), "EnableRegion for m3 "+r)
		}
	})

	t.Run("TwentyFirst", func(t *testing.T) {
		// m3 has only 2 requests in flight, but the organization has 20.
		wantTooMany(t, enableFor(mgmt, m3.ID, optInRegions[2]))
		wantTooMany(t, enableFor(m3, "", optInRegions[2]))
		wantStatus(t, m3.Acct, optInRegions[2], atypes.RegionOptStatusDisabled)
	})

	t.Run("AfterCompletion", func(t *testing.T) {
		e.clk.Advance(time.Hour)
		wantStatus(t, m1.Acct, optInRegions[0], atypes.RegionOptStatusEnabled)
		must(t, enableFor(m3, "", optInRegions[2]), "EnableRegion once the others completed")
	})
}

// Region requests racing each other across an organization still respect
// its limit of 20 in flight.
func TestOrgRegionRequestLimitParallel(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{RegionTransitionDelay: time.Hour})
	mgmt := e.mgmt
	createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	enableTrustedAccess(t, mgmt.Org, accountPrincipal)
	targets := []string{""} // the management account itself
	for i := range 4 {
		targets = append(targets, e.createAccount(t, mgmt.Org, fmt.Sprintf("rp%d", i), fmt.Sprintf("rp-%d@example.com", i)))
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	ok := 0
	var errs []error
	gate := make(chan struct{})
	for _, target := range targets {
		for _, r := range optInRegions[:5] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				in := &account.EnableRegionInput{RegionName: aws.String(r)}
				if target != "" {
					in.AccountId = aws.String(target)
				}
				_, err := mgmt.Acct.EnableRegion(ctx, in)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					ok++
				} else {
					errs = append(errs, err)
				}
			}()
		}
	}
	close(gate)
	wg.Wait()
	if ok != 20 {
		t.Errorf("%d of 25 parallel EnableRegion calls across the organization succeeded, want 20", ok)
	}
	for _, err := range errs {
		wantAPIError[*atypes.TooManyRequestsException](t, err, "TooManyRequestsException", http.StatusTooManyRequests)
	}
}
