-- Set-password links (issue 14): an admin makes one for a user, shown once;
-- the user follows it and chooses a password. Only the token's digest is
-- kept; a link works once, until it expires, and a newer one replaces it.
CREATE TABLE password_links (
    token_hash  TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX password_links_user ON password_links(user_id);
