package organizations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// Invitation is the input of InviteAccountToOrganization.
type Invitation struct {
	TargetType PartyType // ACCOUNT or EMAIL
	Target     string
	Notes      string
	Tags       []Tag
}

// InviteAccount invites an existing account (by id or root email) to the
// caller's organization and "emails" the invitation to the outbox.
func (s *Service) InviteAccount(ctx context.Context, caller identity.Principal, in Invitation) (*Handshake, error) {
	if in.TargetType != PartyAccount && in.TargetType != PartyEmail {
		return nil, InvalidInput(InputReasonInvalidPartyTypeTarget, "You specified a wrong party type for the target of the handshake.")
	}
	if in.TargetType == PartyAccount && !identity.IsAccountID(in.Target) {
		return nil, InvalidInput(InputReasonInvalidPartyTypeTarget, "An ACCOUNT target must be a 12-digit account ID.")
	}
	hsID, err := s.newID("h-", 10)
	if err != nil {
		return nil, err
	}
	msgID, err := s.newID("", 32)
	if err != nil {
		return nil, err
	}
	var h *Handshake
	err = s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		if err := s.checkTags(in.Tags); err != nil {
			return err
		}
		if pending, err := s.migrating(ctx, tx, sc.org); err != nil {
			return err
		} else if pending {
			return handshakeConstraint(HSReasonInviteDisabledDuringAllFeature, "You can't invite accounts while the organization is migrating to all features.")
		}
		mgmt, err := tx.Account(ctx, sc.org.ManagementAccount)
		if err != nil {
			return err
		}
		target, email, err := s.inviteTarget(ctx, tx, in)
		if err != nil {
			return err
		}
		if target != nil && !target.InPartition(mgmt.Partition) {
			// Partitions are separate: the account does not exist here.
			if in.TargetType == PartyAccount {
				return errAccountNotFound()
			}
			target = nil
		}
		if target != nil {
			if target.ID == sc.org.ManagementAccount {
				return handshakeConstraint(HSReasonAlreadyInAnOrganization, "The account is already a member of this organization.")
			}
			if _, err := s.orgOf(ctx, tx, target.ID); err == nil {
				return handshakeConstraint(HSReasonAlreadyInAnOrganization, "The account is already a member of an organization.")
			} else if !errors.Is(err, ErrNoOrganization) {
				return err
			}
			if seller(target) != seller(mgmt) {
				return handshakeConstraint(HSReasonDifferentSellerOfRecord, "The account and the organization have different sellers of record.")
			}
		}
		now := s.now()
		all, err := tx.Handshakes(ctx, sc.org.ID)
		if err != nil {
			return err
		}
		sentToday := 0
		for i := range all {
			o := &all[i]
			if o.Action != ActionInvite {
				continue
			}
			if o.StateAt(now) == HandshakeOpen && sameTarget(o, in.TargetType, in.Target, target) {
				return e(CodeDuplicateHandshake, "A handshake with the same action and target already exists.")
			}
			if now.Sub(o.RequestedAt) < 24*time.Hour && o.State != HandshakeAccepted {
				sentToday++
			}
		}
		if sentToday >= s.opts.MaxInvitationsPerDay {
			return handshakeConstraint(HSReasonHandshakeRateLimitExceeded, "You have sent too many invitations today.")
		}
		n, err := s.accountsCounted(ctx, tx, sc.org.ID)
		if err != nil {
			return err
		}
		if n >= s.opts.MaxAccounts {
			return handshakeConstraint(HSReasonAccountNumberLimitExceeded, "The organization has reached its account quota (members and open invitations).")
		}
		h = &Handshake{
			ID: HandshakeID(hsID), Org: sc.org.ID, Action: ActionInvite, State: HandshakeOpen,
			TargetType: in.TargetType, Target: in.Target, Notes: in.Notes,
			RequestedAt: now, ExpiresAt: now.Add(s.opts.HandshakeTTL), UpdatedAt: now,
			ManagementAccount: sc.org.ManagementAccount,
			ManagementEmail:   mgmt.Email, ManagementName: mgmt.Name, FeatureSet: sc.org.FeatureSet,
		}
		if target != nil {
			h.TargetAccount = target.ID
		}
		if err := tx.PutHandshake(ctx, h); err != nil {
			return err
		}
		if len(in.Tags) > 0 {
			if err := tx.PutTags(ctx, sc.org.ID, string(h.ID), in.Tags); err != nil {
				return err
			}
		}
		return tx.AddMessage(ctx, &kernel.Message{
			ID: msgID, Time: now, Account: string(h.TargetAccount), To: email,
			Subject: "You are invited to join the AWS organization " + string(sc.org.ID),
			Body: fmt.Sprintf("%s (%s) invites your AWS account to join organization %s. Handshake %s expires %s.%s",
				mgmt.Name, mgmt.Email, sc.org.ID, h.ID, h.ExpiresAt.Format(time.RFC3339), notesLine(in.Notes)),
		})
	})
	return h, err
}

func notesLine(notes string) string {
	if notes == "" {
		return ""
	}
	return " Notes: " + notes
}

func seller(a *kernel.Account) string {
	if a.Seller == "" {
		return "AWS"
	}
	return a.Seller
}

// inviteTarget resolves the invited account (nil when an email belongs to
// no account yet) and the address the invitation is mailed to.
func (s *Service) inviteTarget(ctx context.Context, tx Tx, in Invitation) (*kernel.Account, string, error) {
	if in.TargetType == PartyAccount {
		a, err := tx.Account(ctx, identity.AccountID(in.Target))
		if errors.Is(err, ErrNotFound) {
			return nil, "", errAccountNotFound()
		}
		if err != nil {
			return nil, "", err
		}
		return a, a.Email, nil
	}
	a, err := tx.AccountByEmail(ctx, in.Target)
	if errors.Is(err, ErrNotFound) {
		return nil, in.Target, nil
	}
	if err != nil {
		return nil, "", err
	}
	return a, in.Target, nil
}

func sameTarget(h *Handshake, t PartyType, target string, acc *kernel.Account) bool {
	if acc != nil && h.TargetAccount == acc.ID {
		return true
	}
	return h.TargetType == t && strings.EqualFold(h.Target, target)
}

// isRecipient reports whether caller's account receives h.
func isRecipient(ctx context.Context, tx Tx, h *Handshake, caller identity.AccountID) (bool, error) {
	if h.TargetAccount != "" {
		return h.TargetAccount == caller, nil
	}
	if h.TargetType != PartyEmail {
		return false, nil
	}
	a, err := tx.Account(ctx, caller)
	if err != nil {
		return false, err
	}
	return strings.EqualFold(a.Email, h.Target), nil
}

// isSender reports whether caller is the management account of h's organization.
func isSender(ctx context.Context, tx Tx, h *Handshake, caller identity.AccountID) (bool, error) {
	o, err := tx.Organization(ctx, h.Org)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return o.ManagementAccount == caller, nil
}

// loadHandshake returns h if the caller is a party to it (as recipient
// when asRecipient, as sender when asSender); other callers see
// HandshakeNotFoundException, as a handshake of another account's.
func (s *Service) loadHandshake(ctx context.Context, tx Tx, id HandshakeID, caller identity.AccountID, asRecipient, asSender bool) (*Handshake, error) {
	h, err := tx.Handshake(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errHandshakeNotFound()
	} else if err != nil {
		return nil, err
	}
	if s.retired(h) {
		// AWS deletes a handshake 30 days after it closed.
		return nil, errHandshakeNotFound()
	}
	if err := fillManagement(ctx, tx, h); err != nil {
		return nil, err
	}
	if asRecipient {
		if ok, err := isRecipient(ctx, tx, h, caller); err != nil || ok {
			return h, err
		}
	}
	if asSender {
		if ok, err := isSender(ctx, tx, h, caller); err != nil || ok {
			return h, err
		}
	}
	return nil, accessDenied("You don't have permissions to access this handshake.")
}

// retired reports whether a closed handshake is past its retention.
func (s *Service) retired(h *Handshake) bool {
	at, closed := h.closedAt(s.now())
	return closed && s.now().Sub(at) >= s.opts.HandshakeRetention
}

// transition applies the answer `to` to h, with AWS's errors for repeats
// and for handshakes that are no longer open.
func (s *Service) transition(h *Handshake, to HandshakeState) error {
	cur := h.StateAt(s.now())
	if cur == to {
		return e(CodeHandshakeAlreadyInState, "The specified handshake is already in the requested state.")
	}
	if cur != HandshakeOpen && cur != HandshakeRequested {
		return e(CodeInvalidHandshakeTransition, fmt.Sprintf("You can't change a handshake that is %s.", cur))
	}
	h.State, h.UpdatedAt = to, s.now()
	return nil
}

// AcceptHandshake accepts a handshake addressed to the caller's account:
// an INVITE makes it a member; the ENABLE_ALL_FEATURES and
// APPROVE_ALL_FEATURES handshakes move the organization to all features.
func (s *Service) AcceptHandshake(ctx context.Context, caller identity.Principal, id HandshakeID) (*Handshake, error) {
	var h *Handshake
	err := s.store.Update(ctx, func(tx Tx) (err error) {
		h, err = s.loadHandshake(ctx, tx, id, caller.Account, true, false)
		if err != nil {
			return err
		}
		if st := h.StateAt(s.now()); st == HandshakeAccepted {
			return e(CodeHandshakeAlreadyInState, "The specified handshake is already in the requested state.")
		}
		switch h.Action {
		case ActionInvite:
			err = s.acceptInvite(ctx, tx, h, caller.Account)
			if err == nil {
				// Invited members get the service-linked role, not
				// OrganizationAccountAccessRole.
				err = s.memberRoles(ctx, tx, "", caller.Account, "")
			}
		case ActionEnableAllFeatures:
			err = s.acceptEnableAllFeatures(ctx, tx, h)
		case ActionApproveAllFeatures:
			err = s.acceptApproveAllFeatures(ctx, tx, h)
		case ActionTransferResponsibility:
			err = s.acceptTransfer(ctx, tx, h, caller.Account)
		}
		if err != nil {
			return err
		}
		return tx.PutHandshake(ctx, h)
	})
	return h, err
}

func (s *Service) acceptInvite(ctx context.Context, tx Tx, h *Handshake, caller identity.AccountID) error {
	if _, err := s.orgOf(ctx, tx, caller); err == nil {
		return handshakeConstraint(HSReasonAlreadyInAnOrganization, "The account is already a member of an organization.")
	} else if !errors.Is(err, ErrNoOrganization) {
		return err
	}
	org, err := tx.Organization(ctx, h.Org)
	if errors.Is(err, ErrNotFound) {
		return errHandshakeNotFound()
	} else if err != nil {
		return err
	}
	if err := samePartition(ctx, tx, caller, org.ManagementAccount); err != nil {
		return err
	}
	if err := s.transition(h, HandshakeAccepted); err != nil {
		return err
	}
	h.TargetAccount = caller
	if err := tx.DeleteMember(ctx, caller); err != nil && !errors.Is(err, ErrNotFound) {
		return err // a stale membership of a closed account
	}
	m := &Member{Account: caller, Org: org.ID, Parent: string(org.RootID), Method: Invited, JoinedAt: s.now()}
	if err := tx.PutMember(ctx, m); err != nil {
		return err
	}
	// The invitation's tags are for the account once it is a member.
	tags, err := tx.Tags(ctx, org.ID, string(h.ID))
	if err != nil {
		return err
	}
	if len(tags) > 0 {
		if err := tx.PutTags(ctx, org.ID, string(caller), tags); err != nil {
			return err
		}
	}
	return s.attachDefaultPolicies(ctx, tx, org, string(caller))
}

// DeclineHandshake declines a handshake addressed to the caller's account.
func (s *Service) DeclineHandshake(ctx context.Context, caller identity.Principal, id HandshakeID) (*Handshake, error) {
	return s.answer(ctx, caller, id, HandshakeDeclined, true, false)
}

// CancelHandshake cancels a handshake the caller's organization sent.
func (s *Service) CancelHandshake(ctx context.Context, caller identity.Principal, id HandshakeID) (*Handshake, error) {
	return s.answer(ctx, caller, id, HandshakeCanceled, false, true)
}

func (s *Service) answer(ctx context.Context, caller identity.Principal, id HandshakeID, to HandshakeState, recipient, sender bool) (*Handshake, error) {
	var h *Handshake
	err := s.store.Update(ctx, func(tx Tx) (err error) {
		h, err = s.loadHandshake(ctx, tx, id, caller.Account, recipient, sender)
		if err != nil {
			return err
		}
		if err := s.transition(h, to); err != nil {
			return err
		}
		if err := tx.PutHandshake(ctx, h); err != nil {
			return err
		}
		if err := s.afterTransferAnswer(ctx, tx, h); err != nil {
			return err
		}
		return s.afterAllFeaturesAnswer(ctx, tx, h)
	})
	return h, err
}

// DescribeHandshake returns a handshake the caller sent or received.
func (s *Service) DescribeHandshake(ctx context.Context, caller identity.Principal, id HandshakeID) (*Handshake, error) {
	var h *Handshake
	err := s.store.View(ctx, func(tx Tx) (err error) {
		h, err = s.loadHandshake(ctx, tx, id, caller.Account, true, true)
		return err
	})
	return h, err
}

// HandshakeFilter filters the handshake lists.
type HandshakeFilter struct {
	Action HandshakeAction
	Parent HandshakeID
}

func (f HandshakeFilter) match(h *Handshake) bool {
	return (f.Action == "" || h.Action == f.Action) && (f.Parent == "" || h.Parent == f.Parent)
}

// ListHandshakesForAccount lists the handshakes addressed to the caller's
// account, closed ones for 30 days.
func (s *Service) ListHandshakesForAccount(ctx context.Context, caller identity.Principal, f HandshakeFilter) ([]Handshake, error) {
	var out []Handshake
	err := s.store.View(ctx, func(tx Tx) error {
		a, err := tx.Account(ctx, caller.Account)
		if err != nil {
			return err
		}
		all, err := tx.HandshakesFor(ctx, caller.Account, a.Email)
		if err != nil {
			return err
		}
		out = s.keep(all, f)
		return fillAll(ctx, tx, out)
	})
	return out, err
}

// ListHandshakesForOrganization lists the handshakes the caller's
// organization sent, closed ones for 30 days.
func (s *Service) ListHandshakesForOrganization(ctx context.Context, caller identity.Principal, f HandshakeFilter) ([]Handshake, error) {
	var out []Handshake
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.managementOrAdminScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		all, err := tx.Handshakes(ctx, sc.org.ID)
		if err != nil {
			return err
		}
		out = s.keep(all, f)
		return fillAll(ctx, tx, out)
	})
	return out, err
}

func (s *Service) keep(all []Handshake, f HandshakeFilter) []Handshake {
	out := all[:0:0]
	for i := range all {
		if f.match(&all[i]) && !s.retired(&all[i]) {
			out = append(out, all[i])
		}
	}
	return out
}

// fillManagement sets ManagementAccount on handshakes from their organizations.
func fillManagement(ctx context.Context, tx Tx, hs ...*Handshake) error {
	for _, h := range hs {
		o, err := tx.Organization(ctx, h.Org)
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		h.ManagementAccount = o.ManagementAccount
		if err := fillTransfer(ctx, tx, h); err != nil {
			return err
		}
	}
	return nil
}

func fillAll(ctx context.Context, tx Tx, hs []Handshake) error {
	for i := range hs {
		if err := fillManagement(ctx, tx, &hs[i]); err != nil {
			return err
		}
	}
	return nil
}
