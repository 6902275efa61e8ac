-- The spine: tenants, agents, lines, batches, calls, attempts, outbox, idempotency.
-- Times are timestamptz (UTC on the wire). Ids are 24-character prefixed base32 strings.

create table org (
    id                text primary key,
    name              text not null,
    quiet_hours_guard boolean not null default true,
    created_at        timestamptz not null
);

create table api_key (
    id          text primary key,
    org_id      text not null references org (id),
    key_hash    bytea not null unique,   -- SHA-256 of the whole key; the key itself is never stored
    key_prefix  text not null,           -- first characters, so an operator can tell keys apart
    name        text not null default '',
    created_at  timestamptz not null,
    revoked_at  timestamptz
);
create index api_key_org on api_key (org_id);

create table agent (
    id                 text primary key,
    org_id             text not null references org (id),
    name               text not null,
    prompt             text not null default '',
    first_message      text,
    language           text not null default 'en',
    voice              text,
    variables          jsonb not null default '[]',   -- [{name, type, required}]
    default_variables  jsonb not null default '{}',
    timezone           text,
    max_duration_s     integer not null,
    retry_policy       jsonb not null,
    created_at         timestamptz not null,
    updated_at         timestamptz not null,
    deleted_at         timestamptz
);
create index agent_org on agent (org_id, created_at, id) where deleted_at is null;

create table line (
    id              text primary key,
    org_id          text not null references org (id),
    name            text not null default '',
    phone_number    text not null,
    provider        text not null,
    max_concurrent  integer not null check (max_concurrent > 0),
    max_cps         double precision not null check (max_cps > 0),
    -- The earliest instant the next dial may start: the dispatcher hands out slots from here,
    -- spaced 1/max_cps apart, under the line row lock (DESIGN §7, invariant 4).
    next_dial_at    timestamptz not null default '-infinity',
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    deleted_at      timestamptz
);
create index line_org on line (org_id, created_at, id) where deleted_at is null;

create table batch (
    id               text primary key,
    org_id           text not null references org (id),
    name             text not null,
    agent_id         text not null references agent (id),
    line_id          text not null references line (id),
    status           text not null,     -- pending, in_progress, completed, cancelled
    variables        jsonb not null default '{}',
    metadata         jsonb not null default '{}',
    scheduled_at     timestamptz,
    deadline         timestamptz,
    priority         integer not null default 0,
    total            integer not null,
    idempotency_key  text,
    created_at       timestamptz not null,
    updated_at       timestamptz not null,
    finished_at      timestamptz,
    unique (org_id, idempotency_key)
);
create index batch_org on batch (org_id, created_at desc, id desc);
create index batch_open on batch (status) where status in ('pending', 'in_progress');

create table call (
    id                text primary key,
    org_id            text not null,
    batch_id          text not null references batch (id),
    agent_id          text not null,
    line_id           text not null,
    row_index         integer not null,         -- position in the submitted recipients list
    destination       text not null,            -- E.164 or SIP URI
    variables         jsonb not null default '{}',
    metadata          jsonb not null default '{}',
    external_id       text,
    timezone          text,
    priority          integer not null default 0,
    scheduled_at      timestamptz,
    deadline          timestamptz,
    max_attempts      integer not null,
    state             text not null,            -- scheduled, dialing, ringing, in_progress, finished
    outcome           text,                     -- set when finished
    outcome_reason    text,
    attempt           integer not null default 0,   -- attempts claimed so far; the fencing token
    dials             integer not null default 0,   -- attempts actually handed to the carrier; the retry budget counts these
    dial_started_at   timestamptz,                  -- when the current attempt was handed to the carrier; null while only claimed
    due_at            timestamptz,
    lease_owner       text,
    lease_expires_at  timestamptz,
    created_at        timestamptz not null,
    updated_at        timestamptz not null,
    finished_at       timestamptz
);
-- The dispatcher's claim: per line, scheduled calls by priority then due time.
create index call_due on call (line_id, priority desc, due_at, id) where state = 'scheduled';
-- Active calls per line, for the concurrency limit; and per lease, for expiry.
create index call_active on call (line_id) where state in ('dialing', 'ringing', 'in_progress');
create index call_lease on call (lease_expires_at) where state in ('dialing', 'ringing', 'in_progress');
create index call_batch on call (batch_id, state, outcome);
-- Unfinished calls per batch, so batch completion is an index probe, not a scan of finished calls.
create index call_unfinished on call (batch_id) where state <> 'finished';
-- Scheduled calls with a deadline, for expiry.
create index call_deadline on call (deadline) where state = 'scheduled' and deadline is not null;
create index call_batch_page on call (batch_id, row_index);

create table call_attempt (
    call_id      text not null references call (id),
    attempt      integer not null,
    org_id       text not null,
    line_id      text not null,
    node_id      text not null,
    claimed_at   timestamptz not null,
    dial_at      timestamptz not null,          -- the pacer slot
    started_at   timestamptz,                   -- dial actually handed to telephony
    ringing_at   timestamptz,
    answered_at  timestamptz,
    ended_at     timestamptz,
    outcome      text,                          -- the attempt's own outcome; 'interrupted' after a lost lease
    reason       text,
    sip_code     integer,
    primary key (call_id, attempt)
);

create table outbox (
    seq         bigserial primary key,
    event_id    text not null unique,
    org_id      text not null,
    type        text not null,
    subject_id  text not null,
    payload     jsonb not null,
    created_at  timestamptz not null
);
create index outbox_org on outbox (org_id, seq);

create table idempotency (
    org_id        text not null,
    key           text not null,
    request_hash  bytea not null,
    status        integer,          -- null while the first request is in flight
    content_type  text,
    body          bytea,
    created_at    timestamptz not null,
    primary key (org_id, key)
);
create index idempotency_age on idempotency (created_at);
