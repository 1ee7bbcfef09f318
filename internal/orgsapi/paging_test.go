package orgsapi_test

import (
	"fmt"
	"slices"
	"testing"
)

// ListAccounts pages by account id (keyset): every member exactly once, in
// id order, whatever the page size, and a closed member is skipped.
func TestListAccountsPages(t *testing.T) {
	e := newEnv(t)
	e.must(t, mgmt, "CreateOrganization", `{}`)
	var created []string
	for i := 0; i < 6; i++ {
		out := e.must(t, mgmt, "CreateAccount", map[string]any{"Email": fmt.Sprintf("m%d@example.com", i), "AccountName": fmt.Sprintf("M%d", i)})
		created = append(created, out["CreateAccountStatus"].(map[string]any)["AccountId"].(string))
	}
	want := append([]string{string(mgmtID)}, created...)
	slices.Sort(want)
	for _, size := range []int{1, 2, 3, 7, 20} {
		var got []string
		var token any
		for pages := 0; ; pages++ {
			body := map[string]any{"MaxResults": size}
			if token != nil {
				body["NextToken"] = token
			}
			out := e.must(t, mgmt, "ListAccounts", body)
			for _, a := range list(t, out["Accounts"]) {
				got = append(got, a.(map[string]any)["Id"].(string))
			}
			if len(list(t, out["Accounts"])) > size {
				t.Fatalf("page of %d has %d accounts", size, len(list(t, out["Accounts"])))
			}
			if token = out["NextToken"]; token == nil {
				break
			}
			if pages > 20 {
				t.Fatal("paging does not end")
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages of %d: %v, want %v", size, got, want)
		}
	}
}
