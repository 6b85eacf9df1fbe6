-- A message for operators only (a transfer's note for the colleague): kept in
-- the session's transcript, never shown or sent to its client.
ALTER TABLE messages ADD COLUMN internal BOOLEAN NOT NULL DEFAULT FALSE;
