package iam

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"sort"
	"strings"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
)

// Signing certificate exception codes (400, 409). Wire contract: do not
// rename.
const (
	CodeMalformedCertificate = "MalformedCertificate"
	CodeDuplicateCertificate = "DuplicateCertificate"
)

// certIDLen is the length of the certificate ids this service makes (the
// model allows 24..128 word characters).
const certIDLen = 32

// parseCertificate returns the DER bytes of a PEM X.509 certificate, or
// MalformedCertificate.
func parseCertificate(body string) ([]byte, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(body)))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, apierr.New(CodeMalformedCertificate, "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return nil, apierr.New(CodeMalformedCertificate, "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	return block.Bytes, nil
}

// certOwner resolves user ("" for the root user) to its stored name.
func certOwner(ctx context.Context, tx Tx, acct identity.AccountID, user string) (string, error) {
	if user == "" {
		return "", nil
	}
	u, err := getUser(ctx, tx, acct, user)
	if err != nil {
		return "", err
	}
	return u.Name, nil
}

// UploadSigningCertificate adds an active X.509 signing certificate (PEM)
// to IAM user, or (user "") to the root user. Returns NoSuchEntity,
// MalformedCertificate, DuplicateCertificate when the account already has
// the certificate, and LimitExceeded past two per user.
func (s *Service) UploadSigningCertificate(ctx context.Context, acct identity.AccountID, user, body string) (*SigningCertificate, error) {
	der, err := parseCertificate(body)
	if err != nil {
		return nil, err
	}
	id, err := s.randomString(upperAlnum, certIDLen)
	if err != nil {
		return nil, err
	}
	c := &SigningCertificate{Account: acct, ID: id, Body: body, Active: true, UploadedAt: s.Now()}
	err = s.update(ctx, func(tx Tx) error {
		owner, err := certOwner(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		c.User = owner
		mine, err := tx.SigningCertificates(ctx, acct, c.User)
		if err != nil {
			return err
		}
		if len(mine) >= QuotaSigningCertsPerUser {
			return limitExceeded("Cannot exceed quota for CertificatesPerUser: %d", QuotaSigningCertsPerUser)
		}
		users, err := tx.Users(ctx, acct)
		if err != nil {
			return err
		}
		owners := []string{""}
		for _, u := range users {
			owners = append(owners, u.Name)
		}
		for _, o := range owners {
			certs, err := tx.SigningCertificates(ctx, acct, o)
			if err != nil {
				return err
			}
			for _, other := range certs {
				if d, err := parseCertificate(other.Body); err == nil && bytes.Equal(d, der) {
					return &apierr.Error{Code: CodeDuplicateCertificate, Message: "The same certificate is associated with an IAM user in the account.", Fault: apierr.Client}
				}
			}
		}
		return tx.PutSigningCertificate(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// SigningCertificates lists the certificates of IAM user ("" for the root
// user), oldest first. Returns NoSuchEntity for an unknown user.
func (s *Service) SigningCertificates(ctx context.Context, acct identity.AccountID, user string) ([]SigningCertificate, error) {
	var out []SigningCertificate
	err := s.view(ctx, func(tx Tx) error {
		owner, err := certOwner(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		out, err = tx.SigningCertificates(ctx, acct, owner)
		return err
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].UploadedAt.Before(out[j].UploadedAt) })
	return out, err
}

// ownCert returns certificate id of user ("" for root), or NoSuchEntity.
func ownCert(ctx context.Context, tx Tx, acct identity.AccountID, user, id string) (*SigningCertificate, error) {
	owner, err := certOwner(ctx, tx, acct, user)
	if err != nil {
		return nil, err
	}
	c, err := tx.SigningCertificate(ctx, acct, id)
	if notFound(err) || (err == nil && !sameName(c.User, owner)) {
		return nil, noSuchEntity("The Certificate with id %s cannot be found.", id)
	}
	return c, err
}

// UpdateSigningCertificate sets certificate id of user ("" for the root
// user) Active or Inactive. Returns NoSuchEntity.
func (s *Service) UpdateSigningCertificate(ctx context.Context, acct identity.AccountID, user, id string, active bool) error {
	return s.update(ctx, func(tx Tx) error {
		c, err := ownCert(ctx, tx, acct, user, id)
		if err != nil {
			return err
		}
		c.Active = active
		return tx.PutSigningCertificate(ctx, c)
	})
}

// DeleteSigningCertificate deletes certificate id of user ("" for the
// root user). Returns NoSuchEntity.
func (s *Service) DeleteSigningCertificate(ctx context.Context, acct identity.AccountID, user, id string) error {
	return s.update(ctx, func(tx Tx) error {
		c, err := ownCert(ctx, tx, acct, user, id)
		if err != nil {
			return err
		}
		return tx.DeleteSigningCertificate(ctx, acct, c.ID)
	})
}
