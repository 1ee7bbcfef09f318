-- 0004_cloudtrail: the CloudTrail event history, one row per record.
--
-- Same conventions as 0001_init.sql. event_id is the record's key (its
-- eventID); seq, the row id, orders the rows as they were written, breaks
-- ties between records of the same second and anchors LookupEvents'
-- NextTokens. account_id is the recipient (the account whose history holds
-- the record: the target account of an organizations-mode call);
-- event_time is the record's eventTime (whole seconds, domain time) as unix
-- nanoseconds; resources is a JSON array of {"type": ..., "name": ...}
-- objects; body is the record as JSON, exactly as LookupEvents returns it
-- in CloudTrailEvent.
--
-- Two indexes only (the key and the lookup order): every read call writes
-- a row, and every b-tree costs pages in each commit. Purging by time
-- walks the lookup index account by account (those of the accounts table).
CREATE TABLE cloudtrail_events (
    seq           INTEGER NOT NULL PRIMARY KEY,
    event_id      TEXT    NOT NULL UNIQUE,
    account_id    TEXT    NOT NULL,
    event_time    INTEGER NOT NULL,
    event_name    TEXT    NOT NULL,
    event_source  TEXT    NOT NULL,
    username      TEXT    NOT NULL,
    access_key_id TEXT    NOT NULL,
    read_only     INTEGER NOT NULL,
    resources     TEXT    NOT NULL,
    body          TEXT    NOT NULL
);

CREATE INDEX cloudtrail_events_account ON cloudtrail_events (account_id, event_time, seq);
