-- Issues, latest version per id (updated_at, then _extracted_at), in-scope projects only.
create or replace table stg_issues as
with source as (
    select * from raw_issues
),
in_scope as (
    select distinct id as project_id from raw_projects
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
        id as issue_id,
        project_id,
        title,
        web_url,
        normalize(author.username) as author_username,
        timezone('UTC', created_at) as created_at,
        normalize(closed_by.username) as closed_by_username,
        timezone('UTC', closed_at) as closed_at
    from latest
    where project_id in (select project_id from in_scope)
)
select * from final;
