-- Who changed an operator's status for them (issue 14): a supervisor's or
-- admin's user id on the history span their change began; NULL when the
-- operator, the system or an API key did it (the cause says which).
ALTER TABLE state_history ADD COLUMN changed_by TEXT;
