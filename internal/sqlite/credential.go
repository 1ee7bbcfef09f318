package sqlite

import (
	"context"
	"fmt"

	"github.com/accountplane/accountplane/internal/identity"
)

// PutAccessKey stores k, replacing the key with the same ID. The secret is
// kept in plaintext: verifying a SigV4 signature needs it. Errors never
// carry it. It writes the table that the access key methods of the
// Tx of [DB.IAM] read and write.
func (db *DB) PutAccessKey(ctx context.Context, k identity.AccessKey) error {
	// No mark: access_keys is not a row-cached table (pgrowcache.go), and a
	// statement outside the commit's transaction could not ride in its
	// pipeline either; the advance follows the commit.
	err := db.countCommit(&writeSet{tables: map[int]bool{db.tables.index["access_keys"]: true}}, nil, func() error {
		_, err := db.writer.ExecContext(ctx, putAccessKey, putAccessKeyArgs(&k)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: put access key %s: %w", k.ID, err)
	}
	return nil
}

// AccessKey returns the access key id. The error wraps kernel.ErrNotFound
// if there is none.
func (db *DB) AccessKey(ctx context.Context, id string) (identity.AccessKey, error) {
	var k identity.AccessKey
	err := scanAccessKey(db.reader.QueryRowContext(ctx, `SELECT `+accessKeyColumns+` FROM access_keys WHERE id = ?`, id), &k)
	if err != nil {
		return identity.AccessKey{}, rowErr(err, "access key "+id)
	}
	return k, nil
}
