-- 0026_cloudtrail_blocks_min_time: the blocks that straddle a retention
-- purge's cut (some records older, some not) are found on this index; the
-- purge read every block for them. A block of one record (a change's) has
-- one time, so it never straddles: only blocks of several are indexed,
-- which spares every write an index entry.
CREATE INDEX cloudtrail_blocks_min_time ON cloudtrail_blocks (min_time) WHERE records > 1;
