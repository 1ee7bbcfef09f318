package orgsapi

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/accountplane/accountplane/internal/arn"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

// The responsibility transfer operations (billing transfers); the domain
// is organizations/transfers.go.

var (
	shapeTransferID   = shape(0, 0, `rt-[0-9a-z]{8,32}`)
	shapeTransferName = shape(1, 128, `[ -~]+`)
	shapeTransferType = enumShape(organizations.InputReasonInvalidEnum, string(organizations.TransferBilling))
)

// maxEpoch is the last second of year 9999, the latest Timestamp here.
const maxEpoch = 253402300799

// timestamp checks an awsJson Timestamp member (epoch seconds): a value
// outside year 0 (1970) to 9999 is refused with reason.
func (c *check) timestamp(v *float64, req bool, reason string) {
	if c.err != nil {
		return
	}
	if v == nil {
		if req {
			c.fail(organizations.InputReasonInputRequired)
		}
		return
	}
	if math.IsNaN(*v) || *v < 0 || *v > maxEpoch {
		c.err = organizations.InvalidInput(reason, "You provided an invalid date.")
	}
}

// epochTime is an awsJson Timestamp, to the millisecond (the precision
// SDKs send); nil is the zero time.
func epochTime(v *float64) time.Time {
	if v == nil {
		return time.Time{}
	}
	ms := math.Round(*v * 1000)
	return time.UnixMilli(int64(ms)).UTC()
}

type inviteTransferInput struct {
	Type           *string
	Target         *handshakePartyInput
	Notes          *string
	StartTimestamp *float64
	SourceName     *string
	Tags           []tagInput
}

func (in *inviteTransferInput) validate(c *check) {
	c.str(in.Type, required, shapeTransferType)
	if c.err == nil && in.Target == nil {
		c.fail(organizations.InputReasonInputRequired)
		return
	}
	if in.Target != nil {
		c.str(in.Target.Id, required, shapePartyID)
		c.str(in.Target.Type, required, shapePartyType)
	}
	c.str(in.Notes, optional, shapeNotes)
	c.timestamp(in.StartTimestamp, required, "INVALID_START_DATE")
	c.str(in.SourceName, required, shapeTransferName)
	c.tags(in.Tags, optional)
	if c.err == nil && *in.Target.Type == string(organizations.PartyEmail) && !shapeEmail.re().MatchString(*in.Target.Id) {
		c.fail(organizations.InputReasonInvalidEmailTarget)
	}
}

func (a *api) inviteOrganizationToTransferResponsibility(ctx context.Context, p identity.Principal, in *inviteTransferInput) (*handshakeOutput, error) {
	h, err := a.svc.InviteToTransfer(ctx, p, organizations.TransferInvitation{
		Type:       organizations.TransferType(*in.Type),
		TargetType: organizations.PartyType(*in.Target.Type), Target: *in.Target.Id,
		Notes: str(in.Notes), Start: epochTime(in.StartTimestamp), Name: *in.SourceName,
		Tags: domainTags(in.Tags),
	})
	if err != nil {
		return nil, err
	}
	// Only a management account invites.
	return &handshakeOutput{Handshake: a.handshakeOut(h, p.Account)}, nil
}

type transferParticipantWire struct {
	ManagementAccountId    string `json:"ManagementAccountId,omitempty"`
	ManagementAccountEmail string `json:"ManagementAccountEmail,omitempty"`
}

type transferWire struct {
	Arn               string                  `json:"Arn"`
	Name              string                  `json:"Name"`
	Id                string                  `json:"Id"`
	Type              string                  `json:"Type"`
	Status            string                  `json:"Status"`
	Source            transferParticipantWire `json:"Source"`
	Target            transferParticipantWire `json:"Target"`
	StartTimestamp    json.Number             `json:"StartTimestamp,omitempty"`
	EndTimestamp      json.Number             `json:"EndTimestamp,omitempty"`
	ActiveHandshakeId string                  `json:"ActiveHandshakeId,omitempty"`
}

// transferOut renders a transfer as its viewer sees it: the ARN names the
// viewer's organization and the direction (inbound for the target,
// outbound for the source), in the viewer's partition. ActiveHandshakeId
// is there while the invitation is open.
func transferOut(partition string, v *organizations.TransferView) transferWire {
	w := transferWire{
		Arn:  arn.In(partition).Transfer(string(v.Management), string(v.Org), string(v.Type), string(v.Direction), string(v.ID)),
		Name: v.Name, Id: string(v.ID), Type: string(v.Type), Status: string(v.Status),
		Source:         transferParticipantWire{ManagementAccountId: string(v.SourceAccount), ManagementAccountEmail: v.SourceEmail},
		Target:         transferParticipantWire{ManagementAccountId: string(v.TargetAccount), ManagementAccountEmail: v.TargetEmail},
		StartTimestamp: epochSeconds(v.StartAt), EndTimestamp: epochSeconds(v.EndAt),
	}
	if v.Status == organizations.TransferRequested {
		w.ActiveHandshakeId = string(v.Handshake)
	}
	return w
}

type transferIDInput struct {
	Id *string
}

func (in *transferIDInput) validate(c *check) {
	c.str(in.Id, required, shapeTransferID)
}

type transferOutput struct {
	ResponsibilityTransfer transferWire `json:"ResponsibilityTransfer"`
}

func (a *api) describeResponsibilityTransfer(ctx context.Context, p identity.Principal, in *transferIDInput) (*transferOutput, error) {
	v, err := a.svc.DescribeTransfer(ctx, p, organizations.TransferID(*in.Id))
	if err != nil {
		return nil, err
	}
	return &transferOutput{ResponsibilityTransfer: transferOut(p.Partition(), v)}, nil
}

type updateTransferInput struct {
	Id   *string
	Name *string
}

func (in *updateTransferInput) validate(c *check) {
	c.str(in.Id, required, shapeTransferID)
	c.str(in.Name, required, shapeTransferName)
}

func (a *api) updateResponsibilityTransfer(ctx context.Context, p identity.Principal, in *updateTransferInput) (*transferOutput, error) {
	v, err := a.svc.RenameTransfer(ctx, p, organizations.TransferID(*in.Id), *in.Name)
	if err != nil {
		return nil, err
	}
	return &transferOutput{ResponsibilityTransfer: transferOut(p.Partition(), v)}, nil
}

type terminateTransferInput struct {
	Id           *string
	EndTimestamp *float64
}

func (in *terminateTransferInput) validate(c *check) {
	c.str(in.Id, required, shapeTransferID)
	c.timestamp(in.EndTimestamp, optional, "INVALID_END_DATE")
}

func (a *api) terminateResponsibilityTransfer(ctx context.Context, p identity.Principal, in *terminateTransferInput) (*transferOutput, error) {
	v, err := a.svc.TerminateTransfer(ctx, p, organizations.TransferID(*in.Id), epochTime(in.EndTimestamp))
	if err != nil {
		return nil, err
	}
	return &transferOutput{ResponsibilityTransfer: transferOut(p.Partition(), v)}, nil
}

type listTransfersInput struct {
	Type       *string
	Id         *string // ListInboundResponsibilityTransfers only
	NextToken  *string
	MaxResults *int32
}

func (in *listTransfersInput) validate(c *check) {
	c.str(in.Type, required, shapeTransferType)
	c.str(in.Id, optional, shapeTransferID)
	c.paging(in.NextToken, in.MaxResults)
}

// listOutboundTransfersInput has no Id member.
type listOutboundTransfersInput struct {
	Type       *string
	NextToken  *string
	MaxResults *int32
}

func (in *listOutboundTransfersInput) validate(c *check) {
	c.str(in.Type, required, shapeTransferType)
	c.paging(in.NextToken, in.MaxResults)
}

type listTransfersOutput struct {
	ResponsibilityTransfers []transferWire `json:"ResponsibilityTransfers"`
	NextToken               *string        `json:"NextToken,omitempty"`
}

func (a *api) listTransfers(ctx context.Context, p identity.Principal, op string, dir organizations.TransferDirection, typ, id string, token *string, max *int32) (*listTransfersOutput, error) {
	pg, err := a.pager(p, op, token, max, typ, id)
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListTransfers(ctx, p, dir, organizations.TransferType(typ), organizations.TransferID(id))
	if err != nil {
		return nil, err
	}
	out := &listTransfersOutput{}
	out.ResponsibilityTransfers, out.NextToken = mapPage(pg, all, func(v *organizations.TransferView) transferWire {
		return transferOut(p.Partition(), v)
	})
	return out, nil
}

func (a *api) listInboundResponsibilityTransfers(ctx context.Context, p identity.Principal, in *listTransfersInput) (*listTransfersOutput, error) {
	return a.listTransfers(ctx, p, "ListInboundResponsibilityTransfers", organizations.Inbound, *in.Type, str(in.Id), in.NextToken, in.MaxResults)
}

func (a *api) listOutboundResponsibilityTransfers(ctx context.Context, p identity.Principal, in *listOutboundTransfersInput) (*listTransfersOutput, error) {
	return a.listTransfers(ctx, p, "ListOutboundResponsibilityTransfers", organizations.Outbound, *in.Type, "", in.NextToken, in.MaxResults)
}

// transfer declares the transfer an operation acts on.
func transfer(id *string) ref { return ref{refTransfer, str(id)} }

// transferARN names a transfer the caller can see ("*" otherwise).
func (r *resolver) transferARN(id string) (string, error) {
	v, err := r.a.svc.DescribeTransfer(r.ctx, r.caller, organizations.TransferID(id))
	if err != nil {
		return "*", ignoreAPIError(err)
	}
	return transferOut(r.caller.Partition(), v).Arn, nil
}

// transferResources are the handshake resources of a
// TRANSFER_RESPONSIBILITY handshake: the transfer, with its type and
// start.
func transferResources(h *organizations.Handshake) []handshakeResourceWire {
	t := h.Transfer
	if t == nil {
		return nil
	}
	return []handshakeResourceWire{{
		Type: "RESPONSIBILITY_TRANSFER", Value: string(t.ID),
		Resources: []handshakeResourceWire{
			{Type: "TRANSFER_TYPE", Value: string(t.Type)},
			{Type: "TRANSFER_START_TIMESTAMP", Value: t.StartAt.UTC().Format(time.RFC3339)},
			{Type: "MANAGEMENT_ACCOUNT", Value: string(t.TargetAccount)},
			{Type: "MANAGEMENT_EMAIL", Value: t.TargetEmail},
		},
	}}
}
