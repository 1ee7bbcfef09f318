package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
)

// The iam.Tx methods. Getters return an error wrapping iam.ErrNotFound
// (kernel.ErrNotFound) for an absent row, and so do the Delete and Remove
// methods when there was nothing to delete. Put methods insert or replace
// the whole record. Names of users, groups, roles and policies (and the
// owner and member names that refer to them) are matched case-insensitively:
// each is stored as written next to its key, strings.ToLower of it, and a
// Put whose name differs from a stored one only in case replaces that
// record, name included. Lists are sorted by key, then name.
//
// No method enforces a domain rule or cascades: deleting a user leaves its
// keys, memberships, inline policies and attachments; deleting a role
// leaves its sessions. The exceptions are the two uniqueness checks backed
// by unique indexes: a managed policy name per account and an alias across
// accounts, which fail with iam.ErrExists.

// IAM returns the database as an [iam.Store]. Its View and Update are the
// DB's (same transactions, same guarantees, serialized with the DB's own
// Updates and those of [DB.Organizations]); the Tx they pass reads and
// writes the same access_keys table as [DB.AccessKey] and [DB.PutAccessKey].
func (db *DB) IAM() iam.Store { return storeOf(db, func(t *tx) iam.Tx { return iamTx{t} }) }

// IAMKeyUses returns the database as the IAM store for the access key uses
// (iam.Options.KeyUses): its commits do not change the generation, as no
// cached read depends on when a key was last used.
func (db *DB) IAMKeyUses() iam.Store {
	return quietStore[iam.Tx]{storeOf(db, func(t *tx) iam.Tx { return iamTx{t} }).(typedStore[iam.Tx])}
}

// iamTx is the transaction seen as an iam.Tx. It is a type of its own, not
// *tx, because iam.Tx and organizations.Tx both declare Attachments,
// PutAttachment and DeleteAttachment with different signatures. Account
// is *tx's.
type iamTx struct{ *tx }

// nameKey is the form of an IAM name that lookups, uniqueness and order
// compare.
func nameKey(name string) string { return strings.ToLower(name) }

func (x iamTx) queryRow(ctx context.Context, query string, args ...any) row {
	return x.tx.queryRow(ctx, query, args...)
}

// writable fails in a View, before a write's preliminary reads.
func (x iamTx) writable(what string) error {
	if x.readOnly {
		return fmt.Errorf("sqlite: %s: %w", what, errReadOnly)
	}
	return nil
}

// jsonTag is the stored form of an iam.Tag.
type jsonTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func encodeTags(tags []iam.Tag) (string, error) {
	js := make([]jsonTag, len(tags))
	for i, tag := range tags {
		js[i] = jsonTag(tag)
	}
	b, err := json.Marshal(js)
	if err != nil {
		return "", fmt.Errorf("encode tags: %w", err)
	}
	return string(b), nil
}

// decodeTags reads a tags column; none is a nil slice.
func decodeTags(s string) ([]iam.Tag, error) {
	var js []jsonTag
	if err := json.Unmarshal([]byte(s), &js); err != nil {
		return nil, fmt.Errorf("decode tags: %w", err)
	}
	if len(js) == 0 {
		return nil, nil
	}
	tags := make([]iam.Tag, len(js))
	for i, j := range js {
		tags[i] = iam.Tag(j)
	}
	return tags, nil
}

func encodeStrings(ss []string) (string, error) {
	if ss == nil {
		ss = []string{}
	}
	b, err := json.Marshal(ss)
	if err != nil {
		return "", fmt.Errorf("encode list: %w", err)
	}
	return string(b), nil
}

// decodeStrings reads a list column; none is a nil slice.
func decodeStrings(s string) ([]string, error) {
	var ss []string
	if err := json.Unmarshal([]byte(s), &ss); err != nil {
		return nil, fmt.Errorf("decode list: %w", err)
	}
	if len(ss) == 0 {
		return nil, nil
	}
	return ss, nil
}

// Users.

const userColumns = `account_id, name, path, id, created_at, boundary, tags`

func scanUser(sc scanner, u *iam.User) error {
	var tags string
	if err := sc.Scan(&u.Account, &u.Name, &u.Path, &u.ID, scanTime{&u.CreatedAt}, &u.Boundary, &tags); err != nil {
		return err
	}
	var err error
	u.Tags, err = decodeTags(tags)
	return err
}

// User implements iam.Tx.
func (x iamTx) User(ctx context.Context, acct identity.AccountID, name string) (*iam.User, error) {
	var u iam.User
	err := scanUser(x.queryRow(ctx, `SELECT `+userColumns+` FROM iam_users
		WHERE account_id = ? AND name_key = ?`, string(acct), nameKey(name)), &u)
	if err != nil {
		return nil, rowErr(err, fmt.Sprintf("user %s %q", acct, name))
	}
	return &u, nil
}

// PutUser implements iam.Tx.
func (x iamTx) PutUser(ctx context.Context, u *iam.User) error {
	if u == nil {
		return errNil("put user")
	}
	what := fmt.Sprintf("put user %s %q", u.Account, u.Name)
	tags, err := encodeTags(u.Tags)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	_, err = x.exec(ctx, what, `INSERT INTO iam_users (name_key, `+userColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, name_key) DO UPDATE SET name = excluded.name, path = excluded.path,
			id = excluded.id, created_at = excluded.created_at, boundary = excluded.boundary,
			tags = excluded.tags`,
		nameKey(u.Name), string(u.Account), u.Name, u.Path, u.ID, nanos(u.CreatedAt), u.Boundary, tags)
	return err
}

// DeleteUser implements iam.Tx. It deletes the user only.
func (x iamTx) DeleteUser(ctx context.Context, acct identity.AccountID, name string) error {
	return x.deleteOne(ctx, fmt.Sprintf("delete user %s %q", acct, name),
		`DELETE FROM iam_users WHERE account_id = ? AND name_key = ?`, string(acct), nameKey(name))
}

// Users implements iam.Tx.
func (x iamTx) Users(ctx context.Context, acct identity.AccountID) ([]iam.User, error) {
	return queryList(ctx, x.tx, "users of "+string(acct), scanUser,
		`SELECT `+userColumns+` FROM iam_users WHERE account_id = ? ORDER BY name_key, name`, string(acct))
}

// Access keys.

const accessKeyColumns = `id, secret, account_id, user_name, active, created_at`

func scanAccessKey(sc scanner, k *identity.AccessKey) error {
	return sc.Scan(&k.ID, &k.Secret, &k.Account, &k.User, &k.Active, scanTime{&k.CreatedAt})
}

// putAccessKey is the statement of [DB.PutAccessKey] and iamTx.PutAccessKey;
// putAccessKeyArgs are its arguments.
const putAccessKey = `INSERT INTO access_keys (` + accessKeyColumns + `, user_key)
	VALUES (?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET secret = excluded.secret, account_id = excluded.account_id,
		user_name = excluded.user_name, active = excluded.active, created_at = excluded.created_at,
		user_key = excluded.user_key`

func putAccessKeyArgs(k *identity.AccessKey) []any {
	return []any{k.ID, k.Secret, string(k.Account), k.User, k.Active, nanos(k.CreatedAt), nameKey(k.User)}
}

// AccessKey implements iam.Tx. Key ids are matched exactly.
func (x iamTx) AccessKey(ctx context.Context, id string) (*identity.AccessKey, error) {
	var k identity.AccessKey
	err := scanAccessKey(x.queryRow(ctx, `SELECT `+accessKeyColumns+` FROM access_keys WHERE id = ?`, id), &k)
	if err != nil {
		return nil, rowErr(err, "access key "+id)
	}
	return &k, nil
}

// PutAccessKey implements iam.Tx; see [DB.PutAccessKey].
func (x iamTx) PutAccessKey(ctx context.Context, k *identity.AccessKey) error {
	if k == nil {
		return errNil("put access key")
	}
	_, err := x.exec(ctx, "put access key "+k.ID, putAccessKey, putAccessKeyArgs(k)...)
	return err
}

// DeleteAccessKey implements iam.Tx.
func (x iamTx) DeleteAccessKey(ctx context.Context, id string) error {
	return x.deleteOne(ctx, "delete access key "+id, `DELETE FROM access_keys WHERE id = ?`, id)
}

// AccessKeys implements iam.Tx: the keys of user (the root user's for ""),
// sorted by id.
func (x iamTx) AccessKeys(ctx context.Context, acct identity.AccountID, user string) ([]identity.AccessKey, error) {
	return queryList(ctx, x.tx, fmt.Sprintf("access keys of %s %q", acct, user), scanAccessKey,
		`SELECT `+accessKeyColumns+` FROM access_keys WHERE account_id = ? AND user_key = ? ORDER BY id`,
		string(acct), nameKey(user))
}

// Groups.

const groupColumns = `account_id, name, path, id, created_at`

func scanGroup(sc scanner, g *iam.Group) error {
	return sc.Scan(&g.Account, &g.Name, &g.Path, &g.ID, scanTime{&g.CreatedAt})
}

// Group implements iam.Tx.
func (x iamTx) Group(ctx context.Context, acct identity.AccountID, name string) (*iam.Group, error) {
	var g iam.Group
	err := scanGroup(x.queryRow(ctx, `SELECT `+groupColumns+` FROM iam_groups
		WHERE account_id = ? AND name_key = ?`, string(acct), nameKey(name)), &g)
	if err != nil {
		return nil, rowErr(err, fmt.Sprintf("group %s %q", acct, name))
	}
	return &g, nil
}

// PutGroup implements iam.Tx.
func (x iamTx) PutGroup(ctx context.Context, g *iam.Group) error {
	if g == nil {
		return errNil("put group")
	}
	_, err := x.exec(ctx, fmt.Sprintf("put group %s %q", g.Account, g.Name), `INSERT INTO iam_groups
		(name_key, `+groupColumns+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, name_key) DO UPDATE SET name = excluded.name, path = excluded.path,
			id = excluded.id, created_at = excluded.created_at`,
		nameKey(g.Name), string(g.Account), g.Name, g.Path, g.ID, nanos(g.CreatedAt))
	return err
}

// DeleteGroup implements iam.Tx. It deletes the group only (not its
// memberships).
func (x iamTx) DeleteGroup(ctx context.Context, acct identity.AccountID, name string) error {
	return x.deleteOne(ctx, fmt.Sprintf("delete group %s %q", acct, name),
		`DELETE FROM iam_groups WHERE account_id = ? AND name_key = ?`, string(acct), nameKey(name))
}

// Groups implements iam.Tx.
func (x iamTx) Groups(ctx context.Context, acct identity.AccountID) ([]iam.Group, error) {
	return queryList(ctx, x.tx, "groups of "+string(acct), scanGroup,
		`SELECT `+groupColumns+` FROM iam_groups WHERE account_id = ? ORDER BY name_key, name`, string(acct))
}

func scanString(sc scanner, s *string) error { return sc.Scan(s) }

// GroupMembers implements iam.Tx: the user names as last passed to
// AddGroupMember, sorted.
func (x iamTx) GroupMembers(ctx context.Context, acct identity.AccountID, group string) ([]string, error) {
	return queryList(ctx, x.tx, fmt.Sprintf("members of group %s %q", acct, group), scanString,
		`SELECT user_name FROM iam_group_members WHERE account_id = ? AND group_key = ?
		ORDER BY user_key, user_name`, string(acct), nameKey(group))
}

// GroupsOf implements iam.Tx: the group names as last passed to
// AddGroupMember, sorted.
func (x iamTx) GroupsOf(ctx context.Context, acct identity.AccountID, user string) ([]string, error) {
	return queryList(ctx, x.tx, fmt.Sprintf("groups of user %s %q", acct, user), scanString,
		`SELECT group_name FROM iam_group_members WHERE account_id = ? AND user_key = ?
		ORDER BY group_key, group_name`, string(acct), nameKey(user))
}

// AddGroupMember implements iam.Tx. Adding an existing member again is not
// an error; it stores the names as given.
func (x iamTx) AddGroupMember(ctx context.Context, acct identity.AccountID, group, user string) error {
	_, err := x.exec(ctx, fmt.Sprintf("add %q to group %s %q", user, acct, group), `INSERT INTO iam_group_members
		(account_id, group_key, group_name, user_key, user_name) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account_id, group_key, user_key) DO UPDATE SET group_name = excluded.group_name,
			user_name = excluded.user_name`,
		string(acct), nameKey(group), group, nameKey(user), user)
	return err
}

// RemoveGroupMember implements iam.Tx; ErrNotFound if user was not a
// member.
func (x iamTx) RemoveGroupMember(ctx context.Context, acct identity.AccountID, group, user string) error {
	return x.deleteOne(ctx, fmt.Sprintf("remove %q from group %s %q", user, acct, group),
		`DELETE FROM iam_group_members WHERE account_id = ? AND group_key = ? AND user_key = ?`,
		string(acct), nameKey(group), nameKey(user))
}

// Roles.

const roleColumns = `account_id, name, path, id, created_at, description, trust_policy,
	max_session_duration, boundary, tags, service_linked`

func scanRole(sc scanner, r *iam.Role) error {
	var tags string
	if err := sc.Scan(&r.Account, &r.Name, &r.Path, &r.ID, scanTime{&r.CreatedAt}, &r.Description, &r.TrustPolicy,
		&r.MaxSessionDuration, &r.Boundary, &tags, &r.ServiceLinked); err != nil {
		return err
	}
	var err error
	r.Tags, err = decodeTags(tags)
	return err
}

// Role implements iam.Tx.
func (x iamTx) Role(ctx context.Context, acct identity.AccountID, name string) (*iam.Role, error) {
	var r iam.Role
	err := scanRole(x.queryRow(ctx, `SELECT `+roleColumns+` FROM iam_roles
		WHERE account_id = ? AND name_key = ?`, string(acct), nameKey(name)), &r)
	if err != nil {
		return nil, rowErr(err, fmt.Sprintf("role %s %q", acct, name))
	}
	return &r, nil
}

// PutRole implements iam.Tx.
func (x iamTx) PutRole(ctx context.Context, r *iam.Role) error {
	if r == nil {
		return errNil("put role")
	}
	what := fmt.Sprintf("put role %s %q", r.Account, r.Name)
	tags, err := encodeTags(r.Tags)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	_, err = x.exec(ctx, what, `INSERT INTO iam_roles (name_key, `+roleColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, name_key) DO UPDATE SET name = excluded.name, path = excluded.path,
			id = excluded.id, created_at = excluded.created_at, description = excluded.description,
			trust_policy = excluded.trust_policy, max_session_duration = excluded.max_session_duration,
			boundary = excluded.boundary, tags = excluded.tags, service_linked = excluded.service_linked`,
		nameKey(r.Name), string(r.Account), r.Name, r.Path, r.ID, nanos(r.CreatedAt), r.Description, r.TrustPolicy,
		int64(r.MaxSessionDuration), r.Boundary, tags, r.ServiceLinked)
	return err
}

// DeleteRole implements iam.Tx. It deletes the role only.
func (x iamTx) DeleteRole(ctx context.Context, acct identity.AccountID, name string) error {
	return x.deleteOne(ctx, fmt.Sprintf("delete role %s %q", acct, name),
		`DELETE FROM iam_roles WHERE account_id = ? AND name_key = ?`, string(acct), nameKey(name))
}

// Roles implements iam.Tx.
func (x iamTx) Roles(ctx context.Context, acct identity.AccountID) ([]iam.Role, error) {
	return queryList(ctx, x.tx, "roles of "+string(acct), scanRole,
		`SELECT `+roleColumns+` FROM iam_roles WHERE account_id = ? ORDER BY name_key, name`, string(acct))
}

// Inline policies.

const inlinePolicyColumns = `account_id, kind, owner, name, document`

func scanInlinePolicy(sc scanner, p *iam.InlinePolicy) error {
	return sc.Scan(&p.Account, &p.Kind, &p.Owner, &p.Name, &p.Document)
}

// InlinePolicy implements iam.Tx. Owner is returned as last written.
func (x iamTx) InlinePolicy(ctx context.Context, acct identity.AccountID, kind iam.PrincipalKind, owner, name string) (*iam.InlinePolicy, error) {
	var p iam.InlinePolicy
	err := scanInlinePolicy(x.queryRow(ctx, `SELECT `+inlinePolicyColumns+` FROM iam_inline_policies
		WHERE account_id = ? AND kind = ? AND owner_key = ? AND name_key = ?`,
		string(acct), string(kind), nameKey(owner), nameKey(name)), &p)
	if err != nil {
		return nil, rowErr(err, fmt.Sprintf("inline policy %s %s %q %q", acct, kind, owner, name))
	}
	return &p, nil
}

// PutInlinePolicy implements iam.Tx.
func (x iamTx) PutInlinePolicy(ctx context.Context, p *iam.InlinePolicy) error {
	if p == nil {
		return errNil("put inline policy")
	}
	_, err := x.exec(ctx, fmt.Sprintf("put inline policy %s %s %q %q", p.Account, p.Kind, p.Owner, p.Name),
		`INSERT INTO iam_inline_policies (owner_key, name_key, `+inlinePolicyColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, kind, owner_key, name_key) DO UPDATE SET owner = excluded.owner,
			name = excluded.name, document = excluded.document`,
		nameKey(p.Owner), nameKey(p.Name), string(p.Account), string(p.Kind), p.Owner, p.Name, p.Document)
	return err
}

// DeleteInlinePolicy implements iam.Tx.
func (x iamTx) DeleteInlinePolicy(ctx context.Context, acct identity.AccountID, kind iam.PrincipalKind, owner, name string) error {
	return x.deleteOne(ctx, fmt.Sprintf("delete inline policy %s %s %q %q", acct, kind, owner, name),
		`DELETE FROM iam_inline_policies WHERE account_id = ? AND kind = ? AND owner_key = ? AND name_key = ?`,
		string(acct), string(kind), nameKey(owner), nameKey(name))
}

// InlinePolicies implements iam.Tx: the policies of one user, group or role.
func (x iamTx) InlinePolicies(ctx context.Context, acct identity.AccountID, kind iam.PrincipalKind, owner string) ([]iam.InlinePolicy, error) {
	return queryList(ctx, x.tx, fmt.Sprintf("inline policies of %s %s %q", acct, kind, owner), scanInlinePolicy,
		`SELECT `+inlinePolicyColumns+` FROM iam_inline_policies
		WHERE account_id = ? AND kind = ? AND owner_key = ? ORDER BY name_key, name`,
		string(acct), string(kind), nameKey(owner))
}

// Managed policies.

const managedPolicyColumns = `account_id, name, path, id, arn, description, default_version,
	created_at, updated_at, tags`

func scanManagedPolicy(sc scanner, p *iam.ManagedPolicy) error {
	var tags string
	if err := sc.Scan(&p.Account, &p.Name, &p.Path, &p.ID, &p.ARN, &p.Description, &p.DefaultVersion,
		scanTime{&p.CreatedAt}, scanTime{&p.UpdatedAt}, &tags); err != nil {
		return err
	}
	var err error
	p.Tags, err = decodeTags(tags)
	return err
}

// policyVersion is a row of iam_policy_versions.
type policyVersion struct {
	arn string
	iam.PolicyVersion
}

func scanPolicyVersion(sc scanner, v *policyVersion) error {
	return sc.Scan(&v.arn, &v.ID, &v.Document, scanTime{&v.CreatedAt})
}

// ManagedPolicy implements iam.Tx. ARNs are matched exactly.
func (x iamTx) ManagedPolicy(ctx context.Context, arn string) (*iam.ManagedPolicy, error) {
	what := "managed policy " + arn
	var p iam.ManagedPolicy
	err := scanManagedPolicy(x.queryRow(ctx, `SELECT `+managedPolicyColumns+` FROM iam_managed_policies
		WHERE arn = ?`, arn), &p)
	if err != nil {
		return nil, rowErr(err, what)
	}
	vs, err := queryList(ctx, x.tx, what, scanPolicyVersion,
		`SELECT policy_arn, version_id, document, created_at FROM iam_policy_versions
		WHERE policy_arn = ? ORDER BY position`, arn)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		p.Versions = append(p.Versions, v.PolicyVersion)
	}
	return &p, nil
}

// PutManagedPolicy implements iam.Tx: it replaces the policy with p.ARN,
// versions included (kept in their order). It fails with iam.ErrExists if
// another policy of p.Account has p.Name (in any case).
func (x iamTx) PutManagedPolicy(ctx context.Context, p *iam.ManagedPolicy) error {
	if p == nil {
		return errNil("put managed policy")
	}
	what := "put managed policy " + p.ARN
	if err := x.writable(what); err != nil {
		return err
	}
	tags, err := encodeTags(p.Tags)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	var other string
	err = x.queryRow(ctx, `SELECT arn FROM iam_managed_policies WHERE account_id = ? AND name_key = ? AND arn <> ?`,
		string(p.Account), nameKey(p.Name), p.ARN).Scan(&other)
	switch {
	case err == nil:
		return fmt.Errorf("sqlite: %s: name %q is taken by %s: %w", what, p.Name, other, iam.ErrExists)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	_, err = x.exec(ctx, what, `INSERT INTO iam_managed_policies (name_key, `+managedPolicyColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET account_id = excluded.account_id, name_key = excluded.name_key,
			name = excluded.name, path = excluded.path, id = excluded.id, description = excluded.description,
			default_version = excluded.default_version, created_at = excluded.created_at,
			updated_at = excluded.updated_at, tags = excluded.tags`,
		nameKey(p.Name), string(p.Account), p.Name, p.Path, p.ID, p.ARN, p.Description, p.DefaultVersion,
		nanos(p.CreatedAt), nanos(p.UpdatedAt), tags)
	if err != nil {
		return err
	}
	if _, err := x.exec(ctx, what, `DELETE FROM iam_policy_versions WHERE policy_arn = ?`, p.ARN); err != nil {
		return err
	}
	for i, v := range p.Versions {
		_, err := x.exec(ctx, what, `INSERT INTO iam_policy_versions
			(policy_arn, version_id, position, document, created_at) VALUES (?, ?, ?, ?, ?)`,
			p.ARN, v.ID, i, v.Document, nanos(v.CreatedAt))
		if err != nil {
			return err
		}
	}
	return nil
}

// DeleteManagedPolicy implements iam.Tx: the policy and its versions (not
// its attachments).
func (x iamTx) DeleteManagedPolicy(ctx context.Context, arn string) error {
	what := "delete managed policy " + arn
	if err := x.deleteOne(ctx, what, `DELETE FROM iam_managed_policies WHERE arn = ?`, arn); err != nil {
		return err
	}
	_, err := x.exec(ctx, what, `DELETE FROM iam_policy_versions WHERE policy_arn = ?`, arn)
	return err
}

// ManagedPolicies implements iam.Tx: the policies of acct ("" for the AWS
// managed ones), versions included.
func (x iamTx) ManagedPolicies(ctx context.Context, acct identity.AccountID) ([]iam.ManagedPolicy, error) {
	what := "managed policies of " + string(acct)
	ps, err := queryList(ctx, x.tx, what, scanManagedPolicy,
		`SELECT `+managedPolicyColumns+` FROM iam_managed_policies
		WHERE account_id = ? ORDER BY name_key, name`, string(acct))
	if err != nil || len(ps) == 0 {
		return ps, err
	}
	vs, err := queryList(ctx, x.tx, what, scanPolicyVersion,
		`SELECT v.policy_arn, v.version_id, v.document, v.created_at
		FROM iam_policy_versions v JOIN iam_managed_policies p ON p.arn = v.policy_arn
		WHERE p.account_id = ? ORDER BY v.policy_arn, v.position`, string(acct))
	if err != nil {
		return nil, err
	}
	byARN := make(map[string][]iam.PolicyVersion, len(ps))
	for _, v := range vs {
		byARN[v.arn] = append(byARN[v.arn], v.PolicyVersion)
	}
	for i := range ps {
		ps[i].Versions = byARN[ps[i].ARN]
	}
	return ps, nil
}

// Attachments.

const attachmentColumns = `account_id, kind, owner, policy_arn`

func scanIAMAttachment(sc scanner, a *iam.Attachment) error {
	return sc.Scan(&a.Account, &a.Kind, &a.Owner, &a.PolicyARN)
}

// Attachments implements iam.Tx: the policies attached to one user, group
// or role, sorted by ARN (byte-wise).
func (x iamTx) Attachments(ctx context.Context, acct identity.AccountID, kind iam.PrincipalKind, owner string) ([]iam.Attachment, error) {
	return queryList(ctx, x.tx, fmt.Sprintf("attachments of %s %s %q", acct, kind, owner), scanIAMAttachment,
		`SELECT `+attachmentColumns+` FROM iam_attachments
		WHERE account_id = ? AND kind = ? AND owner_key = ? ORDER BY policy_arn`,
		string(acct), string(kind), nameKey(owner))
}

// PolicyAttachments implements iam.Tx: sorted by kind, then owner.
func (x iamTx) PolicyAttachments(ctx context.Context, acct identity.AccountID, arn string) ([]iam.Attachment, error) {
	return queryList(ctx, x.tx, fmt.Sprintf("attachments of %s in %s", arn, acct), scanIAMAttachment,
		`SELECT `+attachmentColumns+` FROM iam_attachments
		WHERE account_id = ? AND policy_arn = ? ORDER BY kind, owner_key, owner`, string(acct), arn)
}

// PutAttachment implements iam.Tx. Putting an existing attachment again is
// not an error; it stores the owner name as given.
func (x iamTx) PutAttachment(ctx context.Context, a *iam.Attachment) error {
	if a == nil {
		return errNil("put attachment")
	}
	_, err := x.exec(ctx, fmt.Sprintf("attach %s to %s %s %q", a.PolicyARN, a.Account, a.Kind, a.Owner),
		`INSERT INTO iam_attachments (owner_key, `+attachmentColumns+`) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account_id, kind, owner_key, policy_arn) DO UPDATE SET owner = excluded.owner`,
		nameKey(a.Owner), string(a.Account), string(a.Kind), a.Owner, a.PolicyARN)
	return err
}

// DeleteAttachment implements iam.Tx; ErrNotFound if there was none.
func (x iamTx) DeleteAttachment(ctx context.Context, a *iam.Attachment) error {
	if a == nil {
		return errNil("delete attachment")
	}
	return x.deleteOne(ctx, fmt.Sprintf("detach %s from %s %s %q", a.PolicyARN, a.Account, a.Kind, a.Owner),
		`DELETE FROM iam_attachments WHERE account_id = ? AND kind = ? AND owner_key = ? AND policy_arn = ?`,
		string(a.Account), string(a.Kind), nameKey(a.Owner), a.PolicyARN)
}

// Account aliases. Aliases are matched exactly (IAM only allows lower case).

// Alias implements iam.Tx.
func (x iamTx) Alias(ctx context.Context, acct identity.AccountID) (string, error) {
	var alias string
	if err := x.queryRow(ctx, `SELECT alias FROM account_aliases WHERE account_id = ?`, string(acct)).Scan(&alias); err != nil {
		return "", rowErr(err, "alias of "+string(acct))
	}
	return alias, nil
}

// AliasOwner implements iam.Tx.
func (x iamTx) AliasOwner(ctx context.Context, alias string) (identity.AccountID, error) {
	var acct identity.AccountID
	if err := x.queryRow(ctx, `SELECT account_id FROM account_aliases WHERE alias = ?`, alias).Scan(&acct); err != nil {
		return "", rowErr(err, fmt.Sprintf("owner of alias %q", alias))
	}
	return acct, nil
}

// PutAlias implements iam.Tx: alias replaces acct's alias, if any. It fails
// with iam.ErrExists if another account holds alias.
func (x iamTx) PutAlias(ctx context.Context, acct identity.AccountID, alias string) error {
	what := fmt.Sprintf("put alias %q of %s", alias, acct)
	if err := x.writable(what); err != nil {
		return err
	}
	var owner string
	err := x.queryRow(ctx, `SELECT account_id FROM account_aliases WHERE alias = ? AND account_id <> ?`,
		alias, string(acct)).Scan(&owner)
	switch {
	case err == nil:
		return fmt.Errorf("sqlite: %s: held by %s: %w", what, owner, iam.ErrExists)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	_, err = x.exec(ctx, what, `INSERT INTO account_aliases (account_id, alias) VALUES (?, ?)
		ON CONFLICT (account_id) DO UPDATE SET alias = excluded.alias`, string(acct), alias)
	return err
}

// DeleteAlias implements iam.Tx; ErrNotFound if acct has none.
func (x iamTx) DeleteAlias(ctx context.Context, acct identity.AccountID) error {
	return x.deleteOne(ctx, "delete alias of "+string(acct),
		`DELETE FROM account_aliases WHERE account_id = ?`, string(acct))
}

// Sessions.

const sessionColumns = `access_key_id, secret, token, account_id, role_name, role_id, session_name,
	expiration, issued_at, session_policy, policy_arns, tags, source, kind, user_name, mfa_at`

// Session implements iam.Tx. Expired sessions are returned too.
func (x iamTx) Session(ctx context.Context, accessKeyID string) (*iam.Session, error) {
	what := "session " + accessKeyID
	var s iam.Session
	var arns, tags string
	err := x.queryRow(ctx, `SELECT `+sessionColumns+` FROM sts_sessions WHERE access_key_id = ?`, accessKeyID).
		Scan(&s.AccessKeyID, &s.Secret, &s.Token, &s.Account, &s.RoleName, &s.RoleID, &s.SessionName,
			scanTime{&s.Expiration}, scanTime{&s.IssuedAt}, &s.SessionPolicy, &arns, &tags, &s.Source,
			&s.Kind, &s.User, scanTime{&s.MFAAt})
	if err != nil {
		return nil, rowErr(err, what)
	}
	if s.PolicyARNs, err = decodeStrings(arns); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if s.Tags, err = decodeTags(tags); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return &s, nil
}

// PutSession implements iam.Tx: it replaces the session with the access
// key id. Errors never carry the secret or token.
func (x iamTx) PutSession(ctx context.Context, s *iam.Session) error {
	if s == nil {
		return errNil("put session")
	}
	what := "put session " + s.AccessKeyID
	arns, err := encodeStrings(s.PolicyARNs)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	tags, err := encodeTags(s.Tags)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	_, err = x.exec(ctx, what, `INSERT INTO sts_sessions (`+sessionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (access_key_id) DO UPDATE SET secret = excluded.secret, token = excluded.token,
			account_id = excluded.account_id, role_name = excluded.role_name, role_id = excluded.role_id,
			session_name = excluded.session_name, expiration = excluded.expiration,
			issued_at = excluded.issued_at, session_policy = excluded.session_policy,
			policy_arns = excluded.policy_arns, tags = excluded.tags, source = excluded.source,
			kind = excluded.kind, user_name = excluded.user_name, mfa_at = excluded.mfa_at`,
		s.AccessKeyID, s.Secret, s.Token, string(s.Account), s.RoleName, s.RoleID, s.SessionName,
		nanos(s.Expiration), nanos(s.IssuedAt), s.SessionPolicy, arns, tags, s.Source,
		string(s.Kind), s.User, nanos(s.MFAAt))
	return err
}
