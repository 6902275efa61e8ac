-- Intake writes 10,000s of calls per request, and every state change of a call rewrites its
-- entry in every index (state is indexed, so no update of a call is HOT): each index on call is
-- paid per row, several times over. This migration leaves four indexes to write at intake instead of six.
--
-- call_pending_destination, keyed by phone number across the organization, put each new entry on
-- a random page of a large tree, which after a checkpoint costs a full page image in the WAL:
-- about 120 of the 250 ms of a 10,000-row COPY into a table of 500,000 calls. Keyed by batch
-- first, the entries of one request land together. The same index answers "does this batch have
-- unfinished calls" (its leading column), so call_unfinished goes too; and the organization-wide
-- duplicate check (dedup_across_batches, off by default) reaches it through the open batches.
--
-- call_batch (batch_id, state, outcome) served the counters and the filtered call list, but both
-- read the heap anyway (counters count dials; the list returns rows), so call_batch_page, also
-- led by batch_id, serves them as well.
drop index if exists call_pending_destination;
drop index if exists call_unfinished;
drop index if exists call_batch;
create index call_open on call (batch_id, destination) where state <> 'finished';

-- The claim index loses its trailing id: the calls of a batch share line, priority and due time,
-- so without the id their entries are equal keys, which PostgreSQL stores deduplicated as posting
-- lists (one entry per key, a sorted list of row pointers) instead of 10,000 separate ones:
-- 74 ms instead of 95–160 ms to COPY 10,000 calls with the primary key and this index. Ties are
-- then taken in row-pointer order, which is insertion order: first come, first dialed.
drop index if exists call_due;
create index call_due on call (line_id, priority desc, due_at) where state = 'scheduled';
