package organizations_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/accountplane/accountplane/internal/organizations"
)

// twiceStore is the real store whose repeatable View runs fn twice, as a
// store does when a commit overtook the rows it took from memory: the
// caller must get what the second run read, not both runs' results.
type twiceStore struct {
	organizations.Store
}

func (s twiceStore) ViewRepeatable(ctx context.Context, fn func(organizations.Tx) error) error {
	if err := s.View(ctx, fn); err != nil {
		return err
	}
	return s.View(ctx, fn)
}

// Every read the service runs in a repeatable View answers the same
// whether its View ran once or twice.
func TestRepeatableReadsAnswerTheSameRunTwice(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt := w.signUp(t, "Mgmt")
	o := w.createOrg(t, mgmt, organizations.AllFeatures)
	ou, err := w.orgs.CreateOU(w.ctx, mgmt, string(o.RootID), "ou1", nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := w.signUp(t, "A"), w.signUp(t, "B")
	w.join(t, mgmt, a)
	w.join(t, mgmt, b)
	if err := w.orgs.MoveAccount(w.ctx, mgmt, a.Account, string(o.RootID), string(ou.ID)); err != nil {
		t.Fatal(err)
	}
	twice := organizations.NewService(twiceStore{w.db.Organizations()}, organizations.Options{Now: w.clk.Now})
	reads := map[string]func(*organizations.Service) (any, error){
		"DescribeOrganization": func(s *organizations.Service) (any, error) { return s.DescribeOrganization(w.ctx, mgmt) },
		"DescribeAccount":      func(s *organizations.Service) (any, error) { return s.DescribeAccount(w.ctx, mgmt, a.Account) },
		"ListAccountsPage": func(s *organizations.Service) (any, error) {
			page, more, err := s.ListAccountsPage(w.ctx, mgmt, "", "", 10)
			return []any{page, more}, err
		},
		"DescribeOU": func(s *organizations.Service) (any, error) { return s.DescribeOU(w.ctx, mgmt, ou.ID) },
		"ListOUs":    func(s *organizations.Service) (any, error) { return s.ListOUs(w.ctx, mgmt, string(o.RootID)) },
		"ListChildren": func(s *organizations.Service) (any, error) {
			return s.ListChildren(w.ctx, mgmt, string(o.RootID), "ACCOUNT")
		},
		"ListParents": func(s *organizations.Service) (any, error) { return s.ListParents(w.ctx, mgmt, string(a.Account)) },
		"ListRoots":   func(s *organizations.Service) (any, error) { return s.ListRoots(w.ctx, mgmt) },
	}
	for name, read := range reads {
		once, err1 := read(w.orgs)
		got, err2 := read(twice)
		if err1 != nil || err2 != nil {
			t.Errorf("%s: %v / run twice: %v", name, err1, err2)
			continue
		}
		if !reflect.DeepEqual(once, got) {
			t.Errorf("%s run twice answers\n%+v\nwant\n%+v", name, got, once)
		}
	}
}
