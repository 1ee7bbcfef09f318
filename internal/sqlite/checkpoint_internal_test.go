package sqlite

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// The WAL is checkpointed in the background, not by the writer: after
// writes, a checkpoint that copied every frame runs on its own, and the
// writer's next transaction starts the WAL over (so it stays small under
// a steady load instead of growing to the writer's backstop).
func TestBackgroundCheckpointRestartsTheWAL(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	n := 0
	put := func(i int) {
		t.Helper()
		n++ // a new value: SQLite writes no page for an update that changes nothing
		err := db.update(ctx, func(t *tx) error {
			_, err := t.exec(ctx, "put setting", `INSERT INTO settings (name, value) VALUES (?, ?)
				ON CONFLICT (name) DO UPDATE SET value = excluded.value`, fmt.Sprint("k", i), fmt.Sprint(n, strings.Repeat("v", 900)))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// walFrames checkpoints too: it runs only after the write that starts
	// the WAL over, to read how long the WAL is.
	walFrames := func() int64 {
		t.Helper()
		var busy, frames, copied int64
		if err := db.writer.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
			t.Fatal(err)
		}
		return frames
	}
	for i := 0; db.commits.Load() < 3 || walFramesNow(t, db) < checkpointFrames; i++ {
		put(i % 500)
	}
	// (The writer's own checkpoint waits for walBackstopPages frames.)
	commits := db.commits.Load()
	waitFor(t, "a background checkpoint of every frame", func() bool { return db.ckpt.covered.Load() >= commits })
	put(0)
	if frames := walFrames(); frames > 20 {
		t.Errorf("%d frames in the WAL after a checkpoint and one write; want the WAL started over", frames)
	}
}

// walFramesNow reads the WAL's length as the checkpointer does.
func walFramesNow(t *testing.T, db *DB) uint32 {
	t.Helper()
	f, err := os.Open(db.ckpt.shm)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, ok := walFrames(f)
	if !ok {
		t.Fatal("cannot read the wal-index")
	}
	return n
}

// The wal-index's mxFrame is the WAL's length: it grows with each write
// and matches what a checkpoint reports.
func TestWALFramesFromTheIndex(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	before := walFramesNow(t, db)
	err := db.update(ctx, func(t *tx) error {
		_, err := t.exec(ctx, "put setting", `INSERT INTO settings (name, value) VALUES ('a', 'b')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	after := walFramesNow(t, db)
	var busy, frames, copied int64
	if err := db.writer.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
		t.Fatal(err)
	}
	if after <= before || int64(after) != frames {
		t.Errorf("wal-index frames %d before a write, %d after; the checkpoint saw %d", before, after, frames)
	}
}
