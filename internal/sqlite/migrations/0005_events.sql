-- 0005_events: the EventBridge event log, the Region transitions whose
-- completion event is pending, and the webhook targets with their
-- outbox of pending deliveries.
--
-- Same conventions as 0001_init.sql. bus_events.seq and
-- region_transitions.id are AUTOINCREMENT (an identity column in
-- PostgreSQL): a seq is never reused, even after a reset, so a stream's
-- position stays meaningful. event_time is domain time; created_at,
-- next_attempt_at and updated_at are real time.

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

CREATE UNIQUE INDEX bus_events_id ON bus_events (id);
CREATE INDEX bus_events_time ON bus_events (event_time, seq);

-- region_transitions: one row per accepted Region request; completed is 1
-- once its ENABLED or DISABLED event is in bus_events.
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

-- Transitions requested before this migration: those already over in real
-- time (the domain clock is never behind it) are done; the others complete
-- on the domain clock like new ones.
INSERT INTO region_transitions (account_id, region, caller, target, requested_at, due_at, completed)
SELECT account_id, region, account_id, target, requested_at, due_at,
       CASE WHEN due_at IS NULL OR due_at <= CAST(strftime('%s', 'now') AS INTEGER) * 1000000000 THEN 1 ELSE 0 END
FROM region_opts;

CREATE TABLE event_targets (
    id         TEXT    NOT NULL PRIMARY KEY,
    url        TEXT    NOT NULL,
    -- pattern is the compact JSON event pattern ('' matches everything).
    pattern    TEXT    NOT NULL,
    active     INTEGER NOT NULL,
    created_at INTEGER
);

-- event_deliveries: the outbox, one row per (target, event) still to
-- deliver; a row is deleted once the target has taken the event.
CREATE TABLE event_deliveries (
    target_id       TEXT    NOT NULL,
    seq             INTEGER NOT NULL,
    created_at      INTEGER,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER,
    last_error      TEXT    NOT NULL,
    PRIMARY KEY (target_id, seq)
);
