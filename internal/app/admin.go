package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/server"
	"github.com/accountplane/accountplane/internal/sqlite"
)

// admin implements server.Admin over the store and the domain services.
type admin struct {
	db       *sqlite.DB
	accounts *account.Service
	orgs     *organizations.Service
	// iam keeps the root user's keys, password and MFA (rootcreds.go).
	iam *iam.Service
	// settle waits for the CloudTrail records of the calls answered so far
	// (the root posture report reads the last root API call there).
	settle func()
}

var _ server.Admin = (*admin)(nil)

func (ad *admin) SignUp(ctx context.Context, name, email string) (identity.AccountID, identity.AccessKey, error) {
	if name == "" || len(name) > 50 {
		return "", identity.AccessKey{}, &server.AdminError{Status: http.StatusBadRequest, Message: "name must be 1 to 50 characters"}
	}
	if !strings.Contains(email, "@") || len(email) < 6 || len(email) > 64 {
		return "", identity.AccessKey{}, &server.AdminError{Status: http.StatusBadRequest, Message: "email must be an address of 6 to 64 characters"}
	}
	// EnsureSignUp checks the email address and inserts in one
	// transaction; it creates nothing when the random id is taken.
	for range 100 {
		id := identity.AccountID(randomFrom("123456789", 1) + randomFrom("0123456789", 11))
		created, err := ad.accounts.EnsureSignUp(ctx, account.SignUp{ID: id, Name: name, Email: email})
		if errors.Is(err, account.ErrEmailInUse) {
			return "", identity.AccessKey{}, &server.AdminError{Status: http.StatusConflict, Message: "an account with this email already exists"}
		} else if err != nil {
			return "", identity.AccessKey{}, err
		}
		if !created {
			continue
		}
		k, err := ad.NewAccessKey(ctx, id)
		return id, k, err
	}
	return "", identity.AccessKey{}, errors.New("no free account id")
}

func (ad *admin) NewAccessKey(ctx context.Context, id identity.AccountID) (identity.AccessKey, error) {
	if _, err := ad.lookup(ctx, func(tx account.Tx) (*kernel.Account, error) { return tx.Account(ctx, id) }); errors.Is(err, kernel.ErrNotFound) {
		return identity.AccessKey{}, &server.AdminError{Status: http.StatusNotFound, Message: "no account " + string(id)}
	} else if err != nil {
		return identity.AccessKey{}, err
	}
	return ad.newRootKey(ctx, id)
}

func (ad *admin) SetPaymentMethod(ctx context.Context, id identity.AccountID, on bool) error {
	err := ad.accounts.SetPaymentMethod(ctx, id, on)
	if errors.Is(err, kernel.ErrNotFound) {
		return &server.AdminError{Status: http.StatusNotFound, Message: "no account " + string(id)}
	}
	return err
}

func (ad *admin) Accounts(ctx context.Context) ([]server.AccountSummary, error) {
	all, err := ad.db.AllAccounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]server.AccountSummary, 0, len(all))
	for _, a := range all {
		st := ad.accounts.StateOf(&a)
		sum := server.AccountSummary{
			AccountID: string(a.ID), Name: a.Name, Email: a.Email, State: string(st),
			Origin: a.Origin, PaymentMethod: a.PaymentMethod,
			Partition: a.Partition, GovCloudAccountID: string(a.GovCloudAccount),
		}
		if sum.Origin == "" {
			sum.Origin = kernel.OriginSignUp
		}
		if org, mgmt, ok, err := ad.orgs.MembershipOf(ctx, a.ID); err != nil {
			return nil, err
		} else if ok {
			sum.Organization, sum.Management = string(org), mgmt
		}
		out = append(out, sum)
	}
	return out, nil
}

// randomFrom returns n characters drawn uniformly from alphabet.
func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	max := 256 - 256%len(alphabet)
	buf := make([]byte, 1)
	for i := 0; i < n; {
		if _, err := rand.Read(buf); err != nil {
			panic(fmt.Sprintf("crypto/rand: %v", err))
		}
		if int(buf[0]) >= max {
			continue
		}
		b[i] = alphabet[int(buf[0])%len(alphabet)]
		i++
	}
	return string(b)
}

// lookup runs get in a read transaction.
func (ad *admin) lookup(ctx context.Context, get func(account.Tx) (*kernel.Account, error)) (*kernel.Account, error) {
	var a *kernel.Account
	err := ad.db.View(ctx, func(tx account.Tx) (err error) {
		a, err = get(tx)
		return err
	})
	return a, err
}

var _ server.GovCloudAdmin = (*admin)(nil)

// PairGovCloud pairs commercial account id with a new GovCloud (US)
// account (with a fresh random id), unless it has one.
func (ad *admin) PairGovCloud(ctx context.Context, id identity.AccountID) (identity.AccountID, bool, error) {
	for range 100 {
		gov := identity.AccountID(randomFrom("123456789", 1) + randomFrom("0123456789", 11))
		got, created, err := ad.accounts.PairNewGovCloud(ctx, id, gov)
		switch {
		case errors.Is(err, account.ErrIDTaken):
			continue
		case errors.Is(err, kernel.ErrNotFound):
			return "", false, &server.AdminError{Status: http.StatusNotFound, Message: "no account " + string(id)}
		case errors.Is(err, account.ErrNotCommercial):
			return "", false, &server.AdminError{Status: http.StatusBadRequest, Message: "account " + string(id) + " is not in the commercial partition"}
		case errors.Is(err, account.ErrEmailInUse):
			return "", false, &server.AdminError{Status: http.StatusConflict, Message: "another account has the GovCloud account's email (the account's, with +govcloud in its local part)"}
		case err != nil:
			return "", false, err
		}
		return got, created, nil
	}
	return "", false, errors.New("no free account id")
}
