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

var orgPolicyTests = []test{
	{"Organizations/ResourcePolicy", testResourcePolicy},
	{"Organizations/PolicyTimes", testPolicyTimes},
}

func testResourcePolicy(t *testing.T, s Stores) {
	skipUnless(t, s.Organizations != nil, "Organizations view")
	st := s.Organizations
	get := func(org organizations.OrgID) (rp *organizations.ResourcePolicy, err error) {
		view(t, st, func(ctx context.Context, tx organizations.Tx) error {
			rp, err = tx.ResourcePolicy(ctx, org)
			return nil
		})
		return rp, err
	}
	_, err := get(orgID(1))
	wantNotFound(t, "ResourcePolicy on an empty store", err)

	one := &organizations.ResourcePolicy{ID: "rp-aaaa1111", Org: orgID(1), Content: `{"Statement":[]}`, UpdatedAt: t0}
	two := &organizations.ResourcePolicy{ID: "rp-bbbb2222", Org: orgID(2), Content: `{"two":true}`}
	update(t, st, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutResourcePolicy(ctx, one), tx.PutResourcePolicy(ctx, two))
	})
	for _, want := range []*organizations.ResourcePolicy{one, two} {
		got, err := get(want.Org)
		if err != nil {
			t.Fatalf("ResourcePolicy(%s): %v", want.Org, err)
		}
		wantEqual(t, "ResourcePolicy of "+string(want.Org), got, want)
	}

	// Putting again replaces the whole record, id included.
	replaced := &organizations.ResourcePolicy{ID: "rp-cccc3333", Org: orgID(1), Content: `{"v":2}`, UpdatedAt: t0.Add(time.Hour)}
	update(t, st, func(ctx context.Context, tx organizations.Tx) error { return tx.PutResourcePolicy(ctx, replaced) })
	got, err := get(orgID(1))
	if err != nil {
		t.Fatalf("ResourcePolicy after replace: %v", err)
	}
	wantEqual(t, "ResourcePolicy after replace", got, replaced)

	del := func(org organizations.OrgID) (err error) {
		_ = st.Update(t.Context(), func(tx organizations.Tx) error {
			err = tx.DeleteResourcePolicy(t.Context(), org)
			return err
		})
		return err
	}
	if err := del(orgID(1)); err != nil {
		t.Fatalf("DeleteResourcePolicy: %v", err)
	}
	_, err = get(orgID(1))
	wantNotFound(t, "ResourcePolicy after delete", err)
	wantNotFound(t, "second DeleteResourcePolicy", del(orgID(1)))
	if got, err := get(orgID(2)); err != nil || got.ID != two.ID {
		t.Errorf("other organization's ResourcePolicy after delete: %v, %v", got, err)
	}

	// DeleteOrganization removes it.
	update(t, st, func(ctx context.Context, tx organizations.Tx) error { return tx.DeleteOrganization(ctx, orgID(2)) })
	_, err = get(orgID(2))
	wantNotFound(t, "ResourcePolicy after DeleteOrganization", err)
}

func testPolicyTimes(t *testing.T, s Stores) {
	skipUnless(t, s.Organizations != nil, "Organizations view")
	st := s.Organizations
	p := orgPolicies.at(1, 1)
	p.UpdatedAt = t0
	a := organizations.Attachment{Org: p.Org, Policy: p.ID, Target: string(rootID(1)), AttachedAt: t0.Add(time.Minute)}
	update(t, st, func(ctx context.Context, tx organizations.Tx) error {
		return errors.Join(tx.PutPolicy(ctx, &p), tx.PutAttachment(ctx, &a))
	})
	view(t, st, func(ctx context.Context, tx organizations.Tx) error {
		checkRead(t, "Policy with UpdatedAt", &p, func() (any, error) { return tx.Policy(ctx, p.ID) })
		checkRead(t, "Attachments with AttachedAt", []organizations.Attachment{a}, func() (any, error) { return tx.Attachments(ctx, p.Org) })
		return nil
	})
	// Putting the attachment again keeps its first AttachedAt.
	again := a
	again.AttachedAt = t0.Add(time.Hour)
	update(t, st, func(ctx context.Context, tx organizations.Tx) error { return tx.PutAttachment(ctx, &again) })
	view(t, st, func(ctx context.Context, tx organizations.Tx) error {
		checkRead(t, "Attachments after putting one again", []organizations.Attachment{a}, func() (any, error) { return tx.Attachments(ctx, p.Org) })
		return nil
	})
}
