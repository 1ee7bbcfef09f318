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

// ManagedRoleName is the role CreateAccount creates in a new account by default.
const ManagedRoleName = "OrganizationAccountAccessRole"

// AccountView is an account as Organizations shows it.
type AccountView struct {
	Account kernel.Account
	Member  Member
	State   AccountState
	Org     *Organization
	// Path is o-.../r-.../ou-.../.../<account id>/.
	Path string
}

// NewAccount is the input of CreateAccount.
type NewAccount struct {
	Name     string
	Email    string
	RoleName string // "" means OrganizationAccountAccessRole
	Tags     []Tag
}

// CreateAccount starts creating a member account and returns its request,
// IN_PROGRESS until CreateAccountDelay has passed, then SUCCEEDED or
// FAILED with the modelled FailureReason (EMAIL_ALREADY_EXISTS,
// ACCOUNT_LIMIT_EXCEEDED).
func (s *Service) CreateAccount(ctx context.Context, caller identity.Principal, in NewAccount) (*CreateAccountStatus, error) {
	return s.createAccount(ctx, caller, in, false)
}

// createAccount is CreateAccount, and with govCloud CreateGovCloudAccount
// (govcloud.go), which also pairs the new account with a new GovCloud one.
func (s *Service) createAccount(ctx context.Context, caller identity.Principal, in NewAccount, govCloud bool) (*CreateAccountStatus, error) {
	carID, err := s.newID("car-", 12)
	if err != nil {
		return nil, err
	}
	var st *CreateAccountStatus
	err = s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		if govCloud {
			if err := s.checkGovCloudEnabled(ctx, tx, sc); err != nil {
				return err
			}
		}
		if err := s.checkTags(in.Tags); err != nil {
			return err
		}
		now := s.now()
		due := now.Add(s.opts.CreateAccountDelay)
		st = &CreateAccountStatus{
			ID: CreateAccountReqID(carID), Org: sc.org.ID, AccountName: in.Name, Email: in.Email,
			RequestedAt: now, DueAt: due,
		}
		if reason, err := s.createFailure(ctx, tx, sc, in.Email, govCloud); err != nil {
			return err
		} else if reason != "" {
			st.FailureReason = reason
			return tx.PutCreateAccountStatus(ctx, st)
		}
		id, err := s.newAccountID(ctx, tx)
		if err != nil {
			return err
		}
		st.Account = id
		mgmt, err := tx.Account(ctx, sc.org.ManagementAccount)
		if err != nil {
			return fmt.Errorf("load management account: %w", err)
		}
		a := &kernel.Account{
			ID: id, Name: in.Name, Email: in.Email, State: kernel.StateActive, CreatedAt: due,
			Origin: kernel.OriginCreated, Seller: mgmt.Seller, Partition: mgmt.Partition,
		}
		if err := tx.PutAccount(ctx, a); err != nil {
			return err
		}
		if govCloud {
			if err := s.pairGovCloud(ctx, tx, a, st); err != nil {
				return err
			}
		}
		m := &Member{Account: id, Org: sc.org.ID, Parent: string(sc.org.RootID), Method: Created, JoinedAt: due}
		if err := tx.PutMember(ctx, m); err != nil {
			return err
		}
		if err := s.attachDefaultPolicies(ctx, tx, sc.org, string(id)); err != nil {
			return err
		}
		if len(in.Tags) > 0 {
			if err := tx.PutTags(ctx, sc.org.ID, string(id), in.Tags); err != nil {
				return err
			}
		}
		role := in.RoleName
		if role == "" {
			role = ManagedRoleName
		}
		if err := s.memberRoles(ctx, tx, caller.Account, id, role); err != nil {
			return err
		}
		if s.opts.Created != nil {
			if err := s.opts.Created(ctx, tx, sc.org.ID, id); err != nil {
				return fmt.Errorf("new account %s: %w", id, err)
			}
		}
		if govCloud && mgmt.GovCloudAccount != "" && s.opts.Roles != nil {
			// The GovCloud account's access role trusts the management
			// account's GovCloud pair, in the same transaction.
			if err := s.opts.Roles.AccessRole(ctx, tx, st.GovCloudAccount, mgmt.GovCloudAccount, role); err != nil {
				return fmt.Errorf("create %s in %s: %w", role, st.GovCloudAccount, err)
			}
		}
		return tx.PutCreateAccountStatus(ctx, st)
	})
	return st, err
}

// createFailure decides whether a CreateAccount request fails, and why.
func (s *Service) createFailure(ctx context.Context, tx Tx, sc scope, email string, govCloud bool) (string, error) {
	if _, err := tx.AccountByEmail(ctx, email); err == nil {
		return "EMAIL_ALREADY_EXISTS", nil
	} else if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	if govCloud {
		if reason, err := s.govCloudFailure(ctx, tx, email); err != nil || reason != "" {
			return reason, err
		}
	}
	n, err := s.accountsCounted(ctx, tx, sc.org.ID)
	if err != nil {
		return "", err
	}
	if n >= s.opts.MaxAccounts {
		return "ACCOUNT_LIMIT_EXCEEDED", nil
	}
	return "", nil
}

// accountsCounted is what counts toward the account quota: members
// (created ones still in progress included) and open invitations.
// It reads the count of members and the few closed ones, not every
// member's account.
func (s *Service) accountsCounted(ctx context.Context, tx Tx, org OrgID) (int, error) {
	n, err := tx.MemberCount(ctx, org)
	if err != nil {
		return 0, err
	}
	closed, err := tx.ClosedMemberAccounts(ctx, org)
	if err != nil {
		return 0, err
	}
	now := s.now()
	for i := range closed {
		if s.accountState(&closed[i], now) == kernel.StateClosed {
			n--
		}
	}
	hs, err := tx.Handshakes(ctx, org)
	if err != nil {
		return 0, err
	}
	for i := range hs {
		if hs[i].Action == ActionInvite && hs[i].StateAt(now) == HandshakeOpen {
			n++
		}
	}
	return n, nil
}

// newAccountID draws a fresh 12-digit id that no account has had.
func (s *Service) newAccountID(ctx context.Context, tx Tx) (identity.AccountID, error) {
	for i := 0; i < 100; i++ {
		d, err := randomDigits(s.opts.Rand, 12)
		if err != nil {
			return "", err
		}
		if d[0] == '0' {
			continue // keep 000000000000-style ids for seeded accounts
		}
		id := identity.AccountID(d)
		if _, err := tx.Account(ctx, id); errors.Is(err, ErrNotFound) {
			return id, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", errors.New("no free account id after 100 draws")
}

// DescribeCreateAccountStatus returns one CreateAccount request of the
// caller's organization. Returns CreateAccountStatusNotFoundException.
func (s *Service) DescribeCreateAccountStatus(ctx context.Context, caller identity.Principal, id CreateAccountReqID) (*CreateAccountStatus, error) {
	var st *CreateAccountStatus
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.readScope(ctx, tx, caller, ask("DescribeCreateAccountStatus"))
		if err != nil {
			return err
		}
		st, err = tx.CreateAccountStatus(ctx, id)
		if errors.Is(err, ErrNotFound) || (err == nil && st.Org != sc.org.ID) {
			return e(CodeCreateAccountStatusNotFound, "We can't find an create account request with the CreateAccountRequestId that you specified.")
		}
		return err
	})
	return st, err
}

// ListCreateAccountStatus lists the organization's CreateAccount requests
// whose state is in states (all when empty), oldest first.
func (s *Service) ListCreateAccountStatus(ctx context.Context, caller identity.Principal, states []CreateAccountState) ([]CreateAccountStatus, error) {
	var out []CreateAccountStatus
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.readScope(ctx, tx, caller, ask("ListCreateAccountStatus"))
		if err != nil {
			return err
		}
		all, err := tx.CreateAccountStatuses(ctx, sc.org.ID)
		if err != nil {
			return err
		}
		now := s.now()
		for _, st := range all {
			if len(states) == 0 || containsState(states, st.StateAt(now)) {
				out = append(out, st)
			}
		}
		return nil
	})
	return out, err
}

func containsState(list []CreateAccountState, s CreateAccountState) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// view builds the AccountView of a visible member.
func (s *Service) view(ctx context.Context, tx Tx, org *Organization, m *Member) (*AccountView, error) {
	a, err := tx.Account(ctx, m.Account)
	if err != nil {
		return nil, fmt.Errorf("load account %s: %w", m.Account, err)
	}
	path, err := s.path(ctx, tx, org, m.Parent)
	if err != nil {
		return nil, err
	}
	return &AccountView{Account: *a, Member: *m, State: s.orgState(a, s.now()), Org: org, Path: path + string(m.Account) + "/"}, nil
}

// path returns "o-.../r-.../ou-.../" for a parent.
func (s *Service) path(ctx context.Context, tx Tx, org *Organization, parent string) (string, error) {
	var parts []string
	for p := parent; p != string(org.RootID); {
		ou, err := tx.OU(ctx, OUID(p))
		if err != nil {
			return "", fmt.Errorf("load OU %s: %w", p, err)
		}
		parts = append(parts, p)
		p = ou.Parent
	}
	var b strings.Builder
	b.WriteString(string(org.ID) + "/" + string(org.RootID) + "/")
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i] + "/")
	}
	return b.String(), nil
}

// memberOf returns the visible membership of id in sc's organization, or
// AccountNotFoundException.
func (s *Service) memberOf(ctx context.Context, tx Tx, sc scope, id identity.AccountID) (*Member, error) {
	m, ok, err := s.visibleMember(ctx, tx, id, sc.org.ID)
	if err != nil {
		return nil, err
	} else if !ok {
		return nil, errAccountNotFound()
	}
	return m, nil
}

// DescribeAccount returns a member of the caller's organization.
func (s *Service) DescribeAccount(ctx context.Context, caller identity.Principal, id identity.AccountID) (*AccountView, error) {
	var v *AccountView
	err := kernel.ViewRepeatable[Tx](ctx, s.store, func(stored Tx) error { // v is set afresh
		v = nil
		tx := withAccountMemo(stored) // memberOf and view read the account
		sc, err := s.readScope(ctx, tx, caller, ask("DescribeAccount", string(id)))
		if err != nil {
			return err
		}
		m, err := s.memberOf(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		v, err = s.view(ctx, tx, sc.org, m)
		return err
	})
	return v, err
}

// ListAccounts lists the members of the caller's organization (parent ""),
// or those directly under parent. Returns ParentNotFoundException for an
// unknown parent.
func (s *Service) ListAccounts(ctx context.Context, caller identity.Principal, parent string) ([]AccountView, error) {
	var out []AccountView
	err := s.store.View(ctx, func(stored Tx) error {
		tx := withAccountMemo(stored) // visibleMembers and view read the accounts
		sc, err := s.readScope(ctx, tx, caller, listAccountsRequest(parent))
		if err != nil {
			return err
		}
		if parent != "" {
			if err := s.checkParent(ctx, tx, sc.org, parent, errParentNotFound()); err != nil {
				return err
			}
		}
		members, err := s.visibleMembers(ctx, tx, sc.org.ID)
		if err != nil {
			return err
		}
		for i := range members {
			if parent != "" && members[i].Parent != parent {
				continue
			}
			v, err := s.view(ctx, tx, sc.org, &members[i])
			if err != nil {
				return err
			}
			out = append(out, *v)
		}
		return nil
	})
	return out, err
}

// ListAccountsPage returns at most limit members of the caller's
// organization (under parent, unless it is "") whose ids follow after, in
// id order, and whether more follow: one page costs the same at any size
// of the organization (keyset paging on the members indexes).
func (s *Service) ListAccountsPage(ctx context.Context, caller identity.Principal, parent string, after identity.AccountID, limit int) ([]AccountView, bool, error) {
	return memberPage(ctx, s, caller, listAccountsRequest(parent), parent, after, limit,
		func(tx *accountMemo, org *Organization, m *Member) (AccountView, error) {
			v, err := s.view(ctx, tx, org, m)
			if err != nil {
				return AccountView{}, err
			}
			return *v, nil
		})
}

// ListChildAccountsPage is ListChildren's page of accounts: at most limit
// accounts directly under parent whose ids follow after, in id order, and
// whether more follow (keyset paging, as ListAccountsPage).
func (s *Service) ListChildAccountsPage(ctx context.Context, caller identity.Principal, parent string, after identity.AccountID, limit int) ([]Child, bool, error) {
	return memberPage(ctx, s, caller, ask("ListChildren", parent), parent, after, limit,
		func(_ *accountMemo, _ *Organization, m *Member) (Child, error) {
			return Child{ID: string(m.Account), Type: "ACCOUNT"}, nil
		})
}

// memberPage is a keyset page of the members of the caller's organization
// that r lets it read (visiblePage), in one repeatable view, each made
// into an item.
func memberPage[T any](ctx context.Context, s *Service, caller identity.Principal, r request, parent string, after identity.AccountID, limit int,
	item func(tx *accountMemo, org *Organization, m *Member) (T, error)) ([]T, bool, error) {
	out := make([]T, 0, min(limit, 1000))
	more := false
	err := kernel.ViewRepeatable[Tx](ctx, s.store, func(stored Tx) error { // out and more are set afresh
		out = out[:0]
		tx := withAccountMemo(stored)
		sc, err := s.readScope(ctx, tx, caller, r)
		if err != nil {
			return err
		}
		more, err = s.visiblePage(ctx, tx, sc.org, parent, after, limit, func(m *Member) error {
			v, err := item(tx, sc.org, m)
			if err == nil {
				out = append(out, v)
			}
			return err
		})
		return err
	})
	return out, more, err
}

// visiblePage walks the members of org (under parent, unless it is "")
// whose ids follow after, in id order, on the members indexes, and hands
// emit the visible ones until it has had limit; more says whether another
// follows. A parent that is neither the root nor an OU of org is
// ParentNotFoundException.
func (s *Service) visiblePage(ctx context.Context, tx *accountMemo, org *Organization, parent string, after identity.AccountID, limit int, emit func(*Member) error) (more bool, err error) {
	if parent != "" {
		if err := s.checkParent(ctx, tx, org, parent, errParentNotFound()); err != nil {
			return false, err
		}
	}
	n, from := 0, after
	for {
		batch, err := tx.MembersAfter(ctx, org.ID, parent, from, limit+1)
		if err != nil {
			return false, err
		}
		if err := tx.prefetch(ctx, batch); err != nil {
			return false, err
		}
		for i := range batch {
			from = batch[i].Account
			if ok, err := s.visible(ctx, tx, &batch[i]); err != nil {
				return false, err
			} else if !ok {
				continue
			}
			if n == limit {
				return true, nil
			}
			if err := emit(&batch[i]); err != nil {
				return false, err
			}
			n++
		}
		if len(batch) <= limit { // the index is exhausted
			return false, nil
		}
	}
}

// checkParent returns notFound unless parent is the root or an OU of org.
func (s *Service) checkParent(ctx context.Context, tx Tx, org *Organization, parent string, notFound error) error {
	if parent == string(org.RootID) {
		return nil
	}
	ou, err := tx.OU(ctx, OUID(parent))
	if errors.Is(err, ErrNotFound) || (err == nil && ou.Org != org.ID) {
		return notFound
	}
	return err
}

// MoveAccount moves a member from source to destination.
func (s *Service) MoveAccount(ctx context.Context, caller identity.Principal, id identity.AccountID, source, dest string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		m, err := s.memberOf(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if err := s.checkParent(ctx, tx, sc.org, source, e(CodeSourceParentNotFound, "We can't find a source root or OU with the ParentId that you specified.")); err != nil {
			return err
		}
		if err := s.checkParent(ctx, tx, sc.org, dest, e(CodeDestinationParentNotFound, "We can't find a destination root or OU with the ParentId that you specified.")); err != nil {
			return err
		}
		if m.Parent != source {
			return e(CodeAccountNotFound, "You specified an account that doesn't exist in the source parent.")
		}
		if m.Parent == dest {
			return e(CodeDuplicateAccount, "That account is already present in the specified destination.")
		}
		m.Parent = dest
		return tx.PutMember(ctx, m)
	})
}

// RemoveAccount removes a member from the caller's organization
// (RemoveAccountFromOrganization); the account becomes standalone with its
// data intact.
func (s *Service) RemoveAccount(ctx context.Context, caller identity.Principal, id identity.AccountID) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		m, err := s.memberOf(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if sc.isManagement(id) {
			return constraint(ReasonAccountCannotLeaveOrganization, "You can't remove the management account from an organization.")
		}
		return s.leave(ctx, tx, sc.org, m)
	})
}

// LeaveOrganization removes the caller's account from its organization.
// Returns MasterCannotLeaveOrganizationException for the management account.
func (s *Service) LeaveOrganization(ctx context.Context, caller identity.Principal) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.orgOf(ctx, tx, caller.Account)
		if err != nil {
			return err
		}
		if sc.isManagement(caller.Account) {
			return e(CodeMasterCannotLeaveOrganization, "You can't remove the management account from an organization. Delete the organization instead.")
		}
		return s.leave(ctx, tx, sc.org, sc.member)
	})
}

// leave applies the standalone-readiness rules and removes the membership.
func (s *Service) leave(ctx context.Context, tx Tx, org *Organization, m *Member) error {
	now := s.now()
	admins, err := tx.DelegatedAdmins(ctx, org.ID)
	if err != nil {
		return err
	}
	for _, d := range admins {
		if d.Account == m.Account {
			return constraint(ReasonCannotRemoveDelegatedAdminFromOrg, "You can't remove a delegated administrator account; deregister it first.")
		}
	}
	if m.Method == Created && now.Before(m.JoinedAt.Add(s.opts.WaitPeriod)) {
		return constraint(ReasonWaitPeriodActive, "The account was created less than four days ago and can't leave the organization yet.")
	}
	a, err := tx.Account(ctx, m.Account)
	if err != nil {
		return err
	}
	if _, err := tx.ContactInformation(ctx, m.Account); errors.Is(err, ErrNotFound) {
		// TODO(fidelity): AWS names the missing standalone information
		// (contact details, customer agreement) with this reason.
		return constraint("ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA", "The account needs contact information and an accepted customer agreement before it can operate as a standalone account.")
	} else if err != nil {
		return err
	}
	v, err := tx.PhoneVerification(ctx, m.Account)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if v == nil || v.Status != kernel.PhoneVerified {
		return constraint(ReasonAccountCannotLeaveWithoutPhone, "The account's phone number must be verified before it can leave the organization.")
	}
	if !a.PaymentMethod {
		return constraint(ReasonMemberPaymentInstrumentRequired, "The account needs a payment method before it can operate as a standalone account.")
	}
	if err := s.detachAll(ctx, tx, org.ID, string(m.Account)); err != nil {
		return err
	}
	if err := tx.PutTags(ctx, org.ID, string(m.Account), nil); err != nil {
		return err
	}
	return tx.DeleteMember(ctx, m.Account)
}

// CloseAccount closes a member account: PENDING_CLOSURE, then SUSPENDED
// after CloseDelay; it leaves the organization when the post-closure period
// ends.
func (s *Service) CloseAccount(ctx context.Context, caller identity.Principal, id identity.AccountID) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		m, err := s.memberOf(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if sc.isManagement(id) {
			return constraint(ReasonCannotCloseManagementAccount, "You can't close the management account with this operation.")
		}
		if sc.org.FeatureSet != AllFeatures {
			return constraint(ReasonOrganizationNotInAllFeaturesMode, "You can close a member account only when the organization has all features enabled.")
		}
		a, err := tx.Account(ctx, m.Account)
		if err != nil {
			return err
		}
		now := s.now()
		switch s.orgState(a, now) {
		case StatePendingClosure:
			return e(CodeConflict, "The account is already being closed.")
		case StateSuspended, StateClosed:
			return e(CodeAccountAlreadyClosed, "You attempted to close an account that is already closed.")
		}
		if err := s.checkCloseQuota(ctx, tx, sc.org.ID, now); err != nil {
			return err
		}
		a.ClosedAt = now
		if err := tx.PutAccount(ctx, a); err != nil {
			return err
		}
		msgID, err := s.newID("", 32)
		if err != nil {
			return err
		}
		return tx.AddMessage(ctx, &kernel.Message{
			ID: msgID, Time: now, Account: string(a.ID), To: a.Email,
			Subject: "Your AWS account " + string(a.ID) + " is being closed",
			Body:    "The management account of organization " + string(sc.org.ID) + " closed this account. It can be reopened during the post-closure period.",
		})
	})
}

// checkCloseQuota enforces the member-closure quota: 10% of the members per
// rolling 30 days, at least 10 and at most 1000.
func (s *Service) checkCloseQuota(ctx context.Context, tx Tx, org OrgID, now time.Time) error {
	members, err := tx.Members(ctx, org)
	if err != nil {
		return err
	}
	total, recent := 0, 0
	for i := range members {
		a, err := tx.Account(ctx, members[i].Account)
		if err != nil {
			return err
		}
		if s.accountState(a, now) == kernel.StateClosed {
			continue
		}
		total++
		if !a.ClosedAt.IsZero() && now.Sub(a.ClosedAt) < 30*24*time.Hour {
			recent++
		}
	}
	limit := min(max(total/10, 10), 1000)
	if recent >= limit {
		return constraint(ReasonCloseAccountQuotaExceeded, fmt.Sprintf("You have reached the limit of %d member account closures in 30 days.", limit))
	}
	return nil
}
