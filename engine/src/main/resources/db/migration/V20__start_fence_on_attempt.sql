-- Whether an attempt was handed to the carrier is now recorded once, on its call_attempt row
-- (started_at), instead of also on the call row (dial_started_at). The start stamps a row not yet
-- ended; release, lease expiry, cancel and the do-not-call check end a row not yet started; the row
-- lock orders the two (see StartFence). The call row is no longer rewritten at the start: it is wide
-- and has seven indexes, and that rewrite (rarely HOT: the claim's new version fills the page) was
-- ~15 % of PostgreSQL's time per call when dispatching 500,000 calls.
--
-- call.dials now counts attempts claimed and not taken back: the claim adds one, and a taker that
-- ends an unstarted attempt takes it off again. Calls claimed but not started by an older version
-- are counted here, so their release does not go below zero.
update call c set dials = dials + 1 where state = 'dialing' and dial_started_at is null;
alter table call drop column dial_started_at;
