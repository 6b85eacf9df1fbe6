-- The operator a waiting session goes to first when they are free: an
-- e-mail thread's follow-up prefers the operator who answered the thread
-- (issue 15). Unlike target_operator_id it binds nobody: when they are not
-- free, routing picks as usual.
ALTER TABLE sessions ADD COLUMN preferred_operator_id TEXT;
