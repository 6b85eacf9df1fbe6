-- A message is stored once: its row in `messages` is also its `message.created`
-- event in the session's stream, at `event_seq` (numbered by the stream's
-- counter like every other event of the stream). Messages written before this
-- migration keep their copy in `events` and have no `event_seq`.
ALTER TABLE messages ADD COLUMN event_seq BIGINT;
CREATE UNIQUE INDEX messages_event_seq ON messages(session_id, event_seq);
