package orgsapi

import (
	"strconv"
	"strings"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

// pager is one page request of a List* operation: where to start and how
// many to return. NextTokens are bound by an HMAC to the caller's account,
// the operation and its filter inputs, so a token can't be forged, edited
// or replayed against another list.
type pager struct {
	a      *api
	scope  string
	offset int
	limit  int
}

// pager opens token (nil or "" for the first page) for op and filter;
// InvalidInputException INVALID_NEXT_TOKEN if it was not minted for them.
func (a *api) pager(caller identity.Principal, op string, token *string, max *int32, filter ...string) (pager, error) {
	parts := make([]string, 0, 2+len(filter))
	parts = append(parts, strconv.Quote(op), strconv.Quote(string(caller.Account)))
	for _, f := range filter {
		parts = append(parts, strconv.Quote(f))
	}
	p := pager{a: a, scope: strings.Join(parts, "|"), limit: defaultPage}
	if max != nil {
		p.limit = int(*max)
	}
	if token != nil && *token != "" {
		off, ok := a.tokens.Open(p.scope, *token)
		if !ok {
			return p, invalid(organizations.InputReasonInvalidNextToken)
		}
		p.offset = off
	}
	return p, nil
}

// page returns p's slice of all (never nil) and the NextToken when more
// remain. A list that shrank below the offset gives an empty last page.
func page[T any](p pager, all []T) ([]T, *string) {
	start := min(p.offset, len(all))
	end := min(start+p.limit, len(all))
	out := make([]T, end-start)
	copy(out, all[start:end])
	if end < len(all) {
		tok := p.a.tokens.Mint(p.scope, end)
		return out, &tok
	}
	return out, nil
}

// mapPage pages all and converts the page's elements with f.
func mapPage[T, W any](p pager, all []T, f func(*T) W) ([]W, *string) {
	items, next := page(p, all)
	out := make([]W, len(items))
	for i := range items {
		out[i] = f(&items[i])
	}
	return out, next
}
