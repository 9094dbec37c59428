-- Commits that count, one row per SHA over all in-scope default branches (a fork and its
-- upstream share SHAs), merge commits excluded, authored in [as_of - 730 days, as_of): the
-- 365-day horizon and the period before it, which prev_rank of the 365-day window ranks.
create or replace table int_counted_commits as
with commits as (
    select * from stg_commits
),
projects as (
    select * from stg_projects
),
params as (
    select * from stg_params
),
ranked as (
    -- the SHA is shown under its lowest non-fork project id, else its lowest id
    select c.*, p.is_fork
    from commits as c
    join projects as p using (project_id)
    qualify row_number() over (partition by c.sha order by p.is_fork, c.project_id) = 1
),
final as (
    select
        r.sha,
        r.project_id,
        r.title,
        r.web_url,
        r.author_name,
        r.author_email,
        r.authored_at
    from ranked as r, params as p
    where not r.is_merge
        and r.authored_at >= p.as_of - to_days(730)
        and r.authored_at < p.as_of
)
select * from final;
