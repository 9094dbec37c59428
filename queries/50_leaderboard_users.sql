-- Mart: one row per (window, membership) where a membership is one teams.csv row overlapping
-- the window, counting the work done during it; zeros for members without activity. prev_rank
-- is the same membership's rank in the previous period (null when it did not overlap it).
create or replace table leaderboard_users as
with final as (
    select * from int_people_rows
)
select * exclude (listed_rank, listed_prev_rank, listed, sort_order, joined_at)
from final
order by sort_order, rank, team, username, joined_at nulls first;
