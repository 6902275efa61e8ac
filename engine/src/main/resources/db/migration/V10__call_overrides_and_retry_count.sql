-- Per-call overrides of the agent's conversation settings (prompt, first_message, language, voice,
-- llm_model), as the vendor dialects carry them; null when the call uses the agent's own.
alter table call add column overrides jsonb;

-- How many times a batch was retried through the API (ElevenLabs' retry_count).
alter table batch add column retry_count integer not null default 0;
