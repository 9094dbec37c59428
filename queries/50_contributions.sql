-- Mart: every counted item in the 365-day horizon; leaderboard_* are its counts.
create or replace table contributions as
with contributions as (
    select * from int_contributions
),
final as (
    select
        team,
        username,
        kind,
        item_id,
        project_id::bigint as project_id,
        title,
        web_url,
        timezone('UTC', happened_at) as "at"
    from contributions
)
select * from final order by team, username, "at", kind, item_id;
