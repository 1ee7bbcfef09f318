package orgsapi

import (
	"context"
	"fmt"
	"strconv"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/jsonstr"
	"github.com/accountplane/accountplane/internal/organizations"
)

type accountIDInput struct {
	AccountId *string
}

func (in *accountIDInput) validate(c *check) {
	c.str(in.AccountId, required, shapeAccountID)
}

type moveAccountInput struct {
	AccountId           *string
	SourceParentId      *string
	DestinationParentId *string
}

func (in *moveAccountInput) validate(c *check) {
	c.str(in.AccountId, required, shapeAccountID)
	c.str(in.SourceParentId, required, shapeParentID)
	c.str(in.DestinationParentId, required, shapeParentID)
}

func (a *api) moveAccount(ctx context.Context, p identity.Principal, in *moveAccountInput) (*empty, error) {
	return nil, a.svc.MoveAccount(ctx, p, identity.AccountID(*in.AccountId), *in.SourceParentId, *in.DestinationParentId)
}

type listAccountsOutput struct {
	Accounts  []accountWire `json:"Accounts"`
	NextToken *string       `json:"NextToken,omitempty"`
}

// AppendJSON implements awsjson.Appender: a page of accounts is the
// heaviest answer of the read path (FuzzListAccountsJSON holds it to what
// encoding/json writes).
func (o *listAccountsOutput) AppendJSON(b []byte) []byte {
	if o == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"Accounts":`...)
	if o.Accounts == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range o.Accounts {
			if i > 0 {
				b = append(b, ',')
			}
			b = o.Accounts[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	if o.NextToken != nil {
		b = append(b, `,"NextToken":`...)
		b = jsonstr.Append(b, *o.NextToken)
	}
	return append(b, '}')
}

func (a *api) listAccounts(ctx context.Context, p identity.Principal, in *pageInput) (*listAccountsOutput, error) {
	pg, err := a.pager(p, "ListAccounts", in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return a.accountsPage(ctx, p, pg, "")
}

// accountsPage answers one page of ListAccounts(ForParent) with keyset
// paging: the NextToken carries the last account id (plus one, so that
// 000000000000 is not the first page's zero).
func (a *api) accountsPage(ctx context.Context, p identity.Principal, pg pager, parent string) (*listAccountsOutput, error) {
	views, more, err := a.svc.ListAccountsPage(ctx, p, parent, keysetAfter(pg), pg.limit)
	if err != nil {
		return nil, err
	}
	out := &listAccountsOutput{Accounts: make([]accountWire, len(views))}
	for i := range views {
		out.Accounts[i] = accountOut(&views[i])
	}
	if more {
		if out.NextToken, err = a.keysetToken(pg, views[len(views)-1].Account.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// keysetAfter is the account id a keyset page starts after: its token
// holds the number of the next id (0: the first page).
func keysetAfter(pg pager) identity.AccountID {
	if pg.offset == 0 {
		return ""
	}
	return identity.AccountID(fmt.Sprintf("%012d", pg.offset-1))
}

// keysetToken is the token of the page after the one that ended at last.
func (a *api) keysetToken(pg pager, last identity.AccountID) (*string, error) {
	n, err := strconv.Atoi(string(last))
	if err != nil {
		return nil, fmt.Errorf("account id %s: %w", last, err)
	}
	tok := a.tokens.Mint(pg.scope, n+1)
	return &tok, nil
}

func (a *api) listAccountsForParent(ctx context.Context, p identity.Principal, in *listForParentInput) (*listAccountsOutput, error) {
	pg, err := a.pager(p, "ListAccountsForParent", in.NextToken, in.MaxResults, *in.ParentId)
	if err != nil {
		return nil, err
	}
	return a.accountsPage(ctx, p, pg, *in.ParentId)
}

type accountOutput struct {
	Account accountWire `json:"Account"`
}

func (a *api) describeAccount(ctx context.Context, p identity.Principal, in *accountIDInput) (*accountOutput, error) {
	v, err := a.svc.DescribeAccount(ctx, p, identity.AccountID(*in.AccountId))
	if err != nil {
		return nil, err
	}
	return &accountOutput{Account: accountOut(v)}, nil
}

type createAccountInput struct {
	Email                  *string
	AccountName            *string
	RoleName               *string
	IamUserAccessToBilling *string
	Tags                   []tagInput
}

func (in *createAccountInput) validate(c *check) {
	c.str(in.Email, required, shapeEmail)
	c.str(in.AccountName, required, shapeCreateAcctName)
	c.roleName(in.RoleName)
	c.str(in.IamUserAccessToBilling, optional, shapeBillingAccess)
	c.tags(in.Tags, optional)
}

type createAccountStatusOutput struct {
	CreateAccountStatus createAccountStatusWire `json:"CreateAccountStatus"`
}

// TODO(fidelity): AWS also honours IamUserAccessToBilling; the domain has
// no IAM yet, so it is validated and dropped.
func (a *api) createAccount(ctx context.Context, p identity.Principal, in *createAccountInput) (*createAccountStatusOutput, error) {
	st, err := a.svc.CreateAccount(ctx, p, organizations.NewAccount{
		Name: *in.AccountName, Email: *in.Email, RoleName: str(in.RoleName), Tags: domainTags(in.Tags),
	})
	if err != nil {
		return nil, err
	}
	return &createAccountStatusOutput{CreateAccountStatus: a.createAccountStatusOut(st)}, nil
}

type describeCreateAccountStatusInput struct {
	CreateAccountRequestId *string
}

func (in *describeCreateAccountStatusInput) validate(c *check) {
	c.str(in.CreateAccountRequestId, required, shapeCARID)
}

func (a *api) describeCreateAccountStatus(ctx context.Context, p identity.Principal, in *describeCreateAccountStatusInput) (*createAccountStatusOutput, error) {
	st, err := a.svc.DescribeCreateAccountStatus(ctx, p, organizations.CreateAccountReqID(*in.CreateAccountRequestId))
	if err != nil {
		return nil, err
	}
	return &createAccountStatusOutput{CreateAccountStatus: a.createAccountStatusOut(st)}, nil
}

type listCreateAccountStatusInput struct {
	States     []*string
	NextToken  *string
	MaxResults *int32
}

func (in *listCreateAccountStatusInput) validate(c *check) {
	c.strList(in.States, optional, shapeCreateAcctState)
	c.paging(in.NextToken, in.MaxResults)
}

type listCreateAccountStatusOutput struct {
	CreateAccountStatuses []createAccountStatusWire `json:"CreateAccountStatuses"`
	NextToken             *string                   `json:"NextToken,omitempty"`
}

func (a *api) listCreateAccountStatus(ctx context.Context, p identity.Principal, in *listCreateAccountStatusInput) (*listCreateAccountStatusOutput, error) {
	states := make([]organizations.CreateAccountState, len(in.States))
	filter := make([]string, len(in.States))
	for i, s := range in.States {
		states[i], filter[i] = organizations.CreateAccountState(*s), *s
	}
	pg, err := a.pager(p, "ListCreateAccountStatus", in.NextToken, in.MaxResults, filter...)
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListCreateAccountStatus(ctx, p, states)
	if err != nil {
		return nil, err
	}
	out := &listCreateAccountStatusOutput{}
	out.CreateAccountStatuses, out.NextToken = mapPage(pg, all, a.createAccountStatusOut)
	return out, nil
}

func (a *api) closeAccount(ctx context.Context, p identity.Principal, in *accountIDInput) (*empty, error) {
	return nil, a.svc.CloseAccount(ctx, p, identity.AccountID(*in.AccountId))
}

func (a *api) removeAccountFromOrganization(ctx context.Context, p identity.Principal, in *accountIDInput) (*empty, error) {
	return nil, a.svc.RemoveAccount(ctx, p, identity.AccountID(*in.AccountId))
}
