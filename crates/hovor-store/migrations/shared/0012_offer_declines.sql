-- Declining an offer (issue 12): the session goes back to the queue and is not
-- offered again to those who declined it (`declined_by`: their ids, comma
-- separated); each decline is recorded with its reason, for reports.
ALTER TABLE sessions ADD COLUMN declined_by TEXT NOT NULL DEFAULT '';
CREATE TABLE offer_declines (
    session_id   TEXT NOT NULL REFERENCES sessions(id),
    operator_id  TEXT NOT NULL REFERENCES users(id),
    reason       TEXT,
    declined_at  BIGINT NOT NULL
);
CREATE INDEX offer_declines_operator ON offer_declines(operator_id, declined_at);
CREATE INDEX offer_declines_session ON offer_declines(session_id);
