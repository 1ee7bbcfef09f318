-- 0003_iam: the IAM tables (users, groups, roles, policies, attachments,
-- account aliases, STS sessions) and the access key columns IAM reads.
--
-- Same conventions as 0001_init.sql: TEXT and INTEGER only, timestamps as
-- INTEGER unix nanoseconds in UTC (NULL is the zero time), booleans as
-- INTEGER 0/1, optional strings as '' (NOT NULL), no triggers, CHECKs or
-- foreign keys: rules (and cascades) live in the domain.
--
-- IAM names are unique per account case-insensitively. Every named row
-- carries, next to the name as created, a *_key column holding it
-- lower-cased in Go (strings.ToLower); keys, lookups and orderings use the
-- key column (byte-wise: BINARY here, COLLATE "C" in PostgreSQL), lists are
-- ordered by key, then name. Owner and member names of child rows are kept
-- as written, with their key next to them.
--
-- Tables are prefixed iam_ where the plain name is taken (attachments,
-- policies) or is an SQL keyword (GROUPS).
--
-- Tags and lists of strings are JSON TEXT columns ('[]' for none): a JSON
-- array of {"key": ..., "value": ...} objects in their order, or of strings.

-- access_keys: created_at is NULL for keys written before this migration;
-- user_key is user_name lower-cased ('' for the root user's keys). Only root
-- keys (user_name '') predate it, and IAM names are ASCII, so SQL lower() is
-- as good as Go's here.
ALTER TABLE access_keys ADD COLUMN created_at INTEGER;
ALTER TABLE access_keys ADD COLUMN user_key TEXT NOT NULL DEFAULT '';
UPDATE access_keys SET user_key = lower(user_name);

CREATE INDEX access_keys_user ON access_keys (account_id, user_key, id);

CREATE TABLE iam_users (
    account_id TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    name       TEXT NOT NULL,
    path       TEXT NOT NULL,
    id         TEXT NOT NULL,
    created_at INTEGER,
    -- boundary is the permissions boundary policy ARN, '' for none.
    boundary   TEXT NOT NULL,
    tags       TEXT NOT NULL,
    PRIMARY KEY (account_id, name_key)
);

CREATE TABLE iam_groups (
    account_id TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    name       TEXT NOT NULL,
    path       TEXT NOT NULL,
    id         TEXT NOT NULL,
    created_at INTEGER,
    PRIMARY KEY (account_id, name_key)
);

CREATE TABLE iam_group_members (
    account_id TEXT NOT NULL,
    group_key  TEXT NOT NULL,
    group_name TEXT NOT NULL,
    user_key   TEXT NOT NULL,
    user_name  TEXT NOT NULL,
    PRIMARY KEY (account_id, group_key, user_key)
);

CREATE INDEX iam_group_members_user ON iam_group_members (account_id, user_key, group_key);

CREATE TABLE iam_roles (
    account_id           TEXT    NOT NULL,
    name_key             TEXT    NOT NULL,
    name                 TEXT    NOT NULL,
    path                 TEXT    NOT NULL,
    id                   TEXT    NOT NULL,
    created_at           INTEGER,
    description          TEXT    NOT NULL,
    trust_policy         TEXT    NOT NULL,
    -- max_session_duration is a Go time.Duration: nanoseconds.
    max_session_duration INTEGER NOT NULL,
    boundary             TEXT    NOT NULL,
    tags                 TEXT    NOT NULL,
    service_linked       INTEGER NOT NULL,
    PRIMARY KEY (account_id, name_key)
);

-- iam_inline_policies: kind is 'user', 'group' or 'role'; owner is the
-- user, group or role name.
CREATE TABLE iam_inline_policies (
    account_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    owner_key  TEXT NOT NULL,
    owner      TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    name       TEXT NOT NULL,
    document   TEXT NOT NULL,
    PRIMARY KEY (account_id, kind, owner_key, name_key)
);

-- iam_managed_policies: AWS managed policies have account_id ''. The
-- unique index backs the name check the store makes on write.
CREATE TABLE iam_managed_policies (
    arn             TEXT NOT NULL PRIMARY KEY,
    account_id      TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    name            TEXT NOT NULL,
    path            TEXT NOT NULL,
    id              TEXT NOT NULL,
    description     TEXT NOT NULL,
    default_version TEXT NOT NULL,
    created_at      INTEGER,
    updated_at      INTEGER,
    tags            TEXT NOT NULL
);

CREATE UNIQUE INDEX iam_managed_policies_name ON iam_managed_policies (account_id, name_key);

-- iam_policy_versions: the versions of a managed policy; position is the
-- index in ManagedPolicy.Versions (oldest first).
CREATE TABLE iam_policy_versions (
    policy_arn TEXT    NOT NULL,
    version_id TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    document   TEXT    NOT NULL,
    created_at INTEGER,
    PRIMARY KEY (policy_arn, version_id)
);

-- iam_attachments: a managed policy attached to a user, group or role.
CREATE TABLE iam_attachments (
    account_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    owner_key  TEXT NOT NULL,
    owner      TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    PRIMARY KEY (account_id, kind, owner_key, policy_arn)
);

CREATE INDEX iam_attachments_policy ON iam_attachments (account_id, policy_arn);

-- account_aliases: one alias per account, each alias held by one account
-- (the unique index backs the check the store makes on write).
CREATE TABLE account_aliases (
    account_id TEXT NOT NULL PRIMARY KEY,
    alias      TEXT NOT NULL
);

CREATE UNIQUE INDEX account_aliases_alias ON account_aliases (alias);

-- sts_sessions: temporary credentials issued by AssumeRole. secret and
-- token are plaintext (SigV4 verification needs the secret). policy_arns
-- is a JSON array of strings.
CREATE TABLE sts_sessions (
    access_key_id  TEXT NOT NULL PRIMARY KEY,
    secret         TEXT NOT NULL,
    token          TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    role_name      TEXT NOT NULL,
    role_id        TEXT NOT NULL,
    session_name   TEXT NOT NULL,
    expiration     INTEGER,
    issued_at      INTEGER,
    session_policy TEXT NOT NULL,
    policy_arns    TEXT NOT NULL,
    tags           TEXT NOT NULL,
    source         TEXT NOT NULL
);
