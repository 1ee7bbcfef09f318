package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/server"
)

// DefaultRootPassword is the root password of the default world's account
// (000000000000, root@example.com). It satisfies AWS's root password rules.
const DefaultRootPassword = "Test1234!"

// defaultRootPasswordHash is DefaultRootPassword's hash, made once (at
// IAM's default 100,000 rounds, with the salt the first 16 bytes of
// SHA-256("accountplane default world root password salt")) so that a
// new store starts without stretching it. The password is public: a fixed
// salt gives nothing away. TestDefaultRootPasswordHash checks it.
const defaultRootPasswordHash = "pbkdf2-sha256$100000$PNTRunIZ7zsLgZQSQ053Eg$a//DBuyk0y5UEVuJdhy6xWXcf5JN8uyi2OtNYzhZiVE"

// keyUseFlushInterval is how often the access key uses noted in memory
// are written to the store (GetAccessKeyLastUsed and the credential
// report read the pending ones too, so the lag never shows through the
// API; it bounds what a crash loses).
const keyUseFlushInterval = 2 * time.Second

var _ server.RootCredentials = (*admin)(nil)

// CheckRootPassword implements server.RootCredentials.
func (ad *admin) CheckRootPassword(name, email, password string) error {
	return iam.CheckRootPassword(password, name, email)
}

// SetRootPassword implements server.RootCredentials.
func (ad *admin) SetRootPassword(ctx context.Context, id identity.AccountID, password string) error {
	return ad.iam.SetRootPassword(ctx, id, password)
}

// DeleteRootPassword implements server.RootCredentials.
func (ad *admin) DeleteRootPassword(ctx context.Context, id identity.AccountID) error {
	return ad.iam.DeleteRootPassword(ctx, id)
}

// AddRootMFADevice implements server.RootCredentials.
func (ad *admin) AddRootMFADevice(ctx context.Context, id identity.AccountID, name string) (string, string, error) {
	d, err := ad.iam.AddRootMFADevice(ctx, id, name)
	if err != nil {
		return "", "", err
	}
	return d.Serial(), d.Base32Seed(), nil
}

// DeleteRootMFADevice implements server.RootCredentials.
func (ad *admin) DeleteRootMFADevice(ctx context.Context, id identity.AccountID, name string) error {
	return ad.iam.DeleteRootMFADevice(ctx, id, name)
}

// newRootKey issues a root access key through IAM, which keeps the root
// user at two keys (409 past that, as CreateAccessKey answers) and refuses
// a root user whose credentials centralized root access removed (409,
// saying how to reach it: a privileged root session).
func (ad *admin) newRootKey(ctx context.Context, id identity.AccountID) (identity.AccessKey, error) {
	k, err := ad.iam.CreateAccessKey(ctx, id, "")
	if e, ok := apierr.As(err); ok && e.Code == iam.CodeLimitExceeded {
		return identity.AccessKey{}, &server.AdminError{Status: http.StatusConflict, Message: "the root user of " + string(id) + " already has two access keys (AWS's limit; inactive keys count)"}
	} else if ok && e.Code == iam.CodeRootCredentialsRemoved {
		// Say how to get in: a privileged root session.
		return identity.AccessKey{}, &server.AdminError{Status: http.StatusConflict, Message: e.Message}
	} else if err != nil {
		return identity.AccessKey{}, err
	}
	return *k, nil
}

// KeyUsed implements server.KeyUseRecorder: the use is noted in memory
// and written by the app's flusher.
func (c credentials) KeyUsed(accessKeyID, service, region string) {
	c.iam.NoteKeyUse(accessKeyID, service, region)
}

// flushKeyUses writes the noted access key uses every
// keyUseFlushInterval until stop closes, then once more.
func (a *App) flushKeyUses(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(keyUseFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := a.IAM.FlushKeyUses(context.Background()); err != nil {
				a.cfg.Log.Error("write access key uses", "err", err)
			}
		case <-stop:
			if err := a.IAM.FlushKeyUses(context.Background()); err != nil {
				a.cfg.Log.Error("write access key uses", "err", err)
			}
			return
		}
	}
}

// applyRootPasswords gives the seed's accounts the root password the seed
// names when they have none (as seeding creates what is missing).
func (a *App) applyRootPasswords(ctx context.Context, s *Seed) error {
	for _, sa := range s.Accounts {
		if sa.RootPassword == "" {
			continue
		}
		id := identity.AccountID(sa.ID)
		has, err := a.IAM.HasRootPassword(ctx, id)
		if err != nil {
			return err
		}
		if has {
			continue
		}
		if err := a.IAM.SetRootPassword(ctx, id, sa.RootPassword); err != nil {
			var e *apierr.Error
			if errors.As(err, &e) {
				return fmt.Errorf("seed: account %s: root password: %s", sa.ID, e.Message)
			}
			return err
		}
	}
	return nil
}
