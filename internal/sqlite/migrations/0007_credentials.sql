-- 0007_credentials: the credentials of root users and IAM users besides
-- access keys (passwords, virtual MFA devices, signing certificates), the
-- account password policy, the last use of each access key, the latest
-- credential report of each account, and the MFA and kind of STS sessions.
--
-- Same conventions as 0003_iam.sql (TEXT and INTEGER only, unix nanosecond
-- timestamps, NULL for the zero time, '' for an absent string, *_key
-- columns holding names lower-cased in Go). user_name '' is the root user.

-- login_profiles: password_hash is a salted PBKDF2 hash, never the
-- password; history is a JSON array of earlier hashes, newest first.
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

-- mfa_devices: virtual MFA devices. seed is the TOTP secret in Base32
-- (verifying a code needs it in the clear). A device is assigned to the
-- IAM user user_name, or to the root user when root is 1, or to nobody
-- (user_name '' and root 0). drift is in 30-second steps.
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

-- access_key_uses: the last signed request of each long-term access key
-- (written in batches, not per request). Rows of deleted keys are left.
CREATE TABLE access_key_uses (
    access_key_id TEXT NOT NULL PRIMARY KEY,
    used_at       INTEGER,
    service       TEXT NOT NULL,
    region        TEXT NOT NULL
);

-- credential_reports: each account's latest report (CSV).
CREATE TABLE credential_reports (
    account_id   TEXT NOT NULL PRIMARY KEY,
    generated_at INTEGER,
    ready_at     INTEGER,
    content      TEXT NOT NULL
);

-- sts_sessions: kind is '' for AssumeRole sessions and 'user' for
-- GetSessionToken sessions, whose user_name is the IAM user ('' for the
-- root user); mfa_at is when the session was authenticated with MFA.
ALTER TABLE sts_sessions ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE sts_sessions ADD COLUMN user_name TEXT NOT NULL DEFAULT '';
ALTER TABLE sts_sessions ADD COLUMN mfa_at INTEGER;
