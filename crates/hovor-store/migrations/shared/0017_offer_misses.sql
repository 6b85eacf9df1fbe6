-- Missed offers (issue 14, the supervisor's wallboard): an offer that ran out
-- while its client was still there counts against the operator who let it.
-- Withdrawals for other reasons (the operator went offline) are not misses.
CREATE TABLE offer_misses (
    company_id   TEXT NOT NULL REFERENCES companies(id),
    session_id   TEXT NOT NULL REFERENCES sessions(id),
    operator_id  TEXT NOT NULL REFERENCES users(id),
    missed_at    BIGINT NOT NULL
);
CREATE INDEX offer_misses_company ON offer_misses(company_id, missed_at);

-- Today's counts (and reports) read sessions by when they were accepted or
-- ended, per company.
CREATE INDEX sessions_company_accepted ON sessions(company_id, accepted_at);
CREATE INDEX sessions_company_ended ON sessions(company_id, ended_at);
