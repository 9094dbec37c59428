-- Merge requests, latest version per id (updated_at, then _extracted_at), in-scope projects only.
-- An MR's page is derived, not stored: `<project web_url>/-/merge_requests/<iid>`, GitLab's route
-- for it (config/routes/merge_requests.rb, under the project's `/-/` scope).
create or replace table stg_merge_requests as
with source as (
    select * from raw_merge_requests
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
    -- a group listing can bring in a project shared into the group: never count it
    select
        l.id as mr_id,
        l.project_id,
        l.title,
        p.project_web_url || '/-/merge_requests/' || l.iid::varchar as web_url,
        normalize(l.author.username) as author_username,
        timezone('UTC', l.created_at) as created_at,
        timezone('UTC', l.merged_at) as merged_at
    from latest as l
    join projects as p using (project_id)
)
select * from final;
