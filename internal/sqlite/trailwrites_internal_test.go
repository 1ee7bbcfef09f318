package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// The CloudTrail records of concurrent writes (group-committed) each stand
// with their write: the record of a write that fails (in its own code, or
// on a taken event id) is not kept, the others' are.
func TestGatheredRecordsStandAlone(t *testing.T) {
	for _, path := range []string{":memory:", "file"} {
		t.Run(path, func(t *testing.T) {
			if path == "file" {
				path = t.TempDir() + "/db"
			}
			ctx := context.Background()
			db, err := Open(ctx, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			const acct = "111122223333"
			at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			ev := func(id string) kernel.TrailEvent {
				return kernel.TrailEvent{ID: id, Account: acct, Time: at, Name: "PutX", Record: []byte(`{"eventID":"` + id + `"}`)}
			}
			if err := db.update(ctx, func(t *tx) error { return t.AppendTrailEvent(ctx, ev("stored")) }); err != nil {
				t.Fatal(err)
			}
			const n = 40
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = db.update(ctx, func(t *tx) error {
						if err := t.AppendTrailEvent(ctx, ev(fmt.Sprintf("w%02d", i))); err != nil {
							return err
						}
						switch i % 4 {
						case 1:
							return errors.New("the write fails after its record")
						case 2:
							return t.AppendTrailEvent(ctx, ev("stored")) // taken
						}
						return nil
					})
				}()
			}
			wg.Wait()
			got, err := db.LookupEvents(ctx, kernel.TrailQuery{Account: acct})
			if err != nil {
				t.Fatal(err)
			}
			kept := map[string]bool{}
			for _, e := range got {
				kept[e.ID] = true
			}
			for i := range n {
				id := fmt.Sprintf("w%02d", i)
				if ok := i%4 == 0 || i%4 == 3; ok != (errs[i] == nil) || ok != kept[id] {
					t.Errorf("write %d: error %v, record kept %v", i, errs[i], kept[id])
				}
			}
			if len(got) != 1+n/2 {
				t.Errorf("%d records, want %d", len(got), 1+n/2)
			}
		})
	}
}
