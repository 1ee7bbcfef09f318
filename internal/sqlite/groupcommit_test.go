package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// Concurrent Updates share commits (group commit), yet each stands alone:
// a failing or panicking one leaves nothing, the others all commit.
func TestGroupCommitEachWriteStandsAlone(t *testing.T) {
	for _, path := range []string{":memory:", "file"} {
		t.Run(path, func(t *testing.T) {
			if path == "file" {
				path = tempPath(t)
			}
			db := mustOpen(t, path)
			ctx := context.Background()
			const n = 60
			var wg sync.WaitGroup
			errs := make([]error, n)
			panics := make([]any, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					defer func() { panics[i] = recover() }()
					errs[i] = db.Update(ctx, func(tx account.Tx) error {
						id := identity.AccountID(fmt.Sprintf("%012d", i))
						if err := tx.PutAccount(ctx, &kernel.Account{ID: id, Name: "n", Email: fmt.Sprintf("a%d@example.com", i), State: kernel.StateActive}); err != nil {
							return err
						}
						switch i % 10 {
						case 3:
							return errors.New("refused")
						case 7:
							panic("boom")
						}
						return nil
					})
				}(i)
			}
			wg.Wait()
			for i := 0; i < n; i++ {
				id := identity.AccountID(fmt.Sprintf("%012d", i))
				var err error
				_ = db.View(ctx, func(tx account.Tx) error { _, err = tx.Account(ctx, id); return nil })
				switch i % 10 {
				case 3:
					if errs[i] == nil || !errors.Is(err, kernel.ErrNotFound) {
						t.Errorf("write %d failed (%v) but left its account (%v)", i, errs[i], err)
					}
				case 7:
					if panics[i] != "boom" || !errors.Is(err, kernel.ErrNotFound) {
						t.Errorf("write %d panicked (%v) but left its account (%v)", i, panics[i], err)
					}
				default:
					if errs[i] != nil || panics[i] != nil || err != nil {
						t.Errorf("write %d: %v, %v; account: %v", i, errs[i], panics[i], err)
					}
				}
			}
		})
	}
}
