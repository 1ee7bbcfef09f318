package iam

import (
	"context"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
)

// Centralized root access for member accounts: the two features of an
// organization (IAM's Enable/DisableOrganizationsRootCredentialsManagement,
// Enable/DisableOrganizationsRootSessions, ListOrganizationsFeatures),
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html.

// Feature is a centralized root access feature (the model's FeatureType).
type Feature string

// The features, in the order ListOrganizationsFeatures lists them.
const (
	// RootCredentialsManagement lets the management account and the IAM
	// delegated administrator audit, delete and allow the recovery of
	// member root credentials; accounts created afterwards have none.
	RootCredentialsManagement Feature = "RootCredentialsManagement"
	// RootSessions lets them start privileged root sessions in member
	// accounts with STS AssumeRoot.
	RootSessions Feature = "RootSessions"
)

// IAMServicePrincipal is the service principal of IAM in Organizations:
// its trusted access and its delegated administrators are centralized
// root access's.
const IAMServicePrincipal = "iam.amazonaws.com"

// Exceptions of the centralized root access operations. None has an error
// trait in the model, so the query code is the shape name, suffix
// included, and the status 400. Wire contract: do not rename.
// TODO(fidelity): AWS's message texts are not pinned; ours follow the
// model's shape documentation.
const (
	CodeServiceAccessNotEnabled              = "ServiceAccessNotEnabledException"
	CodeAccountNotManagementOrDelegatedAdmin = "AccountNotManagementOrDelegatedAdministratorException"
	CodeOrganizationNotFound                 = "OrganizationNotFoundException"
	CodeOrganizationNotInAllFeaturesMode     = "OrganizationNotInAllFeaturesModeException"
	CodeCallerIsNotManagementAccount         = "CallerIsNotManagementAccountException"
)

// OrgFeatures are the centralized root access features an organization
// has enabled. They are kept by organization id: an organization deleted
// and created again starts without them.
type OrgFeatures struct {
	Org                       string
	RootCredentialsManagement bool
	RootSessions              bool
	UpdatedAt                 time.Time
}

// Enabled lists the enabled features in ListOrganizationsFeatures' order.
func (f *OrgFeatures) Enabled() []Feature {
	var out []Feature
	if f.RootCredentialsManagement {
		out = append(out, RootCredentialsManagement)
	}
	if f.RootSessions {
		out = append(out, RootSessions)
	}
	return out
}

func (f *OrgFeatures) set(feat Feature, on bool) {
	switch feat {
	case RootCredentialsManagement:
		f.RootCredentialsManagement = on
	case RootSessions:
		f.RootSessions = on
	}
}

// OrgDirectory tells IAM what centralized root access needs to know of an
// account's organization (the composition root answers it with AWS
// Organizations).
type OrgDirectory interface {
	// RootAccessFacts returns the organization facts of acct; ok is false
	// if it is in no organization.
	RootAccessFacts(ctx context.Context, acct identity.AccountID) (f OrgFacts, ok bool, err error)
}

// OrgFacts are an account's organization as centralized root access sees
// it.
type OrgFacts struct {
	Org        string
	Management identity.AccountID
	// AllFeatures reports whether the organization has all features.
	AllFeatures bool
	// TrustedAccess reports whether trusted access for iam.amazonaws.com
	// is enabled.
	TrustedAccess bool
	// DelegatedAdmins are the delegated administrators registered for
	// iam.amazonaws.com.
	DelegatedAdmins []identity.AccountID
}

// IsMember reports whether acct is a member account: in the organization
// and not its management account.
func (f OrgFacts) IsMember(acct identity.AccountID) bool { return f.Management != acct }

// manages reports whether acct is the management account or an IAM
// delegated administrator.
func (f OrgFacts) manages(acct identity.AccountID) bool {
	if f.Management == acct {
		return true
	}
	for _, d := range f.DelegatedAdmins {
		if d == acct {
			return true
		}
	}
	return false
}

// active reports whether the organization's centralized root access works
// at all: all features and trusted access for IAM. Features stored while
// it did stay stored but count for nothing while it does not.
func (f OrgFacts) active() bool { return f.AllFeatures && f.TrustedAccess }

// orgFacts asks the directory about acct; ok is false when no directory is
// configured or acct is in no organization.
func (s *Service) orgFacts(ctx context.Context, acct identity.AccountID) (OrgFacts, bool, error) {
	if s.orgs == nil {
		return OrgFacts{}, false, nil
	}
	return s.orgs.RootAccessFacts(ctx, acct)
}

func rootAccessErr(code, msg string) *apierr.Error {
	return &apierr.Error{Code: code, Message: msg, Fault: apierr.Client}
}

// featureScope checks the preconditions of the centralized root access
// operations for caller, in this order (AWS's is not pinned): not in an
// organization (OrganizationNotFoundException), not all features
// (OrganizationNotInAllFeaturesModeException), no trusted access for IAM
// (ServiceAccessNotEnabledException), neither the management account nor
// an IAM delegated administrator
// (AccountNotManagementOrDelegatedAdministratorException), and, when
// enabling, not the management account (CallerIsNotManagementAccountException).
func (s *Service) featureScope(ctx context.Context, caller identity.Principal, enabling bool) (OrgFacts, error) {
	f, ok, err := s.orgFacts(ctx, caller.Account)
	switch {
	case err != nil:
		return OrgFacts{}, err
	case !ok:
		return OrgFacts{}, rootAccessErr(CodeOrganizationNotFound, "No organization is associated with the account "+string(caller.Account)+".")
	case !f.AllFeatures:
		return OrgFacts{}, rootAccessErr(CodeOrganizationNotInAllFeaturesMode, "The organization "+f.Org+" does not have all features enabled.")
	case !f.TrustedAccess:
		return OrgFacts{}, rootAccessErr(CodeServiceAccessNotEnabled, "Trusted access is not enabled for IAM (iam.amazonaws.com) in the organization "+f.Org+".")
	case !f.manages(caller.Account):
		return OrgFacts{}, rootAccessErr(CodeAccountNotManagementOrDelegatedAdmin, "The account "+string(caller.Account)+" is not the management account or the delegated administrator account for centralized root access.")
	case enabling && f.Management != caller.Account:
		return OrgFacts{}, rootAccessErr(CodeCallerIsNotManagementAccount, "The account "+string(caller.Account)+" is not the management account of the organization "+f.Org+".")
	}
	return f, nil
}

// OrganizationFeatures is the answer of the five operations: the
// organization and its enabled features.
type OrganizationFeatures struct {
	Org     string
	Enabled []Feature
}

// SetOrganizationFeature enables or disables one feature of the caller's
// organization and returns the features then enabled. Enabling is the
// management account's alone; disabling is also open to the IAM
// delegated administrator. It returns the exceptions featureScope lists.
// Disabling RootCredentialsManagement restores no credentials (no source
// says AWS does).
func (s *Service) SetOrganizationFeature(ctx context.Context, caller identity.Principal, feat Feature, on bool) (*OrganizationFeatures, error) {
	f, err := s.featureScope(ctx, caller, on)
	if err != nil {
		return nil, err
	}
	out := &OrganizationFeatures{Org: f.Org}
	err = s.update(ctx, func(tx Tx) error {
		cur, err := tx.OrgFeatures(ctx, f.Org)
		if notFound(err) {
			cur = &OrgFeatures{Org: f.Org}
		} else if err != nil {
			return err
		}
		cur.set(feat, on)
		cur.UpdatedAt = s.Now()
		out.Enabled = cur.Enabled()
		return tx.PutOrgFeatures(ctx, cur)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// OrganizationFeaturesOf lists the features of the caller's organization
// (ListOrganizationsFeatures): the management account or the IAM delegated
// administrator. It returns the exceptions featureScope lists but
// CallerIsNotManagementAccountException.
func (s *Service) OrganizationFeaturesOf(ctx context.Context, caller identity.Principal) (*OrganizationFeatures, error) {
	f, err := s.featureScope(ctx, caller, false)
	if err != nil {
		return nil, err
	}
	out := &OrganizationFeatures{Org: f.Org}
	err = s.view(ctx, func(tx Tx) error {
		cur, err := tx.OrgFeatures(ctx, f.Org)
		if notFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		out.Enabled = cur.Enabled()
		return nil
	})
	return out, err
}

// featuresOf returns the features that are in force for acct's
// organization (none unless it has all features and trusted access for
// IAM), with its facts; ok is false if acct is in no organization.
func (s *Service) featuresOf(ctx context.Context, acct identity.AccountID) (OrgFacts, OrgFeatures, bool, error) {
	f, ok, err := s.orgFacts(ctx, acct)
	if err != nil || !ok {
		return OrgFacts{}, OrgFeatures{}, false, err
	}
	var feats OrgFeatures
	if !f.active() {
		return f, feats, true, nil
	}
	err = s.view(ctx, func(tx Tx) error {
		cur, err := tx.OrgFeatures(ctx, f.Org)
		if notFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		feats = *cur
		return nil
	})
	return f, feats, true, err
}

// AccountCreatedIn applies centralized root access to member account
// acct, which Organizations is creating in organization f in tx (its own
// transaction): while the organization has RootCredentialsManagement in
// force, the account has no root credentials and its root password
// cannot be recovered (until a root session allows it).
func (s *Service) AccountCreatedIn(ctx context.Context, tx Tx, f OrgFacts, acct identity.AccountID) error {
	if !f.active() {
		return nil
	}
	feats, err := tx.OrgFeatures(ctx, f.Org)
	if notFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if !feats.RootCredentialsManagement {
		return nil
	}
	st, err := rootStateOf(ctx, tx, acct)
	if err != nil {
		return err
	}
	st.RecoveryDisabled = true
	return tx.PutRootState(ctx, st)
}
