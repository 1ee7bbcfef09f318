-- 0023_members_parent: the accounts directly under a root or OU, in id
-- order, for keyset pages of ListAccountsForParent and ListChildren (they
-- filtered the organization's members by parent: a scan of every member
-- for each page).
CREATE INDEX members_parent ON members (org_id, parent, account_id);
