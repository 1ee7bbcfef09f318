package sqlite

import (
	"context"
	"fmt"

	"github.com/accountplane/accountplane/internal/identity"
)

// PutAccessKey stores k, replacing the key with the same ID. The secret is
// kept in plaintext: verifying a SigV4 signature needs it. Errors never
// carry it.
func (db *DB) PutAccessKey(ctx context.Context, k identity.AccessKey) error {
	_, err := db.writer.ExecContext(ctx, `INSERT INTO access_keys (id, secret, account_id, user_name, active)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET secret = excluded.secret, account_id = excluded.account_id,
			user_name = excluded.user_name, active = excluded.active`,
		k.ID, k.Secret, string(k.Account), k.User, k.Active)
	if err != nil {
		return fmt.Errorf("sqlite: put access key %s: %w", k.ID, err)
	}
	return nil
}

// AccessKey returns the access key id. The error wraps account.ErrNotFound
// if there is none.
func (db *DB) AccessKey(ctx context.Context, id string) (identity.AccessKey, error) {
	var k identity.AccessKey
	err := db.reader.QueryRowContext(ctx, `SELECT id, secret, account_id, user_name, active
		FROM access_keys WHERE id = ?`, id).
		Scan(&k.ID, &k.Secret, &k.Account, &k.User, &k.Active)
	if err != nil {
		return identity.AccessKey{}, rowErr(err, "access key "+id)
	}
	return k, nil
}
