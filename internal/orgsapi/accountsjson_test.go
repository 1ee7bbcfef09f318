package orgsapi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// A page of accounts writes itself byte for byte as encoding/json writes
// it: names, emails and paths of any bytes, members left out when empty,
// no accounts (an empty page, and a nil list), with and without a token.
func FuzzListAccountsJSON(f *testing.F) {
	f.Add("bench-1", "a@example.com", "o-1/r-1/ou-1/", "tok", uint8(3), int64(1767322245123))
	f.Add("", "", "", "", uint8(0), int64(0))
	f.Add("<Tom & Jerry>", "\u2028@\xff", "o/\"r\"/", "\x00", uint8(1), int64(-5))
	f.Add("日本", "ü@example.com", "", "", uint8(2), int64(1))
	f.Fuzz(func(t *testing.T, name, email, path, token string, n uint8, joined int64) {
		org := &organizations.Organization{ID: "o-aa111bb222"}
		out := &listAccountsOutput{}
		if n%8 != 7 { // 7: a nil list
			out.Accounts = []accountWire{}
		}
		for i := range int(n % 4) {
			v := organizations.AccountView{
				Account: kernel.Account{ID: identity.AccountID("11112222333" + string(rune('0'+i))), Name: name, Email: email},
				Member:  organizations.Member{Method: "INVITED"},
				Org:     org, State: organizations.StateActive, Path: path,
			}
			if joined != 0 {
				v.Member.JoinedAt = time.UnixMilli(joined)
			}
			out.Accounts = append(out.Accounts, accountOut(&v))
		}
		if token != "" {
			out.NextToken = &token
		}
		want, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		if got := out.AppendJSON(nil); string(got) != string(want) {
			t.Errorf("AppendJSON:\n%s\nencoding/json:\n%s", got, want)
		}
	})
}
