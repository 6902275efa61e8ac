-- Answering-machine detection and call recording are agent settings (issue 7); each attempt keeps
-- who answered (human, machine, unknown) and the path of its recording, if any.
alter table agent add column amd jsonb;
alter table agent add column record_calls boolean not null default false;
alter table call_attempt add column answered_by text;
alter table call_attempt add column recording text;
