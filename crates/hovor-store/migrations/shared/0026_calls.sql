-- Audio and video calls in a conversation (issue 16): its call, while one
-- is proposed or running. No call: all four are NULL.
ALTER TABLE sessions ADD COLUMN call_state TEXT;
ALTER TABLE sessions ADD COLUMN call_media TEXT;
ALTER TABLE sessions ADD COLUMN call_by TEXT;
ALTER TABLE sessions ADD COLUMN call_since BIGINT;
