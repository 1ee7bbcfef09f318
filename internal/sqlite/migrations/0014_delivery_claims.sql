-- 0014_delivery_claims: a webhook delivery is claimed by one replica at a
-- time (a lease until claimed_until, real time), so that replicas sharing
-- the store do not post it twice; a replica that dies loses its claim when
-- the lease runs out and another takes the delivery over.
ALTER TABLE event_deliveries ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE event_deliveries ADD COLUMN claimed_until INTEGER;
