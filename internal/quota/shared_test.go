package quota

import (
	"sync"
	"testing"
)

// memShared is a Shared over one map, standing for the store replicas
// share.
type memShared struct {
	mu   sync.Mutex
	tats map[string]int64
}

func (m *memShared) Update(key string, step func(tat int64, known bool) int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tat, ok := m.tats[key]
	m.tats[key] = step(tat, ok)
	return nil
}

// Three replicas drawing from one budget allow about one budget, not
// three.
func TestSharedBudgetAcrossReplicas(t *testing.T) {
	store := &memShared{tats: map[string]int64{}}
	table := Table{"account:GetContactInformation": {Rate: 1, Burst: 100}}
	replicas := []*Limiter{New(table, nil).WithShared(store), New(table, nil).WithShared(store), New(table, nil).WithShared(store)}
	allowed := 0
	for i := 0; i < 600; i++ {
		if replicas[i%3].Allow("111111111111", "account", "GetContactInformation") {
			allowed++
		}
	}
	// The burst is 100 (plus what one second refills); prepaid batches
	// may strand up to a batch per replica.
	if allowed < 80 || allowed > 102 {
		t.Errorf("three replicas allowed %d calls of a 100-call budget", allowed)
	}
	if got := replicas[0].Throttled() + replicas[1].Throttled() + replicas[2].Throttled(); got != uint64(600-allowed) {
		t.Errorf("throttled %d, want %d", got, 600-allowed)
	}
}

func TestTakeGCRA(t *testing.T) {
	tat, n := TakeGCRA(0, false, 1000, 10, 30, 10)
	if n != 4 || tat != 1040 { // tolerance 30 / interval 10: 4 tokens fit
		t.Errorf("TakeGCRA = %d, %d", tat, n)
	}
	if _, n := TakeGCRA(tat, true, 1000, 10, 30, 1); n != 0 {
		t.Errorf("an empty bucket gave %d", n)
	}
	if _, n := TakeGCRA(tat, true, 1040, 10, 30, 1); n != 1 {
		t.Errorf("a refilled bucket gave %d", n)
	}
}
