-- Member companies and establishments, workers and employments, yearly declarations,
-- fee schedules, invoices, payments and reminders.
CREATE TABLE companies (
    id BIGSERIAL PRIMARY KEY,
    siren TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE establishments (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    siret TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    naf_code TEXT,
    sector_id BIGINT NOT NULL REFERENCES sectors(id),
    team_id BIGINT REFERENCES teams(id),
    joined_on DATE NOT NULL,
    struck_off_on DATE,
    strike_off_reason TEXT,
    address TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    email TEXT,
    phone TEXT,
    search_text TEXT NOT NULL
);
CREATE INDEX establishments_company ON establishments(company_id);
CREATE INDEX establishments_team ON establishments(team_id);
CREATE TABLE workers (
    id BIGSERIAL PRIMARY KEY,
    worker_ref TEXT NOT NULL UNIQUE,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_date DATE NOT NULL,
    nir TEXT,
    email TEXT,
    mobile TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX workers_nir ON workers(nir);
CREATE INDEX workers_name ON workers(last_name, first_name);
CREATE TABLE employments (
    id BIGSERIAL PRIMARY KEY,
    worker_id BIGINT NOT NULL REFERENCES workers(id),
    establishment_id BIGINT NOT NULL REFERENCES establishments(id),
    job_title TEXT NOT NULL DEFAULT '',
    pcs_ese TEXT,
    contract TEXT NOT NULL,
    hired_on DATE NOT NULL,
    left_on DATE,
    UNIQUE (worker_id, establishment_id, hired_on)
);
CREATE INDEX employments_establishment ON employments(establishment_id);
CREATE TABLE declarations (
    id BIGSERIAL PRIMARY KEY,
    establishment_id BIGINT NOT NULL REFERENCES establishments(id),
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    submitted_at TIMESTAMPTZ,
    submitted_by TEXT,
    UNIQUE (establishment_id, year, version)
);
CREATE TABLE declaration_lines (
    id BIGSERIAL PRIMARY KEY,
    declaration_id BIGINT NOT NULL REFERENCES declarations(id),
    employment_id BIGINT NOT NULL REFERENCES employments(id),
    exposures TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    UNIQUE (declaration_id, employment_id)
);
CREATE TABLE category_decisions (
    id BIGSERIAL PRIMARY KEY,
    worker_id BIGINT NOT NULL REFERENCES workers(id),
    category TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX category_decisions_worker ON category_decisions(worker_id);
CREATE TABLE fee_schedules (
    year INTEGER PRIMARY KEY,
    per_worker_cents BIGINT NOT NULL,
    sis_cents BIGINT,
    sia_cents BIGINT,
    sir_cents BIGINT,
    minimum_cents BIGINT NOT NULL,
    no_show_cents BIGINT NOT NULL,
    self_employed_cents BIGINT NOT NULL
);
CREATE TABLE invoices (
    id BIGSERIAL PRIMARY KEY,
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    establishment_id BIGINT NOT NULL REFERENCES establishments(id),
    kind TEXT NOT NULL,
    issued_on DATE NOT NULL,
    due_on DATE NOT NULL,
    total_cents BIGINT NOT NULL,
    UNIQUE (year, number)
);
CREATE UNIQUE INDEX invoices_one_yearly ON invoices(establishment_id, year) WHERE kind = 'yearly';
CREATE TABLE invoice_lines (
    id BIGSERIAL PRIMARY KEY,
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    label TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_cents BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL
);
CREATE INDEX invoice_lines_invoice ON invoice_lines(invoice_id);
CREATE TABLE payments (
    id BIGSERIAL PRIMARY KEY,
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    paid_on DATE NOT NULL,
    amount_cents BIGINT NOT NULL,
    reference TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    UNIQUE (invoice_id, reference)
);
CREATE TABLE invoice_reminders (
    id BIGSERIAL PRIMARY KEY,
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    sent_on DATE NOT NULL
);
CREATE INDEX invoice_reminders_invoice ON invoice_reminders(invoice_id);
