-- Imports from the previous software and payroll files (DATA-FORMATS.md).
-- A PDP case opened or closed by retention.csv keeps the line's item_ref, so that a
-- re-import recognises it.
ALTER TABLE pdp_cases ADD COLUMN opened_ref TEXT;
ALTER TABLE pdp_cases ADD COLUMN closed_ref TEXT;
CREATE UNIQUE INDEX pdp_cases_opened_ref ON pdp_cases(opened_ref) WHERE opened_ref IS NOT NULL;
CREATE UNIQUE INDEX pdp_cases_closed_ref ON pdp_cases(closed_ref) WHERE closed_ref IS NOT NULL;
-- Hardship factors declared by payroll (DSN S21.G00.34), per employment and month: shown to
-- the doctor as declared; factor 99 of a later month cancels the earlier ones.
CREATE TABLE payroll_hardship (
    id INTEGER PRIMARY KEY,
    employment_id INTEGER NOT NULL REFERENCES employments(id),
    factor TEXT NOT NULL,
    declared_month DATE NOT NULL,
    UNIQUE (employment_id, factor, declared_month)
);
CREATE INDEX payroll_hardship_employment ON payroll_hardship(employment_id, declared_month);
