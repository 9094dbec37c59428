-- Review credit as contribution items: approvals of MRs and non-system comments on MRs, each on
-- someone else's MR (an MR's own author never earns review credit on it). `item_id` is the MR's
-- id, so mrs_approved/mrs_reviewed count distinct MRs; a comment links to its note.
-- Teams, bots (absent from int_memberships) and the horizon are applied in int_contributions.
create or replace table int_reviews as
with events as (
    select * from stg_events
),
mrs as (
    select * from stg_merge_requests
),
reviewing as (
    select
        e.*,
        case when e.action = 'approved' then 'mr_approved' else 'review_comment' end as kind
    from events as e
    where (e.action = 'approved' and e.target_type = 'MergeRequest')
        or (e.action = 'commented' and e.noteable_type = 'MergeRequest' and not e.is_system)
),
final as (
    -- an event on an MR the extraction does not hold (out of scope, deleted) names no author
    -- to check against, so it counts for nobody
    select
        e.author_username as username,
        e.kind,
        m.mr_id::varchar as item_id,
        m.project_id,
        m.title,
        case when e.kind = 'review_comment' then m.web_url || '#note_' || e.note_id
            else m.web_url end as web_url,
        e.created_at as happened_at
    from reviewing as e
    join mrs as m on m.mr_id = e.target_item_id
    where e.author_username is distinct from m.author_username
)
select * from final;
