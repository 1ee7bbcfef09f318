package sqlite

import (
	"context"

	"github.com/accountplane/accountplane/internal/kernel"
)

// AllAccounts lists every account, sorted by id (for the admin API).
func (db *DB) AllAccounts(ctx context.Context) ([]kernel.Account, error) {
	var out []kernel.Account
	err := db.view(ctx, func(t *tx) (err error) {
		out, err = queryList(ctx, t, "list accounts", func(s scanner, a *kernel.Account) error {
			return s.Scan(&a.ID, &a.Name, &a.Email, &a.State, scanTime{&a.CreatedAt}, &a.PaymentMethod,
				scanTime{&a.ClosedAt}, &a.Origin, &a.Seller)
		}, `SELECT `+accountColumns+` FROM accounts ORDER BY id`)
		return err
	})
	return out, err
}
