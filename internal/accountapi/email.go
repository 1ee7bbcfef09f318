package accountapi

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/accountplane/accountplane/internal/account"
)

type getPrimaryEmailInput struct {
	AccountId *string
}

func (in *getPrimaryEmailInput) validate(c *check) { c.accountID("AccountId", in.AccountId, required) }

type getPrimaryEmailOutput struct {
	PrimaryEmail string `json:"PrimaryEmail,omitempty"`
}

func (a *api) getPrimaryEmail(ctx context.Context, t account.Target, in *getPrimaryEmailInput) (*getPrimaryEmailOutput, error) {
	email, err := a.svc.PrimaryEmail(ctx, t)
	if err != nil {
		return nil, err
	}
	return &getPrimaryEmailOutput{PrimaryEmail: email}, nil
}

type startPrimaryEmailUpdateInput struct {
	AccountId    *string
	PrimaryEmail *string
}

func (in *startPrimaryEmailUpdateInput) validate(c *check) {
	c.accountID("AccountId", in.AccountId, required)
	c.str("PrimaryEmail", in.PrimaryEmail, required, shapePrimaryEmailAddress)
}

type emailStatusOutput struct {
	Status string `json:"Status,omitempty"`
}

func (a *api) startPrimaryEmailUpdate(ctx context.Context, t account.Target, in *startPrimaryEmailUpdateInput) (*emailStatusOutput, error) {
	st, err := a.svc.StartEmailUpdate(ctx, t, *in.PrimaryEmail)
	if err != nil {
		return nil, err
	}
	return &emailStatusOutput{Status: string(st)}, nil
}

type acceptPrimaryEmailUpdateInput struct {
	AccountId    *string
	Otp          *string
	PrimaryEmail *string
}

func (in *acceptPrimaryEmailUpdateInput) validate(c *check) {
	c.accountID("AccountId", in.AccountId, required)
	c.str("Otp", in.Otp, required, shapeOtp)
	c.str("PrimaryEmail", in.PrimaryEmail, required, shapePrimaryEmailAddress)
}

func (a *api) acceptPrimaryEmailUpdate(ctx context.Context, t account.Target, in *acceptPrimaryEmailUpdateInput) (*emailStatusOutput, error) {
	st, err := a.svc.AcceptEmailUpdate(ctx, t, *in.PrimaryEmail, *in.Otp)
	if err != nil {
		return nil, err
	}
	return &emailStatusOutput{Status: string(st)}, nil
}

type getPrimaryEmailUpdateStatusOutput struct {
	Status string `json:"Status"`
	// UpdatedAt is a plain Timestamp: REST-JSON sends epoch seconds as a number.
	UpdatedAt json.Number `json:"UpdatedAt,omitempty"`
}

func epochSeconds(t time.Time) json.Number {
	ms := t.UnixMilli()
	return json.Number(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64))
}

func (a *api) getPrimaryEmailUpdateStatus(ctx context.Context, t account.Target, in *accountIDInput) (*getPrimaryEmailUpdateStatusOutput, error) {
	st, at, err := a.svc.EmailUpdateStatus(ctx, t)
	if err != nil {
		return nil, err
	}
	return &getPrimaryEmailUpdateStatusOutput{Status: string(st), UpdatedAt: epochSeconds(at)}, nil
}
