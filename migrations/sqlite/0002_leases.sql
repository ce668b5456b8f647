-- Work leases: a worker holds a document exclusively while a stage handles it,
-- so a redelivered message cannot run the same stage twice at once; the
-- sweeper re-enqueues documents whose lease expired (the worker died).
ALTER TABLE documents ADD COLUMN lease_owner TEXT;
ALTER TABLE documents ADD COLUMN lease_until TEXT;
CREATE INDEX documents_lease ON documents(state, lease_until);
