-- 0012_cloudtrail_lookup: LookupEvents by each lookup attribute reads one
-- index range, newest first, instead of scanning the account's history
-- (0.3 s at 200,000 records, 40 s at 2 million). EventId has its unique
-- index already; ResourceType and ResourceName still scan the account's
-- records (their values sit in the JSON array of resources).
CREATE INDEX cloudtrail_events_name   ON cloudtrail_events (account_id, event_name, event_time, seq);
CREATE INDEX cloudtrail_events_user   ON cloudtrail_events (account_id, username, event_time, seq);
CREATE INDEX cloudtrail_events_source ON cloudtrail_events (account_id, event_source, event_time, seq);
CREATE INDEX cloudtrail_events_key    ON cloudtrail_events (account_id, access_key_id, event_time, seq);
CREATE INDEX cloudtrail_events_ro     ON cloudtrail_events (account_id, read_only, event_time, seq);
