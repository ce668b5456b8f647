-- A lease changes on every stage of every document. With `lease_until` out of
-- the indexes, and room left on each page, those updates are HOT: no index
-- entries written and no index bloat growing as a run goes on. The sweeper's
-- search for expired leases (every half minute, over unfinished documents)
-- finds its rows through the state index.
DROP INDEX IF EXISTS documents_lease;
ALTER TABLE documents SET (fillfactor = 70);
