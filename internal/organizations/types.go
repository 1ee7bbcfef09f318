package organizations

import (
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// FeatureSet is ALL or CONSOLIDATED_BILLING.
type FeatureSet string

// Feature sets.
const (
	AllFeatures         FeatureSet = "ALL"
	ConsolidatedBilling FeatureSet = "CONSOLIDATED_BILLING"
)

// PolicyType is a kind of organization policy.
type PolicyType string

// SCP is the service control policy type; the others are in
// policytypes.go.
const SCP PolicyType = "SERVICE_CONTROL_POLICY"

// PolicyTypes lists every policy type of the model, in the model's order.
var PolicyTypes = []PolicyType{
	SCP, "RESOURCE_CONTROL_POLICY", "TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY",
	"CHATBOT_POLICY", "DECLARATIVE_POLICY_EC2", "SECURITYHUB_POLICY", "INSPECTOR_POLICY",
	"UPGRADE_ROLLOUT_POLICY", "BEDROCK_POLICY", "S3_POLICY", "NETWORK_SECURITY_DIRECTOR_POLICY",
}

// Organization is one organization with its single root.
type Organization struct {
	ID                OrgID
	FeatureSet        FeatureSet
	ManagementAccount identity.AccountID
	RootID            RootID
	CreatedAt         time.Time
	// EnabledPolicyTypes are the policy types enabled in the root.
	EnabledPolicyTypes []PolicyType
	// AllFeaturesHandshake is the ENABLE_ALL_FEATURES handshake in progress, if any.
	AllFeaturesHandshake HandshakeID
	// PendingPolicyTypes are the policy type changes still in progress
	// (filled in by the service; stores need not keep it).
	PendingPolicyTypes []PolicyTypeChange
}

// PolicyTypeEnabled reports whether t is enabled in the root.
func (o *Organization) PolicyTypeEnabled(t PolicyType) bool {
	for _, x := range o.EnabledPolicyTypes {
		if x == t {
			return true
		}
	}
	return false
}

// OU is an organizational unit.
type OU struct {
	ID     OUID
	Org    OrgID
	Parent string // a RootID or an OUID
	Name   string
}

// JoinedMethod says how an account joined its organization.
type JoinedMethod string

// Joined methods.
const (
	Invited JoinedMethod = "INVITED"
	Created JoinedMethod = "CREATED"
)

// Member is an account's membership of an organization.
type Member struct {
	Account identity.AccountID
	Org     OrgID
	Parent  string // a RootID or an OUID
	Method  JoinedMethod
	// JoinedAt is when the account joined; for created accounts, when the
	// creation completes (the membership is invisible before).
	JoinedAt time.Time
}

// CreateAccountState is IN_PROGRESS, SUCCEEDED or FAILED.
type CreateAccountState string

// Create-account states.
const (
	CreateInProgress CreateAccountState = "IN_PROGRESS"
	CreateSucceeded  CreateAccountState = "SUCCEEDED"
	CreateFailed     CreateAccountState = "FAILED"
)

// CreateAccountStatus is a CreateAccount request. Its state is derived from
// DueAt: IN_PROGRESS before, then SUCCEEDED, or FAILED with FailureReason.
type CreateAccountStatus struct {
	ID            CreateAccountReqID
	Org           OrgID
	AccountName   string
	Email         string
	Account       identity.AccountID // "" when it failed
	FailureReason string
	RequestedAt   time.Time
	DueAt         time.Time

	// GovCloudAccount is the paired GovCloud account of a
	// CreateGovCloudAccount request ("" otherwise, or when it failed).
	GovCloudAccount identity.AccountID
}

// StateAt derives the state at now.
func (c *CreateAccountStatus) StateAt(now time.Time) CreateAccountState {
	if now.Before(c.DueAt) {
		return CreateInProgress
	}
	if c.FailureReason != "" {
		return CreateFailed
	}
	return CreateSucceeded
}

// HandshakeAction is what a handshake proposes.
type HandshakeAction string

// Handshake actions.
const (
	ActionInvite             HandshakeAction = "INVITE"
	ActionEnableAllFeatures  HandshakeAction = "ENABLE_ALL_FEATURES"
	ActionApproveAllFeatures HandshakeAction = "APPROVE_ALL_FEATURES"
	// ActionTransferResponsibility invites another organization's
	// management account to a responsibility transfer (transfers.go).
	ActionTransferResponsibility HandshakeAction = "TRANSFER_RESPONSIBILITY"
)

// HandshakeState is a handshake's state.
type HandshakeState string

// Handshake states.
const (
	HandshakeRequested HandshakeState = "REQUESTED"
	HandshakeOpen      HandshakeState = "OPEN"
	HandshakeCanceled  HandshakeState = "CANCELED"
	HandshakeAccepted  HandshakeState = "ACCEPTED"
	HandshakeDeclined  HandshakeState = "DECLINED"
	HandshakeExpired   HandshakeState = "EXPIRED"
)

// PartyType is ACCOUNT, ORGANIZATION or EMAIL.
type PartyType string

// Party types.
const (
	PartyAccount      PartyType = "ACCOUNT"
	PartyOrganization PartyType = "ORGANIZATION"
	PartyEmail        PartyType = "EMAIL"
)

// Handshake is an invitation or a feature-set change awaiting answers.
type Handshake struct {
	ID     HandshakeID
	Org    OrgID
	Action HandshakeAction
	// State is the stored state; use StateAt, which adds expiry.
	State HandshakeState
	// TargetType and Target name the recipient: an account id, an email,
	// or (ENABLE_ALL_FEATURES) the organization.
	TargetType PartyType
	Target     string
	// TargetAccount is the recipient account when known.
	TargetAccount identity.AccountID
	Notes         string
	Parent        HandshakeID // APPROVE_ALL_FEATURES: the ENABLE_ALL_FEATURES handshake
	RequestedAt   time.Time
	ExpiresAt     time.Time
	// UpdatedAt is when the state last changed.
	UpdatedAt time.Time
	// ManagementAccount is the sending organization's management account
	// (filled in by the service on every handshake it returns; stores need
	// not keep it).
	ManagementAccount identity.AccountID
	// Organization facts shown in the handshake's resources.
	ManagementEmail string
	ManagementName  string
	FeatureSet      FeatureSet
	// Transfer is the responsibility transfer a TRANSFER_RESPONSIBILITY
	// handshake proposes (filled in by the service; stores need not keep it).
	Transfer *Transfer
}

// StateAt derives the state at now: an open handshake past its expiry is EXPIRED.
func (h *Handshake) StateAt(now time.Time) HandshakeState {
	if (h.State == HandshakeOpen || h.State == HandshakeRequested) && !now.Before(h.ExpiresAt) {
		return HandshakeExpired
	}
	return h.State
}

// closedAt is when the handshake stopped being open.
func (h *Handshake) closedAt(now time.Time) (time.Time, bool) {
	switch h.StateAt(now) {
	case HandshakeExpired:
		if h.State == HandshakeExpired {
			return h.UpdatedAt, true
		}
		return h.ExpiresAt, true
	case HandshakeCanceled, HandshakeAccepted, HandshakeDeclined:
		return h.UpdatedAt, true
	}
	return time.Time{}, false
}

// EnabledService is a service principal with trusted access.
type EnabledService struct {
	Org       OrgID
	Principal string
	EnabledAt time.Time
}

// DelegatedAdmin is a member account registered for a service principal.
type DelegatedAdmin struct {
	Org       OrgID
	Account   identity.AccountID
	Principal string
	EnabledAt time.Time
}

// Policy is an organization policy. AWS-managed policies have Org "".
type Policy struct {
	ID          PolicyID
	Org         OrgID
	Type        PolicyType
	Name        string
	Description string
	Content     string
	AWSManaged  bool
	// UpdatedAt is when the policy was created or last updated (zero for
	// AWS-managed policies).
	UpdatedAt time.Time
}

// Attachment ties a policy to a root, OU or account.
type Attachment struct {
	Org    OrgID
	Policy PolicyID
	Target string
	// AttachedAt is when the policy was attached.
	AttachedAt time.Time
}

// Tag is a key/value tag on an organizations resource.
type Tag struct {
	Key   string
	Value string
}
