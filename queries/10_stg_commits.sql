-- Default-branch commits of in-scope projects, one row per (project_id, sha); times in naive UTC.
-- A commit's page is derived, not stored: `<project web_url>/-/commit/<sha>`, GitLab's route for
-- it (`resources :commit` under the project's `/-/` scope, config/routes/repository.rb).
create or replace table stg_commits as
with source as (
    select * from raw_commits
),
projects as (
    -- the in-scope projects, the latest extraction of each (09_stg_projects.sql)
    select project_id, project_web_url from stg_projects
),
deduped as (
    select s.*, p.project_web_url
    from source as s
    join projects as p using (project_id)
    qualify row_number() over (
        partition by s.project_id, s.id order by s._extracted_at desc nulls last
    ) = 1
),
final as (
    -- every other raw field passes through under GitLab's name, so a field the extraction adds
    -- reaches the SQL without a change here; a part an older extraction wrote tells a merge by
    -- its `parent_ids` (schema.RAW_FORMER)
    select
        * exclude (
            id, author_email, authored_date, parent_count, parent_ids, project_web_url,
            _extracted_at
        ),
        id as sha,
        normalize(coalesce(author_email, '')) as author_email,
        timezone('UTC', authored_date) as authored_at,
        coalesce(parent_count, len(parent_ids), 0) > 1 as is_merge,
        project_web_url || '/-/commit/' || id as web_url
    from deduped
)
select * from final;
