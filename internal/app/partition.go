package app

import (
	"context"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
)

// partitionOf is the partition of account id ("" for the commercial one),
// whose Regions alone its keys sign for.
func (a *App) partitionOf(ctx context.Context, id identity.AccountID) (string, error) {
	var p string
	err := a.db.View(ctx, func(tx account.Tx) error {
		acc, err := tx.Account(ctx, id)
		if err != nil {
			return err
		}
		p = acc.Partition
		return nil
	})
	return p, err
}
