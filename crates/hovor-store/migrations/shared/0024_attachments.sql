-- Files of a conversation (issue 15: e-mail attachments both ways). The
-- bytes live in the file store (HOVOR_FILES_DIR), named by their SHA-256;
-- a row says whose they are and who may fetch them.
CREATE TABLE attachments (
    id              TEXT PRIMARY KEY,
    company_id      TEXT NOT NULL REFERENCES companies(id),
    session_id      TEXT NOT NULL REFERENCES sessions(id),
    -- The e-mail that carries it; NULL for an operator's upload not sent yet.
    email_id        TEXT,
    name            TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            BIGINT NOT NULL,
    -- NULL when the file was not kept (larger than Hovor keeps).
    sha256          TEXT,
    -- The operator who uploaded it (NULL for a client's e-mail).
    uploaded_by     TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX attachments_session ON attachments(session_id, created_at);
CREATE INDEX attachments_email ON attachments(email_id);
