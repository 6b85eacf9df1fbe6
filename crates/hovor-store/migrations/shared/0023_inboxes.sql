-- The e-mail channel (issue 15): a company's inboxes, each read over IMAP
-- and answered over SMTP, and the e-mails of each thread. A thread is an
-- `email` session; each e-mail is also a message of it, for the transcript.
CREATE TABLE inboxes (
    id              TEXT PRIMARY KEY,
    company_id      TEXT NOT NULL REFERENCES companies(id),
    name            TEXT NOT NULL,
    -- The address clients write to and replies are sent from.
    address         TEXT NOT NULL,
    -- New threads wait in this group (NULL: the built-in one).
    group_id        TEXT,
    imap_host       TEXT NOT NULL,
    imap_port       BIGINT NOT NULL,
    imap_security   TEXT NOT NULL,
    imap_username   TEXT NOT NULL,
    -- Sealed with the deployment's secret key (secret_box.rs), never plain.
    imap_password   TEXT NOT NULL,
    imap_folder     TEXT NOT NULL,
    smtp_host       TEXT NOT NULL,
    smtp_port       BIGINT NOT NULL,
    smtp_security   TEXT NOT NULL,
    smtp_username   TEXT NOT NULL,
    smtp_password   TEXT NOT NULL,
    active          BOOLEAN NOT NULL,
    -- Counts an admin's changes: a reader started before one starts over.
    revision        BIGINT NOT NULL,
    -- Where reading stands: the folder's UIDVALIDITY and the last UID stored.
    uid_validity    BIGINT,
    last_uid        BIGINT NOT NULL,
    -- How the last attempt went: 'connecting', 'ok' or 'failing'.
    state           TEXT NOT NULL,
    last_error      TEXT,
    checked_at      BIGINT,
    -- The node reading it, until when (one reader per inbox in a cluster).
    claimed_by      TEXT,
    claimed_until   BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    deleted_at      BIGINT
);
CREATE INDEX inboxes_company ON inboxes(company_id);

CREATE TABLE emails (
    id              TEXT PRIMARY KEY,
    company_id      TEXT NOT NULL REFERENCES companies(id),
    inbox_id        TEXT NOT NULL REFERENCES inboxes(id),
    session_id      TEXT NOT NULL REFERENCES sessions(id),
    -- The session message it appears as.
    message_seq     BIGINT NOT NULL,
    direction       TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    in_reply_to     TEXT,
    -- Space-separated ids.
    refs            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    thread_subject  TEXT NOT NULL,
    from_address    TEXT NOT NULL,
    from_name       TEXT,
    -- Comma-separated addresses.
    to_addresses    TEXT NOT NULL,
    cc_addresses    TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    -- The Date header, or when it was received.
    sent_at         BIGINT NOT NULL,
    stored_at       BIGINT NOT NULL,
    -- Outgoing only: 'pending', 'sent' or 'failed', with the attempts.
    send_state      TEXT,
    send_attempts   BIGINT NOT NULL,
    send_error      TEXT,
    next_attempt_at BIGINT
);
-- An e-mail read twice (a crash between storing and marking it read) is
-- stored once.
CREATE UNIQUE INDEX emails_message_id ON emails(inbox_id, message_id);
CREATE INDEX emails_session ON emails(session_id, stored_at);
CREATE INDEX emails_thread_subject ON emails(inbox_id, thread_subject, from_address);
