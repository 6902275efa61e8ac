-- A line's live calls as the tally says (V18): the folded count plus the committed deltas not yet
-- folded. One definition for every reader that does not fold (line deletion, operators, tests);
-- the claim folds instead, under the line's lock (LineClaimer.liveCalls).
create view line_live as
select l.id as line_id,
       l.live_calls + coalesce((select sum(d.delta) from line_live_delta d where d.line_id = l.id), 0) as live_calls
from line l;
