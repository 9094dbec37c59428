-- Issues, latest version per id (updated_at, then _extracted_at), in-scope projects only.
-- An issue's page is derived, not stored: `<project web_url>/-/issues/<iid>` (config/routes/
-- issues.rb); it opens every issue type: an incident shows there, a task is redirected to its
-- work item (`redirect_if_work_item`, app/controllers/projects/issues_controller.rb).
create or replace table stg_issues as
with source as (
    select * from raw_issues
),
projects as (
    -- the in-scope projects, the latest extraction of each (09_stg_projects.sql)
    select project_id, project_web_url from stg_projects
),
latest as (
    select *
    from source
    qualify row_number() over (
        partition by id order by updated_at desc nulls last, _extracted_at desc nulls last
    ) = 1
),
final as (
    select
        l.id as issue_id,
        l.project_id,
        l.title,
        p.project_web_url || '/-/issues/' || l.iid::varchar as web_url,
        normalize(l.author.username) as author_username,
        timezone('UTC', l.created_at) as created_at,
        normalize(l.closed_by.username) as closed_by_username,
        timezone('UTC', l.closed_at) as closed_at
    from latest as l
    join projects as p using (project_id)
)
select * from final;
