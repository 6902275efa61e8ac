-- A call may carry its own retry policy, overriding its batch's and its agent's.
alter table call add column retry_policy jsonb;
