-- Leases by node heartbeat: a call's claim is valid while its owner node's heartbeat is fresh.
-- Renewing one row per node, instead of every live call's row, keeps renewal cheap at any load.
create table node (
    id            text primary key,
    started_at    timestamptz not null,
    heartbeat_at  timestamptz not null
);

-- Owners of calls claimed before this migration get a heartbeat that is long stale.
insert into node (id, started_at, heartbeat_at)
select distinct lease_owner, '-infinity'::timestamptz, '-infinity'::timestamptz
from call where lease_owner is not null
on conflict do nothing;

drop index if exists call_lease;
create index call_lease_owner on call (lease_owner) where state in ('dialing', 'ringing', 'in_progress');
