-- What the reports (issue 14) read a window of: the company's status
-- history and the sessions created in it, each a short index range instead
-- of a scan of the company's rows.
CREATE INDEX state_history_company ON state_history(company_id, started_at);
CREATE INDEX sessions_created ON sessions(company_id, created_at);
