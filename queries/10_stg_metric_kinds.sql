-- Which contribution kinds each metric counts (pipeline/metrics.py, registered by build as
-- input_metric_kinds): mrs_reviewed counts mr_approved and review_comment rows.
create or replace table stg_metric_kinds as
with source as (
    select * from input_metric_kinds
),
final as (
    select metric, kind from source
)
select * from final;
