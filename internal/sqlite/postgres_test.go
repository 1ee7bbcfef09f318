package sqlite_test

import (
	"testing"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/pgtest"
	"github.com/accountplane/accountplane/internal/storetest"
)

// The conformance suite on PostgreSQL: the same store code over pgx, each
// test on a fresh schema.

func TestStorePostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) account.Store { return mustOpen(t, pgtest.DSN(t)) })
}

func TestOrganizationsPostgres(t *testing.T) {
	storetest.RunOrganizations(t, func(t *testing.T) organizations.Store { return mustOpen(t, pgtest.DSN(t)).Organizations() })
}

func TestIAMPostgres(t *testing.T) {
	storetest.RunIAM(t, func(t *testing.T) iam.Store { return mustOpen(t, pgtest.DSN(t)).IAM() })
}
