-- Whether a session's client is still there (issue 12, "clients who leave stay
-- in the queue for ever"): the client's open connections (widget or
-- invitation page), when it was last seen (a connection opened or closed, or a
-- request), and whether its page said it was leaving (it closed its socket as
-- the page went away). A waiting or offered session whose client has been gone
-- for the company's `client_gone_s` ends as `abandoned`.
ALTER TABLE sessions ADD COLUMN client_connections BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN client_seen_at BIGINT;
ALTER TABLE sessions ADD COLUMN client_leaving BOOLEAN NOT NULL DEFAULT FALSE;
-- Open sessions by status, across companies: the routing tick's companies
-- with a queue, and the clients who are gone, without reading ended sessions.
CREATE INDEX sessions_status ON sessions(status, company_id);
