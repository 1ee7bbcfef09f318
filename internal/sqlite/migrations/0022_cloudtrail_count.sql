-- 0022_cloudtrail_count: the number of CloudTrail records the blocks hold,
-- so that a trim to --trail-max-events reads one row instead of summing
-- every block (a write's record is a block of its own: millions of rows).
-- On SQLite, triggers on cloudtrail_blocks keep it, in the transaction of
-- each change to the blocks (created by the migration's Go step, which
-- also counts the blocks already there). The triggers make the row when it
-- is missing (a new store's file is made from the schema alone). PostgreSQL keeps it empty: a
-- row every replica's writes updated would serialize them, so its trims
-- sum the blocks. Reset, export and import leave it out: it follows the
-- blocks.
CREATE TABLE cloudtrail_count (
    id INTEGER NOT NULL PRIMARY KEY, -- 1: the one row (none: no record)
    n  INTEGER NOT NULL
);
