-- 0021_cloudtrail_unindexed: on SQLite, a change's record is written as
-- its block alone in the change's transaction, with one row here instead
-- of its postings; a background indexer writes the postings of many such
-- blocks at once, sorted, and deletes their rows (trailindex.go). Lookups
-- read these blocks too, so a record is found before it is indexed.
-- acct_h is the posting of the record's account (no attribute), id_h its
-- event id's. PostgreSQL stores write postings at once and keep this
-- table empty (an import indexes what it brings).
CREATE TABLE cloudtrail_unindexed (
    block  INTEGER NOT NULL,
    acct_h INTEGER NOT NULL,
    id_h   INTEGER NOT NULL,
    PRIMARY KEY (block)
);

CREATE INDEX cloudtrail_unindexed_id ON cloudtrail_unindexed (id_h);
CREATE INDEX cloudtrail_unindexed_acct ON cloudtrail_unindexed (acct_h, block);
