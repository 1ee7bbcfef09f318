package sqlite

import (
	"context"

	"github.com/accountplane/accountplane/internal/kernel"
)

// AllAccounts lists every account, sorted by id (for the admin API).
func (db *DB) AllAccounts(ctx context.Context) ([]kernel.Account, error) {
	var out []kernel.Account
	err := db.view(ctx, func(t *tx) (err error) {
		out, err = queryList(ctx, t, "list accounts", scanAccountInto, `SELECT `+accountColumns+` FROM accounts ORDER BY id`)
		return err
	})
	return out, err
}
