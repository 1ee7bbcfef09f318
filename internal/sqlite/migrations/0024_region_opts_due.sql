-- 0024_region_opts_due: the Region transitions in flight (those due after
-- now), for the organization's limit on concurrent requests (it read every
-- member's records for each EnableRegion and DisableRegion).
CREATE INDEX region_opts_due ON region_opts (due_at);
