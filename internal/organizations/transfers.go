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

// Responsibility transfers (AWS's billing transfers). The management account
// of one organization, the target (the "bill-transfer account"), invites
// the management account of another organization, the source (the
// "bill-source account"), to let it manage the source organization's
// responsibilities of one type (BILLING, the only type). The invitation is a
// TRANSFER_RESPONSIBILITY handshake from the target's organization, and the
// transfer's status follows it:
//
//	REQUESTED ──AcceptHandshake (source)──────────▶ ACCEPTED ──Terminate──▶ WITHDRAWN
//	    ├──DeclineHandshake (source)──▶ DECLINED
//	    ├──CancelHandshake (target)───▶ CANCELED
//	    └──the handshake expires──────▶ EXPIRED
//
// A transfer is inbound for its target (ListInboundResponsibilityTransfers)
// and outbound for its source (ListOutboundResponsibilityTransfers).
// Transfers start at 00:00 UTC on the first day of a month and end at
// 23:59:59.999 UTC on the last day of one; an invitation must be accepted
// 24 hours before the start.

// TransferID identifies a transfer: rt-[0-9a-z]{8,32}.
type TransferID string

// TransferType is the responsibility a transfer moves.
type TransferType string

// TransferBilling is the only transfer type.
const TransferBilling TransferType = "BILLING"

// TransferStatus is a transfer's status.
type TransferStatus string

// Transfer statuses.
const (
	TransferRequested TransferStatus = "REQUESTED"
	TransferDeclined  TransferStatus = "DECLINED"
	TransferCanceled  TransferStatus = "CANCELED"
	TransferExpired   TransferStatus = "EXPIRED"
	TransferAccepted  TransferStatus = "ACCEPTED"
	TransferWithdrawn TransferStatus = "WITHDRAWN"
)

// TransferDirection is how a party sees a transfer.
type TransferDirection string

// Directions: the target's transfers are inbound, the source's outbound.
const (
	Inbound  TransferDirection = "inbound"
	Outbound TransferDirection = "outbound"
)

// Exception codes and reasons of responsibility transfers (wire contract).
const (
	CodeTransferNotFound               = "ResponsibilityTransferNotFoundException"
	CodeTransferAlreadyInStatus        = "ResponsibilityTransferAlreadyInStatusException"
	CodeInvalidTransferTransition      = "InvalidResponsibilityTransferTransitionException"
	HSReasonTransferAlreadyExists      = "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS"
	ReasonActiveTransferProcess        = "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS"
	InputReasonStartNotBeginningOfDay  = "START_DATE_NOT_BEGINNING_OF_DAY"
	InputReasonStartNotBeginningOfMon  = "START_DATE_NOT_BEGINNING_OF_MONTH"
	InputReasonStartTooEarly           = "START_DATE_TOO_EARLY"
	InputReasonStartTooLate            = "START_DATE_TOO_LATE"
	InputReasonEndNotEndOfMonth        = "END_DATE_NOT_END_OF_MONTH"
	InputReasonEndTooEarly             = "END_DATE_TOO_EARLY"
	InputReasonUnsupportedTransferType = "UNSUPPORTED_ACTION_IN_RESPONSIBILITY_TRANSFER"
)

// Transfer is a responsibility transfer between two organizations.
type Transfer struct {
	ID   TransferID
	Type TransferType
	Name string
	// Status is the stored status; use StatusAt, which adds expiry.
	Status TransferStatus
	// Handshake is the TRANSFER_RESPONSIBILITY handshake that proposed it.
	Handshake HandshakeID
	// The target (the inviter) manages the source's responsibilities.
	TargetOrg     OrgID
	TargetAccount identity.AccountID
	TargetEmail   string
	// SourceAccount is the invited management account, "" while an EMAIL
	// invitation names no account; SourceEmail the address invited (or
	// the account's); SourceOrg the source's organization once accepted.
	SourceAccount identity.AccountID
	SourceEmail   string
	SourceOrg     OrgID
	// StartAt is when the target starts managing; EndAt, once withdrawn,
	// when it stops.
	StartAt, EndAt time.Time
	// ExpiresAt is when the invitation expires (the handshake's expiry).
	ExpiresAt   time.Time
	RequestedAt time.Time
	// UpdatedAt is when the status last changed.
	UpdatedAt time.Time
}

// StatusAt derives the status at now: a REQUESTED transfer past its
// invitation's expiry is EXPIRED.
func (t *Transfer) StatusAt(now time.Time) TransferStatus {
	if t.Status == TransferRequested && !now.Before(t.ExpiresAt) {
		return TransferExpired
	}
	return t.Status
}

// inProgress reports whether the transfer still binds its parties at now:
// an open invitation, an accepted transfer, or a withdrawn one before its
// end.
func (t *Transfer) inProgress(now time.Time) bool {
	switch t.StatusAt(now) {
	case TransferRequested, TransferAccepted:
		return true
	case TransferWithdrawn:
		return now.Before(t.EndAt)
	}
	return false
}

// inForce reports whether an accepted transfer (withdrawn or not) has not
// ended at now: the source's responsibility is (or will be) managed by the
// target.
func (t *Transfer) inForce(now time.Time) bool {
	st := t.StatusAt(now)
	return st == TransferAccepted || (st == TransferWithdrawn && now.Before(t.EndAt))
}

// closedAt is when an invitation that was never accepted closed.
func (t *Transfer) closedAt(now time.Time) (time.Time, bool) {
	switch t.StatusAt(now) {
	case TransferExpired:
		return t.ExpiresAt, true
	case TransferDeclined, TransferCanceled:
		return t.UpdatedAt, true
	}
	return time.Time{}, false
}

// TransferTx holds the responsibility transfers. A transfer belongs to its
// target's organization (DeleteOrganization removes it).
type TransferTx interface {
	Transfer(ctx context.Context, id TransferID) (*Transfer, error)
	PutTransfer(ctx context.Context, t *Transfer) error
	// TransferByHandshake returns the transfer handshake id proposes.
	TransferByHandshake(ctx context.Context, id HandshakeID) (*Transfer, error)
	// Transfers lists the transfers whose TargetAccount or SourceAccount is
	// id, or whose SourceEmail is email (case-insensitively; "" matches
	// none), oldest RequestedAt first, then by id.
	Transfers(ctx context.Context, id identity.AccountID, email string) ([]Transfer, error)
}

// TransferView is a transfer as one of its parties sees it.
type TransferView struct {
	Transfer
	// Status is the status at the time of the call.
	Status    TransferStatus
	Direction TransferDirection
	// Org and Management are the viewer's organization and management
	// account, which name the transfer in the viewer's ARN.
	Org        OrgID
	Management identity.AccountID
}

// TransferInvitation is the input of InviteOrganizationToTransferResponsibility.
type TransferInvitation struct {
	Type       TransferType
	TargetType PartyType // ACCOUNT or EMAIL
	Target     string
	Notes      string
	Start      time.Time
	Name       string
	Tags       []Tag
}

// InviteToTransfer sends a TRANSFER_RESPONSIBILITY handshake from the
// caller's organization to another organization's management account (an
// account id, or an email address) proposing that the caller's account
// manage that organization's responsibilities of in.Type from in.Start; it
// records the transfer, REQUESTED, and mails the invitation to the outbox.
//
// Returns AccessDeniedException unless the caller is a management account
// (AWSOrganizationsNotInUseException outside any organization),
// InvalidInputException for a target that is not an ACCOUNT or EMAIL
// (INVALID_PARTY_TYPE_TARGET) or a start that is not 00:00 UTC on the
// first of a month at least 24 hours away and at most a year away
// (START_DATE_*), HandshakeConstraintViolationException when the target is
// the caller's own organization (SOURCE_AND_TARGET_CANNOT_MATCH) or
// already transfers that responsibility to the caller
// (RESPONSIBILITY_TRANSFER_ALREADY_EXISTS), and DuplicateHandshakeException
// for a second open invitation to the same target.
//
// An account id that names no account of the caller's partition gets an
// invitation nobody can accept, as an address that names no account does:
// the operation does not reveal which accounts exist.
func (s *Service) InviteToTransfer(ctx context.Context, caller identity.Principal, in TransferInvitation) (*Handshake, error) {
	if in.TargetType != PartyAccount && in.TargetType != PartyEmail {
		return nil, InvalidInput(InputReasonInvalidPartyTypeTarget, "You specified a wrong party type for the target of the handshake.")
	}
	if in.TargetType == PartyAccount && !identity.IsAccountID(in.Target) {
		return nil, InvalidInput(InputReasonInvalidPartyTypeTarget, "An ACCOUNT target must be a 12-digit account ID.")
	}
	if in.Type != TransferBilling {
		return nil, InvalidInput(InputReasonUnsupportedTransferType, "You provided a value that is not supported by this operation.")
	}
	hsID, err := s.newID("h-", 10)
	if err != nil {
		return nil, err
	}
	rtID, err := s.newID("rt-", 10)
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
		now := s.now()
		if err := checkTransferStart(in.Start.UTC(), now); err != nil {
			return err
		}
		if err := s.checkTags(in.Tags); err != nil {
			return err
		}
		mgmt, err := tx.Account(ctx, sc.org.ManagementAccount)
		if err != nil {
			return fmt.Errorf("load management account: %w", err)
		}
		source, email, err := s.transferTarget(ctx, tx, in, mgmt)
		if err != nil {
			return err
		}
		if source != nil {
			if m, err := s.orgOf(ctx, tx, source.ID); err == nil && m.org.ID == sc.org.ID {
				return handshakeConstraint(HSReasonSourceAndTargetCannotMatch, "The source and the target of a transfer can't be the same organization.")
			} else if err != nil && !errors.Is(err, ErrNoOrganization) {
				return err
			}
		}
		mine, err := tx.Transfers(ctx, caller.Account, "")
		if err != nil {
			return err
		}
		for i := range mine {
			t := &mine[i]
			if t.TargetAccount != caller.Account || t.Type != in.Type {
				continue
			}
			if t.StatusAt(now) == TransferRequested && sameTransferSource(t, source, email) {
				return e(CodeDuplicateHandshake, "A handshake with the same action and target already exists.")
			}
			if source != nil && t.SourceAccount == source.ID && t.inForce(now) {
				return handshakeConstraint(HSReasonTransferAlreadyExists, "You cannot perform this operation with the current transfer.")
			}
		}
		expires := now.Add(s.opts.HandshakeTTL)
		if deadline := in.Start.UTC().Add(-transferAcceptLead); deadline.Before(expires) {
			expires = deadline
		}
		h = &Handshake{
			ID: HandshakeID(hsID), Org: sc.org.ID, Action: ActionTransferResponsibility, State: HandshakeOpen,
			TargetType: in.TargetType, Target: in.Target, Notes: in.Notes,
			RequestedAt: now, ExpiresAt: expires, UpdatedAt: now,
			ManagementAccount: sc.org.ManagementAccount,
			ManagementEmail:   mgmt.Email, ManagementName: mgmt.Name, FeatureSet: sc.org.FeatureSet,
		}
		t := &Transfer{
			ID: TransferID(rtID), Type: in.Type, Name: in.Name, Status: TransferRequested, Handshake: h.ID,
			TargetOrg: sc.org.ID, TargetAccount: caller.Account, TargetEmail: mgmt.Email,
			SourceEmail: email, StartAt: in.Start.UTC(), ExpiresAt: expires, RequestedAt: now, UpdatedAt: now,
		}
		if source != nil {
			h.TargetAccount, t.SourceAccount = source.ID, source.ID
		}
		if err := tx.PutHandshake(ctx, h); err != nil {
			return err
		}
		if err := tx.PutTransfer(ctx, t); err != nil {
			return err
		}
		if len(in.Tags) > 0 {
			if err := tx.PutTags(ctx, sc.org.ID, string(t.ID), in.Tags); err != nil {
				return err
			}
		}
		h.Transfer = t
		return tx.AddMessage(ctx, &kernel.Message{
			ID: msgID, Time: now, Account: string(t.SourceAccount), To: email,
			Subject: "You are invited to transfer the " + strings.ToLower(string(in.Type)) + " of your AWS organization",
			Body: fmt.Sprintf("%s (%s) of organization %s asks to manage the %s of your organization from %s. Handshake %s (transfer %s) expires %s.%s",
				mgmt.Name, mgmt.Email, sc.org.ID, strings.ToLower(string(in.Type)), t.StartAt.Format(time.RFC3339),
				h.ID, t.ID, h.ExpiresAt.Format(time.RFC3339), notesLine(in.Notes)),
		})
	})
	return h, err
}

// transferAcceptLead is how long before its start a transfer invitation
// must be accepted.
const transferAcceptLead = 24 * time.Hour

// checkTransferStart checks a transfer's start: 00:00:00.000 UTC on the
// first day of a month, late enough to be accepted (24 hours ahead) and at
// most a year ahead.
func checkTransferStart(start, now time.Time) error {
	if start.Hour() != 0 || start.Minute() != 0 || start.Second() != 0 || start.Nanosecond() != 0 {
		return InvalidInput(InputReasonStartNotBeginningOfDay, "You provided an invalid start date. The start date must be the beginning of the day (00:00:00.000).")
	}
	if start.Day() != 1 {
		return InvalidInput(InputReasonStartNotBeginningOfMon, "You provided an invalid start date. The start date must be the first day of the month.")
	}
	if !now.Before(start.Add(-transferAcceptLead)) {
		return InvalidInput(InputReasonStartTooEarly, "You provided an invalid start date. The start date is too early.")
	}
	if start.After(now.AddDate(1, 0, 0)) {
		return InvalidInput(InputReasonStartTooLate, "You provided an invalid start date. The start date is too late.")
	}
	return nil
}

// transferTarget resolves the invited management account (nil when an
// email belongs to no account, or an id to no account of mgmt's
// partition) and the address the invitation is mailed to.
func (s *Service) transferTarget(ctx context.Context, tx Tx, in TransferInvitation, mgmt *kernel.Account) (*kernel.Account, string, error) {
	var a *kernel.Account
	var err error
	if in.TargetType == PartyAccount {
		a, err = tx.Account(ctx, identity.AccountID(in.Target))
	} else {
		a, err = tx.AccountByEmail(ctx, in.Target)
	}
	switch {
	case errors.Is(err, ErrNotFound) || (err == nil && !a.InPartition(mgmt.Partition)):
		if in.TargetType == PartyAccount {
			return nil, "", nil
		}
		return nil, in.Target, nil
	case err != nil:
		return nil, "", err
	}
	if a.ID == mgmt.ID {
		return nil, "", handshakeConstraint(HSReasonSourceAndTargetCannotMatch, "An account can't invite itself to a transfer.")
	}
	if in.TargetType == PartyEmail {
		return a, in.Target, nil
	}
	return a, a.Email, nil
}

func sameTransferSource(t *Transfer, source *kernel.Account, email string) bool {
	if source != nil && t.SourceAccount == source.ID {
		return true
	}
	return t.SourceAccount == "" && source == nil && email != "" && strings.EqualFold(t.SourceEmail, email)
}

// acceptTransfer accepts the TRANSFER_RESPONSIBILITY handshake h for the
// caller's organization, which becomes the transfer's source: the caller
// must be the management account of an organization other than the
// sender's (AWSOrganizationsNotInUseException, AccessDeniedException,
// HandshakeConstraintViolationException SOURCE_AND_TARGET_CANNOT_MATCH)
// whose responsibility is not transferred already
// (RESPONSIBILITY_TRANSFER_ALREADY_EXISTS).
func (s *Service) acceptTransfer(ctx context.Context, tx Tx, h *Handshake, caller identity.AccountID) error {
	t, err := tx.TransferByHandshake(ctx, h.ID)
	if errors.Is(err, ErrNotFound) {
		return errHandshakeNotFound()
	} else if err != nil {
		return err
	}
	// The handshake's state decides first (an expired invitation is
	// refused as expired); a later refusal rolls the transition back.
	if err := s.transition(h, HandshakeAccepted); err != nil {
		return err
	}
	target, err := tx.Account(ctx, t.TargetAccount)
	if err != nil {
		return fmt.Errorf("load transfer target: %w", err)
	}
	me, err := tx.Account(ctx, caller)
	if err != nil {
		return err
	}
	if !me.InPartition(target.Partition) {
		return errHandshakeNotFound()
	}
	sc, err := s.orgOf(ctx, tx, caller)
	if err != nil {
		return err
	}
	if !sc.isManagement(caller) {
		return accessDenied("Only the management account of an organization can accept a transfer invitation.")
	}
	if sc.org.ID == t.TargetOrg || caller == t.TargetAccount {
		return handshakeConstraint(HSReasonSourceAndTargetCannotMatch, "An account can't accept a transfer invitation if it is both the sender and recipient of the invitation.")
	}
	now := s.now()
	mine, err := tx.Transfers(ctx, caller, "")
	if err != nil {
		return err
	}
	for i := range mine {
		if o := &mine[i]; o.SourceAccount == caller && o.Type == t.Type && o.inForce(now) {
			return handshakeConstraint(HSReasonTransferAlreadyExists, "You cannot perform this operation with the current transfer.")
		}
	}
	h.TargetAccount = caller
	t.Status, t.UpdatedAt = TransferAccepted, now
	t.SourceAccount, t.SourceEmail, t.SourceOrg = caller, me.Email, sc.org.ID
	h.Transfer = t
	return tx.PutTransfer(ctx, t)
}

// afterTransferAnswer moves the transfer of a declined or canceled
// TRANSFER_RESPONSIBILITY handshake to DECLINED or CANCELED.
func (s *Service) afterTransferAnswer(ctx context.Context, tx Tx, h *Handshake) error {
	if h.Action != ActionTransferResponsibility {
		return nil
	}
	t, err := tx.TransferByHandshake(ctx, h.ID)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	switch h.State {
	case HandshakeDeclined:
		t.Status = TransferDeclined
	case HandshakeCanceled:
		t.Status = TransferCanceled
	default:
		return nil
	}
	t.UpdatedAt = s.now()
	h.Transfer = t
	return tx.PutTransfer(ctx, t)
}

// fillTransfer sets h.Transfer for a TRANSFER_RESPONSIBILITY handshake.
func fillTransfer(ctx context.Context, tx Tx, h *Handshake) error {
	if h.Action != ActionTransferResponsibility {
		return nil
	}
	t, err := tx.TransferByHandshake(ctx, h.ID)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	h.Transfer = t
	return nil
}

// loadTransfer returns transfer id as the caller (a management account)
// sees it: ResponsibilityTransferNotFoundException unless the caller is
// its target or its source (an invitation by email counts for the account
// with that address), or once an invitation never accepted is past the
// handshake retention.
func (s *Service) loadTransfer(ctx context.Context, tx Tx, sc scope, caller identity.AccountID, id TransferID) (*TransferView, error) {
	t, err := tx.Transfer(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errTransferNotFound()
	} else if err != nil {
		return nil, err
	}
	me, err := tx.Account(ctx, caller)
	if err != nil {
		return nil, err
	}
	v, ok := s.transferView(t, sc, me)
	if !ok {
		return nil, errTransferNotFound()
	}
	return v, nil
}

// transferView is t as account me, the management account of sc, sees
// it; false if me is no party to it or it is retired.
func (s *Service) transferView(t *Transfer, sc scope, me *kernel.Account) (*TransferView, bool) {
	now := s.now()
	if at, closed := t.closedAt(now); closed && now.Sub(at) >= s.opts.HandshakeRetention {
		return nil, false
	}
	v := &TransferView{Transfer: *t, Status: t.StatusAt(now), Org: sc.org.ID, Management: sc.org.ManagementAccount}
	switch {
	case t.TargetAccount == me.ID:
		v.Direction = Inbound
	case t.SourceAccount == me.ID,
		t.SourceAccount == "" && t.SourceEmail != "" && strings.EqualFold(t.SourceEmail, me.Email):
		v.Direction = Outbound
	default:
		return nil, false
	}
	return v, true
}

func errTransferNotFound() error {
	return e(CodeTransferNotFound, "We can't find a transfer that you specified.")
}

// DescribeTransfer returns a transfer the caller's account is a party to
// (DescribeResponsibilityTransfer). Returns AccessDeniedException unless
// the caller is a management account, and
// ResponsibilityTransferNotFoundException.
func (s *Service) DescribeTransfer(ctx context.Context, caller identity.Principal, id TransferID) (*TransferView, error) {
	var v *TransferView
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		v, err = s.loadTransfer(ctx, tx, sc, caller.Account, id)
		return err
	})
	return v, err
}

// ListTransfers lists the caller's transfers of type typ in one direction,
// oldest first: inbound, those it manages for other organizations (with
// id, only that one, or ResponsibilityTransferNotFoundException); outbound,
// those that let another account manage its organization's.
// Invitations count, until the handshake retention after they closed.
func (s *Service) ListTransfers(ctx context.Context, caller identity.Principal, dir TransferDirection, typ TransferType, id TransferID) ([]TransferView, error) {
	var out []TransferView
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		me, err := tx.Account(ctx, caller.Account)
		if err != nil {
			return err
		}
		all, err := tx.Transfers(ctx, caller.Account, me.Email)
		if err != nil {
			return err
		}
		for i := range all {
			v, ok := s.transferView(&all[i], sc, me)
			if ok && v.Direction == dir && v.Type == typ && (id == "" || v.ID == id) {
				out = append(out, *v)
			}
		}
		if id != "" && len(out) == 0 {
			return errTransferNotFound()
		}
		return nil
	})
	return out, err
}

// RenameTransfer sets the name of a transfer the caller's account is a
// party to (UpdateResponsibilityTransfer), in any status.
func (s *Service) RenameTransfer(ctx context.Context, caller identity.Principal, id TransferID, name string) (*TransferView, error) {
	var v *TransferView
	err := s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		if v, err = s.loadTransfer(ctx, tx, sc, caller.Account, id); err != nil {
			return err
		}
		v.Name = name
		return tx.PutTransfer(ctx, &v.Transfer)
	})
	return v, err
}

// TerminateTransfer withdraws an accepted transfer the caller's account
// is a party to (either party may): it becomes WITHDRAWN and ends at end,
// which must be the last moment of a month (any time in its last second
// is taken as 23:59:59.999) not before the current month's; a zero end is
// the end of the current month.
//
// Returns ResponsibilityTransferAlreadyInStatusException for a withdrawn
// transfer, InvalidResponsibilityTransferTransitionException for one
// that was never accepted, and InvalidInputException
// END_DATE_NOT_END_OF_MONTH or END_DATE_TOO_EARLY.
func (s *Service) TerminateTransfer(ctx context.Context, caller identity.Principal, id TransferID, end time.Time) (*TransferView, error) {
	var v *TransferView
	err := s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		if v, err = s.loadTransfer(ctx, tx, sc, caller.Account, id); err != nil {
			return err
		}
		switch v.Status {
		case TransferWithdrawn:
			return e(CodeTransferAlreadyInStatus, "The responsibility transfer is already in the status that you specified.")
		case TransferAccepted:
		default:
			return errf(CodeInvalidTransferTransition, "The responsibility transfer can't be withdrawn because it is %s.", v.Status)
		}
		now := s.now()
		if end.IsZero() {
			end = endOfMonth(now)
		} else if end = end.UTC(); endOfMonth(end).Sub(end) >= time.Second {
			return InvalidInput(InputReasonEndNotEndOfMonth, "You provided an invalid end date. The end date must be the end of the last day of the month (23:59:59.999).")
		} else if end = endOfMonth(end); end.Before(endOfMonth(now)) {
			return InvalidInput(InputReasonEndTooEarly, "You provided an invalid end date. The end date is too early.")
		}
		v.Transfer.Status, v.Status, v.EndAt, v.UpdatedAt = TransferWithdrawn, TransferWithdrawn, end, now
		return tx.PutTransfer(ctx, &v.Transfer)
	})
	return v, err
}

// endOfMonth is the last millisecond of t's month (UTC).
func endOfMonth(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Millisecond)
}

// checkNoTransferInProgress refuses to delete an organization whose
// management account has an open transfer invitation or a transfer that
// has not ended (ConstraintViolationException
// ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS).
func (s *Service) checkNoTransferInProgress(ctx context.Context, tx Tx, org *Organization) error {
	mgmt, err := tx.Account(ctx, org.ManagementAccount)
	if err != nil {
		return fmt.Errorf("load management account: %w", err)
	}
	all, err := tx.Transfers(ctx, mgmt.ID, mgmt.Email)
	if err != nil {
		return err
	}
	now := s.now()
	for i := range all {
		if all[i].inProgress(now) {
			return constraint(ReasonActiveTransferProcess, "You cannot delete the organization due to an ongoing responsibility transfer process. Resolve the current transfer first.")
		}
	}
	return nil
}
