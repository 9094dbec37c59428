-- The leaderboard windows [as_of - N days, as_of) (N from schema.WINDOWS, bound by build).
create or replace table int_windows as
with windows as (
    select * from input_windows
),
params as (
    select * from stg_params
),
final as (
    select
        w.window_name as "window",
        w.sort_order,
        p.as_of - to_days(w.days::integer) as window_start,
        p.as_of as window_end
    from windows as w
    cross join params as p
)
select * from final;
