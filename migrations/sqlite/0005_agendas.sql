-- Agendas: weekly opening hours per professional and centre, closures (leave, training), and
-- the slots generated from them (or added by hand), one per professional, date and time.
CREATE TABLE opening_hours (
    id INTEGER PRIMARY KEY,
    professional_id INTEGER NOT NULL REFERENCES professionals(id),
    centre_id INTEGER NOT NULL REFERENCES centres(id),
    weekday INTEGER NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    slot_minutes INTEGER NOT NULL
);
CREATE INDEX opening_hours_professional ON opening_hours(professional_id);
CREATE TABLE agenda_closures (
    id INTEGER PRIMARY KEY,
    professional_id INTEGER NOT NULL REFERENCES professionals(id),
    from_date DATE NOT NULL,
    to_date DATE NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX agenda_closures_professional ON agenda_closures(professional_id, from_date);
CREATE TABLE slots (
    id INTEGER PRIMARY KEY,
    professional_id INTEGER NOT NULL REFERENCES professionals(id),
    centre_id INTEGER NOT NULL REFERENCES centres(id),
    date DATE NOT NULL,
    time TEXT NOT NULL,
    duration_min INTEGER NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (professional_id, date, time)
);
CREATE INDEX slots_date ON slots(date, professional_id);
