-- Messages to send (e-mail, SMS, letters to print), sent by the outbox worker with retries;
-- templates replaced by an admin; charges waiting for the next invoice (no-show fees);
-- replacement appointments (indicator K4) and changes of appointments; visit durations set
-- by the admin (defaults in code: EMA and post-exposure 30 min, others 20).
CREATE TABLE outbox_messages (
    id BIGSERIAL PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    dedup_key TEXT UNIQUE,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    calendar TEXT,
    purpose TEXT NOT NULL,
    appointment_id BIGINT REFERENCES appointments(id),
    establishment_id BIGINT REFERENCES establishments(id),
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox_messages(next_attempt_at) WHERE status = 'queued' AND channel <> 'letter';
CREATE INDEX outbox_letters ON outbox_messages(id) WHERE status = 'queued' AND channel = 'letter';
CREATE INDEX outbox_appointment ON outbox_messages(appointment_id);
CREATE INDEX outbox_establishment ON outbox_messages(establishment_id, id);
CREATE TABLE message_templates (
    code TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE pending_charges (
    id BIGSERIAL PRIMARY KEY,
    establishment_id BIGINT NOT NULL REFERENCES establishments(id),
    appointment_id BIGINT NOT NULL UNIQUE REFERENCES appointments(id),
    label TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    created_on DATE NOT NULL,
    invoice_id BIGINT REFERENCES invoices(id)
);
CREATE INDEX pending_charges_open ON pending_charges(establishment_id) WHERE invoice_id IS NULL;
ALTER TABLE appointments ADD COLUMN replaces_id BIGINT REFERENCES appointments(id);
ALTER TABLE appointments ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX appointments_slot_all ON appointments(slot_id);
CREATE INDEX appointments_establishment ON appointments(establishment_id, date);
CREATE TABLE visit_durations (
    kind TEXT PRIMARY KEY,
    minutes INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
