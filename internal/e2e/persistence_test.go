package e2e_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountplane/accountplane/accountplanetest"
)

func TestRestartPersistence(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	srv, client := start(t, accountplanetest.Options{DataDir: dir})

	alt := altContact(types.AlternateContactTypeSecurity, "Security Team")
	ci := contactInfo()
	var created time.Time
	var token string
	t.Run("Write", func(t *testing.T) {
		if _, err := client.PutAlternateContact(ctx, alt); err != nil {
			t.Fatal(err)
		}
		if _, err := client.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: ci}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String("persisted-name")}); err != nil {
			t.Fatal(err)
		}
		info, err := client.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
		if err != nil {
			t.Fatal(err)
		}
		created = aws.ToTime(info.AccountCreatedDate)
		out, err := client.ListRegions(ctx, &account.ListRegionsInput{MaxResults: aws.Int32(5)})
		if err != nil || out.NextToken == nil {
			t.Fatalf("ListRegions: %v, token %v", err, out)
		}
		token = *out.NextToken
	})
	srv.Stop(t)

	_, client = start(t, accountplanetest.Options{DataDir: dir})
	t.Run("ReadBack", func(t *testing.T) {
		got, err := getAlt(t, client, types.AlternateContactTypeSecurity)
		if err != nil {
			t.Fatal(err)
		}
		sameAlt(t, got, alt)
		sameContact(t, getContact(t, client), ci)
		info, err := client.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(info.AccountName) != "persisted-name" {
			t.Errorf("AccountName = %q, want persisted-name", aws.ToString(info.AccountName))
		}
		if !aws.ToTime(info.AccountCreatedDate).Equal(created) {
			t.Errorf("AccountCreatedDate = %v, want %v", aws.ToTime(info.AccountCreatedDate), created)
		}
		_, err = getAlt(t, client, types.AlternateContactTypeBilling)
		wantAPIError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", http.StatusNotFound)
	})
	t.Run("NextTokenSurvives", func(t *testing.T) {
		if _, err := client.ListRegions(ctx, &account.ListRegionsInput{MaxResults: aws.Int32(5), NextToken: aws.String(token)}); err != nil {
			t.Errorf("token minted before the restart: %v", err)
		}
	})
}

func TestRegionTransitionSurvivesRestart(t *testing.T) {
	t.Parallel()
	clk := newClock()
	dir := filepath.Join(t.TempDir(), "data")
	opts := accountplanetest.Options{DataDir: dir, RegionTransitionDelay: time.Hour, Now: clk.Now}
	const region = "il-central-1"

	srv, client := start(t, opts)
	if err := enable(t, client, region); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, client, region, types.RegionOptStatusEnabling)
	srv.Stop(t)

	_, client = start(t, opts)
	t.Run("StillEnabling", func(t *testing.T) {
		wantStatus(t, client, region, types.RegionOptStatusEnabling)
		wantAPIError[*types.ConflictException](t, disable(t, client, region), "ConflictException", http.StatusConflict)
	})
	t.Run("EnabledAfterDelay", func(t *testing.T) {
		clk.Advance(time.Hour)
		wantStatus(t, client, region, types.RegionOptStatusEnabled)
	})
}

const seedYAML = `accounts:
  - id: "111111111111"
    name: seeded
    email: seeded@example.com
    credentials:
      - accessKeyId: AKIDSEED
        secretAccessKey: secretseed
`

func TestSeed(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	seed := filepath.Join(tmp, "seed.yaml")
	if err := os.WriteFile(seed, []byte(seedYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "data")
	opts := accountplanetest.Options{DataDir: dir, Seed: seed}
	const seededARN = "arn:aws:iam::111111111111:root"

	srv := accountplanetest.Start(t, opts)
	seeded := accountClient(srv.ConfigFor("AKIDSEED", "secretseed"))
	var created time.Time

	t.Run("SeededAccount", func(t *testing.T) {
		info, err := seeded.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(info.AccountId) != "111111111111" || aws.ToString(info.AccountName) != "seeded" {
			t.Errorf("got %s/%s, want 111111111111/seeded", aws.ToString(info.AccountId), aws.ToString(info.AccountName))
		}
		if info.AccountState != types.AccountStateActive {
			t.Errorf("AccountState = %q, want ACTIVE", info.AccountState)
		}
		created = aws.ToTime(info.AccountCreatedDate)
		who, err := stsClient(srv.ConfigFor("AKIDSEED", "secretseed")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(who.Account) != "111111111111" || aws.ToString(who.Arn) != seededARN {
			t.Errorf("GetCallerIdentity = %s %s", aws.ToString(who.Account), aws.ToString(who.Arn))
		}
		if ci := getContact(t, seeded); aws.ToString(ci.FullName) == "" {
			t.Errorf("seeded account has no contact information")
		}
	})

	t.Run("DefaultAccountStillThere", func(t *testing.T) {
		info, err := accountClient(srv.Config).GetAccountInformation(ctx, &account.GetAccountInformationInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(info.AccountId) != defaultAccountID {
			t.Errorf("AccountId = %q", aws.ToString(info.AccountId))
		}
	})

	t.Run("AccountsAreIsolated", func(t *testing.T) {
		if _, err := accountClient(srv.Config).PutAlternateContact(ctx, altContact(types.AlternateContactTypeBilling, "Default's")); err != nil {
			t.Fatal(err)
		}
		_, err := getAlt(t, seeded, types.AlternateContactTypeBilling)
		wantAPIError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", http.StatusNotFound)
		_, err = seeded.GetContactInformation(ctx, &account.GetContactInformationInput{AccountId: aws.String(defaultAccountID)})
		wantAccessDenied(t, err, seededARN, "GetContactInformation")
	})

	t.Run("NextTokenOfAnotherCaller", func(t *testing.T) {
		out, err := accountClient(srv.Config).ListRegions(ctx, &account.ListRegionsInput{MaxResults: aws.Int32(5)})
		if err != nil || out.NextToken == nil {
			t.Fatalf("ListRegions: %v", err)
		}
		_, err = seeded.ListRegions(ctx, &account.ListRegionsInput{MaxResults: aws.Int32(5), NextToken: out.NextToken})
		wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed)
	})

	t.Run("Rename", func(t *testing.T) {
		if _, err := seeded.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String("renamed-by-seeded")}); err != nil {
			t.Fatal(err)
		}
	})
	srv.Stop(t)

	srv = accountplanetest.Start(t, opts)
	seeded = accountClient(srv.ConfigFor("AKIDSEED", "secretseed"))
	t.Run("RestartWithSameSeed", func(t *testing.T) {
		info, err := seeded.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(info.AccountName); got != "renamed-by-seeded" {
			t.Errorf("AccountName = %q after restart with the seed, want renamed-by-seeded (the seed must not overwrite)", got)
		}
		if !aws.ToTime(info.AccountCreatedDate).Equal(created) {
			t.Errorf("AccountCreatedDate = %v, want %v (account re-created?)", aws.ToTime(info.AccountCreatedDate), created)
		}
		got, err := getAlt(t, accountClient(srv.Config), types.AlternateContactTypeBilling)
		if err != nil {
			t.Fatal(err)
		}
		sameAlt(t, got, altContact(types.AlternateContactTypeBilling, "Default's"))
		who, err := stsClient(srv.ConfigFor("AKIDSEED", "secretseed")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(who.Account) != "111111111111" {
			t.Errorf("GetCallerIdentity Account = %q", aws.ToString(who.Account))
		}
	})
}
