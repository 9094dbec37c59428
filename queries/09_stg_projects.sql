-- In-scope projects (raw/projects), one row per id: the latest extraction wins.
create or replace table stg_projects as
with source as (
    select * from raw_projects
),
latest as (
    select *
    from source
    qualify row_number() over (partition by id order by _extracted_at desc nulls last) = 1
),
final as (
    select
        id as project_id,
        path_with_namespace as project_path,
        default_branch,
        forked_from_project_id is not null as is_fork,
        web_url as project_web_url
    from latest
)
select * from final;
