-- After the call (issue 8): what an agent extracts from each conversation into typed fields, the tags it
-- classifies calls with, whether it writes a summary (null: yes when it has a model), and each call's analysis
-- ({attempt, extracted, tags, summary, errors, model}, fenced by the attempt like the transcript).
alter table agent add column extraction jsonb not null default '[]';
alter table agent add column tags jsonb not null default '[]';
alter table agent add column summarize boolean;
alter table call add column analysis jsonb;
