package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// Account implements account.Tx.
func (t *tx) Account(ctx context.Context, id identity.AccountID) (*kernel.Account, error) {
	return cachedRow(ctx, t, accountByID, string(id), func() (*kernel.Account, error) {
		a, err := scanAccount(t.queryRow(ctx, accountByID, string(id)))
		if err != nil {
			return nil, rowErr(err, "account "+string(id))
		}
		return a, nil
	})
}

const accountByID = `SELECT ` + accountColumns + ` FROM accounts WHERE id = ?`

// accountColumns are the columns scanAccount reads, in its order.
const accountColumns = `id, name, email, state, created_at, payment_method, closed_at, origin, seller,
	partition_name, govcloud_account`

// scanAccount reads one row of accountColumns.
func scanAccount(row scanner) (*kernel.Account, error) {
	var a kernel.Account
	if err := scanAccountInto(row, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// scanAccountInto reads one row of accountColumns into a.
func scanAccountInto(s scanner, a *kernel.Account) error {
	return s.Scan(&a.ID, &a.Name, &a.Email, &a.State, scanTime{&a.CreatedAt}, &a.PaymentMethod,
		scanTime{&a.ClosedAt}, &a.Origin, &a.Seller, &a.Partition, &a.GovCloudAccount)
}

// emailKey is the form of an email the case-insensitive lookup compares.
func emailKey(email string) string { return strings.ToLower(email) }

// AccountByEmail implements account.Tx.
func (t *tx) AccountByEmail(ctx context.Context, email string) (*kernel.Account, error) {
	a, err := scanAccount(t.queryRow(ctx, `SELECT `+accountColumns+`
		FROM accounts WHERE email_lower = ?`, emailKey(email)))
	if err != nil {
		return nil, rowErr(err, fmt.Sprintf("account by email %q", email))
	}
	return a, nil
}

// PutAccount implements account.Tx.
func (t *tx) PutAccount(ctx context.Context, a *kernel.Account) error {
	if a == nil {
		return errNil("put account")
	}
	_, err := t.exec(ctx, "put account "+string(a.ID), `INSERT INTO accounts
		(id, name, email, email_lower, state, created_at, payment_method, closed_at, origin, seller,
			partition_name, govcloud_account)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email,
			email_lower = excluded.email_lower, state = excluded.state,
			created_at = excluded.created_at, payment_method = excluded.payment_method,
			closed_at = excluded.closed_at, origin = excluded.origin, seller = excluded.seller,
			partition_name = excluded.partition_name, govcloud_account = excluded.govcloud_account`,
		string(a.ID), a.Name, a.Email, emailKey(a.Email), string(a.State), nanos(a.CreatedAt), a.PaymentMethod,
		nanos(a.ClosedAt), a.Origin, a.Seller, a.Partition, string(a.GovCloudAccount))
	return err
}

// AlternateContact implements account.Tx.
func (t *tx) AlternateContact(ctx context.Context, id identity.AccountID, typ account.AlternateContactType) (*account.AlternateContact, error) {
	c := account.AlternateContact{Type: typ}
	err := t.queryRow(ctx, `SELECT name, title, email_address, phone_number
		FROM alternate_contacts WHERE account_id = ? AND contact_type = ?`, string(id), string(typ)).
		Scan(&c.Name, &c.Title, &c.EmailAddress, &c.PhoneNumber)
	if err != nil {
		return nil, rowErr(err, fmt.Sprintf("alternate contact %s %s", id, typ))
	}
	return &c, nil
}

// PutAlternateContact implements account.Tx. c.Type selects the contact.
func (t *tx) PutAlternateContact(ctx context.Context, id identity.AccountID, c *account.AlternateContact) error {
	if c == nil {
		return errNil("put alternate contact " + string(id))
	}
	return t.execDeferred(ctx, fmt.Sprintf("put alternate contact %s %s", id, c.Type), `INSERT INTO alternate_contacts
		(account_id, contact_type, name, title, email_address, phone_number)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, contact_type) DO UPDATE SET name = excluded.name,
			title = excluded.title, email_address = excluded.email_address,
			phone_number = excluded.phone_number`,
		string(id), string(c.Type), c.Name, c.Title, c.EmailAddress, c.PhoneNumber)
}

// DeleteAlternateContact implements account.Tx.
func (t *tx) DeleteAlternateContact(ctx context.Context, id identity.AccountID, typ account.AlternateContactType) error {
	return t.deleteOne(ctx, fmt.Sprintf("delete alternate contact %s %s", id, typ),
		`DELETE FROM alternate_contacts WHERE account_id = ? AND contact_type = ?`, string(id), string(typ))
}

// ContactInformation implements account.Tx.
func (t *tx) ContactInformation(ctx context.Context, id identity.AccountID) (*kernel.ContactInformation, error) {
	var c kernel.ContactInformation
	err := t.queryRow(ctx, `SELECT full_name, address_line1, address_line2, address_line3,
		city, state_or_region, district_or_county, postal_code, country_code, phone_number,
		company_name, website_url
		FROM contact_information WHERE account_id = ?`, string(id)).
		Scan(&c.FullName, &c.AddressLine1, &c.AddressLine2, &c.AddressLine3,
			&c.City, &c.StateOrRegion, &c.DistrictOrCounty, &c.PostalCode, &c.CountryCode, &c.PhoneNumber,
			&c.CompanyName, &c.WebsiteURL)
	if err != nil {
		return nil, rowErr(err, "contact information "+string(id))
	}
	return &c, nil
}

// PutContactInformation implements account.Tx. It replaces the whole record.
func (t *tx) PutContactInformation(ctx context.Context, id identity.AccountID, c *kernel.ContactInformation) error {
	if c == nil {
		return errNil("put contact information " + string(id))
	}
	_, err := t.exec(ctx, "put contact information "+string(id), `INSERT INTO contact_information
		(account_id, full_name, address_line1, address_line2, address_line3,
		 city, state_or_region, district_or_county, postal_code, country_code, phone_number,
		 company_name, website_url)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET full_name = excluded.full_name,
			address_line1 = excluded.address_line1, address_line2 = excluded.address_line2,
			address_line3 = excluded.address_line3, city = excluded.city,
			state_or_region = excluded.state_or_region, district_or_county = excluded.district_or_county,
			postal_code = excluded.postal_code, country_code = excluded.country_code,
			phone_number = excluded.phone_number, company_name = excluded.company_name,
			website_url = excluded.website_url`,
		string(id), c.FullName, c.AddressLine1, c.AddressLine2, c.AddressLine3,
		c.City, c.StateOrRegion, c.DistrictOrCounty, c.PostalCode, c.CountryCode, c.PhoneNumber,
		c.CompanyName, c.WebsiteURL)
	return err
}

// PhoneVerification implements account.Tx.
func (t *tx) PhoneVerification(ctx context.Context, id identity.AccountID) (*kernel.PhoneVerification, error) {
	var v kernel.PhoneVerification
	err := t.queryRow(ctx, `SELECT status, code, expires_at
		FROM phone_verifications WHERE account_id = ?`, string(id)).
		Scan(&v.Status, &v.Code, scanTime{&v.ExpiresAt})
	if err != nil {
		return nil, rowErr(err, "phone verification "+string(id))
	}
	return &v, nil
}

// PutPhoneVerification implements account.Tx.
func (t *tx) PutPhoneVerification(ctx context.Context, id identity.AccountID, v *kernel.PhoneVerification) error {
	if v == nil {
		return errNil("put phone verification " + string(id))
	}
	_, err := t.exec(ctx, "put phone verification "+string(id), `INSERT INTO phone_verifications
		(account_id, status, code, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET status = excluded.status, code = excluded.code,
			expires_at = excluded.expires_at`,
		string(id), string(v.Status), v.Code, nanos(v.ExpiresAt))
	return err
}

// RegionOpts implements account.Tx: sorted by Region, byte-wise.
func (t *tx) RegionOpts(ctx context.Context, id identity.AccountID) ([]account.RegionOpt, error) {
	what := "region opts " + string(id)
	rows, err := t.query(ctx, `SELECT region, target, requested_at, due_at
		FROM region_opts WHERE account_id = ? ORDER BY region`, string(id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer rows.Close()
	var opts []account.RegionOpt
	for rows.Next() {
		var o account.RegionOpt
		if err := rows.Scan(&o.Region, &o.Target, scanTime{&o.RequestedAt}, scanTime{&o.DueAt}); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
		opts = append(opts, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return opts, nil
}

// regionOptsDueQuery reads the Region transitions due after a time: a
// range of the region_opts_due index (migration 0024).
const regionOptsDueQuery = `SELECT account_id, region, target, requested_at, due_at
	FROM region_opts WHERE due_at > ?`

// RegionOptsDueAfter implements account.Tx.
func (t *tx) RegionOptsDueAfter(ctx context.Context, at time.Time) ([]account.AccountRegionOpt, error) {
	return queryList(ctx, t, "region opts in flight", func(sc scanner, o *account.AccountRegionOpt) error {
		return sc.Scan(&o.Account, &o.Opt.Region, &o.Opt.Target, scanTime{&o.Opt.RequestedAt}, scanTime{&o.Opt.DueAt})
	}, regionOptsDueQuery, nanos(at))
}

// RegionOpt implements account.Tx.
func (t *tx) RegionOpt(ctx context.Context, id identity.AccountID, region string) (*account.RegionOpt, error) {
	o := account.RegionOpt{Region: region}
	err := t.queryRow(ctx, `SELECT target, requested_at, due_at
		FROM region_opts WHERE account_id = ? AND region = ?`, string(id), region).
		Scan(&o.Target, scanTime{&o.RequestedAt}, scanTime{&o.DueAt})
	if err != nil {
		return nil, rowErr(err, fmt.Sprintf("region opt %s %s", id, region))
	}
	return &o, nil
}

// PutRegionOpt implements account.Tx. o.Region selects the record.
func (t *tx) PutRegionOpt(ctx context.Context, id identity.AccountID, o *account.RegionOpt) error {
	if o == nil {
		return errNil("put region opt " + string(id))
	}
	_, err := t.exec(ctx, fmt.Sprintf("put region opt %s %s", id, o.Region), `INSERT INTO region_opts
		(account_id, region, target, requested_at, due_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account_id, region) DO UPDATE SET target = excluded.target,
			requested_at = excluded.requested_at, due_at = excluded.due_at`,
		string(id), o.Region, string(o.Target), nanos(o.RequestedAt), nanos(o.DueAt))
	return err
}

// EmailUpdate implements account.Tx.
func (t *tx) EmailUpdate(ctx context.Context, id identity.AccountID) (*account.EmailUpdate, error) {
	var u account.EmailUpdate
	err := t.queryRow(ctx, `SELECT new_email, code, expires_at, status, updated_at
		FROM email_updates WHERE account_id = ?`, string(id)).
		Scan(&u.NewEmail, &u.Code, scanTime{&u.ExpiresAt}, &u.Status, scanTime{&u.UpdatedAt})
	if err != nil {
		return nil, rowErr(err, "email update "+string(id))
	}
	return &u, nil
}

// PutEmailUpdate implements account.Tx.
func (t *tx) PutEmailUpdate(ctx context.Context, id identity.AccountID, u *account.EmailUpdate) error {
	if u == nil {
		return errNil("put email update " + string(id))
	}
	_, err := t.exec(ctx, "put email update "+string(id), `INSERT INTO email_updates
		(account_id, new_email, code, expires_at, status, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET new_email = excluded.new_email, code = excluded.code,
			expires_at = excluded.expires_at, status = excluded.status, updated_at = excluded.updated_at`,
		string(id), u.NewEmail, u.Code, nanos(u.ExpiresAt), string(u.Status), nanos(u.UpdatedAt))
	return err
}

// AddMessage implements account.Tx. Message IDs are unique: adding an ID
// twice fails.
func (t *tx) AddMessage(ctx context.Context, m *kernel.Message) error {
	if m == nil {
		return errNil("add message")
	}
	_, err := t.exec(ctx, "add message "+m.ID, `INSERT INTO outbox
		(id, sent_at, account_id, recipient, subject, body, code) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		m.ID, nanos(m.Time), m.Account, m.To, m.Subject, m.Body, m.Code)
	return err
}

// Messages implements kernel.Outbox: the most recently added messages
// first, at most limit of them (none if limit <= 0).
func (db *DB) Messages(ctx context.Context, limit int) ([]kernel.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT id, sent_at, account_id, recipient, subject, body, code
		FROM outbox ORDER BY seq DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: messages: %w", err)
	}
	defer rows.Close()
	var ms []kernel.Message
	for rows.Next() {
		var m kernel.Message
		if err := rows.Scan(&m.ID, scanTime{&m.Time}, &m.Account, &m.To, &m.Subject, &m.Body, &m.Code); err != nil {
			return nil, fmt.Errorf("sqlite: messages: %w", err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: messages: %w", err)
	}
	return ms, nil
}

// AccountsIn implements organizations.Tx: the accounts of ids that exist,
// in one query (those a read transaction has in memory, none).
func (t *tx) AccountsIn(ctx context.Context, ids []identity.AccountID) (map[identity.AccountID]*kernel.Account, error) {
	if len(ids) < 2 {
		return t.accountsIn(ctx, ids)
	}
	// A page's accounts are asked for together again and again: kept as
	// one entry, they cost one look-up, not one per account (each a few
	// cache misses in a large map).
	var key strings.Builder
	key.Grow(len(ids) * 13)
	for _, id := range ids {
		key.WriteString(string(id))
		key.WriteByte(0)
	}
	list, err := cachedList(ctx, t, accountsOfPage, key.String(), func() ([]kernel.Account, error) {
		m, err := t.accountsIn(ctx, ids)
		if err != nil {
			return nil, err
		}
		list := make([]kernel.Account, 0, len(m))
		for _, id := range ids {
			if a := m[id]; a != nil {
				list = append(list, *a)
			}
		}
		return list, nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[identity.AccountID]*kernel.Account, len(list))
	for i := range list {
		out[list[i].ID] = &list[i]
	}
	return out, nil
}

// accountsOfPage names AccountsIn's entries of many accounts in the row
// cache (it reads the accounts table; the queries run are accountsIn's).
const accountsOfPage = `SELECT ` + accountColumns + ` FROM accounts WHERE id IN (page)`

// accountsIn is AccountsIn with a row cache entry per account.
func (t *tx) accountsIn(ctx context.Context, ids []identity.AccountID) (map[identity.AccountID]*kernel.Account, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = string(id)
	}
	got, err := cachedRows(ctx, t, accountByID, keys, func(missing []string) (map[string]*kernel.Account, error) {
		out := make(map[string]*kernel.Account, len(missing))
		if len(missing) == 0 {
			return out, nil
		}
		args := make([]any, len(missing))
		for i, k := range missing {
			args[i] = k
		}
		list, err := queryList(ctx, t, "accounts", scanAccountInto,
			`SELECT `+accountColumns+` FROM accounts WHERE id IN (?`+strings.Repeat(`, ?`, len(missing)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for i := range list {
			out[string(list[i].ID)] = &list[i]
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[identity.AccountID]*kernel.Account, len(got))
	for k, a := range got {
		out[identity.AccountID(k)] = a
	}
	return out, nil
}
