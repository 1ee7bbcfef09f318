package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/arn"
	"github.com/accountplane/accountplane/internal/identity"
)

// checkSeedPartition checks a seeded account's partition and GovCloud
// pair: a known partition; a pair only for a commercial account, naming an
// account of the seed in aws-us-gov.
func checkSeedPartition(s *Seed, a SeedAccount) error {
	if a.Partition != "" && !arn.IsPartition(a.Partition) {
		return fmt.Errorf("partition %q is not one of aws, aws-us-gov, aws-cn, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f", a.Partition)
	}
	if a.GovCloudAccount == "" {
		return nil
	}
	if arn.Canonical(a.Partition) != arn.Partition {
		return errors.New("only an account of the aws partition has a govCloudAccount")
	}
	for _, g := range s.Accounts {
		if g.ID == a.GovCloudAccount {
			if g.Partition != arn.GovCloud {
				return fmt.Errorf("govCloudAccount %s is not in partition %s", g.ID, arn.GovCloud)
			}
			return nil
		}
	}
	return fmt.Errorf("govCloudAccount %s is not an account of the seed", a.GovCloudAccount)
}

// seedPartition stores the commercial partition as "".
func seedPartition(p string) string {
	if p == arn.Partition {
		return ""
	}
	return p
}

// applyGovCloudPairs pairs the seeded accounts with their GovCloud
// accounts (an account already paired keeps its pair).
func (s *Seed) applyGovCloudPairs(ctx context.Context, svc *account.Service) error {
	for _, a := range s.Accounts {
		if a.GovCloudAccount == "" {
			continue
		}
		if _, err := svc.PairGovCloud(ctx, identity.AccountID(a.ID), identity.AccountID(a.GovCloudAccount)); err != nil {
			return fmt.Errorf("seed: pair %s with GovCloud account %s: %w", a.ID, a.GovCloudAccount, err)
		}
	}
	return nil
}
