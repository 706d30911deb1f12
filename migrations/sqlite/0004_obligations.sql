-- The regulation engine's inputs beyond the declarations (appointments done, work stoppages,
-- visit requests, the doctor's periodicity and list), the versioned priority schema, and the
-- stored obligations the queues read.
CREATE TABLE priority_schema_editions (
    edition INTEGER PRIMARY KEY,
    schema_json TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE appointments (
    id INTEGER PRIMARY KEY,
    appointment_ref TEXT UNIQUE,
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    establishment_id INTEGER REFERENCES establishments(id),
    date DATE NOT NULL,
    time TEXT,
    duration_min INTEGER NOT NULL,
    kind TEXT NOT NULL,
    subtype TEXT NOT NULL DEFAULT '',
    performer TEXT NOT NULL,
    professional_id INTEGER REFERENCES professionals(id),
    centre_id INTEGER REFERENCES centres(id),
    status TEXT NOT NULL,
    teleconsultation BOOLEAN NOT NULL DEFAULT FALSE,
    experimental BOOLEAN NOT NULL DEFAULT FALSE,
    outcome TEXT NOT NULL DEFAULT 'none'
);
CREATE INDEX appointments_worker ON appointments(worker_id, date);
CREATE TABLE work_stoppages (
    id INTEGER PRIMARY KEY,
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    employment_id INTEGER NOT NULL REFERENCES employments(id),
    reason TEXT NOT NULL,
    start_on DATE NOT NULL,
    end_on DATE,
    returned_on DATE,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (employment_id, reason, start_on)
);
CREATE INDEX work_stoppages_worker ON work_stoppages(worker_id);
CREATE TABLE visit_requests (
    id INTEGER PRIMARY KEY,
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    employment_id INTEGER NOT NULL REFERENCES employments(id),
    kind TEXT NOT NULL,
    requester TEXT NOT NULL,
    asked_on DATE NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX visit_requests_worker ON visit_requests(worker_id);
CREATE TABLE followup_periodicities (
    worker_id INTEGER PRIMARY KEY REFERENCES workers(id),
    months INTEGER NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE TABLE doctor_watch_lists (
    professional_id INTEGER NOT NULL REFERENCES professionals(id),
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    added_on DATE NOT NULL,
    PRIMARY KEY (professional_id, worker_id)
);
CREATE INDEX doctor_watch_lists_worker ON doctor_watch_lists(worker_id);
CREATE TABLE obligations (
    id INTEGER PRIMARY KEY,
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    employment_id INTEGER NOT NULL REFERENCES employments(id),
    establishment_id INTEGER NOT NULL REFERENCES establishments(id),
    team_id INTEGER REFERENCES teams(id),
    kind TEXT NOT NULL,
    subtype TEXT NOT NULL,
    earliest DATE NOT NULL,
    due DATE,
    performer TEXT NOT NULL,
    reference TEXT NOT NULL,
    doctor_rank INTEGER,
    nurse_rank INTEGER,
    hired_on DATE NOT NULL,
    computed_on DATE NOT NULL
);
CREATE INDEX obligations_worker ON obligations(worker_id);
-- One partial index per queue, covering the counts per rank (team, rank, earliest, due).
CREATE INDEX obligations_doctor_queue ON obligations(team_id, doctor_rank, earliest, due) WHERE doctor_rank IS NOT NULL;
CREATE INDEX obligations_nurse_queue ON obligations(team_id, nurse_rank, earliest, due) WHERE nurse_rank IS NOT NULL;
