-- Pause types get an order the admin sets (issue 14): the operator's status
-- menu lists them in it. Existing ones keep the order they had, creation.
ALTER TABLE pause_types ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
UPDATE pause_types SET position = (
    SELECT COUNT(*) FROM pause_types earlier
    WHERE earlier.company_id = pause_types.company_id
      AND (earlier.created_at < pause_types.created_at
           OR (earlier.created_at = pause_types.created_at AND earlier.id < pause_types.id))
);
