-- Score weights: the ONE place to change what each metric is worth (see docs/metrics.md).
-- score = commits * commits + mrs_opened * mrs_opened + ... using the values below.
create or replace table score_weights as
with final as (
    select
        1::bigint as commits,
        1::bigint as mrs_opened,
        3::bigint as mrs_merged,
        1::bigint as issues_opened,
        2::bigint as issues_closed,
        -- review credit: reviewing an MR is what earns points; approvals and comments are shown
        0::bigint as mrs_approved,
        0::bigint as review_comments,
        2::bigint as mrs_reviewed
)
select * from final;
