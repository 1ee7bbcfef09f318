package crashtest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go/middleware"
)

// cred is an account's access key.
type cred struct{ acct, key, secret string }

// workload drives concurrent writes against a server and records them in
// its ledger. Its state outlives the server's processes.
type workload struct {
	srv *server
	l   ledger

	rootID  string // the organization's root
	admin   cred   // an IAM user of the management account with AdministratorAccess
	regions []string

	// invitees are signed-up accounts, for the round that invites them.
	invitees map[int][]cred
	// members are the accounts the workload invited, by id.
	members map[string]cred
	// rolesOK are the members whose roles a verification found.
	rolesOK map[string]bool
	// tr is the transport of the running workers.
	tr *http.Transport
	// planted says the ledger holds planted problems, which verifications
	// count without failing the test.
	planted bool
	// maxCreates caps the CreateAccount calls of a round (each costs
	// role checks at every verification).
	maxCreates int
}

// Every setting of the workers' clients turns retries off: a write is
// acknowledged by its own answer, not a retry's.
func noRetriesAccount(o *account.Options)    { o.RetryMaxAttempts = 1 }
func noRetriesIAM(o *iam.Options)            { o.RetryMaxAttempts = 1 }
func noRetriesOrgs(o *organizations.Options) { o.RetryMaxAttempts = 1 }

// setup makes the world the workload writes in: an organization (all
// features) managed by the default account, and an IAM user of it with
// AdministratorAccess (to assume OrganizationAccountAccessRole in created
// accounts). It runs before any kill.
func (w *workload) setup(ctx context.Context) error {
	cfg := w.srv.config(rootKey, rootSecret)
	orgs := organizations.NewFromConfig(cfg)
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetAll}); err != nil {
		return fmt.Errorf("CreateOrganization: %w", err)
	}
	roots, err := orgs.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		return fmt.Errorf("ListRoots: %v %v", roots, err)
	}
	w.rootID = aws.ToString(roots.Roots[0].Id)
	c := iam.NewFromConfig(cfg)
	const admin = "crash-admin"
	w.l.send(&write{kind: kindSetup, key: admin, acked: true})
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(admin)}); err != nil {
		return fmt.Errorf("CreateUser: %w", err)
	}
	if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(admin),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		return fmt.Errorf("AttachUserPolicy: %w", err)
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(admin)})
	if err != nil {
		return fmt.Errorf("CreateAccessKey: %w", err)
	}
	w.admin = cred{mgmtAccount, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)}
	return nil
}

// prepareRound signs up the accounts round will invite (before any kill).
func (w *workload) prepareRound(ctx context.Context, round, invitees int) error {
	for i := 0; i < invitees; i++ {
		acct, key, secret, err := w.srv.signUp(ctx, fmt.Sprintf("invitee-r%d-%d", round, i))
		if err != nil {
			return fmt.Errorf("sign up: %w", err)
		}
		w.invitees[round] = append(w.invitees[round], cred{acct, key, secret})
		w.members[acct] = cred{acct, key, secret}
	}
	return nil
}

// run starts the workers of round and returns a function that stops them
// and waits for them to return. The workers' requests go through a
// transport of their own, which the checks after them do not share.
func (w *workload) run(round int) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	w.tr = newTransport()
	var wg sync.WaitGroup
	goFn := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	for i := 0; i < 2; i++ {
		goFn(func() { w.users(ctx, round, i) })
	}
	goFn(func() { w.ous(ctx, round) })
	for _, typ := range []atypes.AlternateContactType{atypes.AlternateContactTypeBilling, atypes.AlternateContactTypeOperations, atypes.AlternateContactTypeSecurity} {
		goFn(func() { w.contacts(ctx, round, typ) })
	}
	for _, r := range w.regions {
		goFn(func() { w.region(ctx, round, r) })
	}
	goFn(func() { w.invites(ctx, round) })
	goFn(func() { w.createAccounts(ctx, round) })
	return func() { cancel(); wg.Wait(); w.tr.CloseIdleConnections() }
}

// config is the workers' aws.Config for key.
func (w *workload) config(key, secret string) aws.Config {
	return w.srv.configVia(w.tr, key, secret)
}

// pause slows a worker down after a failure, so that a dead server is not
// hammered.
func pause(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(time.Duration(10+rand.IntN(30)) * time.Millisecond):
	}
}

func (w *workload) users(ctx context.Context, round, worker int) {
	c := iam.NewFromConfig(w.config(rootKey, rootSecret), noRetriesIAM)
	for i := 0; ctx.Err() == nil; i++ {
		name := fmt.Sprintf("u-r%d-w%d-%d", round, worker, i)
		wr := w.l.send(&write{kind: kindUser, key: name, round: round, event: "CreateUser", trailAcct: mgmtAccount})
		out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
		w.answer(ctx, wr, func() middleware.Metadata { return out.ResultMetadata }, "", err)
	}
}

func (w *workload) ous(ctx context.Context, round int) {
	c := organizations.NewFromConfig(w.config(rootKey, rootSecret), noRetriesOrgs)
	for i := 0; ctx.Err() == nil; i++ {
		name := fmt.Sprintf("ou-r%d-%d", round, i)
		wr := w.l.send(&write{kind: kindOU, key: name, round: round, event: "CreateOrganizationalUnit", trailAcct: mgmtAccount})
		out, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(w.rootID), Name: aws.String(name)})
		w.answer(ctx, wr, func() middleware.Metadata { return out.ResultMetadata }, "", err)
	}
}

// contacts puts one contact type over and over, one request at a time, so
// that the last acknowledged name (or a later one sent) must be the one
// found.
func (w *workload) contacts(ctx context.Context, round int, typ atypes.AlternateContactType) {
	c := account.NewFromConfig(w.config(rootKey, rootSecret), noRetriesAccount)
	for i := 0; ctx.Err() == nil; i++ {
		name := fmt.Sprintf("c-%s-r%d-%d", strings.ToLower(string(typ)), round, i)
		wr := w.l.send(&write{kind: kindContact, key: string(typ), value: name, round: round, event: "PutAlternateContact", trailAcct: mgmtAccount})
		out, err := c.PutAlternateContact(ctx, &account.PutAlternateContactInput{
			AlternateContactType: typ, Name: aws.String(name), Title: aws.String("Crash"),
			EmailAddress: aws.String(name + "@example.com"), PhoneNumber: aws.String("+12065550100"),
		})
		w.answer(ctx, wr, func() middleware.Metadata { return out.ResultMetadata }, "", err)
	}
}

// region enables and disables one Region in turn, one request at a time,
// waiting for each transition to complete.
func (w *workload) region(ctx context.Context, round int, region string) {
	c := account.NewFromConfig(w.config(rootKey, rootSecret), noRetriesAccount)
	for ctx.Err() == nil {
		st, err := c.GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{RegionName: aws.String(region)})
		if err != nil {
			pause(ctx)
			continue
		}
		var target atypes.RegionOptStatus
		switch st.RegionOptStatus {
		case atypes.RegionOptStatusEnabled:
			target = atypes.RegionOptStatusDisabled
		case atypes.RegionOptStatusDisabled:
			target = atypes.RegionOptStatusEnabled
		default:
			pause(ctx)
			continue
		}
		if target == atypes.RegionOptStatusEnabled {
			wr := w.l.send(&write{kind: kindRegion, key: region, value: string(target), round: round, event: "EnableRegion", trailAcct: mgmtAccount})
			out, err := c.EnableRegion(ctx, &account.EnableRegionInput{RegionName: aws.String(region)})
			w.answer(ctx, wr, func() middleware.Metadata { return out.ResultMetadata }, "", err)
		} else {
			wr := w.l.send(&write{kind: kindRegion, key: region, value: string(target), round: round, event: "DisableRegion", trailAcct: mgmtAccount})
			out, err := c.DisableRegion(ctx, &account.DisableRegionInput{RegionName: aws.String(region)})
			w.answer(ctx, wr, func() middleware.Metadata { return out.ResultMetadata }, "", err)
		}
	}
}

// invites invites each of the round's signed-up accounts and accepts the
// invitation as the account.
func (w *workload) invites(ctx context.Context, round int) {
	mgmt := organizations.NewFromConfig(w.config(rootKey, rootSecret), noRetriesOrgs)
	for _, inv := range w.invitees[round] {
		if ctx.Err() != nil {
			return
		}
		wr := w.l.send(&write{kind: kindInvite, key: inv.acct, round: round, event: "InviteAccountToOrganization", trailAcct: mgmtAccount})
		out, err := mgmt.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
			Target: &otypes.HandshakeParty{Id: aws.String(inv.acct), Type: otypes.HandshakePartyTypeAccount},
		})
		hs := ""
		if err == nil {
			hs = aws.ToString(out.Handshake.Id)
		}
		w.answer(ctx, wr, func() middleware.Metadata { return out.ResultMetadata }, hs, err)
		if err != nil {
			continue
		}
		c := organizations.NewFromConfig(w.config(inv.key, inv.secret), noRetriesOrgs)
		wa := w.l.send(&write{kind: kindAccept, key: inv.acct, value: hs, round: round, event: "AcceptHandshake", trailAcct: inv.acct})
		acc, err := c.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(hs)})
		w.answer(ctx, wa, func() middleware.Metadata { return acc.ResultMetadata }, "", err)
	}
}

func (w *workload) createAccounts(ctx context.Context, round int) {
	c := organizations.NewFromConfig(w.config(rootKey, rootSecret), noRetriesOrgs)
	for i := 0; i < w.maxCreates && ctx.Err() == nil; i++ {
		name := fmt.Sprintf("a-r%d-%d", round, i)
		wr := w.l.send(&write{kind: kindAccount, key: name, round: round, event: "CreateAccount", trailAcct: mgmtAccount})
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
		id := ""
		if err == nil {
			id = aws.ToString(out.CreateAccountStatus.Id)
		}
		w.answer(ctx, wr, func() middleware.Metadata { return out.ResultMetadata }, id, err)
	}
}

// answer records a write's outcome; md is called only on success (the
// output is nil on failure).
func (w *workload) answer(ctx context.Context, wr *write, md func() middleware.Metadata, result string, err error) {
	if err != nil {
		w.l.answer(wr, middleware.Metadata{}, "", err)
		pause(ctx)
		return
	}
	w.l.answer(wr, md(), result, nil)
}
