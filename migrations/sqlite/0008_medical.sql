-- The medical file (DMST): visits recorded on appointments, entries per section kept in
-- versions (a correction is a new version that supersedes the old one, never an overwrite),
-- and the worker's objections to access by other professionals (R4624-45-6).
CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL UNIQUE REFERENCES appointments(id),
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    kind TEXT NOT NULL,
    author_user_id INTEGER NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    outcome TEXT NOT NULL,
    next_visit_months INTEGER,
    referral TEXT NOT NULL,
    prerequisites TEXT NOT NULL,
    measurements TEXT NOT NULL,
    teleconsultation BOOLEAN NOT NULL,
    experimental BOOLEAN NOT NULL,
    duration_min INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX visits_worker ON visits(worker_id, id);
CREATE TABLE medical_entries (
    id INTEGER PRIMARY KEY,
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    visit_id INTEGER REFERENCES visits(id),
    section TEXT NOT NULL,
    content TEXT NOT NULL,
    version INTEGER NOT NULL,
    supersedes_id INTEGER UNIQUE REFERENCES medical_entries(id),
    author_user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX medical_entries_worker ON medical_entries(worker_id, section, id);
CREATE TABLE medical_objections (
    id INTEGER PRIMARY KEY,
    worker_id INTEGER NOT NULL UNIQUE REFERENCES workers(id),
    objects_to_other_professionals BOOLEAN NOT NULL,
    objected_user_ids TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
-- Documents issued at a visit (attestation, opinions): the PDF as issued, its verification
-- code, and who it goes to; the outbox attaches it.
CREATE TABLE medical_documents (
    id INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL UNIQUE REFERENCES visits(id),
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    establishment_id INTEGER REFERENCES establishments(id),
    outcome TEXT NOT NULL,
    title TEXT NOT NULL,
    verification_code TEXT NOT NULL UNIQUE,
    issued_by_user_id INTEGER NOT NULL REFERENCES users(id),
    issued_at TEXT NOT NULL,
    pdf BLOB NOT NULL
);
CREATE INDEX medical_documents_establishment ON medical_documents(establishment_id, id);
ALTER TABLE outbox_messages ADD COLUMN document_id INTEGER REFERENCES medical_documents(id);
ALTER TABLE visits ADD COLUMN recommendations TEXT NOT NULL DEFAULT '';
-- What the purge job removed, file by file (the worker id stays: the worker may still be
-- followed, the old file is gone).
CREATE TABLE medical_purges (
    id INTEGER PRIMARY KEY,
    worker_id INTEGER NOT NULL,
    retention_end DATE NOT NULL,
    visits INTEGER NOT NULL,
    entries INTEGER NOT NULL,
    documents INTEGER NOT NULL,
    traces INTEGER NOT NULL,
    purged_at TEXT NOT NULL,
    purged_by TEXT NOT NULL
);
-- Files of the medical file: results of complementary exams, letters to and from treating
-- doctors (PDF or image, checked by their first bytes).
CREATE TABLE medical_attachments (
    id INTEGER PRIMARY KEY,
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    section TEXT NOT NULL,
    title TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    content BLOB NOT NULL,
    author_user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX medical_attachments_worker ON medical_attachments(worker_id, id);
