-- The board's metric names as types, in page order, from the registry (pipeline/metrics.py,
-- registered by build as input_metrics). This is the one place where the registry's names become
-- column names: every wide mart counts in long form (a `metric` column) and pivots
-- `on metric in metric_name`, which gives one column per metric, in this order, even over no rows.
create or replace type metric_name as enum (
    select name from input_metrics order by position
);

-- The metrics bot_activity lists.
create or replace type bot_metric_name as enum (
    select name from input_metrics where bots order by position
);
