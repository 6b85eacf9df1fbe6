-- Files in chats (issue 17): a file message lists its files (JSON, as the
-- message shows them), and a file names the message that carries it. An
-- operator's upload waiting for an e-mail reply has neither an e-mail nor
-- a message yet.
ALTER TABLE messages ADD COLUMN attachments TEXT;
ALTER TABLE attachments ADD COLUMN message_seq BIGINT;
