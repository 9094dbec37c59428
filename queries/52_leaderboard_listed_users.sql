-- Mart (not the contract's): leaderboard_users of the listed people only (teams.csv `listed`),
-- ranked among themselves in the window and in the previous period; the site shows it, so a
-- person marked listed=no is named nowhere and leaves no gap in the ranks.
create or replace table leaderboard_listed_users as
with listed as (
    select * from int_people_rows where listed
),
final as (
    select * replace (listed_rank as rank, listed_prev_rank as prev_rank)
    from listed
)
select * exclude (listed_rank, listed_prev_rank, listed, sort_order, joined_at)
from final
order by sort_order, rank, team, username, joined_at nulls first;
