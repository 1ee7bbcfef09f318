-- 0001_init: the Account Management tables and access keys.
--
-- Conventions (keep them when adding migrations, and mirror them in the
-- PostgreSQL backend's own migrations):
--   * Only TEXT and INTEGER columns. Timestamps are INTEGER unix nanoseconds
--     in UTC (BIGINT in PostgreSQL); NULL is the zero time.Time. Booleans are
--     INTEGER 0/1.
--   * Optional string members are stored as '' (NOT NULL), never NULL.
--   * No triggers, no CHECKs, no foreign keys: rules live in the domain.
--     Indexes exist for lookups; the one unique index (accounts.email_lower)
--     backs a lookup whose uniqueness the domain already checks.

CREATE TABLE accounts (
    id             TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    email          TEXT    NOT NULL,
    -- email_lower is email lower-cased in Go (strings.ToLower), for the
    -- case-insensitive AccountByEmail lookup.
    email_lower    TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    created_at     INTEGER,
    payment_method INTEGER NOT NULL
);

CREATE UNIQUE INDEX accounts_email_lower ON accounts (email_lower);

CREATE TABLE alternate_contacts (
    account_id    TEXT NOT NULL,
    contact_type  TEXT NOT NULL,
    name          TEXT NOT NULL,
    title         TEXT NOT NULL,
    email_address TEXT NOT NULL,
    phone_number  TEXT NOT NULL,
    PRIMARY KEY (account_id, contact_type)
);

CREATE TABLE contact_information (
    account_id         TEXT NOT NULL PRIMARY KEY,
    full_name          TEXT NOT NULL,
    address_line1      TEXT NOT NULL,
    address_line2      TEXT NOT NULL,
    address_line3      TEXT NOT NULL,
    city               TEXT NOT NULL,
    state_or_region    TEXT NOT NULL,
    district_or_county TEXT NOT NULL,
    postal_code        TEXT NOT NULL,
    country_code       TEXT NOT NULL,
    phone_number       TEXT NOT NULL,
    company_name       TEXT NOT NULL,
    website_url        TEXT NOT NULL
);

CREATE TABLE phone_verifications (
    account_id TEXT NOT NULL PRIMARY KEY,
    status     TEXT NOT NULL,
    code       TEXT NOT NULL,
    expires_at INTEGER
);

CREATE TABLE region_opts (
    account_id   TEXT NOT NULL,
    region       TEXT NOT NULL,
    target       TEXT NOT NULL,
    requested_at INTEGER,
    due_at       INTEGER,
    PRIMARY KEY (account_id, region)
);

CREATE TABLE email_updates (
    account_id TEXT NOT NULL PRIMARY KEY,
    new_email  TEXT NOT NULL,
    code       TEXT NOT NULL,
    expires_at INTEGER,
    status     TEXT NOT NULL,
    updated_at INTEGER
);

CREATE TABLE outbox (
    -- seq is the insertion order (an alias of the rowid here; an identity
    -- column in PostgreSQL). Messages are listed by it, newest first.
    seq        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL,
    sent_at    INTEGER,
    account_id TEXT    NOT NULL,
    recipient  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    code       TEXT    NOT NULL
);

CREATE UNIQUE INDEX outbox_id ON outbox (id);

CREATE TABLE access_keys (
    id         TEXT    NOT NULL PRIMARY KEY,
    -- secret is plaintext: the emulator recomputes SigV4 HMACs with it.
    secret     TEXT    NOT NULL,
    account_id TEXT    NOT NULL,
    user_name  TEXT    NOT NULL,
    active     INTEGER NOT NULL
);
