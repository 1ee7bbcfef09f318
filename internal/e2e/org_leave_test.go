package e2e_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

const waitPeriod = 4 * 24 * time.Hour

func TestOrgLeaving(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	mgmt := e.mgmt
	c := mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)
	enableTrustedAccess(t, c, accountPrincipal) // lets the management account complete the member's details
	m1 := e.createMember(t, mgmt, "m1", "leave-m1@example.com")
	remove := func(id string) error {
		_, err := c.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(id)})
		return err
	}
	leave := func(a actor) error {
		_, err := a.Org.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})
		return err
	}

	t.Run("ManagementNeverLeaves", func(t *testing.T) {
		wantConstraint(t, remove(defaultAccountID), otypes.ConstraintViolationExceptionReasonAccountCannotLeaveOrganization)
		wantOrgErr[*otypes.MasterCannotLeaveOrganizationException](t, leave(mgmt), "MasterCannotLeaveOrganizationException")
	})

	billing := altContact(atypes.AlternateContactTypeBilling, "Member Billing")
	t.Run("DataBeforeLeaving", func(t *testing.T) {
		in := *billing
		in.AccountId = aws.String(m1.ID)
		_, err := mgmt.Acct.PutAlternateContact(ctx, &in)
		must(t, err, "PutAlternateContact for the member")
	})

	t.Run("WaitPeriod", func(t *testing.T) {
		wantConstraint(t, remove(m1.ID), otypes.ConstraintViolationExceptionReasonWaitPeriodActive)
		wantConstraint(t, leave(m1), otypes.ConstraintViolationExceptionReasonWaitPeriodActive)
		e.clk.Advance(waitPeriod - time.Second)
		wantConstraint(t, remove(m1.ID), otypes.ConstraintViolationExceptionReasonWaitPeriodActive)
		e.clk.Advance(time.Second)
	})

	t.Run("MissingContactInformation", func(t *testing.T) {
		wantConstraint(t, remove(m1.ID), otypes.ConstraintViolationExceptionReasonAccountCannotLeaveWithoutEula)
		wantConstraint(t, leave(m1), otypes.ConstraintViolationExceptionReasonAccountCannotLeaveWithoutEula)
		// A created account really has no contact information yet.
		_, err := mgmt.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{AccountId: aws.String(m1.ID)})
		wantAPIError[*atypes.ResourceNotFoundException](t, err, "ResourceNotFoundException", http.StatusNotFound)
		newRaw(t, e.srv).postAs("/sendPhoneNumberVerification", `{"AccountId":"`+m1.ID+`"}`, mgmt.sign()).restErr(t, http.StatusNotFound, "ResourceNotFoundException")
		ci := contactInfo()
		ci.PhoneNumber = aws.String("+1 206-555-0142")
		_, err = mgmt.Acct.PutContactInformation(ctx, &account.PutContactInformationInput{AccountId: aws.String(m1.ID), ContactInformation: ci})
		must(t, err, "PutContactInformation for the member")
	})

	t.Run("PhoneNotVerified", func(t *testing.T) {
		wantConstraint(t, remove(m1.ID), otypes.ConstraintViolationExceptionReasonAccountCannotLeaveWithoutPhoneVerification)
		r := newRaw(t, e.srv)
		var st statusWire
		r.postAs("/sendPhoneNumberVerification", `{"AccountId":"`+m1.ID+`"}`, mgmt.sign()).ok(t, &st)
		if st.Status != "PENDING" {
			t.Errorf("Status = %q, want PENDING", st.Status)
		}
		code := e.codeFor(t, "+1 206-555-0142")
		r.postAs("/verifyPhoneNumber", `{"AccountId":"`+m1.ID+`","Otp":"`+code+`"}`, mgmt.sign()).ok(t, &st)
		if st.Status != "VERIFIED" {
			t.Errorf("Status = %q, want VERIFIED", st.Status)
		}
	})

	t.Run("NoPaymentMethod", func(t *testing.T) {
		wantConstraint(t, remove(m1.ID), otypes.ConstraintViolationExceptionReasonMemberAccountPaymentInstrumentRequired)
		wantConstraint(t, leave(m1), otypes.ConstraintViolationExceptionReasonMemberAccountPaymentInstrumentRequired)
		e.setPaymentMethod(t, m1.ID)
	})

	t.Run("DelegatedAdminFirst", func(t *testing.T) {
		registerAdmin(t, c, m1.ID, accountPrincipal)
		wantConstraint(t, remove(m1.ID), otypes.ConstraintViolationExceptionReasonCannotRemoveDelegatedAdministratorFromOrg)
		wantConstraint(t, leave(m1), otypes.ConstraintViolationExceptionReasonCannotRemoveDelegatedAdministratorFromOrg)
		deregisterAdmin(t, c, m1.ID, accountPrincipal)
	})

	t.Run("Remove", func(t *testing.T) {
		must(t, remove(m1.ID), "RemoveAccountFromOrganization")
		sameIDs(t, "ListAccounts", accountIDsOf(listAccounts(t, c)), []string{defaultAccountID})
		_, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(m1.ID)})
		wantOrgErr[*otypes.AccountNotFoundException](t, err, "AccountNotFoundException")
		_, err = m1.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		wantNotInUse(t, err)
		wantOrgErr[*otypes.AccountNotFoundException](t, remove(m1.ID), "AccountNotFoundException")
	})

	t.Run("KeepsItsData", func(t *testing.T) {
		got, err := getAlt(t, m1.Acct, atypes.AlternateContactTypeBilling)
		must(t, err, "GetAlternateContact as the former member")
		sameAlt(t, got, billing)
		info, err := m1.Acct.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
		must(t, err, "GetAccountInformation")
		if aws.ToString(info.AccountName) != "m1" || info.AccountState != atypes.AccountStateActive {
			t.Errorf("GetAccountInformation = %+v", info)
		}
		ci := getContact(t, m1.Acct)
		if aws.ToString(ci.PhoneNumber) != "+1 206-555-0142" {
			t.Errorf("PhoneNumber = %q", aws.ToString(ci.PhoneNumber))
		}
		// The former management account no longer reaches it.
		_, err = mgmt.Acct.GetAlternateContact(ctx, &account.GetAlternateContactInput{AccountId: aws.String(m1.ID), AlternateContactType: atypes.AlternateContactTypeBilling})
		wantAccessDenied(t, err, defaultRootARN, "GetAlternateContact")
		// It is standalone and may start its own organization.
		createOrg(t, m1.Org, otypes.OrganizationFeatureSetAll)
	})

	t.Run("InvitedMemberLeavesAtOnce", func(t *testing.T) {
		b := e.signUp(t, "Bravo", "leave-b@example.com")
		join(t, mgmt, b)
		must(t, leave(b), "LeaveOrganization by an invited member")
		_, err := b.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		wantNotInUse(t, err)
		wantNotInUse(t, leave(b))
		sameIDs(t, "ListAccounts", accountIDsOf(listAccounts(t, c)), []string{defaultAccountID})
	})

	t.Run("InvitedMemberRemovedAtOnce", func(t *testing.T) {
		d := e.signUp(t, "Delta", "leave-d@example.com")
		join(t, mgmt, d)
		must(t, remove(d.ID), "RemoveAccountFromOrganization of an invited member")
	})

	t.Run("CreatedMemberWaits", func(t *testing.T) {
		m2 := e.createMember(t, mgmt, "m2", "leave-m2@example.com")
		wantConstraint(t, leave(m2), otypes.ConstraintViolationExceptionReasonWaitPeriodActive)
	})

	t.Run("AccountAPIAfterLeaving", func(t *testing.T) {
		// The former member can no longer be named through AccountId by anyone.
		in := altContact(atypes.AlternateContactTypeOperations, "ops")
		in.AccountId = aws.String(m1.ID)
		_, err := mgmt.Acct.PutAlternateContact(ctx, in)
		wantAccessDenied(t, err, defaultRootARN, "PutAlternateContact")
	})
}
