package orgsapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

type handshakePartyInput struct {
	Id   *string
	Type *string
}

type inviteAccountInput struct {
	Target *handshakePartyInput
	Notes  *string
	Tags   []tagInput
}

func (in *inviteAccountInput) validate(c *check) {
	if in.Target == nil {
		c.fail(organizations.InputReasonInputRequired)
		return
	}
	c.str(in.Target.Id, required, shapePartyID)
	c.str(in.Target.Type, required, shapePartyType)
	c.str(in.Notes, optional, shapeNotes)
	c.tags(in.Tags, optional)
	// The domain checks ACCOUNT targets; an EMAIL target must look like one.
	if c.err == nil && *in.Target.Type == string(organizations.PartyEmail) && !shapeEmail.re().MatchString(*in.Target.Id) {
		c.fail(organizations.InputReasonInvalidEmailTarget)
	}
}

func (a *api) inviteAccountToOrganization(ctx context.Context, p identity.Principal, in *inviteAccountInput) (*handshakeOutput, error) {
	h, err := a.svc.InviteAccount(ctx, p, organizations.Invitation{
		TargetType: organizations.PartyType(*in.Target.Type), Target: *in.Target.Id,
		Notes: str(in.Notes), Tags: domainTags(in.Tags),
	})
	if err != nil {
		return nil, err
	}
	// Only the management account invites.
	return &handshakeOutput{Handshake: a.handshakeOut(h, p.Account)}, nil
}

type handshakeIDInput struct {
	HandshakeId *string
}

func (in *handshakeIDInput) validate(c *check) {
	c.str(in.HandshakeId, required, shapeHandshakeID)
}

// managementFor returns a function giving the management account of an
// organization the caller belongs to ("" for any other organization).
func (a *api) managementFor(ctx context.Context, p identity.Principal) (func(organizations.OrgID) identity.AccountID, error) {
	v, err := a.callerOrg(ctx, p)
	if err != nil {
		return nil, err
	}
	return func(org organizations.OrgID) identity.AccountID {
		if v == nil || v.ID != org {
			return ""
		}
		return v.ManagementAccount
	}, nil
}

// answered renders a handshake after the domain call that returned it. The
// caller's organization is read afterwards, so an accepted invitation
// already counts the caller in.
func (a *api) answered(ctx context.Context, p identity.Principal, h *organizations.Handshake, err error) (*handshakeOutput, error) {
	if err != nil {
		return nil, err
	}
	mgmt, err := a.managementFor(ctx, p)
	if err != nil {
		return nil, err
	}
	return &handshakeOutput{Handshake: a.handshakeOut(h, mgmt(h.Org))}, nil
}

func (a *api) acceptHandshake(ctx context.Context, p identity.Principal, in *handshakeIDInput) (*handshakeOutput, error) {
	h, err := a.svc.AcceptHandshake(ctx, p, organizations.HandshakeID(*in.HandshakeId))
	return a.answered(ctx, p, h, err)
}

func (a *api) declineHandshake(ctx context.Context, p identity.Principal, in *handshakeIDInput) (*handshakeOutput, error) {
	h, err := a.svc.DeclineHandshake(ctx, p, organizations.HandshakeID(*in.HandshakeId))
	return a.answered(ctx, p, h, err)
}

func (a *api) cancelHandshake(ctx context.Context, p identity.Principal, in *handshakeIDInput) (*handshakeOutput, error) {
	h, err := a.svc.CancelHandshake(ctx, p, organizations.HandshakeID(*in.HandshakeId))
	return a.answered(ctx, p, h, err)
}

func (a *api) describeHandshake(ctx context.Context, p identity.Principal, in *handshakeIDInput) (*handshakeOutput, error) {
	h, err := a.svc.DescribeHandshake(ctx, p, organizations.HandshakeID(*in.HandshakeId))
	return a.answered(ctx, p, h, err)
}

type handshakeFilterInput struct {
	ActionType        *string
	ParentHandshakeId *string
}

type listHandshakesInput struct {
	Filter     *handshakeFilterInput
	NextToken  *string
	MaxResults *int32
}

func (in *listHandshakesInput) validate(c *check) {
	if f := in.Filter; f != nil {
		c.str(f.ActionType, optional, shapeActionType)
		c.str(f.ParentHandshakeId, optional, shapeHandshakeID)
		if f.ActionType != nil && f.ParentHandshakeId != nil {
			c.fail(organizations.InputReasonMaxLimitExceededFilter)
		}
	}
	c.paging(in.NextToken, in.MaxResults)
}

func (in *listHandshakesInput) filter() organizations.HandshakeFilter {
	if in.Filter == nil {
		return organizations.HandshakeFilter{}
	}
	return organizations.HandshakeFilter{
		Action: organizations.HandshakeAction(str(in.Filter.ActionType)),
		Parent: organizations.HandshakeID(str(in.Filter.ParentHandshakeId)),
	}
}

type listHandshakesOutput struct {
	Handshakes []handshakeWire `json:"Handshakes"`
	NextToken  *string         `json:"NextToken,omitempty"`
}

func (a *api) listHandshakes(ctx context.Context, p identity.Principal, op string, in *listHandshakesInput,
	list func(context.Context, identity.Principal, organizations.HandshakeFilter) ([]organizations.Handshake, error),
) (*listHandshakesOutput, error) {
	f := in.filter()
	pg, err := a.pager(p, op, in.NextToken, in.MaxResults, string(f.Action), string(f.Parent))
	if err != nil {
		return nil, err
	}
	all, err := list(ctx, p, f)
	if err != nil {
		return nil, err
	}
	mgmt, err := a.managementFor(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &listHandshakesOutput{}
	out.Handshakes, out.NextToken = mapPage(pg, all, func(h *organizations.Handshake) handshakeWire {
		return a.handshakeOut(h, mgmt(h.Org))
	})
	return out, nil
}

func (a *api) listHandshakesForAccount(ctx context.Context, p identity.Principal, in *listHandshakesInput) (*listHandshakesOutput, error) {
	return a.listHandshakes(ctx, p, "ListHandshakesForAccount", in, a.svc.ListHandshakesForAccount)
}

func (a *api) listHandshakesForOrganization(ctx context.Context, p identity.Principal, in *listHandshakesInput) (*listHandshakesOutput, error) {
	return a.listHandshakes(ctx, p, "ListHandshakesForOrganization", in, a.svc.ListHandshakesForOrganization)
}
