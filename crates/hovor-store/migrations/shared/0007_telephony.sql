-- Telephony: operators' extensions, what the exchange reports about them,
-- the connector's settings, and the calls behind phone sessions.
ALTER TABLE users ADD COLUMN phone_extension TEXT;
CREATE UNIQUE INDEX users_extension ON users(company_id, phone_extension);

CREATE TABLE phone_extensions (
    company_id  TEXT NOT NULL REFERENCES companies(id),
    extension   TEXT NOT NULL,
    registered  BOOLEAN NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (company_id, extension)
);

CREATE TABLE telephony (
    company_id    TEXT PRIMARY KEY REFERENCES companies(id),
    dial_url      TEXT,
    secret        TEXT,
    -- The last time the exchange called Hovor, and whether lines were last
    -- announced with the connector up.
    last_seen     BIGINT,
    announced_up  BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE calls (
    company_id   TEXT NOT NULL REFERENCES companies(id),
    call_id      TEXT NOT NULL,
    session_id   TEXT NOT NULL REFERENCES sessions(id),
    ringing_at   BIGINT,
    answered_at  BIGINT,
    ended_at     BIGINT,
    PRIMARY KEY (company_id, call_id)
);
