-- When circulation's latest loan event of the copy happened (the CloudEvent
-- time: its transaction's start). Loan events are applied only when newer, so
-- a copy lent and returned in quick succession ends up on the shelf whatever
-- order the two events are applied in.
ALTER TABLE items ADD COLUMN loan_event_at timestamptz;

-- Until now loan.created and loan.returned had a consumer each, and a copy
-- lent and returned quickly could be left on_loan when the return was applied
-- first. The consumer that replaces them is new, so it reads the stream from
-- the start; forgetting that these events were applied lets it apply them all
-- again, in order, which puts every such copy right.
DELETE FROM inbox WHERE subject LIKE 'ibc.evt.circulation.loan.%';
