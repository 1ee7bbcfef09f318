package sqlite_test

import (
	"testing"

	"github.com/accountplane/accountplane/internal/pgtest"
	"github.com/accountplane/accountplane/internal/storetest"
)

// The conformance suite on PostgreSQL: the same store code over pgx, each
// test on a fresh schema.
func TestStorePostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores { return stores(mustOpen(t, pgtest.DSN(t))) })
}
