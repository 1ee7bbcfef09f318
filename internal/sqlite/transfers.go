package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

const transferColumns = `id, org_id, type, name, status, handshake_id, target_account, target_email,
	source_account, source_email, source_org, start_at, end_at, expires_at, requested_at, updated_at`

func scanTransfer(sc scanner, t *organizations.Transfer) error {
	return sc.Scan(&t.ID, &t.TargetOrg, &t.Type, &t.Name, &t.Status, &t.Handshake, &t.TargetAccount, &t.TargetEmail,
		&t.SourceAccount, &t.SourceEmail, &t.SourceOrg, scanTime{&t.StartAt}, scanTime{&t.EndAt},
		scanTime{&t.ExpiresAt}, scanTime{&t.RequestedAt}, scanTime{&t.UpdatedAt})
}

// Transfer implements organizations.Tx.
func (t *tx) Transfer(ctx context.Context, id organizations.TransferID) (*organizations.Transfer, error) {
	var r organizations.Transfer
	if err := scanTransfer(t.queryRow(ctx, `SELECT `+transferColumns+`
		FROM responsibility_transfers WHERE id = ?`, string(id)), &r); err != nil {
		return nil, rowErr(err, "responsibility transfer "+string(id))
	}
	return &r, nil
}

// TransferByHandshake implements organizations.Tx.
func (t *tx) TransferByHandshake(ctx context.Context, id organizations.HandshakeID) (*organizations.Transfer, error) {
	var r organizations.Transfer
	if err := scanTransfer(t.queryRow(ctx, `SELECT `+transferColumns+`
		FROM responsibility_transfers WHERE handshake_id = ? ORDER BY id LIMIT 1`, string(id)), &r); err != nil {
		return nil, rowErr(err, "responsibility transfer of handshake "+string(id))
	}
	return &r, nil
}

// PutTransfer implements organizations.Tx.
func (t *tx) PutTransfer(ctx context.Context, r *organizations.Transfer) error {
	if r == nil {
		return errNil("put responsibility transfer")
	}
	_, err := t.exec(ctx, "put responsibility transfer "+string(r.ID), `INSERT INTO responsibility_transfers
		(`+transferColumns+`, source_email_lower) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, type = excluded.type, name = excluded.name,
			status = excluded.status, handshake_id = excluded.handshake_id,
			target_account = excluded.target_account, target_email = excluded.target_email,
			source_account = excluded.source_account, source_email = excluded.source_email,
			source_email_lower = excluded.source_email_lower, source_org = excluded.source_org,
			start_at = excluded.start_at, end_at = excluded.end_at, expires_at = excluded.expires_at,
			requested_at = excluded.requested_at, updated_at = excluded.updated_at`,
		string(r.ID), string(r.TargetOrg), string(r.Type), r.Name, string(r.Status), string(r.Handshake),
		string(r.TargetAccount), r.TargetEmail, string(r.SourceAccount), r.SourceEmail, string(r.SourceOrg),
		nanos(r.StartAt), nanos(r.EndAt), nanos(r.ExpiresAt), nanos(r.RequestedAt), nanos(r.UpdatedAt),
		emailKey(r.SourceEmail))
	return err
}

// Transfers implements organizations.Tx: oldest RequestedAt first (the
// zero time first), then by id. An empty id or email matches nothing.
func (t *tx) Transfers(ctx context.Context, id identity.AccountID, email string) ([]organizations.Transfer, error) {
	var conds []string
	var args []any
	if id != "" {
		conds, args = append(conds, "target_account = ?", "source_account = ?"), append(args, string(id), string(id))
	}
	if email != "" {
		conds, args = append(conds, "source_email_lower = ?"), append(args, emailKey(email))
	}
	if len(conds) == 0 {
		return nil, nil
	}
	return queryList(ctx, t, fmt.Sprintf("responsibility transfers of %s %q", id, email), scanTransfer,
		`SELECT `+transferColumns+` FROM responsibility_transfers
		WHERE `+strings.Join(conds, " OR ")+` ORDER BY requested_at NULLS FIRST, id`, args...)
}

func scanPolicyTypeChange(sc scanner, c *organizations.PolicyTypeChange) error {
	return sc.Scan(&c.Org, &c.Type, &c.Enable, scanTime{&c.DueAt})
}

// PolicyTypeChanges implements organizations.Tx: sorted by type.
func (t *tx) PolicyTypeChanges(ctx context.Context, org organizations.OrgID) ([]organizations.PolicyTypeChange, error) {
	const q = `SELECT org_id, policy_type, enable, due_at FROM policy_type_changes
		WHERE org_id = ? ORDER BY policy_type`
	return cachedList(ctx, t, q, string(org), func() ([]organizations.PolicyTypeChange, error) {
		return queryList(ctx, t, "policy type changes of "+string(org), scanPolicyTypeChange, q, string(org))
	})
}

// PutPolicyTypeChange implements organizations.Tx.
func (t *tx) PutPolicyTypeChange(ctx context.Context, c *organizations.PolicyTypeChange) error {
	if c == nil {
		return errNil("put policy type change")
	}
	_, err := t.exec(ctx, fmt.Sprintf("put policy type change %s %s", c.Org, c.Type), `INSERT INTO policy_type_changes
		(org_id, policy_type, enable, due_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, policy_type) DO UPDATE SET enable = excluded.enable, due_at = excluded.due_at`,
		string(c.Org), string(c.Type), c.Enable, nanos(c.DueAt))
	return err
}
