-- Every counted item in long form, one row per item and kind, by the username it is credited to,
-- before teams and windows: commits by member email (int_counted_commits), MRs and issues by
-- author and closer, review events (int_reviews). A new kind is one more arm here; its metric
-- (pipeline/metrics.py) says how it is counted.
create or replace table int_items as
with commits as (
    select e.username, 'commit' as kind, c.sha as item_id, c.project_id, c.title, c.web_url,
        c.authored_at as happened_at
    from int_counted_commits as c
    join int_member_emails as e on e.email = c.author_email
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
