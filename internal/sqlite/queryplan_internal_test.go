package sqlite

import (
	"context"
	"strings"
	"testing"
)

// planOf returns SQLite's query plan of q, its steps joined by "; ".
func planOf(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.reader.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(steps, "; ")
}

// A page of an organization's accounts, under a parent or not, is a range
// of an index in account id order: it costs the same at any size of the
// organization (no scan of the members, no sort).
func TestMemberPagesAreIndexRanges(t *testing.T) {
	db := openTemp(t)
	for _, tt := range []struct {
		underParent bool
		index       string
		args        []any
	}{
		{false, "members_org", []any{"o-1", "", 21}},
		{true, "members_parent", []any{"o-1", "r-1", "", 21}},
	} {
		plan := planOf(t, db, membersAfterQuery(tt.underParent), tt.args...)
		if !strings.Contains(plan, "USING INDEX "+tt.index) || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("under a parent %v: plan %q, want a range of %s with no sort", tt.underParent, plan, tt.index)
		}
	}
}

// The Region transitions in flight are a range of an index: an
// EnableRegion in an organization reads them, not every member's.
func TestRegionTransitionsInFlightAreAnIndexRange(t *testing.T) {
	db := openTemp(t)
	if plan := planOf(t, db, regionOptsDueQuery, int64(0)); !strings.Contains(plan, "USING INDEX region_opts_due") {
		t.Errorf("plan %q, want a range of region_opts_due", plan)
	}
}

// The account quota's check reads the count of an index range and the
// closed accounts on their own index, not every member's account.
func TestAccountQuotaReadsIndexes(t *testing.T) {
	db := openTemp(t)
	if plan := planOf(t, db, memberCountQuery, "o-1"); !strings.HasPrefix(plan, "SEARCH members USING COVERING INDEX members_") {
		t.Errorf("count: plan %q, want a range of a members index", plan)
	}
	if plan := planOf(t, db, closedMembersQuery, "o-1"); !strings.HasPrefix(plan, "SCAN a USING INDEX accounts_closed") {
		t.Errorf("closed members: plan %q, want a scan of accounts_closed", plan)
	}
}

// A retention purge finds the blocks that straddle its cut on an index,
// not by reading every block.
func TestPurgeFindsStraddlersOnAnIndex(t *testing.T) {
	db := openTemp(t)
	if plan := planOf(t, db, straddlersQuery, int64(0)); !strings.Contains(plan, "USING INDEX cloudtrail_blocks_min_time") {
		t.Errorf("plan %q, want a range of cloudtrail_blocks_min_time", plan)
	}
}
