-- E-mail addresses are unique per company, not across the deployment
-- (issue 13): one company's administrator must not learn which addresses
-- exist in another. A login names its company when an address is in several.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_key;
CREATE UNIQUE INDEX users_company_email ON users (company_id, email);
CREATE INDEX users_email ON users (email);
