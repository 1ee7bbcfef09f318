package organizations

import (
	"context"
	"errors"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// accountMemo is a transaction that keeps the accounts and OUs it reads
// for the rest of the transaction: a listing reads each member's account
// to decide whether the member counts and again to show it, and the OUs
// above each member for its path; a page's accounts can be read ahead in
// one query (prefetch). Its writes go through.
type accountMemo struct {
	Tx
	accounts map[identity.AccountID]*kernel.Account // nil: no such account
	ous      map[OUID]*OU
}

func withAccountMemo(tx Tx) *accountMemo {
	return &accountMemo{Tx: tx, accounts: map[identity.AccountID]*kernel.Account{}, ous: map[OUID]*OU{}}
}

// OU returns the OU as first read in the transaction.
func (m *accountMemo) OU(ctx context.Context, id OUID) (*OU, error) {
	if ou, ok := m.ous[id]; ok {
		return ou, nil
	}
	ou, err := m.Tx.OU(ctx, id)
	if err == nil {
		m.ous[id] = ou
	}
	return ou, err
}

// PutOU writes ou and forgets what was read of it.
func (m *accountMemo) PutOU(ctx context.Context, ou *OU) error {
	delete(m.ous, ou.ID)
	return m.Tx.PutOU(ctx, ou)
}

// DeleteOU deletes the OU and forgets what was read of it.
func (m *accountMemo) DeleteOU(ctx context.Context, id OUID) error {
	delete(m.ous, id)
	return m.Tx.DeleteOU(ctx, id)
}

// Account returns the account as first read in the transaction.
func (m *accountMemo) Account(ctx context.Context, id identity.AccountID) (*kernel.Account, error) {
	if a, ok := m.accounts[id]; ok {
		if a == nil {
			return nil, ErrNotFound
		}
		return a, nil
	}
	a, err := m.Tx.Account(ctx, id)
	switch {
	case err == nil:
		m.accounts[id] = a
	case errors.Is(err, ErrNotFound):
		m.accounts[id] = nil
	}
	return a, err
}

// PutAccount writes a and forgets what was read of it.
func (m *accountMemo) PutAccount(ctx context.Context, a *kernel.Account) error {
	delete(m.accounts, a.ID)
	return m.Tx.PutAccount(ctx, a)
}

// prefetch reads the accounts of the members not read yet, in one query.
func (m *accountMemo) prefetch(ctx context.Context, members []Member) error {
	var ids []identity.AccountID
	for i := range members {
		if _, ok := m.accounts[members[i].Account]; !ok {
			ids = append(ids, members[i].Account)
		}
	}
	for len(ids) > 0 {
		part := ids[:min(len(ids), prefetchChunk)]
		ids = ids[len(part):]
		got, err := m.Tx.AccountsIn(ctx, part)
		if err != nil {
			return err
		}
		for _, id := range part {
			m.accounts[id] = got[id]
		}
	}
	return nil
}

// prefetchChunk bounds the ids of one AccountsIn (databases bound a
// statement's parameters).
const prefetchChunk = 500
