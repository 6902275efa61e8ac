-- Webhook endpoints and deliveries (issue 6).

create table webhook_endpoint (
    id                      text primary key,
    org_id                  text not null,
    url                     text not null,
    description             text,
    event_types             text[] not null default '{}',  -- empty: every event type
    enabled                 boolean not null default true,
    secret                  text not null,                  -- whsec_…: a signing key, needed in clear to sign
    previous_secret         text,                           -- still signs until previous_secret_until (rotation)
    previous_secret_until   timestamptz,
    failing_since           timestamptz,                    -- first failure of the current failing streak
    disabled_reason         text,
    created_at              timestamptz not null,
    updated_at              timestamptz not null,
    deleted_at              timestamptz
);
create index webhook_endpoint_org on webhook_endpoint (org_id, created_at, id) where deleted_at is null;

-- One row per (endpoint, event): the unit that is retried. Its webhook-id is the event id, stable across attempts.
create table webhook_delivery (
    id                  text primary key,
    endpoint_id         text not null,
    org_id              text not null,
    event_seq           bigint not null,
    event_id            text not null,
    status              text not null,      -- pending, delivering, succeeded, failed, aborted
    attempts            integer not null default 0,   -- the fencing token of a claim
    next_attempt_at     timestamptz not null,
    lease_owner         text,
    lease_expires_at    timestamptz,
    last_status_code    integer,
    last_error          text,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    unique (endpoint_id, event_id)
);
create index webhook_delivery_due on webhook_delivery (endpoint_id, next_attempt_at) where status = 'pending';
create index webhook_delivery_lease on webhook_delivery (lease_expires_at) where status = 'delivering';
create index webhook_delivery_endpoint on webhook_delivery (endpoint_id, created_at, id);

create table webhook_attempt (
    delivery_id     text not null,
    attempt         integer not null,
    node_id         text not null,
    started_at      timestamptz not null,
    duration_ms     integer not null,
    status_code     integer,
    error           text,
    response_body   text,            -- the first 2 KB
    primary key (delivery_id, attempt)
);

-- Every outbox insert, by whatever statement, fans out to the matching endpoints in the same
-- transaction: a delivery exists exactly when its event does (invariant 5), and no cursor over
-- outbox.seq can skip an event whose transaction committed late.
create function webhook_fan_out() returns trigger language plpgsql as $$
begin
    insert into webhook_delivery (id, endpoint_id, org_id, event_seq, event_id, status, next_attempt_at, created_at, updated_at)
    select 'whd_' || translate(substr(md5(random()::text || n.event_id || e.id), 1, 20), '0189', 'wxyz'),
           e.id, n.org_id, n.seq, n.event_id, 'pending', n.created_at, n.created_at, n.created_at
    from new_events n
    join webhook_endpoint e on e.org_id = n.org_id and e.enabled and e.deleted_at is null
                           and (cardinality(e.event_types) = 0 or n.type = any (e.event_types));
    return null;
end $$;

create trigger outbox_fan_out after insert on outbox
    referencing new table as new_events
    for each statement execute function webhook_fan_out();
