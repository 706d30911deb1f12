-- Prevention programmes (PREVENTION.md): a programme's steps and questions are kept as JSON
-- (any content, defined by the service); each targeted establishment has a participation
-- with one progress row per step, its comments and attachments.
CREATE TABLE programmes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    theme TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    steps_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE programme_participations (
    id INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes(id),
    establishment_id INTEGER NOT NULL REFERENCES establishments(id),
    targeted_on DATE NOT NULL,
    invited_at TEXT,
    -- The company's profile: the headcount it states (contact and NAF are the establishment's).
    headcount INTEGER,
    UNIQUE (programme_id, establishment_id)
);
CREATE INDEX programme_participations_establishment ON programme_participations(establishment_id);
CREATE TABLE programme_steps (
    id INTEGER PRIMARY KEY,
    participation_id INTEGER NOT NULL REFERENCES programme_participations(id),
    step INTEGER NOT NULL,
    status TEXT NOT NULL,
    answers_json TEXT NOT NULL DEFAULT '{}',
    started_on DATE,
    submitted_on DATE,
    validated_on DATE,
    changed_on DATE NOT NULL,
    review_comment TEXT NOT NULL DEFAULT '',
    UNIQUE (participation_id, step)
);
CREATE TABLE programme_comments (
    id INTEGER PRIMARY KEY,
    participation_id INTEGER NOT NULL REFERENCES programme_participations(id),
    step INTEGER NOT NULL,
    side TEXT NOT NULL,
    author TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX programme_comments_participation ON programme_comments(participation_id, step);
CREATE TABLE programme_attachments (
    id INTEGER PRIMARY KEY,
    participation_id INTEGER NOT NULL REFERENCES programme_participations(id),
    step INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    content BLOB NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX programme_attachments_participation ON programme_attachments(participation_id, step);
