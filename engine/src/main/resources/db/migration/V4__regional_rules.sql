-- Stricter calling rules per region (for example US states with later starts or Sunday bans), as data.
alter table org add column regional_rules jsonb not null default '[]';
alter table call add column region text;   -- e.g. US-FL: the number's country and, where known, its state or area
