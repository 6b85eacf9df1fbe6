-- Everyone who has held a session (issue 13): a colleague who handed a
-- conversation on may still read it, as the session list's rule says; other
-- operators may not. Written in the transaction that accepts.
CREATE TABLE session_holders (
    session_id   TEXT NOT NULL,
    operator_id  TEXT NOT NULL,
    PRIMARY KEY (session_id, operator_id)
);
-- Sessions held before this table existed: their current holder.
INSERT INTO session_holders (session_id, operator_id)
    SELECT id, operator_id FROM sessions WHERE operator_id IS NOT NULL;
