package organizations

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
)

// EnableAllFeatures starts moving a CONSOLIDATED_BILLING organization to
// all features: it returns the parent ENABLE_ALL_FEATURES handshake and
// sends one to every invited member. When all of them have accepted, the
// management account receives an APPROVE_ALL_FEATURES handshake; accepting
// it completes the change.
func (s *Service) EnableAllFeatures(ctx context.Context, caller identity.Principal) (*Handshake, error) {
	var parent *Handshake
	err := s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		if sc.org.FeatureSet == AllFeatures {
			return handshakeConstraint(HSReasonOrganizationAlreadyHasAll, "The organization already has all features enabled.")
		}
		if pending, err := s.migrating(ctx, tx, sc.org); err != nil {
			return err
		} else if pending {
			return handshakeConstraint(HSReasonAlreadyPendingAllFeatures, "The organization is already migrating to all features.")
		}
		mgmt, err := tx.Account(ctx, sc.org.ManagementAccount)
		if err != nil {
			return err
		}
		now := s.now()
		newHS := func(action HandshakeAction, typ PartyType, target string, acc identity.AccountID, p HandshakeID) (*Handshake, error) {
			id, err := s.newID("h-", 10)
			if err != nil {
				return nil, err
			}
			h := &Handshake{
				ID: HandshakeID(id), Org: sc.org.ID, Action: action, State: HandshakeOpen,
				TargetType: typ, Target: target, TargetAccount: acc, Parent: p,
				RequestedAt: now, ExpiresAt: now.Add(s.opts.HandshakeTTL), UpdatedAt: now,
				ManagementAccount: sc.org.ManagementAccount,
				ManagementEmail:   mgmt.Email, ManagementName: mgmt.Name, FeatureSet: sc.org.FeatureSet,
			}
			return h, tx.PutHandshake(ctx, h)
		}
		parent, err = newHS(ActionEnableAllFeatures, PartyOrganization, string(sc.org.ID), "", "")
		if err != nil {
			return err
		}
		sc.org.AllFeaturesHandshake = parent.ID
		if err := tx.PutOrganization(ctx, sc.org); err != nil {
			return err
		}
		members, err := s.visibleMembers(ctx, tx, sc.org.ID)
		if err != nil {
			return err
		}
		invited := 0
		for _, m := range members {
			if m.Method != Invited {
				continue
			}
			invited++
			if _, err := newHS(ActionEnableAllFeatures, PartyAccount, string(m.Account), m.Account, parent.ID); err != nil {
				return err
			}
		}
		if invited == 0 {
			_, err = newHS(ActionApproveAllFeatures, PartyAccount, string(sc.org.ManagementAccount), sc.org.ManagementAccount, parent.ID)
		}
		return err
	})
	return parent, err
}

// migrating reports whether org's move to all features is under way: one
// of the handshakes of its latest EnableAllFeatures is still open. They
// expire like any handshake, and an expired migration blocks nothing.
func (s *Service) migrating(ctx context.Context, tx Tx, org *Organization) (bool, error) {
	if org.AllFeaturesHandshake == "" {
		return false, nil
	}
	all, err := tx.Handshakes(ctx, org.ID)
	if err != nil {
		return false, err
	}
	now := s.now()
	for i := range all {
		h := &all[i]
		if (h.ID == org.AllFeaturesHandshake || h.Parent == org.AllFeaturesHandshake) && h.StateAt(now) == HandshakeOpen {
			return true, nil
		}
	}
	return false, nil
}

// acceptEnableAllFeatures records a member's approval; when every member
// approved, it sends APPROVE_ALL_FEATURES to the management account.
func (s *Service) acceptEnableAllFeatures(ctx context.Context, tx Tx, h *Handshake) error {
	if h.Parent == "" {
		return accessDenied("The management account finishes the change by accepting the APPROVE_ALL_FEATURES handshake.")
	}
	if err := s.transition(h, HandshakeAccepted); err != nil {
		return err
	}
	if err := tx.PutHandshake(ctx, h); err != nil {
		return err
	}
	all, err := tx.Handshakes(ctx, h.Org)
	if err != nil {
		return err
	}
	for i := range all {
		o := &all[i]
		if o.Parent == h.Parent && o.Action == ActionEnableAllFeatures && o.ID != h.ID && o.StateAt(s.now()) != HandshakeAccepted {
			return nil
		}
	}
	org, err := tx.Organization(ctx, h.Org)
	if err != nil {
		return err
	}
	id, err := s.newID("h-", 10)
	if err != nil {
		return err
	}
	now := s.now()
	return tx.PutHandshake(ctx, &Handshake{
		ID: HandshakeID(id), Org: h.Org, Action: ActionApproveAllFeatures, State: HandshakeOpen,
		TargetType: PartyAccount, Target: string(org.ManagementAccount), TargetAccount: org.ManagementAccount,
		Parent: h.Parent, RequestedAt: now, ExpiresAt: now.Add(s.opts.HandshakeTTL), UpdatedAt: now,
		ManagementEmail: h.ManagementEmail, ManagementName: h.ManagementName, FeatureSet: org.FeatureSet,
	})
}

// acceptApproveAllFeatures completes the move to all features.
func (s *Service) acceptApproveAllFeatures(ctx context.Context, tx Tx, h *Handshake) error {
	if err := s.transition(h, HandshakeAccepted); err != nil {
		return err
	}
	org, err := tx.Organization(ctx, h.Org)
	if err != nil {
		return err
	}
	org.FeatureSet, org.AllFeaturesHandshake = AllFeatures, ""
	if err := tx.PutOrganization(ctx, org); err != nil {
		return err
	}
	p, err := tx.Handshake(ctx, h.Parent)
	if err != nil {
		return err
	}
	p.State, p.UpdatedAt = HandshakeAccepted, s.now()
	return tx.PutHandshake(ctx, p)
}

// afterAllFeaturesAnswer ends the migration when a member declines or the
// management account cancels one of its handshakes.
func (s *Service) afterAllFeaturesAnswer(ctx context.Context, tx Tx, h *Handshake) error {
	if h.Action == ActionInvite {
		return nil
	}
	parentID := h.Parent
	if parentID == "" {
		parentID = h.ID
	}
	org, err := tx.Organization(ctx, h.Org)
	if err != nil || org.AllFeaturesHandshake != parentID {
		return err
	}
	org.AllFeaturesHandshake = ""
	if err := tx.PutOrganization(ctx, org); err != nil {
		return err
	}
	all, err := tx.Handshakes(ctx, h.Org)
	if err != nil {
		return err
	}
	for i := range all {
		o := &all[i]
		if (o.ID == parentID || o.Parent == parentID) && o.StateAt(s.now()) == HandshakeOpen && o.ID != h.ID {
			o.State, o.UpdatedAt = HandshakeCanceled, s.now()
			if err := tx.PutHandshake(ctx, o); err != nil {
				return err
			}
		}
	}
	return nil
}
