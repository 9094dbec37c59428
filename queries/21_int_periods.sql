-- Each window twice: the current period [as_of - N days, as_of) and the previous one of the
-- same length, [as_of - 2N days, as_of - N days), which prev_rank ranks by the same SQL.
create or replace table int_periods as
with windows as (
    select * from int_windows
),
final as (
    select "window", sort_order, 'current' as period, window_start, window_end
    from windows
    union all
    select
        "window", sort_order, 'previous',
        window_start - (window_end - window_start), window_start
    from windows
)
select * from final;
