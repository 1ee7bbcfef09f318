-- 0015_root_access: centralized root access and root sign-ins.
--
-- Same conventions as 0003_iam.sql (TEXT and INTEGER only, unix nanosecond
-- timestamps, NULL for the zero time).

-- root_users: what IAM keeps of an account's root user besides its
-- credentials: its first sign-in attempt (the 35-day MFA rule), its last
-- sign-in, and whether centralized root access removed its credentials
-- (recovery_disabled 1: no root credential may be made, the password
-- cannot be recovered).
CREATE TABLE root_users (
    account_id           TEXT    NOT NULL PRIMARY KEY,
    first_signin_attempt INTEGER,
    last_signin          INTEGER,
    recovery_disabled    INTEGER NOT NULL
);

-- org_root_features: the centralized root access features an
-- organization enabled (IAM's EnableOrganizationsRootCredentialsManagement
-- and EnableOrganizationsRootSessions), by organization id.
CREATE TABLE org_root_features (
    org_id                      TEXT    NOT NULL PRIMARY KEY,
    root_credentials_management INTEGER NOT NULL,
    root_sessions               INTEGER NOT NULL,
    updated_at                  INTEGER
);
