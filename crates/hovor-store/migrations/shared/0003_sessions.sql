-- Groups, sessions (the queue and conversations) and their messages.

CREATE TABLE groups (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies(id),
    name        TEXT NOT NULL,
    strategy    TEXT NOT NULL,
    max_queue   BIGINT,
    -- The built-in "All operators" group: every operator, no member rows.
    builtin     BOOLEAN NOT NULL,
    -- Deleted groups stay for the sessions that went through them.
    archived    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL
);
CREATE INDEX groups_company ON groups(company_id);

INSERT INTO groups (id, company_id, name, strategy, max_queue, builtin, created_at)
SELECT 'grp_all_' || id, id, 'All operators', 'longest_idle', NULL, TRUE, created_at FROM companies;

CREATE TABLE group_members (
    group_id  TEXT NOT NULL REFERENCES groups(id),
    user_id   TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE sessions (
    id                  TEXT PRIMARY KEY,
    company_id          TEXT NOT NULL REFERENCES companies(id),
    channel             TEXT NOT NULL,
    source              TEXT NOT NULL,
    status              TEXT NOT NULL,
    group_id            TEXT NOT NULL REFERENCES groups(id),
    -- Bound to one operator (invitation, transfer to a person).
    target_operator_id  TEXT,
    -- Who has it (active) or had it (ended).
    operator_id         TEXT,
    offered_to          TEXT,
    offer_deadline      BIGINT,
    client_name         TEXT,
    client_email        TEXT,
    client_phone        TEXT,
    page_url            TEXT,
    client_token_hash   TEXT UNIQUE,
    created_at          BIGINT NOT NULL,
    queued_at           BIGINT NOT NULL,
    accepted_at         BIGINT,
    ended_at            BIGINT,
    end_reason          TEXT
);
CREATE INDEX sessions_company_status ON sessions(company_id, status);

CREATE TABLE messages (
    session_id     TEXT NOT NULL REFERENCES sessions(id),
    seq            BIGINT NOT NULL,
    author         TEXT NOT NULL,
    operator_id    TEXT,
    text           TEXT NOT NULL,
    client_msg_id  TEXT,
    sent_at        BIGINT NOT NULL,
    PRIMARY KEY (session_id, seq)
);
CREATE UNIQUE INDEX messages_client_msg ON messages(session_id, client_msg_id);

ALTER TABLE operator_states ADD COLUMN last_offered_at BIGINT;
