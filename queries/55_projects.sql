-- Mart: every in-scope project by id, with its path and page, so the site and the MR preview
-- name a project by `group/app` (linked) instead of its bare id.
create or replace table projects as
with projects as (
    select * from stg_projects
),
final as (
    select
        project_id::bigint as project_id,
        project_path as path_with_namespace,
        project_web_url as web_url
    from projects
)
select * from final order by path_with_namespace, project_id;
