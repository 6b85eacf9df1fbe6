-- Invitations: a code that connects a client directly with one operator.
CREATE TABLE invitations (
    id              TEXT PRIMARY KEY,
    company_id      TEXT NOT NULL REFERENCES companies(id),
    code            TEXT NOT NULL UNIQUE,
    operator_id     TEXT NOT NULL REFERENCES users(id),
    reusable        BOOLEAN NOT NULL,
    label           TEXT,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    uses            BIGINT NOT NULL,
    invalidated_at  BIGINT
);
CREATE INDEX invitations_operator ON invitations(company_id, operator_id);
