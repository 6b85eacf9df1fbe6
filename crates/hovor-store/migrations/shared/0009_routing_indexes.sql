-- What the hot paths look sessions up by, so that each is a short index range
-- instead of a scan of the company's sessions:
-- - an operator's load (an offer rechecks it): their active and offered sessions;
CREATE INDEX sessions_operator ON sessions(operator_id, status);
CREATE INDEX sessions_offered_to ON sessions(offered_to, status);
-- - the wait estimate: the company's last acceptances;
CREATE INDEX sessions_accepted ON sessions(company_id, accepted_at);
-- - a queued session's place: those queued before it on its channel (read from
--   the index alone).
CREATE INDEX sessions_queue ON sessions(company_id, channel, status, queued_at, id);
