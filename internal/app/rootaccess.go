package app

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/console"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/server"
	"github.com/accountplane/accountplane/internal/trail"
)

// rootOrgs answers IAM's questions about organizations (centralized root
// access, the root MFA rule) with AWS Organizations. It reads app.Orgs
// when asked, since IAM is built before Organizations.
type rootOrgs struct{ app *App }

func (r rootOrgs) RootAccessFacts(ctx context.Context, acct identity.AccountID) (iam.OrgFacts, bool, error) {
	if r.app.Orgs == nil {
		return iam.OrgFacts{}, false, nil
	}
	f, ok, err := r.app.Orgs.ServiceFactsOf(ctx, acct, iam.IAMServicePrincipal)
	if err != nil || !ok {
		return iam.OrgFacts{}, false, err
	}
	return iam.OrgFacts{
		Org: string(f.Org), Management: f.Management, AllFeatures: f.AllFeatures,
		TrustedAccess: f.TrustedAccess, DelegatedAdmins: f.DelegatedAdmins,
	}, true, nil
}

// rootAccessOnCreate applies centralized root access to the accounts
// Organizations creates, in the creation's transaction: the organization's
// facts are read there too (its own Organizations View would wait for the
// transaction).
type rootAccessOnCreate struct{ iam *iam.Service }

func (r rootAccessOnCreate) created(ctx context.Context, tx organizations.Tx, org organizations.OrgID, acct identity.AccountID) error {
	itx, err := iamTx(tx)
	if err != nil {
		return err
	}
	o, err := tx.Organization(ctx, org)
	if err != nil {
		return fmt.Errorf("load organization %s: %w", org, err)
	}
	enabled, err := tx.EnabledServices(ctx, org)
	if err != nil {
		return err
	}
	f := iam.OrgFacts{Org: string(org), Management: o.ManagementAccount, AllFeatures: o.FeatureSet == organizations.AllFeatures}
	for _, e := range enabled {
		f.TrustedAccess = f.TrustedAccess || e.Principal == iam.IAMServicePrincipal
	}
	return r.iam.AccountCreatedIn(ctx, itx, f, acct)
}

// Answers of the password sign-in (console.PasswordSignIn, POST
// /_accountplane/signin).
var (
	errAuthenticationFailed = &apierr.Error{Code: console.CodeAuthenticationFailed, Fault: apierr.Client,
		Message: "Your authentication information is incorrect. Please try again."}
	errMFAEnrollment = &apierr.Error{Code: console.CodeMFAEnrollmentRequired, Fault: apierr.Client,
		Message: "MFA enrollment is required: the root user of a standalone or management account must register an MFA device within 35 days of its first sign-in attempt. " +
			"Register one with `accountplane root mfa add` (POST /_accountplane/accounts/{id}/root/mfa-devices), then sign in with its code."}
)

// passwordSignIn is the password sign-in of root users and IAM users: IAM
// decides the attempt, and every decided attempt is a CloudTrail
// ConsoleLogin record (and an "AWS Console Sign In via CloudTrail" event)
// in the account, written by the unit of work in the transaction that
// notes the attempt.
type passwordSignIn struct {
	iam  *iam.Service
	opts trail.Options
	// now is the domain clock (the record's eventTime).
	now func() time.Time
}

var _ console.PasswordSignIn = (*passwordSignIn)(nil)

// SignIn implements console.PasswordSignIn. It returns
// console.ErrMFARequired when the password is right and the user has an
// MFA device but sent no code (nothing is recorded then: the attempt goes
// on), AuthenticationFailed for an unknown email, account or user, a
// wrong password or code, or a user without a password (recorded, but for
// an unknown email or account, which is no account's), and
// MFAEnrollmentRequired for the root user of a standalone or management
// account without MFA 35 days after its first sign-in attempt (recorded as
// a failure). A sign-in with MFA carries it: the principal's requests have
// aws:MultiFactorAuthPresent "true".
func (p *passwordSignIn) SignIn(ctx context.Context, in console.PasswordCredentials) (identity.Principal, error) {
	si, err := p.iam.CheckSignIn(ctx, iam.SignInInput{
		Root: in.Root, Email: in.Email, Account: in.Account, UserName: in.UserName,
		Password: in.Password, MFACode: in.MFACode,
	})
	switch {
	case err != nil:
		return identity.Principal{}, err
	case si.Outcome == iam.SignInNeedsMFA:
		return identity.Principal{}, console.ErrMFARequired
	case si.Account == "":
		return identity.Principal{}, errAuthenticationFailed
	}
	record := &trail.SignIn{
		Success: si.Outcome == iam.SignedIn, MFAUsed: si.MFAUsed, MFAIdentifier: si.MFASerial,
		LoginTo: in.LoginTo, HiddenUser: si.UnknownUser,
	}
	if si.Outcome == iam.SignInNeedsMFAEnrollment {
		// TODO(fidelity): what AWS records when it sends the root user to
		// MFA registration is not pinned.
		record.Message = "MFA enrollment required"
	}
	pending := trail.NewPending(trail.Call{
		Principal: si.Principal, Service: "signin", Operation: trail.SignInEvent,
		SourceIP: in.SourceIP, UserAgent: in.UserAgent, Time: p.now(),
		TLS: trail.TLSDetailsOf(in.TLS, in.Host), SignIn: record,
	}, p.opts)
	if err := p.iam.NoteSignIn(trail.WithPending(ctx, pending), si); err != nil {
		return identity.Principal{}, err
	}
	switch si.Outcome {
	case iam.SignedIn:
		pr := si.Principal
		if si.MFASerial != "" {
			pr.Temporary, pr.MFAAt = true, p.iam.Now()
		}
		return pr, nil
	case iam.SignInNeedsMFAEnrollment:
		return identity.Principal{}, errMFAEnrollment
	}
	return identity.Principal{}, errAuthenticationFailed
}

var _ server.RootPostureReport = (*admin)(nil)

// lastRootCallScan bounds how many of an account's root records the
// report reads looking for its last API call (sign-ins are skipped).
const lastRootCallScan = 1000

// RootPosture implements server.RootPostureReport.
func (ad *admin) RootPosture(ctx context.Context, q server.RootPostureQuery) ([]server.RootPostureAccount, error) {
	all, err := ad.db.AllAccounts(ctx)
	if err != nil {
		return nil, err
	}
	if ad.settle != nil {
		ad.settle() // the records of the calls answered so far
	}
	out := []server.RootPostureAccount{}
	found := false
	for i := range all {
		a := &all[i]
		if q.Account != "" && a.ID != q.Account {
			continue
		}
		org, mgmt, inOrg, err := ad.orgs.MembershipOf(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		if q.Organization != "" && (!inOrg || string(org) != q.Organization) {
			continue
		}
		found = true
		row, err := ad.postureOf(ctx, a)
		if err != nil {
			return nil, err
		}
		if inOrg {
			row.Organization, row.Management = string(org), mgmt
		}
		out = append(out, row)
	}
	if q.Organization != "" && !found {
		return nil, &server.AdminError{Status: http.StatusNotFound, Message: "no organization " + q.Organization + " (or it has no account)"}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AccountID < out[j].AccountID })
	return out, nil
}

// postureOf is one account's line of the report.
func (ad *admin) postureOf(ctx context.Context, a *kernel.Account) (server.RootPostureAccount, error) {
	p, err := ad.iam.RootPostureOf(ctx, a.ID)
	if err != nil {
		return server.RootPostureAccount{}, err
	}
	row := server.RootPostureAccount{
		AccountID: string(a.ID), Name: a.Name, Email: a.Email, State: string(ad.accounts.StateOf(a)),
		MFADevices: []server.RootMFADevice{}, AccessKeys: []server.RootAccessKey{},
		SigningCertificates: []server.RootSigningCertificate{},
		PasswordPresent:     p.PasswordPresent, CredentialsRemovedCentrally: p.CredentialsRemoved,
		LastRootSignIn: timePtr(p.LastSignIn),
		Rules: map[string]string{
			server.RuleRootMFAEnabled:     p.RootAccountMFAEnabled,
			server.RuleRootAccessKeyCheck: p.RootAccessKeyCheck,
		},
	}
	for _, d := range p.MFADevices {
		row.MFADevices = append(row.MFADevices, server.RootMFADevice{SerialNumber: d.Serial(), EnableDate: d.EnabledAt.UTC()})
	}
	for _, k := range p.AccessKeys {
		rk := server.RootAccessKey{AccessKeyID: k.ID, Status: "Inactive", CreateDate: k.CreatedAt.UTC(), LastUsedService: "N/A", LastUsedRegion: "N/A"}
		if k.Active {
			rk.Status = "Active"
		}
		if k.LastUsed != nil {
			rk.LastUsed, rk.LastUsedService, rk.LastUsedRegion = timePtr(k.LastUsed.At), k.LastUsed.Service, k.LastUsed.Region
		}
		row.AccessKeys = append(row.AccessKeys, rk)
	}
	for _, c := range p.SigningCertificates {
		sc := server.RootSigningCertificate{CertificateID: c.ID, Status: "Inactive", UploadDate: c.UploadedAt.UTC()}
		if c.Active {
			sc.Status = "Active"
		}
		row.SigningCertificates = append(row.SigningCertificates, sc)
	}
	last, err := ad.lastRootCall(ctx, a.ID)
	if err != nil {
		return server.RootPostureAccount{}, err
	}
	row.LastRootAPICall = timePtr(last)
	return row, nil
}

// lastRootCall is the time of the newest record of an API call by the
// root user of acct (its own credentials or a privileged root session),
// from the CloudTrail event history; zero when there is none.
func (ad *admin) lastRootCall(ctx context.Context, acct identity.AccountID) (time.Time, error) {
	q := kernel.TrailQuery{Account: acct, Key: kernel.AttrUsername, Value: "root", Limit: 100}
	for read := 0; read < lastRootCallScan; {
		evs, err := ad.db.LookupEvents(ctx, q)
		if err != nil || len(evs) == 0 {
			return time.Time{}, err
		}
		for _, ev := range evs {
			if ev.Source != trail.SignInSource {
				return ev.Time, nil
			}
		}
		read += len(evs)
		q.After = evs[len(evs)-1].Seq
	}
	return time.Time{}, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
