-- A call moves dialing → ringing → in_progress in seconds, and each move is an UPDATE. PostgreSQL
-- can make such an update HOT (heap-only: no new index entries, the old version pruned in place)
-- only when no indexed column changes value, and a column named in a partial index's WHERE counts
-- as indexed. Every partial index on call used to test `state`, so every progress event wrote a
-- new entry into every index of the table.
--
-- The indexes now test `phase` instead: 0 scheduled, 1 live (dialing, ringing or in_progress),
-- 2 finished, generated from state so it can never disagree with it. Moving between live states
-- leaves phase, and every other indexed column, unchanged: those updates are HOT. A fill factor
-- below 100 leaves each page room for the few new versions a call's progress makes.
alter table call add column phase smallint not null
    generated always as (case state when 'scheduled' then 0 when 'finished' then 2 else 1 end) stored;
alter table call set (fillfactor = 80);
alter table call_attempt set (fillfactor = 80);

drop index if exists call_due;
drop index if exists call_active;
drop index if exists call_lease_owner;
drop index if exists call_deadline;
drop index if exists call_open;
-- The claim: per line, scheduled calls by priority then due time (equal keys stored as posting lists, see V8).
create index call_due on call (line_id, priority desc, due_at) where phase = 0;
-- Live calls per line, for the concurrency limit; and per node, for lease settlement.
create index call_active on call (line_id) where phase = 1;
create index call_lease_owner on call (lease_owner) where phase = 1;
-- Scheduled calls with a deadline, for expiry.
create index call_deadline on call (deadline) where phase = 0 and deadline is not null;
-- Unfinished calls per batch, by number: completion checks and duplicate checks.
create index call_open on call (batch_id, destination) where phase < 2;
