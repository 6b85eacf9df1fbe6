-- A client's rating of a conversation (issue 17): 1 to 5, once, after it
-- ended. No rating: all three are NULL.
ALTER TABLE sessions ADD COLUMN rating_score BIGINT;
ALTER TABLE sessions ADD COLUMN rating_comment TEXT;
ALTER TABLE sessions ADD COLUMN rated_at BIGINT;
