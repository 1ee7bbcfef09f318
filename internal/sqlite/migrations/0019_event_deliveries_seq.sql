-- 0019_event_deliveries_seq: the deliveries of an event, by its sequence.
-- Trimming the event log (BusTrim) keeps every event a delivery names and
-- asks for each candidate whether one does: without this index that was a
-- scan of every delivery per event, which on PostgreSQL did not finish
-- with hundreds of thousands of deliveries (a webhook down for a day).
CREATE INDEX event_deliveries_seq ON event_deliveries (seq);
