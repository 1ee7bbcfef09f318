-- 0017_cloudtrail_blocks: the CloudTrail event history in blocks
-- (trailblock.go): the records one transaction writes share one row of
-- cloudtrail_blocks, and each lookup value a block holds has one row of
-- cloudtrail_postings. The program copies the records of cloudtrail_events
-- (0004) or cloudtrail_records (0016) over after this script
-- (convertTrail) and drops those tables.
--
-- id numbers the blocks in the order they were written, never reusing one
-- (a record's
-- sequence is id * 1024 + its index in the block); min_time and max_time
-- bound its records' event times (unix seconds); records counts them.
CREATE TABLE cloudtrail_blocks (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    min_time INTEGER NOT NULL,
    max_time INTEGER NOT NULL,
    records  INTEGER NOT NULL,
    payload  BLOB    NOT NULL
);

CREATE INDEX cloudtrail_blocks_time ON cloudtrail_blocks (max_time);

-- attr_h is the 31-bit hash of an account, a lookup attribute and its
-- value (of no account for EventId; no attribute for every event of the
-- account); max_time is the newest event time in the block with it.
CREATE TABLE cloudtrail_postings (
    attr_h   INTEGER NOT NULL,
    max_time INTEGER NOT NULL,
    block    INTEGER NOT NULL,
    PRIMARY KEY (attr_h, max_time, block)
) WITHOUT ROWID;

-- No index by block: rewriting or deleting a block deletes its postings by
-- their keys, which its records give.
