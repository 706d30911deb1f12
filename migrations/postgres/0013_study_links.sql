-- An individual workstation study serves a PDP case or an inaptitude procedure (R4624-42):
-- the case lists it, the doctor's opinion form proposes its date.
ALTER TABLE workplace_actions ADD COLUMN pdp_case_id BIGINT REFERENCES pdp_cases(id);
ALTER TABLE workplace_actions ADD COLUMN inaptitude_procedure BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX workplace_actions_worker ON workplace_actions(worker_id, date);
CREATE INDEX workplace_actions_pdp_case ON workplace_actions(pdp_case_id);
