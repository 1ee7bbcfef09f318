-- accountplane fresh SQLite schema, generated from the migrations through 0026
-- (do not edit: TestFreshSchemaIsTheMigrations writes it; see freshschema.go)

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
, closed_at INTEGER, origin TEXT NOT NULL DEFAULT '', seller TEXT NOT NULL DEFAULT '', partition_name TEXT NOT NULL DEFAULT '', govcloud_account TEXT NOT NULL DEFAULT '');

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
, created_at INTEGER, user_key TEXT NOT NULL DEFAULT '');

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
, govcloud_account_id TEXT NOT NULL DEFAULT '');

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

CREATE TABLE policies (
    id          TEXT    NOT NULL PRIMARY KEY,
    org_id      TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    content     TEXT    NOT NULL,
    aws_managed INTEGER NOT NULL
, updated_at INTEGER);

CREATE INDEX policies_org ON policies (org_id, id);

CREATE TABLE attachments (
    org_id    TEXT NOT NULL,
    policy_id TEXT NOT NULL,
    target_id TEXT NOT NULL, attached_at INTEGER,
    PRIMARY KEY (org_id, policy_id, target_id)
);

CREATE TABLE tags (
    org_id      TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    tag_key     TEXT NOT NULL,
    tag_value   TEXT NOT NULL,
    PRIMARY KEY (org_id, resource_id, tag_key)
);

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

CREATE TABLE iam_policy_versions (
    policy_arn TEXT    NOT NULL,
    version_id TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    document   TEXT    NOT NULL,
    created_at INTEGER,
    PRIMARY KEY (policy_arn, version_id)
);

CREATE TABLE iam_attachments (
    account_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    owner_key  TEXT NOT NULL,
    owner      TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    PRIMARY KEY (account_id, kind, owner_key, policy_arn)
);

CREATE INDEX iam_attachments_policy ON iam_attachments (account_id, policy_arn);

CREATE TABLE account_aliases (
    account_id TEXT NOT NULL PRIMARY KEY,
    alias      TEXT NOT NULL
);

CREATE UNIQUE INDEX account_aliases_alias ON account_aliases (alias);

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
, kind TEXT NOT NULL DEFAULT '', user_name TEXT NOT NULL DEFAULT '', mfa_at INTEGER);

CREATE TABLE bus_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL,
    event_time  INTEGER,
    account_id  TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    detail_type TEXT    NOT NULL,
    -- body is the event exactly as delivered (JSON).
    body        TEXT    NOT NULL,
    created_at  INTEGER
);

CREATE INDEX bus_events_time ON bus_events (event_time, seq);

CREATE TABLE region_transitions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    caller       TEXT    NOT NULL,
    target       TEXT    NOT NULL,
    requested_at INTEGER,
    due_at       INTEGER,
    completed    INTEGER NOT NULL
);

CREATE INDEX region_transitions_due ON region_transitions (completed, due_at, id);

CREATE TABLE event_targets (
    id         TEXT    NOT NULL PRIMARY KEY,
    url        TEXT    NOT NULL,
    -- pattern is the compact JSON event pattern ('' matches everything).
    pattern    TEXT    NOT NULL,
    active     INTEGER NOT NULL,
    created_at INTEGER
);

CREATE TABLE event_deliveries (
    target_id       TEXT    NOT NULL,
    seq             INTEGER NOT NULL,
    created_at      INTEGER,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER,
    last_error      TEXT    NOT NULL, first_attempt_at INTEGER, dead_at INTEGER, claimed_by TEXT NOT NULL DEFAULT '', claimed_until INTEGER,
    PRIMARY KEY (target_id, seq)
);

CREATE INDEX event_deliveries_dead ON event_deliveries (seq, target_id) WHERE dead_at IS NOT NULL;

CREATE TABLE login_profiles (
    account_id     TEXT    NOT NULL,
    user_key       TEXT    NOT NULL,
    user_name      TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    created_at     INTEGER,
    changed_at     INTEGER,
    reset_required INTEGER NOT NULL,
    last_used      INTEGER,
    history        TEXT    NOT NULL,
    PRIMARY KEY (account_id, user_key)
);

CREATE TABLE password_policies (
    account_id       TEXT    NOT NULL PRIMARY KEY,
    minimum_length   INTEGER NOT NULL,
    require_symbols  INTEGER NOT NULL,
    require_numbers  INTEGER NOT NULL,
    require_upper    INTEGER NOT NULL,
    require_lower    INTEGER NOT NULL,
    allow_change     INTEGER NOT NULL,
    max_age          INTEGER NOT NULL,
    reuse_prevention INTEGER NOT NULL,
    hard_expiry      INTEGER NOT NULL
);

CREATE TABLE mfa_devices (
    account_id TEXT    NOT NULL,
    name_key   TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    path       TEXT    NOT NULL,
    seed       TEXT    NOT NULL,
    user_key   TEXT    NOT NULL,
    user_name  TEXT    NOT NULL,
    root       INTEGER NOT NULL,
    created_at INTEGER,
    enabled_at INTEGER,
    drift      INTEGER NOT NULL,
    tags       TEXT    NOT NULL,
    PRIMARY KEY (account_id, name_key)
);

CREATE TABLE signing_certificates (
    account_id  TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    user_key    TEXT    NOT NULL,
    user_name   TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    active      INTEGER NOT NULL,
    uploaded_at INTEGER,
    PRIMARY KEY (account_id, id)
);

CREATE INDEX signing_certificates_user ON signing_certificates (account_id, user_key, id);

CREATE TABLE access_key_uses (
    access_key_id TEXT NOT NULL PRIMARY KEY,
    used_at       INTEGER,
    service       TEXT NOT NULL,
    region        TEXT NOT NULL
);

CREATE TABLE credential_reports (
    account_id   TEXT NOT NULL PRIMARY KEY,
    generated_at INTEGER,
    ready_at     INTEGER,
    content      TEXT NOT NULL
);

CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE quota_buckets (
    bucket TEXT    NOT NULL PRIMARY KEY,
    tat    INTEGER NOT NULL
);

CREATE TABLE fault_rules (
    id        TEXT    NOT NULL PRIMARY KEY,
    rule      TEXT    NOT NULL,
    remaining INTEGER NOT NULL,
    injected  INTEGER NOT NULL,
    created   INTEGER NOT NULL
);

CREATE TABLE resource_policies (
    org_id     TEXT NOT NULL PRIMARY KEY,
    id         TEXT NOT NULL,
    content    TEXT NOT NULL,
    updated_at INTEGER
);

CREATE TABLE responsibility_transfers (
    id             TEXT NOT NULL PRIMARY KEY,
    org_id         TEXT NOT NULL,
    type           TEXT NOT NULL,
    name           TEXT NOT NULL,
    status         TEXT NOT NULL,
    handshake_id   TEXT NOT NULL,
    target_account TEXT NOT NULL,
    target_email   TEXT NOT NULL,
    source_account TEXT NOT NULL,
    source_email   TEXT NOT NULL,
    -- source_email_lower is source_email lower-cased in Go (strings.ToLower).
    source_email_lower TEXT NOT NULL,
    source_org     TEXT NOT NULL,
    start_at       INTEGER,
    end_at         INTEGER,
    expires_at     INTEGER,
    requested_at   INTEGER,
    updated_at     INTEGER
);

CREATE INDEX responsibility_transfers_handshake ON responsibility_transfers (handshake_id);

CREATE INDEX responsibility_transfers_target ON responsibility_transfers (target_account);

CREATE INDEX responsibility_transfers_source ON responsibility_transfers (source_account);

CREATE INDEX responsibility_transfers_source_email ON responsibility_transfers (source_email_lower);

CREATE TABLE policy_type_changes (
    org_id      TEXT    NOT NULL,
    policy_type TEXT    NOT NULL,
    enable      INTEGER NOT NULL,
    due_at      INTEGER,
    PRIMARY KEY (org_id, policy_type)
);

CREATE TABLE root_users (
    account_id           TEXT    NOT NULL PRIMARY KEY,
    first_signin_attempt INTEGER,
    last_signin          INTEGER,
    recovery_disabled    INTEGER NOT NULL
);

CREATE TABLE org_root_features (
    org_id                      TEXT    NOT NULL PRIMARY KEY,
    root_credentials_management INTEGER NOT NULL,
    root_sessions               INTEGER NOT NULL,
    updated_at                  INTEGER
);

CREATE TABLE cloudtrail_blocks (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    min_time INTEGER NOT NULL,
    max_time INTEGER NOT NULL,
    records  INTEGER NOT NULL,
    payload  BLOB    NOT NULL
);

CREATE INDEX cloudtrail_blocks_time ON cloudtrail_blocks (max_time);

CREATE TABLE cloudtrail_postings (
    attr_h   INTEGER NOT NULL,
    max_time INTEGER NOT NULL,
    block    INTEGER NOT NULL, attrs BLOB,
    PRIMARY KEY (attr_h, max_time, block)
) WITHOUT ROWID;

CREATE INDEX event_deliveries_seq ON event_deliveries (seq);

CREATE TABLE cloudtrail_unindexed (
    block  INTEGER NOT NULL,
    acct_h INTEGER NOT NULL,
    id_h   INTEGER NOT NULL,
    PRIMARY KEY (block)
);

CREATE INDEX cloudtrail_unindexed_id ON cloudtrail_unindexed (id_h);

CREATE INDEX cloudtrail_unindexed_acct ON cloudtrail_unindexed (acct_h, block);

CREATE TABLE cloudtrail_count (
    id INTEGER NOT NULL PRIMARY KEY, -- 1: the one row (none: no record)
    n  INTEGER NOT NULL
);

CREATE TRIGGER cloudtrail_count_insert AFTER INSERT ON cloudtrail_blocks
		BEGIN INSERT INTO cloudtrail_count (id, n) VALUES (1, NEW.records)
		ON CONFLICT (id) DO UPDATE SET n = n + excluded.n; END;

CREATE TRIGGER cloudtrail_count_delete AFTER DELETE ON cloudtrail_blocks
		BEGIN INSERT INTO cloudtrail_count (id, n) VALUES (1, -OLD.records)
		ON CONFLICT (id) DO UPDATE SET n = n + excluded.n; END;

CREATE TRIGGER cloudtrail_count_update AFTER UPDATE OF records ON cloudtrail_blocks
		BEGIN INSERT INTO cloudtrail_count (id, n) VALUES (1, NEW.records - OLD.records)
		ON CONFLICT (id) DO UPDATE SET n = n + excluded.n; END;

CREATE INDEX members_parent ON members (org_id, parent, account_id);

CREATE INDEX region_opts_due ON region_opts (due_at);

CREATE INDEX accounts_closed ON accounts (id) WHERE closed_at IS NOT NULL OR state = 'CLOSED';

CREATE INDEX cloudtrail_blocks_min_time ON cloudtrail_blocks (min_time) WHERE records > 1;

