package accountapi

import (
	"context"
	"time"

	"github.com/accountplane/accountplane/internal/account"
)

type accountIDInput struct {
	AccountId *string
}

func (in *accountIDInput) validate(c *check) { c.accountID("AccountId", in.AccountId, optional) }

type getAccountInformationOutput struct {
	AccountCreatedDate string `json:"AccountCreatedDate,omitempty"`
	AccountId          string `json:"AccountId,omitempty"`
	AccountName        string `json:"AccountName,omitempty"`
	AccountState       string `json:"AccountState,omitempty"`
}

func (a *api) getAccountInformation(ctx context.Context, t account.Target, in *accountIDInput) (*getAccountInformationOutput, error) {
	acc, err := a.svc.Information(ctx, t)
	if err != nil {
		return nil, err
	}
	return &getAccountInformationOutput{
		// AccountCreatedDate has timestampFormat iso8601: an RFC 3339 string.
		AccountCreatedDate: acc.CreatedAt.UTC().Format(time.RFC3339),
		AccountId:          string(acc.ID),
		AccountName:        acc.Name,
		AccountState:       string(acc.State),
	}, nil
}

type putAccountNameInput struct {
	AccountId   *string
	AccountName *string
}

func (in *putAccountNameInput) validate(c *check) {
	c.accountID("AccountId", in.AccountId, optional)
	c.str("AccountName", in.AccountName, required, shapeAccountName)
}

func (a *api) putAccountName(ctx context.Context, t account.Target, in *putAccountNameInput) (*empty, error) {
	return nil, a.svc.Rename(ctx, t, *in.AccountName)
}

type getGovCloudInput struct {
	StandardAccountId *string
}

func (in *getGovCloudInput) validate(c *check) {
	c.accountID("StandardAccountId", in.StandardAccountId, optional)
}

type getGovCloudOutput struct {
	AccountState      string `json:"AccountState"`
	GovCloudAccountId string `json:"GovCloudAccountId"`
}

func (a *api) getGovCloudAccountInformation(ctx context.Context, t account.Target, in *getGovCloudInput) (*getGovCloudOutput, error) {
	g, err := a.svc.GovCloudAccount(ctx, t)
	if err != nil {
		return nil, err
	}
	return &getGovCloudOutput{AccountState: string(g.State), GovCloudAccountId: string(g.Account)}, nil
}
