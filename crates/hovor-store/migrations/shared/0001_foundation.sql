-- Companies, users, authentication and operator status.
-- Timestamps are milliseconds since the Unix epoch (UTC).

CREATE TABLE companies (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    settings    TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    company_id     TEXT NOT NULL REFERENCES companies(id),
    name           TEXT NOT NULL,
    email          TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    active         BOOLEAN NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX users_company ON users(company_id);

CREATE TABLE auth_sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX auth_sessions_user ON auth_sessions(user_id);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies(id),
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    scopes      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE pause_types (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies(id),
    name        TEXT NOT NULL,
    paid        BOOLEAN NOT NULL,
    archived    BOOLEAN NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX pause_types_company ON pause_types(company_id);

CREATE TABLE operator_states (
    user_id             TEXT PRIMARY KEY REFERENCES users(id),
    company_id          TEXT NOT NULL REFERENCES companies(id),
    logged_in           BOOLEAN NOT NULL,
    status              TEXT NOT NULL,
    pause_type_id       TEXT,
    live_connections    BIGINT NOT NULL,
    disconnected_since  BIGINT,
    grace_expired       BOOLEAN NOT NULL,
    since               BIGINT NOT NULL,
    cause               TEXT NOT NULL
);
CREATE INDEX operator_states_company ON operator_states(company_id);

CREATE TABLE state_history (
    id             TEXT PRIMARY KEY,
    company_id     TEXT NOT NULL REFERENCES companies(id),
    user_id        TEXT NOT NULL REFERENCES users(id),
    -- Per-user order of entries; several can start in the same millisecond.
    n              BIGINT NOT NULL,
    presence       TEXT NOT NULL,
    status         TEXT NOT NULL,
    pause_type_id  TEXT,
    cause          TEXT NOT NULL,
    started_at     BIGINT NOT NULL,
    ended_at       BIGINT
);
CREATE INDEX state_history_user ON state_history(user_id, started_at);
CREATE UNIQUE INDEX state_history_order ON state_history(user_id, n);

-- Real-time streams: one per user. Every event is stored with its sequence
-- number before it is pushed, so a reconnecting client replays what it missed.
CREATE TABLE streams (
    stream    TEXT PRIMARY KEY,
    last_seq  BIGINT NOT NULL
);

CREATE TABLE events (
    stream      TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (stream, seq)
);
