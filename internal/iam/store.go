package iam

import (
	"context"
	"errors"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// ErrNotFound is the store's sentinel for absent rows (shared with account).
var ErrNotFound = kernel.ErrNotFound

// ErrExists is returned by Create* when the name (or alias) is taken.
var ErrExists = errors.New("iam: already exists")

// Store persists the domain with the transaction semantics of
// [account.Store].
type Store = kernel.Store[Tx]

// Tx is what the domain reads and writes in one transaction. Names of
// users, groups, roles and policies are unique per account
// case-insensitively, as in IAM; lookups are case-insensitive too. Lists
// are sorted by name.
type Tx interface {
	Account(ctx context.Context, id identity.AccountID) (*kernel.Account, error)
	// AccountByEmail finds the account whose primary email is email
	// (the root user's sign-in name).
	AccountByEmail(ctx context.Context, email string) (*kernel.Account, error)

	// Passwords, MFA devices, signing certificates, key uses and the
	// credential report (credstore.go).
	CredentialTx

	User(ctx context.Context, acct identity.AccountID, name string) (*User, error)
	PutUser(ctx context.Context, u *User) error
	DeleteUser(ctx context.Context, acct identity.AccountID, name string) error
	Users(ctx context.Context, acct identity.AccountID) ([]User, error)

	// Access keys of IAM users and of root users (User "").
	AccessKey(ctx context.Context, id string) (*identity.AccessKey, error)
	PutAccessKey(ctx context.Context, k *identity.AccessKey) error
	DeleteAccessKey(ctx context.Context, id string) error
	AccessKeys(ctx context.Context, acct identity.AccountID, user string) ([]identity.AccessKey, error)

	Group(ctx context.Context, acct identity.AccountID, name string) (*Group, error)
	PutGroup(ctx context.Context, g *Group) error
	DeleteGroup(ctx context.Context, acct identity.AccountID, name string) error
	Groups(ctx context.Context, acct identity.AccountID) ([]Group, error)
	// GroupMembers lists user names; GroupsOf lists group names of a user.
	GroupMembers(ctx context.Context, acct identity.AccountID, group string) ([]string, error)
	GroupsOf(ctx context.Context, acct identity.AccountID, user string) ([]string, error)
	AddGroupMember(ctx context.Context, acct identity.AccountID, group, user string) error
	RemoveGroupMember(ctx context.Context, acct identity.AccountID, group, user string) error

	Role(ctx context.Context, acct identity.AccountID, name string) (*Role, error)
	PutRole(ctx context.Context, r *Role) error
	DeleteRole(ctx context.Context, acct identity.AccountID, name string) error
	Roles(ctx context.Context, acct identity.AccountID) ([]Role, error)

	InlinePolicy(ctx context.Context, acct identity.AccountID, kind PrincipalKind, owner, name string) (*InlinePolicy, error)
	PutInlinePolicy(ctx context.Context, p *InlinePolicy) error
	DeleteInlinePolicy(ctx context.Context, acct identity.AccountID, kind PrincipalKind, owner, name string) error
	InlinePolicies(ctx context.Context, acct identity.AccountID, kind PrincipalKind, owner string) ([]InlinePolicy, error)

	// ManagedPolicy finds a customer managed policy by ARN.
	ManagedPolicy(ctx context.Context, arn string) (*ManagedPolicy, error)
	PutManagedPolicy(ctx context.Context, p *ManagedPolicy) error
	DeleteManagedPolicy(ctx context.Context, arn string) error
	ManagedPolicies(ctx context.Context, acct identity.AccountID) ([]ManagedPolicy, error)

	Attachments(ctx context.Context, acct identity.AccountID, kind PrincipalKind, owner string) ([]Attachment, error)
	// PolicyAttachments lists where a managed policy is attached in acct.
	PolicyAttachments(ctx context.Context, acct identity.AccountID, arn string) ([]Attachment, error)
	PutAttachment(ctx context.Context, a *Attachment) error
	DeleteAttachment(ctx context.Context, a *Attachment) error

	// Alias returns the account's alias ("" and ErrNotFound if none);
	// AliasOwner finds the account that holds alias.
	Alias(ctx context.Context, acct identity.AccountID) (string, error)
	AliasOwner(ctx context.Context, alias string) (identity.AccountID, error)
	PutAlias(ctx context.Context, acct identity.AccountID, alias string) error
	DeleteAlias(ctx context.Context, acct identity.AccountID) error

	Session(ctx context.Context, accessKeyID string) (*Session, error)
	PutSession(ctx context.Context, s *Session) error
}
