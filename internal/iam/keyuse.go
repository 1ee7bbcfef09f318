package iam

import (
	"context"
	"strings"
	"sync"

	"github.com/accountplane/accountplane/internal/identity"
)

// keyUses holds the access key uses not yet written to the store. Signed
// requests only touch this map; FlushKeyUses writes what it holds in one
// transaction, so the request path never writes for it.
type keyUses struct {
	mu      sync.Mutex
	pending map[string]KeyUse
}

// NoteKeyUse records, in memory, that the long-term access key id signed a
// request to service (its signing name) in region, now on the domain
// clock. Temporary (ASIA…) keys are not tracked, as in IAM. The use is
// visible at once to GetAccessKeyLastUsed and the credential report, and
// reaches the store at the next FlushKeyUses.
//
// TODO(fidelity): AWS records only the first use within 15 minutes; every
// use is recorded here.
func (s *Service) NoteKeyUse(id, service, region string) {
	if id == "" || strings.HasPrefix(id, "ASIA") {
		return
	}
	if region == "" {
		region = "us-east-1"
	}
	u := KeyUse{AccessKeyID: id, At: s.Now(), Service: service, Region: region}
	s.uses.mu.Lock()
	if s.uses.pending == nil {
		s.uses.pending = map[string]KeyUse{}
	}
	s.uses.pending[id] = u
	s.uses.mu.Unlock()
}

// FlushKeyUses writes the pending key uses in one transaction. It does
// not change the write generation: no cached fact depends on key uses.
// On failure the uses stay pending (unless newer ones replaced them).
func (s *Service) FlushKeyUses(ctx context.Context) error {
	s.uses.mu.Lock()
	batch := s.uses.pending
	s.uses.pending = nil
	s.uses.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	list := make([]KeyUse, 0, len(batch))
	for _, u := range batch {
		list = append(list, u)
	}
	err := s.raw.Update(ctx, func(tx Tx) error { return tx.PutKeyUses(ctx, list) })
	if err != nil {
		s.uses.mu.Lock()
		if s.uses.pending == nil {
			s.uses.pending = map[string]KeyUse{}
		}
		for id, u := range batch {
			if _, newer := s.uses.pending[id]; !newer {
				s.uses.pending[id] = u
			}
		}
		s.uses.mu.Unlock()
	}
	return err
}

// DiscardKeyUses forgets the pending key uses (the emulator's reset).
func (s *Service) DiscardKeyUses() {
	s.uses.mu.Lock()
	s.uses.pending = nil
	s.uses.mu.Unlock()
}

// lastUse returns the last use of key id: the pending one, else the
// stored one; nil if it was never used.
func (s *Service) lastUse(ctx context.Context, tx Tx, id string) (*KeyUse, error) {
	s.uses.mu.Lock()
	u, ok := s.uses.pending[id]
	s.uses.mu.Unlock()
	if ok {
		return &u, nil
	}
	stored, err := tx.KeyUse(ctx, id)
	if notFound(err) {
		return nil, nil
	}
	return stored, err
}

// AccessKeyOwner returns the account and user ("" for the root user) of
// the long-term access key id; ErrNotFound if there is none.
func (s *Service) AccessKeyOwner(ctx context.Context, id string) (identity.AccountID, string, error) {
	var acct identity.AccountID
	var user string
	err := s.view(ctx, func(tx Tx) error {
		k, err := tx.AccessKey(ctx, id)
		if err != nil {
			return err
		}
		acct, user = k.Account, k.User
		return nil
	})
	return acct, user, err
}

// AccessKeyLastUsed returns the access key id of acct and its last use
// (nil if never used). A key of another account, or none, is
// AccessDenied for caller, as IAM answers GetAccessKeyLastUsed.
func (s *Service) AccessKeyLastUsed(ctx context.Context, caller identity.Principal, id string) (*identity.AccessKey, *KeyUse, error) {
	var k *identity.AccessKey
	var use *KeyUse
	err := s.view(ctx, func(tx Tx) (err error) {
		k, err = tx.AccessKey(ctx, id)
		if notFound(err) || (err == nil && k.Account != caller.Account) {
			return KeyNotVisible(caller, id)
		} else if err != nil {
			return err
		}
		use, err = s.lastUse(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return k, use, nil
}

// KeyNotVisible is IAM's answer to GetAccessKeyLastUsed for a key the
// caller's account does not own.
func KeyNotVisible(caller identity.Principal, id string) error {
	return accessDenied("User: " + caller.ARN + " is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key " + id)
}
