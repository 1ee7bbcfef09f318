package app

import (
	"context"
	"errors"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// Seed is the --seed file (YAML, or JSON, which is YAML too): accounts and
// their root credentials to create when missing. It never overwrites
// existing state.
type Seed struct {
	Accounts      []SeedAccount      `yaml:"accounts"`
	Organizations []SeedOrganization `yaml:"organizations"`
	EventTargets  []SeedEventTarget  `yaml:"eventTargets"`
}

// SeedOrganization is an organization of a Seed, created by its management
// account when that account is in none yet; its parts are added when missing.
type SeedOrganization struct {
	ManagementAccount string   `yaml:"managementAccount"`
	FeatureSet        string   `yaml:"featureSet"` // ALL (default) or CONSOLIDATED_BILLING
	TrustedServices   []string `yaml:"trustedServices"`
	PolicyTypes       []string `yaml:"policyTypes"`
	// OrganizationalUnits are paths of OU names below the root, e.g.
	// "Workloads/Prod"; every level is created.
	OrganizationalUnits []string     `yaml:"organizationalUnits"`
	Members             []SeedMember `yaml:"members"`
	DelegatedAdmins     []SeedAdmin  `yaml:"delegatedAdministrators"`
}

// SeedMember places an account in the organization.
type SeedMember struct {
	Account string `yaml:"account"`
	OU      string `yaml:"ou"`     // path of OU names; "" is the root
	Joined  string `yaml:"joined"` // INVITED (default) or CREATED
}

// SeedAdmin registers a delegated administrator.
type SeedAdmin struct {
	Account          string `yaml:"account"`
	ServicePrincipal string `yaml:"servicePrincipal"`
}

// SeedAccount is one account of a Seed.
type SeedAccount struct {
	ID          string           `yaml:"id"`
	Name        string           `yaml:"name"`
	Email       string           `yaml:"email"`
	Credentials []SeedCredential `yaml:"credentials"`
	Contact     *SeedContact     `yaml:"contact"`
	// PaymentMethod is whether a payment method is on file (default true).
	PaymentMethod *bool `yaml:"paymentMethod"`
	// Seller is AWS (default) or AISPL.
	Seller string `yaml:"seller"`
	// RootPassword is the root user's password (AWS's root password
	// rules apply); none when empty.
	RootPassword string `yaml:"rootPassword"`
	// Partition is the account's partition: aws (default), aws-us-gov,
	// aws-cn, aws-iso, ... Its keys sign only for that partition's Regions.
	Partition string `yaml:"partition"`
	// GovCloudAccount is the id of an account of this seed in aws-us-gov
	// to pair this (commercial) account with: it then answers
	// GetGovCloudAccountInformation and, as a management account, may
	// call CreateGovCloudAccount.
	GovCloudAccount string `yaml:"govCloudAccount"`
}

// SeedCredential is a root access key.
type SeedCredential struct {
	AccessKeyID     string `yaml:"accessKeyId"`
	SecretAccessKey string `yaml:"secretAccessKey"`
}

// SeedContact is the primary contact of a seeded account.
type SeedContact struct {
	FullName         string `yaml:"fullName"`
	AddressLine1     string `yaml:"addressLine1"`
	AddressLine2     string `yaml:"addressLine2"`
	AddressLine3     string `yaml:"addressLine3"`
	City             string `yaml:"city"`
	StateOrRegion    string `yaml:"stateOrRegion"`
	DistrictOrCounty string `yaml:"districtOrCounty"`
	PostalCode       string `yaml:"postalCode"`
	CountryCode      string `yaml:"countryCode"`
	PhoneNumber      string `yaml:"phoneNumber"`
	CompanyName      string `yaml:"companyName"`
	WebsiteURL       string `yaml:"websiteUrl"`
}

// LoadSeed reads and checks a seed file.
func LoadSeed(path string) (*Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read seed: %w", err)
	}
	var s Seed
	dec := yaml.NewDecoder(bytesReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("parse seed %s: %w", path, err)
	}
	for i, a := range s.Accounts {
		if !identity.IsAccountID(a.ID) {
			return nil, fmt.Errorf("seed %s: account %d: id %q is not 12 digits", path, i+1, a.ID)
		}
		if a.Name == "" || a.Email == "" {
			return nil, fmt.Errorf("seed %s: account %s: name and email are required", path, a.ID)
		}
		for _, c := range a.Credentials {
			if c.AccessKeyID == "" || c.SecretAccessKey == "" {
				return nil, fmt.Errorf("seed %s: account %s: credentials need accessKeyId and secretAccessKey", path, a.ID)
			}
		}
		if a.RootPassword != "" {
			if err := iam.CheckRootPassword(a.RootPassword, a.Name, a.Email); err != nil {
				e, _ := apierr.As(err)
				return nil, fmt.Errorf("seed %s: account %s: rootPassword: %s", path, a.ID, e.Message)
			}
		}
		if err := checkSeedPartition(&s, a); err != nil {
			return nil, fmt.Errorf("seed %s: account %s: %w", path, a.ID, err)
		}
	}
	for i, o := range s.Organizations {
		if !identity.IsAccountID(o.ManagementAccount) {
			return nil, fmt.Errorf("seed %s: organization %d: managementAccount %q is not 12 digits", path, i+1, o.ManagementAccount)
		}
		if o.FeatureSet != "" && o.FeatureSet != "ALL" && o.FeatureSet != "CONSOLIDATED_BILLING" {
			return nil, fmt.Errorf("seed %s: organization %d: featureSet must be ALL or CONSOLIDATED_BILLING", path, i+1)
		}
		for _, m := range o.Members {
			if !identity.IsAccountID(m.Account) {
				return nil, fmt.Errorf("seed %s: organization %d: member %q is not 12 digits", path, i+1, m.Account)
			}
			if m.Joined != "" && m.Joined != "INVITED" && m.Joined != "CREATED" {
				return nil, fmt.Errorf("seed %s: member %s: joined must be INVITED or CREATED", path, m.Account)
			}
		}
	}
	return &s, nil
}

// keyStore is what seeding needs of the credential store.
type keyStore interface {
	AccessKey(ctx context.Context, id string) (identity.AccessKey, error)
	PutAccessKey(ctx context.Context, k identity.AccessKey) error
}

// DefaultAccount is the account an empty store starts with.
var DefaultAccount = SeedAccount{
	ID: "000000000000", Name: "default", Email: "root@example.com",
	Credentials:  []SeedCredential{{AccessKeyID: "test", SecretAccessKey: "test"}},
	RootPassword: DefaultRootPassword,
}

// apply creates what is missing of s.
func (s *Seed) apply(ctx context.Context, svc *account.Service, keys keyStore, orgs *organizations.Service) error {
	for _, a := range s.Accounts {
		u := account.SignUp{ID: identity.AccountID(a.ID), Name: a.Name, Email: a.Email, PaymentMethod: a.PaymentMethod, Seller: a.Seller,
			Partition: seedPartition(a.Partition)}
		if c := a.Contact; c != nil {
			u.Contact = &kernel.ContactInformation{
				FullName: c.FullName, AddressLine1: c.AddressLine1, AddressLine2: c.AddressLine2, AddressLine3: c.AddressLine3,
				City: c.City, StateOrRegion: c.StateOrRegion, DistrictOrCounty: c.DistrictOrCounty, PostalCode: c.PostalCode,
				CountryCode: c.CountryCode, PhoneNumber: c.PhoneNumber, CompanyName: c.CompanyName, WebsiteURL: c.WebsiteURL,
			}
		}
		if _, err := svc.EnsureSignUp(ctx, u); err != nil {
			return err
		}
		for _, c := range a.Credentials {
			k, err := keys.AccessKey(ctx, c.AccessKeyID)
			if err == nil {
				if k.Account != u.ID {
					return fmt.Errorf("seed: access key %s already belongs to account %s", c.AccessKeyID, k.Account)
				}
				continue
			}
			if !errors.Is(err, kernel.ErrNotFound) {
				return err
			}
			if err := keys.PutAccessKey(ctx, identity.AccessKey{ID: c.AccessKeyID, Secret: c.SecretAccessKey, Account: u.ID, Active: true}); err != nil {
				return err
			}
		}
	}
	if err := s.applyGovCloudPairs(ctx, svc); err != nil {
		return err
	}
	return s.applyOrganizations(ctx, orgs)
}
