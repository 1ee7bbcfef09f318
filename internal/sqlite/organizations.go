package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// The organizations.Tx methods. Getters return an error wrapping
// organizations.ErrNotFound (kernel.ErrNotFound) for an absent row, and so
// do the Delete methods when there was nothing to delete, except
// DeleteOrganization, which is idempotent. Put methods insert or replace the
// whole record. No method enforces a domain rule: deleting an OU or a policy
// leaves its tags and attachments, PutMember does not check the
// organization exists, and so on.

// policyTypeSep joins Organization.EnabledPolicyTypes in one column.
const policyTypeSep = ","

func joinPolicyTypes(ts []organizations.PolicyType) (string, error) {
	parts := make([]string, len(ts))
	for i, pt := range ts {
		if pt == "" || strings.Contains(string(pt), policyTypeSep) {
			return "", fmt.Errorf("policy type %q cannot be stored", pt)
		}
		parts[i] = string(pt)
	}
	return strings.Join(parts, policyTypeSep), nil
}

func splitPolicyTypes(s string) []organizations.PolicyType {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, policyTypeSep)
	ts := make([]organizations.PolicyType, len(parts))
	for i, p := range parts {
		ts[i] = organizations.PolicyType(p)
	}
	return ts
}

// Organization implements organizations.Tx.
func (t *tx) Organization(ctx context.Context, id organizations.OrgID) (*organizations.Organization, error) {
	// Kept in the row cache with its policy types as stored (a copy must
	// share no slice): the list is made anew for each caller.
	type orgRow struct {
		o     organizations.Organization
		types string
	}
	const q = `SELECT id, feature_set, management_account, root_id, created_at,
		enabled_policy_types, all_features_handshake
		FROM organizations WHERE id = ?`
	row, err := cachedRow(ctx, t, q, string(id), func() (*orgRow, error) {
		var r orgRow
		o := &r.o
		err := t.queryRow(ctx, q, string(id)).
			Scan(&o.ID, &o.FeatureSet, &o.ManagementAccount, &o.RootID, scanTime{&o.CreatedAt},
				&r.types, &o.AllFeaturesHandshake)
		if err != nil {
			return nil, rowErr(err, "organization "+string(id))
		}
		return &r, nil
	})
	if err != nil {
		return nil, err
	}
	o := row.o
	o.EnabledPolicyTypes = splitPolicyTypes(row.types)
	return &o, nil
}

// PutOrganization implements organizations.Tx. EnabledPolicyTypes keep
// their order; a type that is empty or contains a comma cannot be stored.
func (t *tx) PutOrganization(ctx context.Context, o *organizations.Organization) error {
	if o == nil {
		return errNil("put organization")
	}
	what := "put organization " + string(o.ID)
	types, err := joinPolicyTypes(o.EnabledPolicyTypes)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	_, err = t.exec(ctx, what, `INSERT INTO organizations
		(id, feature_set, management_account, root_id, created_at, enabled_policy_types, all_features_handshake)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET feature_set = excluded.feature_set,
			management_account = excluded.management_account, root_id = excluded.root_id,
			created_at = excluded.created_at, enabled_policy_types = excluded.enabled_policy_types,
			all_features_handshake = excluded.all_features_handshake`,
		string(o.ID), string(o.FeatureSet), string(o.ManagementAccount), string(o.RootID), nanos(o.CreatedAt),
		types, string(o.AllFeaturesHandshake))
	return err
}

// orgTables are the tables whose rows belong to an organization by org_id.
var orgTables = []string{
	"members", "ous", "create_account_statuses", "handshakes", "enabled_services",
	"delegated_admins", "policies", "attachments", "tags",
	"resource_policies",
	"responsibility_transfers", "policy_type_changes",
}

// DeleteOrganization implements organizations.Tx: it removes the
// organization and every row with its id. It is idempotent: deleting an
// absent organization is not an error. The empty id is refused (AWS-managed
// policies are stored with the empty organization id).
func (t *tx) DeleteOrganization(ctx context.Context, id organizations.OrgID) error {
	what := "delete organization " + string(id)
	if id == "" {
		return fmt.Errorf("sqlite: %s: empty organization id", what)
	}
	if _, err := t.exec(ctx, what, `DELETE FROM organizations WHERE id = ?`, string(id)); err != nil {
		return err
	}
	for _, table := range orgTables {
		if _, err := t.exec(ctx, what, `DELETE FROM `+table+` WHERE org_id = ?`, string(id)); err != nil {
			return err
		}
	}
	return nil
}

func scanMember(sc scanner, m *organizations.Member) error {
	return sc.Scan(&m.Account, &m.Org, &m.Parent, &m.Method, scanTime{&m.JoinedAt})
}

// Member implements organizations.Tx.
func (t *tx) Member(ctx context.Context, id identity.AccountID) (*organizations.Member, error) {
	const q = `SELECT account_id, org_id, parent, method, joined_at FROM members WHERE account_id = ?`
	return cachedRow(ctx, t, q, string(id), func() (*organizations.Member, error) {
		var m organizations.Member
		if err := scanMember(t.queryRow(ctx, q, string(id)), &m); err != nil {
			return nil, rowErr(err, "member "+string(id))
		}
		return &m, nil
	})
}

// PutMember implements organizations.Tx. An account has one membership:
// putting it again (with any Org) replaces it.
func (t *tx) PutMember(ctx context.Context, m *organizations.Member) error {
	if m == nil {
		return errNil("put member")
	}
	_, err := t.exec(ctx, "put member "+string(m.Account), `INSERT INTO members
		(account_id, org_id, parent, method, joined_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET org_id = excluded.org_id, parent = excluded.parent,
			method = excluded.method, joined_at = excluded.joined_at`,
		string(m.Account), string(m.Org), m.Parent, string(m.Method), nanos(m.JoinedAt))
	return err
}

// DeleteMember implements organizations.Tx; ErrNotFound if there was none.
func (t *tx) DeleteMember(ctx context.Context, id identity.AccountID) error {
	return t.deleteOne(ctx, "delete member "+string(id), `DELETE FROM members WHERE account_id = ?`, string(id))
}

// Members implements organizations.Tx: sorted by account id.
func (t *tx) Members(ctx context.Context, org organizations.OrgID) ([]organizations.Member, error) {
	return queryList(ctx, t, "members of "+string(org), scanMember,
		`SELECT account_id, org_id, parent, method, joined_at
		FROM members WHERE org_id = ? ORDER BY account_id`, string(org))
}

// MembersAfter implements organizations.Tx.
func (t *tx) MembersAfter(ctx context.Context, org organizations.OrgID, parent string, after identity.AccountID, limit int) ([]organizations.Member, error) {
	q, args := membersAfterQuery(parent != ""), []any{string(org), string(after), limit}
	if parent != "" {
		args = []any{string(org), parent, string(after), limit}
	}
	key := string(org) + "\x00" + parent + "\x00" + string(after) + "\x00" + strconv.Itoa(limit)
	return cachedList(ctx, t, q, key, func() ([]organizations.Member, error) {
		return queryList(ctx, t, "members of "+string(org), scanMember, q, args...)
	})
}

// memberCountQuery counts a range of the members_org index.
const memberCountQuery = `SELECT COUNT(*) FROM members WHERE org_id = ?`

// closedMembersQuery reads the closed accounts on the accounts_closed
// index (migration 0025) and keeps those of the organization's members.
const closedMembersQuery = `SELECT ` + accountColumns + ` FROM accounts a
	WHERE (closed_at IS NOT NULL OR state = 'CLOSED')
	AND EXISTS (SELECT 1 FROM members m WHERE m.account_id = a.id AND m.org_id = ?)`

// MemberCount implements organizations.Tx.
func (t *tx) MemberCount(ctx context.Context, org organizations.OrgID) (int, error) {
	var n int
	if err := t.queryRow(ctx, memberCountQuery, string(org)).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count members of %s: %w", org, err)
	}
	return n, nil
}

// ClosedMemberAccounts implements organizations.Tx.
func (t *tx) ClosedMemberAccounts(ctx context.Context, org organizations.OrgID) ([]kernel.Account, error) {
	return queryList(ctx, t, "closed members of "+string(org), scanAccountInto, closedMembersQuery, string(org))
}

// membersAfterQuery is MembersAfter's query: a range of the members_org
// index, or of members_parent under a parent (migration 0023).
func membersAfterQuery(underParent bool) string {
	const cols = `SELECT account_id, org_id, parent, method, joined_at FROM members`
	if underParent {
		return cols + ` WHERE org_id = ? AND parent = ? AND account_id > ? ORDER BY account_id LIMIT ?`
	}
	return cols + ` WHERE org_id = ? AND account_id > ? ORDER BY account_id LIMIT ?`
}

func scanOU(sc scanner, ou *organizations.OU) error {
	return sc.Scan(&ou.ID, &ou.Org, &ou.Parent, &ou.Name)
}

// OU implements organizations.Tx.
func (t *tx) OU(ctx context.Context, id organizations.OUID) (*organizations.OU, error) {
	const q = `SELECT id, org_id, parent, name FROM ous WHERE id = ?`
	return cachedRow(ctx, t, q, string(id), func() (*organizations.OU, error) {
		var ou organizations.OU
		if err := scanOU(t.queryRow(ctx, q, string(id)), &ou); err != nil {
			return nil, rowErr(err, "organizational unit "+string(id))
		}
		return &ou, nil
	})
}

// PutOU implements organizations.Tx.
func (t *tx) PutOU(ctx context.Context, ou *organizations.OU) error {
	if ou == nil {
		return errNil("put organizational unit")
	}
	_, err := t.exec(ctx, "put organizational unit "+string(ou.ID), `INSERT INTO ous
		(id, org_id, parent, name) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, parent = excluded.parent, name = excluded.name`,
		string(ou.ID), string(ou.Org), ou.Parent, ou.Name)
	return err
}

// DeleteOU implements organizations.Tx; ErrNotFound if there was none. It
// deletes the OU only (not its tags, attachments or children).
func (t *tx) DeleteOU(ctx context.Context, id organizations.OUID) error {
	return t.deleteOne(ctx, "delete organizational unit "+string(id), `DELETE FROM ous WHERE id = ?`, string(id))
}

// OUs implements organizations.Tx: sorted by id.
func (t *tx) OUs(ctx context.Context, org organizations.OrgID) ([]organizations.OU, error) {
	return queryList(ctx, t, "organizational units of "+string(org), scanOU,
		`SELECT id, org_id, parent, name FROM ous WHERE org_id = ? ORDER BY id`, string(org))
}

const createAccountStatusColumns = `id, org_id, account_name, email, account_id, failure_reason, requested_at, due_at,
	govcloud_account_id`

func scanCreateAccountStatus(sc scanner, s *organizations.CreateAccountStatus) error {
	return sc.Scan(&s.ID, &s.Org, &s.AccountName, &s.Email, &s.Account, &s.FailureReason,
		scanTime{&s.RequestedAt}, scanTime{&s.DueAt}, &s.GovCloudAccount)
}

// CreateAccountStatus implements organizations.Tx.
func (t *tx) CreateAccountStatus(ctx context.Context, id organizations.CreateAccountReqID) (*organizations.CreateAccountStatus, error) {
	var s organizations.CreateAccountStatus
	err := scanCreateAccountStatus(t.queryRow(ctx, `SELECT `+createAccountStatusColumns+`
		FROM create_account_statuses WHERE id = ?`, string(id)), &s)
	if err != nil {
		return nil, rowErr(err, "create account status "+string(id))
	}
	return &s, nil
}

// PutCreateAccountStatus implements organizations.Tx.
func (t *tx) PutCreateAccountStatus(ctx context.Context, s *organizations.CreateAccountStatus) error {
	if s == nil {
		return errNil("put create account status")
	}
	_, err := t.exec(ctx, "put create account status "+string(s.ID), `INSERT INTO create_account_statuses
		(`+createAccountStatusColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, account_name = excluded.account_name,
			email = excluded.email, account_id = excluded.account_id,
			failure_reason = excluded.failure_reason, requested_at = excluded.requested_at,
			due_at = excluded.due_at, govcloud_account_id = excluded.govcloud_account_id`,
		string(s.ID), string(s.Org), s.AccountName, s.Email, string(s.Account), s.FailureReason,
		nanos(s.RequestedAt), nanos(s.DueAt), string(s.GovCloudAccount))
	return err
}

// CreateAccountStatuses implements organizations.Tx: oldest RequestedAt
// first (the zero time first), then by id.
func (t *tx) CreateAccountStatuses(ctx context.Context, org organizations.OrgID) ([]organizations.CreateAccountStatus, error) {
	return queryList(ctx, t, "create account statuses of "+string(org), scanCreateAccountStatus,
		`SELECT `+createAccountStatusColumns+` FROM create_account_statuses
		WHERE org_id = ? ORDER BY requested_at NULLS FIRST, id`, string(org))
}

const handshakeColumns = `id, org_id, action, state, target_type, target, target_account, notes, parent,
	requested_at, expires_at, updated_at, management_email, management_name, feature_set`

func scanHandshake(sc scanner, h *organizations.Handshake) error {
	return sc.Scan(&h.ID, &h.Org, &h.Action, &h.State, &h.TargetType, &h.Target, &h.TargetAccount, &h.Notes,
		&h.Parent, scanTime{&h.RequestedAt}, scanTime{&h.ExpiresAt}, scanTime{&h.UpdatedAt},
		&h.ManagementEmail, &h.ManagementName, &h.FeatureSet)
}

// Handshake implements organizations.Tx.
func (t *tx) Handshake(ctx context.Context, id organizations.HandshakeID) (*organizations.Handshake, error) {
	var h organizations.Handshake
	err := scanHandshake(t.queryRow(ctx, `SELECT `+handshakeColumns+`
		FROM handshakes WHERE id = ?`, string(id)), &h)
	if err != nil {
		return nil, rowErr(err, "handshake "+string(id))
	}
	return &h, nil
}

// PutHandshake implements organizations.Tx.
func (t *tx) PutHandshake(ctx context.Context, h *organizations.Handshake) error {
	if h == nil {
		return errNil("put handshake")
	}
	_, err := t.exec(ctx, "put handshake "+string(h.ID), `INSERT INTO handshakes
		(`+handshakeColumns+`, target_lower) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, action = excluded.action,
			state = excluded.state, target_type = excluded.target_type, target = excluded.target,
			target_lower = excluded.target_lower, target_account = excluded.target_account,
			notes = excluded.notes, parent = excluded.parent, requested_at = excluded.requested_at,
			expires_at = excluded.expires_at, updated_at = excluded.updated_at,
			management_email = excluded.management_email, management_name = excluded.management_name,
			feature_set = excluded.feature_set`,
		string(h.ID), string(h.Org), string(h.Action), string(h.State), string(h.TargetType), h.Target,
		string(h.TargetAccount), h.Notes, string(h.Parent), nanos(h.RequestedAt), nanos(h.ExpiresAt),
		nanos(h.UpdatedAt), h.ManagementEmail, h.ManagementName, string(h.FeatureSet), emailKey(h.Target))
	return err
}

// Handshakes implements organizations.Tx: oldest RequestedAt first (the
// zero time first), then by id.
func (t *tx) Handshakes(ctx context.Context, org organizations.OrgID) ([]organizations.Handshake, error) {
	return queryList(ctx, t, "handshakes of "+string(org), scanHandshake,
		`SELECT `+handshakeColumns+` FROM handshakes
		WHERE org_id = ? ORDER BY requested_at NULLS FIRST, id`, string(org))
}

// HandshakesFor implements organizations.Tx, across organizations, in the
// order of Handshakes. An empty id or email matches nothing (not the
// handshakes whose TargetAccount or Target is empty).
func (t *tx) HandshakesFor(ctx context.Context, id identity.AccountID, email string) ([]organizations.Handshake, error) {
	var conds []string
	var args []any
	if id != "" {
		conds, args = append(conds, "target_account = ?"), append(args, string(id))
	}
	if email != "" {
		conds, args = append(conds, "target_lower = ?"), append(args, emailKey(email))
	}
	if len(conds) == 0 {
		return nil, nil
	}
	return queryList(ctx, t, fmt.Sprintf("handshakes for %s %q", id, email), scanHandshake,
		`SELECT `+handshakeColumns+` FROM handshakes
		WHERE `+strings.Join(conds, " OR ")+` ORDER BY requested_at NULLS FIRST, id`, args...)
}

func scanEnabledService(sc scanner, s *organizations.EnabledService) error {
	return sc.Scan(&s.Org, &s.Principal, scanTime{&s.EnabledAt})
}

// EnabledServices implements organizations.Tx: sorted by principal.
func (t *tx) EnabledServices(ctx context.Context, org organizations.OrgID) ([]organizations.EnabledService, error) {
	return queryList(ctx, t, "enabled services of "+string(org), scanEnabledService,
		`SELECT org_id, principal, enabled_at FROM enabled_services
		WHERE org_id = ? ORDER BY principal`, string(org))
}

// PutEnabledService implements organizations.Tx.
func (t *tx) PutEnabledService(ctx context.Context, s *organizations.EnabledService) error {
	if s == nil {
		return errNil("put enabled service")
	}
	_, err := t.exec(ctx, fmt.Sprintf("put enabled service %s %s", s.Org, s.Principal), `INSERT INTO enabled_services
		(org_id, principal, enabled_at) VALUES (?, ?, ?)
		ON CONFLICT (org_id, principal) DO UPDATE SET enabled_at = excluded.enabled_at`,
		string(s.Org), s.Principal, nanos(s.EnabledAt))
	return err
}

// DeleteEnabledService implements organizations.Tx; ErrNotFound if there
// was none.
func (t *tx) DeleteEnabledService(ctx context.Context, org organizations.OrgID, principal string) error {
	return t.deleteOne(ctx, fmt.Sprintf("delete enabled service %s %s", org, principal),
		`DELETE FROM enabled_services WHERE org_id = ? AND principal = ?`, string(org), principal)
}

func scanDelegatedAdmin(sc scanner, d *organizations.DelegatedAdmin) error {
	return sc.Scan(&d.Org, &d.Account, &d.Principal, scanTime{&d.EnabledAt})
}

// DelegatedAdmins implements organizations.Tx: sorted by account id, then
// principal.
func (t *tx) DelegatedAdmins(ctx context.Context, org organizations.OrgID) ([]organizations.DelegatedAdmin, error) {
	return queryList(ctx, t, "delegated administrators of "+string(org), scanDelegatedAdmin,
		`SELECT org_id, account_id, principal, enabled_at FROM delegated_admins
		WHERE org_id = ? ORDER BY account_id, principal`, string(org))
}

// PutDelegatedAdmin implements organizations.Tx.
func (t *tx) PutDelegatedAdmin(ctx context.Context, d *organizations.DelegatedAdmin) error {
	if d == nil {
		return errNil("put delegated administrator")
	}
	_, err := t.exec(ctx, fmt.Sprintf("put delegated administrator %s %s %s", d.Org, d.Account, d.Principal),
		`INSERT INTO delegated_admins (org_id, account_id, principal, enabled_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, account_id, principal) DO UPDATE SET enabled_at = excluded.enabled_at`,
		string(d.Org), string(d.Account), d.Principal, nanos(d.EnabledAt))
	return err
}

// DeleteDelegatedAdmin implements organizations.Tx; ErrNotFound if there
// was none.
func (t *tx) DeleteDelegatedAdmin(ctx context.Context, org organizations.OrgID, id identity.AccountID, principal string) error {
	return t.deleteOne(ctx, fmt.Sprintf("delete delegated administrator %s %s %s", org, id, principal),
		`DELETE FROM delegated_admins WHERE org_id = ? AND account_id = ? AND principal = ?`,
		string(org), string(id), principal)
}

const policyColumns = `id, org_id, type, name, description, content, aws_managed, updated_at`

func scanPolicy(sc scanner, p *organizations.Policy) error {
	return sc.Scan(&p.ID, &p.Org, &p.Type, &p.Name, &p.Description, &p.Content, &p.AWSManaged, scanTime{&p.UpdatedAt})
}

// Policy implements organizations.Tx. It finds AWS-managed policies too.
func (t *tx) Policy(ctx context.Context, id organizations.PolicyID) (*organizations.Policy, error) {
	var p organizations.Policy
	err := scanPolicy(t.queryRow(ctx, `SELECT `+policyColumns+` FROM policies WHERE id = ?`, string(id)), &p)
	if err != nil {
		return nil, rowErr(err, "policy "+string(id))
	}
	return &p, nil
}

// PutPolicy implements organizations.Tx.
func (t *tx) PutPolicy(ctx context.Context, p *organizations.Policy) error {
	if p == nil {
		return errNil("put policy")
	}
	_, err := t.exec(ctx, "put policy "+string(p.ID), `INSERT INTO policies
		(`+policyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, type = excluded.type,
			name = excluded.name, description = excluded.description, content = excluded.content,
			aws_managed = excluded.aws_managed, updated_at = excluded.updated_at`,
		string(p.ID), string(p.Org), string(p.Type), p.Name, p.Description, p.Content, p.AWSManaged, nanos(p.UpdatedAt))
	return err
}

// DeletePolicy implements organizations.Tx; ErrNotFound if there was none.
// It deletes the policy only (not its attachments or tags).
func (t *tx) DeletePolicy(ctx context.Context, id organizations.PolicyID) error {
	return t.deleteOne(ctx, "delete policy "+string(id), `DELETE FROM policies WHERE id = ?`, string(id))
}

// Policies implements organizations.Tx: the organization's policies that
// are not AWS-managed, sorted by id.
func (t *tx) Policies(ctx context.Context, org organizations.OrgID) ([]organizations.Policy, error) {
	return queryList(ctx, t, "policies of "+string(org), scanPolicy,
		`SELECT `+policyColumns+` FROM policies
		WHERE org_id = ? AND aws_managed = 0 ORDER BY id`, string(org))
}

func scanAttachment(sc scanner, a *organizations.Attachment) error {
	return sc.Scan(&a.Org, &a.Policy, &a.Target, scanTime{&a.AttachedAt})
}

// Attachments implements organizations.Tx: sorted by policy id, then
// target id.
func (t *tx) Attachments(ctx context.Context, org organizations.OrgID) ([]organizations.Attachment, error) {
	return queryList(ctx, t, "attachments of "+string(org), scanAttachment,
		`SELECT org_id, policy_id, target_id, attached_at FROM attachments
		WHERE org_id = ? ORDER BY policy_id, target_id`, string(org))
}

// PutAttachment implements organizations.Tx. Putting an existing
// attachment again is not an error, and keeps its AttachedAt.
func (t *tx) PutAttachment(ctx context.Context, a *organizations.Attachment) error {
	if a == nil {
		return errNil("put attachment")
	}
	_, err := t.exec(ctx, fmt.Sprintf("put attachment %s %s %s", a.Org, a.Policy, a.Target),
		`INSERT INTO attachments (org_id, policy_id, target_id, attached_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, policy_id, target_id) DO NOTHING`,
		string(a.Org), string(a.Policy), a.Target, nanos(a.AttachedAt))
	return err
}

// DeleteAttachment implements organizations.Tx; ErrNotFound if there was
// none.
func (t *tx) DeleteAttachment(ctx context.Context, org organizations.OrgID, policy organizations.PolicyID, target string) error {
	return t.deleteOne(ctx, fmt.Sprintf("delete attachment %s %s %s", org, policy, target),
		`DELETE FROM attachments WHERE org_id = ? AND policy_id = ? AND target_id = ?`,
		string(org), string(policy), target)
}

func scanTag(sc scanner, tag *organizations.Tag) error { return sc.Scan(&tag.Key, &tag.Value) }

// Tags implements organizations.Tx: sorted by key, byte-wise. A resource
// without tags has none (no error).
func (t *tx) Tags(ctx context.Context, org organizations.OrgID, resource string) ([]organizations.Tag, error) {
	return queryList(ctx, t, fmt.Sprintf("tags of %s %s", org, resource), scanTag,
		`SELECT tag_key, tag_value FROM tags WHERE org_id = ? AND resource_id = ? ORDER BY tag_key`,
		string(org), resource)
}

// errDuplicateTagKey is returned by PutTags for a list with a key twice.
var errDuplicateTagKey = errors.New("duplicate tag key")

// PutTags implements organizations.Tx: the resource's tags become tags
// (none if empty). Two tags with the same key are an error.
func (t *tx) PutTags(ctx context.Context, org organizations.OrgID, resource string, tags []organizations.Tag) error {
	what := fmt.Sprintf("put tags of %s %s", org, resource)
	seen := make(map[string]bool, len(tags))
	for _, tag := range tags {
		if seen[tag.Key] {
			return fmt.Errorf("sqlite: %s: %w %q", what, errDuplicateTagKey, tag.Key)
		}
		seen[tag.Key] = true
	}
	if _, err := t.exec(ctx, what, `DELETE FROM tags WHERE org_id = ? AND resource_id = ?`, string(org), resource); err != nil {
		return err
	}
	for _, tag := range tags {
		if _, err := t.exec(ctx, what, `INSERT INTO tags (org_id, resource_id, tag_key, tag_value) VALUES (?, ?, ?, ?)`,
			string(org), resource, tag.Key, tag.Value); err != nil {
			return err
		}
	}
	return nil
}
