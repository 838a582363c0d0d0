-- Overdue loans are marked once, the day after they fall due, by the
-- circulation's sweeper, which emits circulation.loan.overdue for each
-- (issue 16). A renewal clears the mark.
ALTER TABLE loans ADD COLUMN overdue_marked_on date;
CREATE INDEX loans_overdue_unmarked ON loans (due_date)
    WHERE returned_at IS NULL AND overdue_marked_on IS NULL;
-- loans already overdue are not announced all at once after the upgrade
UPDATE loans SET overdue_marked_on = current_date
    WHERE returned_at IS NULL AND due_date < current_date;
