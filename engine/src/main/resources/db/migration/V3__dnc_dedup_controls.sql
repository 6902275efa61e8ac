-- Do-not-call list, dedup setting, batch pause.

create table dnc (
    org_id        text not null references org (id),
    phone_number  text not null,          -- E.164 (or a SIP URI as given)
    reason        text,
    created_at    timestamptz not null,
    primary key (org_id, phone_number)
);

alter table org add column dedup_across_batches boolean not null default false;

-- Finding a pending call by number: dedup within a batch and, when enabled, across batches.
create index call_pending_destination on call (org_id, destination) where state <> 'finished';
