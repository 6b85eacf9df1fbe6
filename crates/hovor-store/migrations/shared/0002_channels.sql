-- Channels assigned to operators, each with the operator's on/off switch and
-- a capacity kept while switched off.
CREATE TABLE operator_channels (
    user_id     TEXT NOT NULL REFERENCES users(id),
    company_id  TEXT NOT NULL REFERENCES companies(id),
    channel     TEXT NOT NULL,
    capacity    BIGINT NOT NULL,
    enabled     BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, channel)
);
CREATE INDEX operator_channels_company ON operator_channels(company_id);
