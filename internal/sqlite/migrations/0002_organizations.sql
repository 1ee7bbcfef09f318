-- 0002_organizations: the account columns the Organizations domain reads,
-- and the Organizations tables.
--
-- Same conventions as 0001_init.sql: TEXT and INTEGER only, timestamps as
-- INTEGER unix nanoseconds in UTC (NULL is the zero time), optional strings
-- as '' (NOT NULL), no triggers, CHECKs or foreign keys. Every organization
-- row carries org_id so DeleteOrganization can remove an organization's rows
-- table by table. Lists are read in the order the store contract states; the
-- indexes below serve those reads (ids compare byte-wise: BINARY here,
-- COLLATE "C" in PostgreSQL).

-- closed_at is when closing was requested (NULL: open); origin and seller
-- are '' for accounts written before this migration.
ALTER TABLE accounts ADD COLUMN closed_at INTEGER;
ALTER TABLE accounts ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN seller TEXT NOT NULL DEFAULT '';

CREATE TABLE organizations (
    id                     TEXT NOT NULL PRIMARY KEY,
    feature_set            TEXT NOT NULL,
    management_account     TEXT NOT NULL,
    root_id                TEXT NOT NULL,
    created_at             INTEGER,
    -- enabled_policy_types is the list joined with ',' in its order ('' for
    -- none); a policy type never contains a comma.
    enabled_policy_types   TEXT NOT NULL,
    all_features_handshake TEXT NOT NULL
);

-- members: one row per account (an account is in at most one organization).
CREATE TABLE members (
    account_id TEXT NOT NULL PRIMARY KEY,
    org_id     TEXT NOT NULL,
    parent     TEXT NOT NULL,
    method     TEXT NOT NULL,
    joined_at  INTEGER
);

CREATE INDEX members_org ON members (org_id, account_id);

CREATE TABLE ous (
    id     TEXT NOT NULL PRIMARY KEY,
    org_id TEXT NOT NULL,
    parent TEXT NOT NULL,
    name   TEXT NOT NULL
);

CREATE INDEX ous_org ON ous (org_id, id);

CREATE TABLE create_account_statuses (
    id             TEXT NOT NULL PRIMARY KEY,
    org_id         TEXT NOT NULL,
    account_name   TEXT NOT NULL,
    email          TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    failure_reason TEXT NOT NULL,
    requested_at   INTEGER,
    due_at         INTEGER
);

CREATE INDEX create_account_statuses_org ON create_account_statuses (org_id, requested_at, id);

CREATE TABLE handshakes (
    id               TEXT NOT NULL PRIMARY KEY,
    org_id           TEXT NOT NULL,
    action           TEXT NOT NULL,
    state            TEXT NOT NULL,
    target_type      TEXT NOT NULL,
    target           TEXT NOT NULL,
    -- target_lower is target lower-cased in Go (strings.ToLower), for the
    -- case-insensitive lookup by email.
    target_lower     TEXT NOT NULL,
    target_account   TEXT NOT NULL,
    notes            TEXT NOT NULL,
    parent           TEXT NOT NULL,
    requested_at     INTEGER,
    expires_at       INTEGER,
    updated_at       INTEGER,
    management_email TEXT NOT NULL,
    management_name  TEXT NOT NULL,
    feature_set      TEXT NOT NULL
);

CREATE INDEX handshakes_org ON handshakes (org_id, requested_at, id);
CREATE INDEX handshakes_target_account ON handshakes (target_account);
CREATE INDEX handshakes_target_lower ON handshakes (target_lower);

CREATE TABLE enabled_services (
    org_id     TEXT NOT NULL,
    principal  TEXT NOT NULL,
    enabled_at INTEGER,
    PRIMARY KEY (org_id, principal)
);

CREATE TABLE delegated_admins (
    org_id     TEXT NOT NULL,
    account_id TEXT NOT NULL,
    principal  TEXT NOT NULL,
    enabled_at INTEGER,
    PRIMARY KEY (org_id, account_id, principal)
);

-- policies: AWS-managed policies have org_id ''.
CREATE TABLE policies (
    id          TEXT    NOT NULL PRIMARY KEY,
    org_id      TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    content     TEXT    NOT NULL,
    aws_managed INTEGER NOT NULL
);

CREATE INDEX policies_org ON policies (org_id, id);

CREATE TABLE attachments (
    org_id    TEXT NOT NULL,
    policy_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    PRIMARY KEY (org_id, policy_id, target_id)
);

-- tags: resource_id is a root, OU, account or policy id.
CREATE TABLE tags (
    org_id      TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    tag_key     TEXT NOT NULL,
    tag_value   TEXT NOT NULL,
    PRIMARY KEY (org_id, resource_id, tag_key)
);
