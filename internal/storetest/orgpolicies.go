package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/organizations"
)

// The delegation policy (ResourcePolicyTx) and the times effective
// policies are dated with.

func getResourcePolicy(t *testing.T, s organizations.Store, org organizations.OrgID) (*organizations.ResourcePolicy, error) {
	t.Helper()
	return orgRead(t, s, func(ctx context.Context, tx organizations.Tx) (*organizations.ResourcePolicy, error) {
		return tx.ResourcePolicy(ctx, org)
	})
}

func testResourcePolicy(t *testing.T, s organizations.Store) {
	_, err := getResourcePolicy(t, s, orgID(1))
	wantNotFound(t, "ResourcePolicy on an empty store", err)

	one := &organizations.ResourcePolicy{ID: "rp-aaaa1111", Org: orgID(1), Content: `{"Statement":[]}`, UpdatedAt: t0}
	two := &organizations.ResourcePolicy{ID: "rp-bbbb2222", Org: orgID(2), Content: `{"two":true}`}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutResourcePolicy(ctx, one), tx.PutResourcePolicy(ctx, two))
	})
	for _, want := range []*organizations.ResourcePolicy{one, two} {
		got, err := getResourcePolicy(t, s, want.Org)
		if err != nil {
			t.Fatalf("ResourcePolicy(%s): %v", want.Org, err)
		}
		wantEqual(t, "ResourcePolicy of "+string(want.Org), got, want)
	}

	// Putting again replaces the whole record, id included.
	replaced := &organizations.ResourcePolicy{ID: "rp-cccc3333", Org: orgID(1), Content: `{"v":2}`, UpdatedAt: t0.Add(time.Hour)}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutResourcePolicy(ctx, replaced) })
	got, err := getResourcePolicy(t, s, orgID(1))
	if err != nil {
		t.Fatalf("ResourcePolicy after replace: %v", err)
	}
	wantEqual(t, "ResourcePolicy after replace", got, replaced)

	del := func(org organizations.OrgID) error {
		return orgDelete(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteResourcePolicy(ctx, org) })
	}
	if err := del(orgID(1)); err != nil {
		t.Fatalf("DeleteResourcePolicy: %v", err)
	}
	_, err = getResourcePolicy(t, s, orgID(1))
	wantNotFound(t, "ResourcePolicy after delete", err)
	wantNotFound(t, "second DeleteResourcePolicy", del(orgID(1)))
	if got, err := getResourcePolicy(t, s, orgID(2)); err != nil || got.ID != two.ID {
		t.Errorf("other organization's ResourcePolicy after delete: %v, %v", got, err)
	}

	// DeleteOrganization removes it.
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOrganization(ctx, orgID(2)) })
	_, err = getResourcePolicy(t, s, orgID(2))
	wantNotFound(t, "ResourcePolicy after DeleteOrganization", err)
}

func testPolicyTimes(t *testing.T, s organizations.Store) {
	p := newPolicy(1, 1)
	p.UpdatedAt = t0
	a := organizations.Attachment{Org: orgID(1), Policy: p.ID, Target: string(rootID(1)), AttachedAt: t0.Add(time.Minute)}
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutPolicy(ctx, p), tx.PutAttachment(ctx, &a))
	})
	got, err := getPolicy(t, s, p.ID)
	if err != nil {
		t.Fatalf("Policy: %v", err)
	}
	wantEqual(t, "Policy with UpdatedAt", got, p)
	list := func() []organizations.Attachment {
		t.Helper()
		return orgList(t, s, "Attachments", func(ctx context.Context, tx organizations.Tx) ([]organizations.Attachment, error) {
			return tx.Attachments(ctx, orgID(1))
		})
	}
	wantEqual(t, "Attachments with AttachedAt", list(), []organizations.Attachment{a})
	// Putting the attachment again keeps its first AttachedAt.
	again := a
	again.AttachedAt = t0.Add(time.Hour)
	orgUpdate(t, s, func(ctx context.Context, tx organizations.Tx) error { return tx.PutAttachment(ctx, &again) })
	wantEqual(t, "Attachments after putting one again", list(), []organizations.Attachment{a})
}
