package orgsapi

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/protocol/awsjson"
	"github.com/accountplane/accountplane/internal/protocol/wire/wiretest"
)

// BenchmarkEncodeListAccountsPage encodes a ListAccounts page of 20
// accounts as the server answers it (JSON 1.1): the wire structs made from
// the domain's views, then the codec's body and headers.
func BenchmarkEncodeListAccountsPage(b *testing.B) {
	org := &organizations.Organization{ID: "o-aa111bb222"}
	views := make([]organizations.AccountView, 20)
	for i := range views {
		id := identity.AccountID(fmt.Sprintf("%012d", 100000000000+i))
		views[i] = organizations.AccountView{
			Account: kernel.Account{ID: id, Name: fmt.Sprintf("bench-%d", i), Email: fmt.Sprintf("bench-%d@example.com", i)},
			Member:  organizations.Member{Account: id, Method: "CREATED", JoinedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
			Org:     org, State: organizations.StateActive,
		}
	}
	c := &awsjson.Codec{}
	w := wiretest.NewDiscard()
	tok := "token"
	encode := func() error {
		out := &listAccountsOutput{Accounts: make([]accountWire, len(views)), NextToken: &tok}
		for i := range views {
			out.Accounts[i] = accountOut(&views[i])
		}
		return c.WriteResult(w, "ListAccounts", out, "req")
	}
	rec := httptest.NewRecorder()
	if err := c.WriteResult(rec, "ListAccounts", &listAccountsOutput{Accounts: []accountWire{accountOut(&views[0])}}, "req"); err != nil || rec.Body.Len() < 100 {
		b.Fatalf("encode: %v, %q", err, rec.Body)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := encode(); err != nil {
			b.Fatal(err)
		}
	}
}
