-- Transcripts e-mailed to clients (issue 17): once per conversation, to the
-- address the client gave. The row is written before the e-mail is sent
-- (so two requests send one) and removed if sending fails.
CREATE TABLE transcript_emails (
    session_id  TEXT PRIMARY KEY REFERENCES sessions(id),
    company_id  TEXT NOT NULL REFERENCES companies(id),
    sent_to     TEXT NOT NULL,
    sent_at     BIGINT NOT NULL
);
