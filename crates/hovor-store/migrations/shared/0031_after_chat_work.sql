-- After-chat work (issue 17): a group's time after a conversation ends
-- during which its operator is offered nothing new of that channel. Each
-- rest is a span of its own: it runs until ends_at, or ended_at when the
-- operator said they were ready (or a later conversation's rest replaced it).
ALTER TABLE groups ADD COLUMN after_chat_s BIGINT NOT NULL DEFAULT 0;
CREATE TABLE after_chat_work (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    channel     TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    ended_at    BIGINT,
    -- 'ready' (the operator), 'replaced' (a later rest of the channel)
    ended_by    TEXT
);
CREATE INDEX after_chat_work_running ON after_chat_work(company_id, ends_at);
CREATE INDEX after_chat_work_user ON after_chat_work(user_id, started_at);
