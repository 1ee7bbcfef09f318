-- 0018_cloudtrail_summaries: the postings of a block of reads are one per
-- account (attr_h the account's, no attribute), each with attrs: the
-- sorted 31-bit hashes (4 bytes each, big-endian) of every lookup value of
-- the account's records in the block. A lookup by a value reads the
-- value's postings (blocks of changes, as before) and the account's
-- postings that have attrs holding the value's hash (trailsummary.go).
-- Postings of earlier blocks keep attrs NULL and stay as they were.
ALTER TABLE cloudtrail_postings ADD COLUMN attrs BLOB;
