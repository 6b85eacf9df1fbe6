-- Several nodes (issue 11): each node holds a lease it renews; the
-- connections it holds are counted per node, so that when a node dies (its
-- lease runs out) another node takes exactly its connections away: its
-- operators lose those connections, its clients get time to reconnect.
CREATE TABLE nodes (
    id           TEXT PRIMARY KEY,
    started_at   BIGINT NOT NULL,
    lease_until  BIGINT NOT NULL
);
CREATE TABLE node_connections (
    node_id      TEXT NOT NULL,
    -- 'operator' (stream: the user's id) or 'client' (stream: the session's id)
    kind         TEXT NOT NULL,
    stream       TEXT NOT NULL,
    company_id   TEXT NOT NULL,
    connections  BIGINT NOT NULL,
    PRIMARY KEY (node_id, kind, stream)
);
-- A webhook's deliveries are made by one node at a time: the node that
-- claims it (until `claimed_until`, renewed while it delivers).
ALTER TABLE webhooks ADD COLUMN claimed_by TEXT;
ALTER TABLE webhooks ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
