-- Default-branch commits of in-scope projects, one row per (project_id, sha); times in naive UTC.
create or replace table stg_commits as
with source as (
    select * from raw_commits
),
in_scope as (
    select distinct id as project_id from raw_projects
),
deduped as (
    select *
    from source
    where project_id in (select project_id from in_scope)
    qualify row_number() over (
        partition by project_id, id order by _extracted_at desc nulls last
    ) = 1
),
final as (
    -- every other raw field passes through under GitLab's name, so a field the extraction adds
    -- reaches the SQL without a change here
    select
        * exclude (id, author_email, authored_date, committed_date, parent_ids, _extracted_at),
        id as sha,
        normalize(coalesce(author_email, '')) as author_email,
        timezone('UTC', authored_date) as authored_at,
        coalesce(len(parent_ids), 0) > 1 as is_merge
    from deduped
)
select * from final;
