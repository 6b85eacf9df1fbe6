-- Per-user preferences that follow the user to any computer.
CREATE TABLE user_settings (
    user_id                 TEXT PRIMARY KEY REFERENCES users(id),
    notification_settings   TEXT NOT NULL
);
