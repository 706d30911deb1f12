-- Appointments booked into slots: a slot holds at most one planned or done appointment.
ALTER TABLE appointments ADD COLUMN slot_id BIGINT REFERENCES slots(id);
CREATE UNIQUE INDEX appointments_slot ON appointments(slot_id) WHERE slot_id IS NOT NULL AND status IN ('planned', 'done');
CREATE INDEX appointments_planned ON appointments(worker_id, status, date);
