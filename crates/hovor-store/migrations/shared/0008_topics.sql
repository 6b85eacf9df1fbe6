-- Topics instead of one stream per reader: a company's team events (everyone's
-- status, channels and phone line) are written once, to the company's stream,
-- which supervisors and admins read. `subject` names the operator such an event
-- is about, so a supervisor's connection can skip their own (they come through
-- their own stream too).
ALTER TABLE events ADD COLUMN subject TEXT;
