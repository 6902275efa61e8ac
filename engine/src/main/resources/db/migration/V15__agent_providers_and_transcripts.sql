-- The engines an agent talks with (OpenAI-compatible model, transcriber, voice; keys kept, never shown)
-- and how it holds a conversation; each call keeps its transcript (issue 8).
alter table agent add column providers jsonb;
alter table agent add column conversation jsonb;
alter table call add column transcript jsonb;
