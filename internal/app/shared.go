package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/accountplane/accountplane/internal/quota"
	"github.com/accountplane/accountplane/internal/server"
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
// store, the store's shared generation (every replica's commits advance
// it before they are acknowledged, so what any replica acknowledged is
// what the next request sees), or, when it cannot be read, one that
// changes on every call so that nothing cached is used.
func (a *App) generation(gen func() uint64) func() uint64 {
	if a.db == nil || !a.db.Shared() {
		return gen
	}
	var n atomic.Uint64
	return func() uint64 {
		if g, ok := a.db.SharedGeneration(); ok {
			return g &^ (1 << 63)
		}
		return 1<<63 | n.Add(1)
	}
}

// replicaID is the configured replica id, or host name and process id.
func (a *App) replicaID() string {
	if a.cfg.ReplicaID != "" {
		return a.cfg.ReplicaID
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// sharedQuotas draws request-rate tokens from the store's buckets.
type sharedQuotas struct{ db *sqlite.DB }

func (q sharedQuotas) Update(key string, step func(tat int64, known bool) int64) error {
	return q.db.UpdateQuotaBucket(key, step)
}

// sharedFaults keeps the fault rules in the store.
type sharedFaults struct{ db *sqlite.DB }

func (f sharedFaults) Faults(ctx context.Context) ([]server.FaultRule, error) {
	rows, err := f.db.Faults(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]server.FaultRule, 0, len(rows))
	for _, r := range rows {
		var rule server.FaultRule
		if err := json.Unmarshal(r.Rule, &rule); err != nil {
			return nil, fmt.Errorf("fault rule %s: %w", r.ID, err)
		}
		rule.ID, rule.Injected, rule.Count = r.ID, r.Injected, max(r.Remaining, 0)
		out = append(out, rule)
	}
	return out, nil
}

func (f sharedFaults) AddFault(ctx context.Context, r server.FaultRule) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	remaining := r.Count
	if remaining <= 0 {
		remaining = -1
	}
	return f.db.PutFault(ctx, sqlite.FaultRow{ID: r.ID, Rule: b, Remaining: remaining})
}

func (f sharedFaults) DeleteFaults(ctx context.Context, id string) (int, error) {
	return f.db.DeleteFaults(ctx, id)
}

func (f sharedFaults) HitFault(ctx context.Context, id string) (bool, error) {
	return f.db.HitFault(ctx, id)
}

// limiter enforces t; replicas of a shared store draw from one budget.
func (a *App) limiter(t quota.Table) *quota.Limiter {
	l := quota.New(t, time.Now)
	if a.db.Shared() {
		l.WithShared(sharedQuotas{a.db})
	}
	return l
}

// faultStore is where fault rules live: nil (the server's memory) unless
// replicas share the store.
func (a *App) faultStore() server.FaultStore {
	if !a.db.Shared() {
		return nil
	}
	return sharedFaults{a.db}
}
