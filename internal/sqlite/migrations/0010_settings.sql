-- 0010_settings: values every replica of a shared store reads: the key that
-- signs NextTokens and markers, and the domain clock's offset.

CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
