-- Canned answers (issue 17): the company's (owner '') and each operator's
-- own (owner = their user id), found by a shortcut unique per owner.
CREATE TABLE canned_answers (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    owner TEXT NOT NULL DEFAULT '',
    shortcut TEXT NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX canned_answers_shortcut ON canned_answers (company_id, owner, shortcut);
