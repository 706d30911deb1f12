-- Indexes for the pages of a member: its invoices, declarations and employments.
CREATE INDEX invoices_establishment ON invoices(establishment_id);
CREATE INDEX declarations_establishment_year ON declarations(establishment_id, year);
CREATE INDEX employments_worker ON employments(worker_id);
CREATE INDEX establishments_name ON establishments(name, siret);
