package organizations

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// ErrNotFound is returned by Tx getters for absent rows. It is the account
// domain's sentinel, so one store reports absence one way.
var ErrNotFound = kernel.ErrNotFound

// Store persists the domain, with the transaction semantics of
// [account.Store]: Update is atomic, durable and serializable.
type Store = kernel.Store[Tx]

// Tx is what the domain reads and writes in one transaction: the shared
// account pieces and the organization's own, grouped by aggregate. Lists
// return rows in a stable order (by id unless said otherwise).
type Tx interface {
	kernel.AccountsTx
	kernel.ContactFactsTx
	kernel.OutboxTx
	OrganizationTx
	HandshakeTx
	ServiceTx
	PolicyTx
	ResourcePolicyTx
	TagTx
	TransferTx
	PolicyTypeChangeTx
}

// OrganizationTx holds the organization, its tree (OUs, members) and its
// account-creation requests.
type OrganizationTx interface {
	Organization(ctx context.Context, id OrgID) (*Organization, error)
	PutOrganization(ctx context.Context, o *Organization) error
	// DeleteOrganization removes the organization and every row that
	// belongs to it (OUs, members, statuses, handshakes, services, admins,
	// policies, attachments, tags of its resources).
	DeleteOrganization(ctx context.Context, id OrgID) error

	// Member returns the membership of an account (ErrNotFound if none).
	Member(ctx context.Context, id identity.AccountID) (*Member, error)
	PutMember(ctx context.Context, m *Member) error
	DeleteMember(ctx context.Context, id identity.AccountID) error
	Members(ctx context.Context, org OrgID) ([]Member, error)
	// MembersAfter returns at most limit members of org whose account id
	// is greater than after, in id order; only those under parent unless
	// it is "" (a page: one range of an index, whatever the size).
	MembersAfter(ctx context.Context, org OrgID, parent string, after identity.AccountID, limit int) ([]Member, error)
	// MemberCount returns how many members org has (a count of an index's
	// range).
	MemberCount(ctx context.Context, org OrgID) (int, error)
	// ClosedMemberAccounts returns the accounts of org's members that were
	// closed (ClosedAt set) or are CLOSED, in no order: few, read on an
	// index of such accounts.
	ClosedMemberAccounts(ctx context.Context, org OrgID) ([]kernel.Account, error)
	// AccountsIn returns the accounts of ids that exist, by id (one query
	// for a page of members).
	AccountsIn(ctx context.Context, ids []identity.AccountID) (map[identity.AccountID]*kernel.Account, error)

	OU(ctx context.Context, id OUID) (*OU, error)
	PutOU(ctx context.Context, ou *OU) error
	DeleteOU(ctx context.Context, id OUID) error
	OUs(ctx context.Context, org OrgID) ([]OU, error)

	CreateAccountStatus(ctx context.Context, id CreateAccountReqID) (*CreateAccountStatus, error)
	PutCreateAccountStatus(ctx context.Context, s *CreateAccountStatus) error
	// CreateAccountStatuses lists an organization's requests, oldest first.
	CreateAccountStatuses(ctx context.Context, org OrgID) ([]CreateAccountStatus, error)
}

// HandshakeTx holds invitations and the other handshakes.
type HandshakeTx interface {
	Handshake(ctx context.Context, id HandshakeID) (*Handshake, error)
	PutHandshake(ctx context.Context, h *Handshake) error
	// Handshakes lists the organization's handshakes, oldest first.
	Handshakes(ctx context.Context, org OrgID) ([]Handshake, error)
	// HandshakesFor lists handshakes whose TargetAccount is id or whose
	// Target is email (case-insensitively), oldest first.
	HandshakesFor(ctx context.Context, id identity.AccountID, email string) ([]Handshake, error)
}

// ServiceTx holds trusted access and delegated administrators.
type ServiceTx interface {
	EnabledServices(ctx context.Context, org OrgID) ([]EnabledService, error)
	PutEnabledService(ctx context.Context, s *EnabledService) error
	DeleteEnabledService(ctx context.Context, org OrgID, principal string) error

	DelegatedAdmins(ctx context.Context, org OrgID) ([]DelegatedAdmin, error)
	PutDelegatedAdmin(ctx context.Context, d *DelegatedAdmin) error
	DeleteDelegatedAdmin(ctx context.Context, org OrgID, id identity.AccountID, principal string) error
}

// PolicyTx holds the organization's policies and their attachments.
type PolicyTx interface {
	Policy(ctx context.Context, id PolicyID) (*Policy, error)
	PutPolicy(ctx context.Context, p *Policy) error
	DeletePolicy(ctx context.Context, id PolicyID) error
	// Policies lists the organization's customer policies (not AWS-managed).
	Policies(ctx context.Context, org OrgID) ([]Policy, error)

	Attachments(ctx context.Context, org OrgID) ([]Attachment, error)
	PutAttachment(ctx context.Context, a *Attachment) error
	DeleteAttachment(ctx context.Context, org OrgID, policy PolicyID, target string) error
}

// TagTx holds the tags of roots, OUs, accounts and policies.
type TagTx interface {
	// Tags returns the tags of a resource (root, OU, account or policy id),
	// sorted by key.
	Tags(ctx context.Context, org OrgID, resource string) ([]Tag, error)
	// PutTags replaces the tags of a resource.
	PutTags(ctx context.Context, org OrgID, resource string, tags []Tag) error
}
