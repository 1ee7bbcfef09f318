-- 0010_settings: values every replica of a shared store reads: the key that
-- signs NextTokens and markers, and the domain clock's offset.

CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

-- Request-rate buckets replicas share: the GCRA theoretical arrival time
-- (unix nanoseconds) per "account|service:Operation".
CREATE TABLE quota_buckets (
    bucket TEXT    NOT NULL PRIMARY KEY,
    tat    INTEGER NOT NULL
);

-- Fault rules replicas share: the rule as JSON, the calls it may still
-- hit (-1: unlimited) and the calls it hit.
CREATE TABLE fault_rules (
    id        TEXT    NOT NULL PRIMARY KEY,
    rule      TEXT    NOT NULL,
    remaining INTEGER NOT NULL,
    injected  INTEGER NOT NULL,
    created   INTEGER NOT NULL
);
