-- 0011_org_policies: what effective management policies and the
-- delegation policy need.
--
-- policies.updated_at and attachments.attached_at (nanoseconds of domain
-- time, NULL for rows written before) date an effective policy's
-- LastUpdatedTimestamp.
--
-- resource_policies holds each organization's delegation policy (its
-- resource-based policy): at most one per organization.

ALTER TABLE policies ADD COLUMN updated_at INTEGER;
ALTER TABLE attachments ADD COLUMN attached_at INTEGER;

CREATE TABLE resource_policies (
    org_id     TEXT NOT NULL PRIMARY KEY,
    id         TEXT NOT NULL,
    content    TEXT NOT NULL,
    updated_at INTEGER
);
