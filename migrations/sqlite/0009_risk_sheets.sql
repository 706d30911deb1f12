-- Fiches d'entreprise: one per establishment and version (at most one draft at a time), its
-- work units with their risks, the PDF delivered to the employer.
CREATE TABLE risk_sheets (
    id INTEGER PRIMARY KEY,
    establishment_id INTEGER NOT NULL REFERENCES establishments(id),
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    started_on DATE NOT NULL,
    finalised_on DATE,
    delivered_on DATE,
    author TEXT NOT NULL,
    recommendations TEXT NOT NULL DEFAULT '',
    pdf BLOB,
    UNIQUE (establishment_id, version)
);
CREATE UNIQUE INDEX risk_sheets_one_draft ON risk_sheets(establishment_id) WHERE state = 'draft';
CREATE INDEX risk_sheets_finalised ON risk_sheets(establishment_id, finalised_on);
CREATE TABLE risk_sheet_units (
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER NOT NULL REFERENCES risk_sheets(id),
    name TEXT NOT NULL,
    headcount INTEGER NOT NULL,
    risks TEXT NOT NULL
);
CREATE INDEX risk_sheet_units_sheet ON risk_sheet_units(sheet_id, id);
