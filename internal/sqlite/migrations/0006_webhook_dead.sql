-- 0006_webhook_dead: a webhook delivery that keeps failing is given up
-- after a while (events.Options.DeadAfter) but kept, to be listed and
-- retried by hand.
--
-- first_attempt_at is the domain time the first failed attempt started
-- (NULL: none failed yet); dead_at the domain time the delivery was given
-- up (NULL: it is pending). A retry sets both back to NULL.

ALTER TABLE event_deliveries ADD COLUMN first_attempt_at INTEGER;
ALTER TABLE event_deliveries ADD COLUMN dead_at INTEGER;

CREATE INDEX event_deliveries_dead ON event_deliveries (seq, target_id) WHERE dead_at IS NOT NULL;
