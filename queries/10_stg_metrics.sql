-- The registry's metrics (pipeline/metrics.py, registered by build as input_metrics): each one's
-- weight in the score, how it counts (every row, or distinct items per person) and whether
-- bot_activity lists it.
create or replace table stg_metrics as
with source as (
    select * from input_metrics
),
final as (
    select
        name as metric,
        position,
        weight,
        counting = 'distinct' as counts_distinct,
        bots
    from source
)
select * from final;

-- A metric's count over a group's rows: every row, or the distinct items (`counts_distinct`).
-- One rule for the board, the weekly activity and the bots table.
create or replace macro metric_count(counts_distinct, item) as
    case when counts_distinct then count(distinct item) else count(item) end;
