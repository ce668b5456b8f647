-- Outbox claims: a relay claims the rows it is about to publish, so several
-- relays (one per worker process) do not publish the same messages; a claim
-- that expires (its relay died) makes the rows available again.
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
