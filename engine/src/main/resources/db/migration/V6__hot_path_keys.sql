-- Calls and attempts are written in bulk on the hot paths (intake COPY, claims): their foreign keys
-- cost a lookup per row. Both are written only by code that has just read or inserted the parent in
-- the same transaction, so the constraints are dropped for speed; the parents are never deleted.
alter table call drop constraint call_batch_id_fkey;
alter table call_attempt drop constraint call_attempt_call_id_fkey;
