-- EventBridge events get ids the store derives from their seq
-- (BusReserve, eventids.go): a lookup by id decodes it, and no index of
-- ids is kept (its random inserts were an eighth of every write's WAL).
-- Events of earlier stores keep their random ids and are found by a scan.
DROP INDEX IF EXISTS bus_events_id;
