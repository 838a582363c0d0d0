-- The federal list of extremist materials (issue 16): the catalog blocks a
-- record whose match with an entry of the list was confirmed
-- (catalog.record.blocked / unblocked); its copies are not lent in any
-- school. The entry and version are kept for the refusal's reason.
ALTER TABLE records ADD COLUMN extremist_entry int;
ALTER TABLE records ADD COLUMN extremist_version int;
