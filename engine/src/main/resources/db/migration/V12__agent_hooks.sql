-- Per-agent hooks (HappyRobot's use-case hooks[]: a URL and custom headers): endpoints scoped to
-- one agent receive only the events of that agent's calls and batches, with their headers added.
alter table webhook_endpoint add column agent_id text;
alter table webhook_endpoint add column headers jsonb not null default '[]';   -- [{key, value}]
create index webhook_endpoint_agent on webhook_endpoint (agent_id) where agent_id is not null and deleted_at is null;

create or replace function webhook_fan_out() returns trigger language plpgsql as $$
begin
    insert into webhook_delivery (id, endpoint_id, org_id, event_seq, event_id, status, next_attempt_at, created_at, updated_at)
    select 'whd_' || translate(substr(md5(random()::text || n.event_id || e.id), 1, 20), '0189', 'wxyz'),
           e.id, n.org_id, n.seq, n.event_id, 'pending', n.created_at, n.created_at, n.created_at
    from new_events n
    join webhook_endpoint e on e.org_id = n.org_id and e.enabled and e.deleted_at is null
                           and (cardinality(e.event_types) = 0 or n.type = any (e.event_types))
    where e.agent_id is null
       -- an agent's hook: only events about its calls and batches (looked up only when such hooks exist)
       or e.agent_id = coalesce((select c.agent_id from call c where c.id = n.subject_id),
                                (select b.agent_id from batch b where b.id = n.subject_id));
    return null;
end $$;
