-- A call whose conversation is stored but whose analysis is not yet: set with the transcript, cleared with the
-- analysis. The analysis runs on the node that held the call; if that node dies first, another node's
-- housekeeper finds the call here once the analysis is overdue, and makes it (issue 8: crashes lose nothing).
alter table call add column analysis_pending_since timestamptz;
create index call_analysis_pending on call (analysis_pending_since) where analysis_pending_since is not null;
