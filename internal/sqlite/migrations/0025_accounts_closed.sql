-- 0025_accounts_closed: the accounts closed or being closed, for the
-- organization's account quota (it read every member's account for each
-- CreateAccount and invitation).
CREATE INDEX accounts_closed ON accounts (id) WHERE closed_at IS NOT NULL OR state = 'CLOSED';
