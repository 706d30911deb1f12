-- Actions on the work site (AMT): studies, measurements, awareness sessions, CSE meetings,
-- serious-event support, welcome visits; dated (a future date is part of the plan), with
-- the worker of an individual study, the workers concerned, the values measured, a report.
CREATE TABLE workplace_actions (
    id BIGSERIAL PRIMARY KEY,
    action_ref TEXT UNIQUE,
    establishment_id BIGINT NOT NULL REFERENCES establishments(id),
    date DATE NOT NULL,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    worker_id BIGINT REFERENCES workers(id),
    workers INTEGER,
    measurements TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL,
    report BYTEA,
    report_media_type TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX workplace_actions_establishment ON workplace_actions(establishment_id, date);
CREATE INDEX workplace_actions_author ON workplace_actions(author, date);
CREATE INDEX workplace_actions_date ON workplace_actions(date, type);
