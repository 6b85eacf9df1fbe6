-- A system message says what happened as data too (a transfer, a session
-- ended by a supervisor), so each reader shows it in their own language; the
-- text stays its English wording.
ALTER TABLE messages ADD COLUMN notice TEXT;
