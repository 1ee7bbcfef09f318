package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/app"
	"github.com/accountplane/accountplane/internal/identity"
)

const govSeed = `
accounts:
  - id: "111111111111"
    name: mgmt
    email: mgmt@example.com
    govCloudAccount: "999999999999"
  - id: "999999999999"
    name: mgmt-gov
    email: mgmt-gov@example.com
    partition: aws-us-gov
    credentials: [{accessKeyId: AKIAGOV, secretAccessKey: govsecret}]
`

// The seed places accounts in partitions and pairs a commercial account
// with its GovCloud account, at every start.
func TestSeedGovCloudPair(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.yaml")
	if err := os.WriteFile(seed, []byte(govSeed), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	for round := 1; round <= 2; round++ {
		a, err := app.Start(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: data, Seed: seed, Log: quietLog()})
		if err != nil {
			t.Fatalf("round %d: start: %v", round, err)
		}
		info, err := a.Accounts.GovCloudAccount(context.Background(), account.Target{Caller: identity.RootPrincipal("111111111111", "")})
		if err != nil || info.Account != "999999999999" || info.State != account.StateActive {
			t.Errorf("round %d: GovCloudAccount = %+v, %v", round, info, err)
		}
		if err := a.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSeedPartitionErrors(t *testing.T) {
	tests := []struct{ name, seed, want string }{
		{"unknown partition", `
accounts:
  - {id: "111111111111", name: a, email: a@example.com, partition: aws-mars}
`, "partition"},
		{"pair outside the seed", `
accounts:
  - {id: "111111111111", name: a, email: a@example.com, govCloudAccount: "999999999999"}
`, "not an account of the seed"},
		{"pair with a commercial account", `
accounts:
  - {id: "111111111111", name: a, email: a@example.com, govCloudAccount: "999999999999"}
  - {id: "999999999999", name: b, email: b@example.com}
`, "aws-us-gov"},
		{"pair of a GovCloud account", `
accounts:
  - {id: "111111111111", name: a, email: a@example.com, partition: aws-us-gov, govCloudAccount: "999999999999"}
  - {id: "999999999999", name: b, email: b@example.com, partition: aws-us-gov}
`, "only an account of the aws partition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "seed.yaml")
			if err := os.WriteFile(path, []byte(tt.seed), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := app.LoadSeed(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadSeed = %v, want an error about %q", err, tt.want)
			}
		})
	}
}
