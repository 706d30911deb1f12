-- Awareness sessions (intra-company for one establishment, or inter-company), the
-- registrations employers make in their portal, and the attendance recorded when held.
CREATE TABLE awareness_sessions (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    date DATE NOT NULL,
    place TEXT NOT NULL,
    establishment_id INTEGER REFERENCES establishments(id),
    capacity INTEGER NOT NULL,
    state TEXT NOT NULL,
    author TEXT NOT NULL
);
CREATE INDEX awareness_sessions_date ON awareness_sessions(date);
CREATE TABLE awareness_registrations (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES awareness_sessions(id),
    establishment_id INTEGER NOT NULL REFERENCES establishments(id),
    participants INTEGER NOT NULL,
    attended INTEGER,
    registered_by TEXT NOT NULL,
    UNIQUE (session_id, establishment_id)
);
