package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/trail"
)

// Appending records relaxes the writer's synchronous setting for its own
// commit only: the domain's Updates stay durable (FULL). Concurrent appends
// all land, whatever batches they share.
func TestAppendEventKeepsWritesDurable(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.AppendEvent(context.Background(), trail.Event{
				ID: fmt.Sprintf("e%02d", i), Account: "111122223333", Time: time.Unix(1_800_000_000, 0), Name: "GetX", Record: []byte(`{}`),
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A duplicate event id is refused.
	if err := db.AppendEvent(context.Background(), trail.Event{ID: "e00", Account: "111122223333", Record: []byte(`{}`)}); err == nil {
		t.Error("a duplicate event id was appended")
	}
	var n int
	if err := db.reader.QueryRow(`SELECT COALESCE(SUM(records), 0) FROM cloudtrail_blocks`).Scan(&n); err != nil || n != 40 {
		t.Errorf("%d events (%v), want 40", n, err)
	}
	var mode string
	if err := db.writer.QueryRow("PRAGMA synchronous").Scan(&mode); err != nil || mode != "2" {
		t.Errorf("writer synchronous = %q (%v), want 2 (FULL)", mode, err)
	}
}
