-- 0016_cloudtrail_compact: the CloudTrail event history in its compact
-- form (trailcodec.go), replacing cloudtrail_events: about a sixth of the
-- bytes per record, and an index for every lookup attribute.
--
-- seq orders the rows as they were written and anchors NextTokens;
-- event_id is a UUID's 16 bytes (other ids: see eventIDBytes); account_id
-- is the recipient's 12-digit id as a number; event_time is the record's
-- eventTime in unix seconds (records have whole seconds); name_h, user_h,
-- source_h and key_h are 31-bit hashes of the account, the attribute and
-- the value of EventName, Username, EventSource and AccessKeyId; payload
-- holds the lookup facts and the record, deflated.
-- A store at this version has its history in these tables (version 16 of
-- the program copied cloudtrail_events over); since 0017, the history is
-- in blocks, and 0017 copies the rows of either table there.
CREATE TABLE cloudtrail_records (
    seq        INTEGER NOT NULL PRIMARY KEY,
    event_id   BLOB    NOT NULL UNIQUE,
    account_id INTEGER NOT NULL,
    event_time INTEGER NOT NULL,
    read_only  INTEGER NOT NULL,
    name_h     INTEGER NOT NULL,
    user_h     INTEGER NOT NULL,
    source_h   INTEGER NOT NULL,
    key_h      INTEGER NOT NULL,
    payload    BLOB    NOT NULL
);

CREATE INDEX cloudtrail_records_account ON cloudtrail_records (account_id, event_time, seq);
CREATE INDEX cloudtrail_records_ro      ON cloudtrail_records (account_id, read_only, event_time, seq);
CREATE INDEX cloudtrail_records_name    ON cloudtrail_records (name_h, event_time, seq);
CREATE INDEX cloudtrail_records_user    ON cloudtrail_records (user_h, event_time, seq);
CREATE INDEX cloudtrail_records_source  ON cloudtrail_records (source_h, event_time, seq);
CREATE INDEX cloudtrail_records_key     ON cloudtrail_records (key_h, event_time, seq);

-- cloudtrail_resources: one row per resource a record names and per
-- attribute (ResourceType, ResourceName), attr_h being the hash of the
-- account, the attribute and the value.
CREATE TABLE cloudtrail_resources (
    attr_h     INTEGER NOT NULL,
    event_time INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (attr_h, event_time, seq)
) WITHOUT ROWID;

CREATE INDEX cloudtrail_resources_seq ON cloudtrail_resources (seq);
