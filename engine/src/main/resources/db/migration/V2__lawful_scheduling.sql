-- Lawful scheduling: candidate zones per call, calling windows, overrides, organization defaults.

alter table org add column timezone text;                    -- the organization's default zone (last resort)

alter table agent add column calling_window jsonb;           -- null: no window of its own (the quiet-hours guard still applies)

alter table batch add column calling_window jsonb;           -- overrides the agent's
alter table batch add column retry_policy jsonb;             -- overrides the agent's

alter table call add column zones text[] not null default '{}';  -- candidate zones: a call starts only where all allow it
alter table call add column zone_reason text;                     -- explicit, phone_number, agent, organization
alter table call add column wait_reason text;                     -- why due_at is later than asked, in words
