package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/accountplane/accountplane/internal/sqlite"
)

// storeClock keeps the domain clock's offset in the shared store.
type storeClock struct{ db *sqlite.DB }

const clockSetting = "clock_offset_nanos"

func (c storeClock) Load() (time.Duration, error) {
	v, err := c.db.IntSetting(context.Background(), clockSetting)
	return time.Duration(v), err
}

func (c storeClock) Add(d time.Duration, reset bool) (time.Duration, error) {
	v, err := c.db.AddToSetting(context.Background(), clockSetting, int64(d), reset)
	return time.Duration(v), err
}

// sharedTokenKey returns the key that signs NextTokens and markers, the
// same for every replica: the first to start chooses it.
func (a *App) sharedTokenKey(ctx context.Context) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	v, err := a.db.InitSetting(ctx, "token_key", hex.EncodeToString(b))
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("the store's token key is not hex: %v", err)
	}
	return key, nil
}

// generation returns gen for a store of this process alone; for a shared
// store, one that changes on every call, so that no cache of what the
// store holds outlives a request (another replica may have changed it:
// what any replica acknowledged is what the next request sees).
func (a *App) generation(gen func() uint64) func() uint64 {
	if a.db == nil || !a.db.Shared() {
		return gen
	}
	var n atomic.Uint64
	return func() uint64 { return n.Add(1) }
}

// replicaID is the configured replica id, or host name and process id.
func (a *App) replicaID() string {
	if a.cfg.ReplicaID != "" {
		return a.cfg.ReplicaID
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}
