-- The people board before it becomes marts: one row per (window, membership) with its metric
-- columns (pivoted on the registry's names, 00_metric_names.sql), score and rank among everyone,
-- prev_rank, and the rank among the listed people only (teams.csv `listed`; null for a person
-- marked no) in the window and in the previous period. leaderboard_users and
-- leaderboard_listed_users are its two views.
create or replace table int_people_rows as
with board as (
    select * from int_board_users
),
counts as (
    select * from int_board_counts
),
memberships as (
    select * from stg_memberships
),
listed_board as (
    -- ranked again among the listed people only, in each window and period
    select
        b."window", b.period, b.team, b.username, b.joined_at,
        dense_rank() over (partition by b."window", b.period order by b.score desc) as rank
    from board as b
    join memberships as m
        on m.team = b.team and m.username = b.username
        and m.joined_at is not distinct from b.joined_at
    where m.listed
),
metric_columns as (
    pivot (
        select "window", team, username, joined_at, metric, value
        from counts where period = 'current'
    )
    on metric in metric_name
    using max(value)
),
final as (
    select
        c."window", c.team, c.username,
        m.* exclude ("window", team, username, joined_at),
        c.score::bigint as score, c.rank::bigint as rank, p.rank::bigint as prev_rank,
        lc.rank::bigint as listed_rank, lp.rank::bigint as listed_prev_rank,
        lc.rank is not null as listed,
        c.sort_order, c.joined_at
    from board as c
    join metric_columns as m
        on m."window" = c."window" and m.team = c.team and m.username = c.username
        and m.joined_at is not distinct from c.joined_at
    left join board as p
        on p.period = 'previous' and p."window" = c."window" and p.team = c.team
        and p.username = c.username and p.joined_at is not distinct from c.joined_at
    left join listed_board as lc
        on lc.period = 'current' and lc."window" = c."window" and lc.team = c.team
        and lc.username = c.username and lc.joined_at is not distinct from c.joined_at
    left join listed_board as lp
        on lp.period = 'previous' and lp."window" = c."window" and lp.team = c.team
        and lp.username = c.username and lp.joined_at is not distinct from c.joined_at
    where c.period = 'current'
)
select * from final;
