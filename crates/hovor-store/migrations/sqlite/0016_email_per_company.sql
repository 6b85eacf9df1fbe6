-- E-mail addresses are unique per company, not across the deployment
-- (issue 13): one company's administrator must not learn which addresses
-- exist in another. SQLite cannot drop the column's UNIQUE, so the table is
-- rebuilt; migrations run with foreign keys off, and they are checked after
-- (sqlite.rs, `migrate`).
CREATE TABLE users_new (
    id              TEXT PRIMARY KEY,
    company_id      TEXT NOT NULL REFERENCES companies(id),
    name            TEXT NOT NULL,
    email           TEXT NOT NULL,
    role            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    active          BOOLEAN NOT NULL,
    created_at      BIGINT NOT NULL,
    phone_extension TEXT
);
INSERT INTO users_new (id, company_id, name, email, role, password_hash, active, created_at, phone_extension)
    SELECT id, company_id, name, email, role, password_hash, active, created_at, phone_extension FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_company ON users(company_id);
CREATE UNIQUE INDEX users_extension ON users(company_id, phone_extension);
CREATE UNIQUE INDEX users_company_email ON users(company_id, email);
CREATE INDEX users_email ON users(email);
