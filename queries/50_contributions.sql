-- Mart: every counted item in the 365-day horizon; leaderboard_* are its counts.
create or replace table contributions as
with contributions as (
    select * from int_contributions
),
params as (
    select * from stg_params
),
horizon as (
    select c.*
    from contributions as c, params as p
    where c.happened_at >= p.as_of - to_days(365)
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
    from horizon
)
select * from final order by team, username, "at", kind, item_id;
