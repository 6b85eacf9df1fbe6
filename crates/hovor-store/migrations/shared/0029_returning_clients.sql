-- Returning clients (issue 17): the browser a client wrote from, as the
-- digest of the random id the widget keeps; with the e-mail and the phone
-- number it finds their earlier sessions.
ALTER TABLE sessions ADD COLUMN visitor_hash TEXT;
CREATE INDEX sessions_visitor ON sessions (company_id, visitor_hash);
CREATE INDEX sessions_client_email ON sessions (company_id, LOWER(client_email));
