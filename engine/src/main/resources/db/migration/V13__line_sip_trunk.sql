-- A line on the sip provider reaches its carrier through a trunk: server, transport, digest
-- credentials, caller id, outbound proxy, ring timeout, codecs (telephony.Trunk, snake_case JSON).
-- The password is kept because digest auth needs it in the clear; the API never shows it.
alter table line add column sip jsonb;
