-- Score weights: the ONE place to change what each metric is worth (see docs/metrics.md).
-- score = commits * commits + mrs_opened * mrs_opened + ... using the values below.
create or replace table score_weights as
with final as (
    select
        1::bigint as commits,
        1::bigint as mrs_opened,
        3::bigint as mrs_merged,
        1::bigint as issues_opened,
        2::bigint as issues_closed
)
select * from final;
