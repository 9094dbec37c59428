-- Every counted item of the last 730 days (the 365-day horizon and the previous period that
-- prev_rank ranks), attributed to the member's team at the item's time (joined_at <= t <
-- left_at); work done while in no team counts nowhere.
create or replace table int_contributions as
with params as (
    select * from stg_params
),
memberships as (
    select * from int_memberships
),
items as (
    select * from int_items
),
in_horizon as (
    select i.*
    from items as i, params as p
    where i.happened_at >= p.as_of - to_days(730)
        and i.happened_at < p.as_of
),
final as (
    select
        m.team, i.username, i.kind, i.item_id, i.project_id, i.title, i.web_url, i.happened_at
    from in_horizon as i
    join memberships as m
        on m.username = i.username
        and (m.joined_at is null or m.joined_at <= i.happened_at)
        and (m.left_at is null or i.happened_at < m.left_at)
)
select * from final;
