-- Every counted item in long form, one row per item and kind, by the username it is credited to,
-- before teams and windows: commits by member email, under each kind a commit names people in
-- (int_commit_identities: its author, its co-authors), MRs and issues by author and closer,
-- review events (int_reviews). A new kind is one more arm here, or rows of a commit kind in
-- int_commit_identities; its metric (pipeline/metrics.py) says how it is counted.
create or replace table int_items as
with commits as (
    select e.username, c.kind, c.sha as item_id, c.project_id, c.title, c.web_url,
        c.authored_at as happened_at
    from int_commit_identities as c
    join int_member_emails as e on e.email = c.email
),
mrs as (
    select * from stg_merge_requests
),
issues as (
    select * from stg_issues
),
reviews as (
    select * from int_reviews
),
items as (
    select * from commits
    union all
    select author_username, 'mr_opened', mr_id::varchar, project_id, title, web_url, created_at
    from mrs
    union all
    select author_username, 'mr_merged', mr_id::varchar, project_id, title, web_url, merged_at
    from mrs
    union all
    select author_username, 'issue_opened', issue_id::varchar, project_id, title, web_url,
        created_at
    from issues
    union all
    select closed_by_username, 'issue_closed', issue_id::varchar, project_id, title, web_url,
        closed_at
    from issues
    union all
    select * from reviews
),
final as (
    -- an item without a person or a time counts for nobody
    select * from items where username is not null and happened_at is not null
)
select * from final;
