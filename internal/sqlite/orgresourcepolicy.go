package sqlite

import (
	"context"

	"github.com/accountplane/accountplane/internal/organizations"
)

// The organizations.ResourcePolicyTx methods (migration 0011): one
// delegation policy per organization.

// ResourcePolicy implements organizations.Tx.
func (t *tx) ResourcePolicy(ctx context.Context, org organizations.OrgID) (*organizations.ResourcePolicy, error) {
	var p organizations.ResourcePolicy
	err := t.queryRow(ctx, `SELECT org_id, id, content, updated_at FROM resource_policies WHERE org_id = ?`, string(org)).
		Scan(&p.Org, &p.ID, &p.Content, scanTime{&p.UpdatedAt})
	if err != nil {
		return nil, rowErr(err, "resource policy of "+string(org))
	}
	return &p, nil
}

// PutResourcePolicy implements organizations.Tx: it replaces the
// organization's delegation policy, id included.
func (t *tx) PutResourcePolicy(ctx context.Context, p *organizations.ResourcePolicy) error {
	if p == nil {
		return errNil("put resource policy")
	}
	_, err := t.exec(ctx, "put resource policy of "+string(p.Org), `INSERT INTO resource_policies
		(org_id, id, content, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET id = excluded.id, content = excluded.content,
			updated_at = excluded.updated_at`,
		string(p.Org), string(p.ID), p.Content, nanos(p.UpdatedAt))
	return err
}

// DeleteResourcePolicy implements organizations.Tx; ErrNotFound if there
// was none. The policy's tags stay (the domain removes them).
func (t *tx) DeleteResourcePolicy(ctx context.Context, org organizations.OrgID) error {
	return t.deleteOne(ctx, "delete resource policy of "+string(org),
		`DELETE FROM resource_policies WHERE org_id = ?`, string(org))
}
