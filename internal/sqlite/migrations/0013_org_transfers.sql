-- 0011_org_transfers: partitions and GovCloud pairs, responsibility
-- transfers, and policy type changes in progress.
--
-- Same conventions as 0001_init.sql: TEXT and INTEGER only, timestamps as
-- INTEGER unix nanoseconds in UTC (NULL is the zero time), optional strings
-- as '' (NOT NULL), no triggers, CHECKs or foreign keys.

-- partition_name is the account's partition ('' for the commercial one,
-- 'aws-us-gov', ...); govcloud_account the GovCloud (US) account paired
-- with a commercial account ('' for none).
ALTER TABLE accounts ADD COLUMN partition_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN govcloud_account TEXT NOT NULL DEFAULT '';

-- govcloud_account_id is the GovCloud account of a CreateGovCloudAccount
-- request ('' for CreateAccount's).
ALTER TABLE create_account_statuses ADD COLUMN govcloud_account_id TEXT NOT NULL DEFAULT '';

-- responsibility_transfers: org_id is the target's organization (the
-- inviter's), so DeleteOrganization removes its transfers.
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

-- policy_type_changes: the latest enabling (enable = 1) or disabling of
-- each policy type in an organization's root, pending until due_at.
CREATE TABLE policy_type_changes (
    org_id      TEXT    NOT NULL,
    policy_type TEXT    NOT NULL,
    enable      INTEGER NOT NULL,
    due_at      INTEGER,
    PRIMARY KEY (org_id, policy_type)
);
