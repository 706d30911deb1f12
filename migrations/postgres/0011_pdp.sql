-- Prevention of job loss (PDP): a case per worker (one open at a time), its follow-up items
-- (non-medical: advice, referrals, trials), and its medical notes (doctors and nurses only).
CREATE TABLE pdp_cases (
    id BIGSERIAL PRIMARY KEY,
    worker_id BIGINT NOT NULL REFERENCES workers(id),
    signal TEXT NOT NULL,
    opened_on DATE NOT NULL,
    opened_by TEXT NOT NULL,
    closed_on DATE,
    result TEXT
);
CREATE UNIQUE INDEX pdp_cases_one_open ON pdp_cases(worker_id) WHERE closed_on IS NULL;
CREATE TABLE pdp_items (
    id BIGSERIAL PRIMARY KEY,
    item_ref TEXT UNIQUE,
    case_id BIGINT NOT NULL REFERENCES pdp_cases(id),
    date DATE NOT NULL,
    item TEXT NOT NULL,
    partner TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL
);
CREATE INDEX pdp_items_case ON pdp_items(case_id, date);
CREATE INDEX pdp_items_date ON pdp_items(date, item);
CREATE TABLE pdp_medical_notes (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES pdp_cases(id),
    content TEXT NOT NULL,
    author_user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX pdp_medical_notes_case ON pdp_medical_notes(case_id, id);
