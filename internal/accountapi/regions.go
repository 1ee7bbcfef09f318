package accountapi

import (
	"context"
	"strconv"
	"strings"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
)

type regionInput struct {
	AccountId  *string
	RegionName *string
}

func (in *regionInput) validate(c *check) {
	c.accountID("AccountId", in.AccountId, optional)
	c.str("RegionName", in.RegionName, required, shapeRegionName)
}

func (a *api) enableRegion(ctx context.Context, t account.Target, in *regionInput) (*empty, error) {
	return nil, a.svc.EnableRegion(ctx, t, *in.RegionName)
}

func (a *api) disableRegion(ctx context.Context, t account.Target, in *regionInput) (*empty, error) {
	return nil, a.svc.DisableRegion(ctx, t, *in.RegionName)
}

type getRegionOptStatusOutput struct {
	RegionName      string `json:"RegionName,omitempty"`
	RegionOptStatus string `json:"RegionOptStatus,omitempty"`
}

func (a *api) getRegionOptStatus(ctx context.Context, t account.Target, in *regionInput) (*getRegionOptStatusOutput, error) {
	st, err := a.svc.RegionStatus(ctx, t, *in.RegionName)
	if err != nil {
		return nil, err
	}
	return &getRegionOptStatusOutput{RegionName: *in.RegionName, RegionOptStatus: string(st)}, nil
}

type listRegionsInput struct {
	AccountId               *string
	MaxResults              *int32
	NextToken               *string
	RegionOptStatusContains []string
}

func (in *listRegionsInput) validate(c *check) {
	c.accountID("AccountId", in.AccountId, optional)
	c.intRange("MaxResults", in.MaxResults, listRegionsMaxResultsRange[0], listRegionsMaxResultsRange[1])
	c.str("NextToken", in.NextToken, optional, shapeListRegionsNextToken)
	for i := range in.RegionOptStatusContains {
		c.str("RegionOptStatusContains."+strconv.Itoa(i+1), &in.RegionOptStatusContains[i], optional, shapeRegionOptStatus)
	}
}

// Region is the wire shape of one Region.
type Region struct {
	RegionName      string `json:"RegionName,omitempty"`
	RegionOptStatus string `json:"RegionOptStatus,omitempty"`
}

type listRegionsOutput struct {
	NextToken *string  `json:"NextToken,omitempty"`
	Regions   []Region `json:"Regions"`
}

func errBadNextToken() error {
	e := apierr.New(account.CodeValidation, "The NextToken value is not valid.")
	e.Reason = account.ReasonFieldValidationFailed
	e.Fields = []apierr.Field{{Name: "NextToken", Message: "The NextToken value is not valid."}}
	return e
}

// listRegions pages the sorted Region list. A NextToken is bound to the
// caller, the target account and the filter it was minted for.
func (a *api) listRegions(ctx context.Context, t account.Target, in *listRegionsInput) (*listRegionsOutput, error) {
	filter := make([]account.RegionStatus, len(in.RegionOptStatusContains))
	for i, s := range in.RegionOptStatusContains {
		filter[i] = account.RegionStatus(s)
	}
	scope := string(t.Caller.Account) + "|" + string(t.AccountID) + "|" + strings.Join(in.RegionOptStatusContains, ",")
	offset := 0
	if in.NextToken != nil && *in.NextToken != "" {
		var ok bool
		if offset, ok = a.tokens.Open(scope, *in.NextToken); !ok {
			return nil, errBadNextToken()
		}
	}
	regions, err := a.svc.Regions(ctx, t, filter)
	if err != nil {
		return nil, err
	}
	if offset > len(regions) {
		return nil, errBadNextToken()
	}
	end := len(regions)
	if in.MaxResults != nil && offset+int(*in.MaxResults) < end {
		end = offset + int(*in.MaxResults)
	}
	out := &listRegionsOutput{Regions: make([]Region, 0, end-offset)}
	for _, r := range regions[offset:end] {
		out.Regions = append(out.Regions, Region{RegionName: r.Name, RegionOptStatus: string(r.Status)})
	}
	if end < len(regions) {
		tok := a.tokens.Mint(scope, end)
		out.NextToken = &tok
	}
	return out, nil
}
