-- Webhook subscriptions. The outbox is the company's "wh_<company id>"
-- stream in `events`: written in the same transaction as each change. Each
-- subscription keeps a cursor into it, so nothing is lost or reordered.
CREATE TABLE webhooks (
    id              TEXT PRIMARY KEY,
    company_id      TEXT NOT NULL REFERENCES companies(id),
    url             TEXT NOT NULL,
    events          TEXT NOT NULL,
    secret          TEXT NOT NULL,
    active          BOOLEAN NOT NULL,
    created_at      BIGINT NOT NULL,
    deleted_at      BIGINT,
    -- The last outbox event handled (delivered, skipped or dead).
    cursor_seq      BIGINT NOT NULL,
    -- The head event's failed attempts, when it first failed, and when to try again.
    attempts        BIGINT NOT NULL,
    failing_since   BIGINT,
    retry_at        BIGINT
);
CREATE INDEX webhooks_company ON webhooks(company_id);

CREATE TABLE webhook_attempts (
    id            TEXT PRIMARY KEY,
    webhook_id    TEXT NOT NULL REFERENCES webhooks(id),
    event_seq     BIGINT NOT NULL,
    event_type    TEXT NOT NULL,
    attempt       BIGINT NOT NULL,
    status_code   BIGINT,
    error         TEXT,
    outcome       TEXT NOT NULL,
    attempted_at  BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_hook ON webhook_attempts(webhook_id, attempted_at);
