-- The concurrency limit used to count a line's live calls at every claim. That count grows with the
-- calls in flight: at 1,000,000 calls with zero talk time the claim counted up to 100,000 live rows,
-- ~150 ms under the line lock, 21 % of PostgreSQL's time (pg_stat_statements). The count is now a tally.
--
-- Every statement that moves calls into or out of phase 1 (live) adds one row per line to
-- line_live_delta, by the triggers below, so no path (claim, end, release, lease expiry, suppression,
-- cancellation, a manual UPDATE) can forget it. Rows are only inserted, so transactions that end calls
-- never wait for one another or for a claim. A claim, holding the line row lock, folds the committed
-- deltas into line.live_calls (only claims delete deltas, and they hold that lock). A delta not yet
-- committed is not seen: its calls still count as live, so the limit can only be over-counted for an
-- instant, never exceeded (invariant 4).
alter table line add column live_calls integer not null default 0;
update line l set live_calls = (select count(*) from call c where c.line_id = l.id and c.phase = 1);

create table line_live_delta (
    line_id text    not null,
    delta   integer not null
);
create index line_live_delta_line on line_live_delta (line_id);

create function call_live_delta_on_update() returns trigger language plpgsql as $$
begin
    insert into line_live_delta (line_id, delta)
    select line_id, sum(d) from (
        select line_id, 1 as d from new_calls where phase = 1
        union all
        select line_id, -1 from old_calls where phase = 1) moved
    group by line_id having sum(d) <> 0;
    return null;
end $$;

create function call_live_delta_on_delete() returns trigger language plpgsql as $$
begin
    insert into line_live_delta (line_id, delta)
    select line_id, -count(*) from old_calls where phase = 1 group by line_id;
    return null;
end $$;

create trigger call_live_delta_update after update on call
    referencing old table as old_calls new table as new_calls
    for each statement execute function call_live_delta_on_update();
create trigger call_live_delta_delete after delete on call
    referencing old table as old_calls
    for each statement execute function call_live_delta_on_delete();

-- Only the live count used this index; deleting a line now asks the tally.
drop index if exists call_active;
