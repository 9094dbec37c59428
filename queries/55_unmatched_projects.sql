-- Where each unmatched email appears: one row per (email, project whose default branch holds its
-- counted commits), so a team can tell whose address it is before claiming it in teams.csv.
create or replace table unmatched_projects as
with unmatched as (
    select author_email, commits as email_commits from unmatched_authors
),
commits as (
    -- the commits that name each email, as author or under another commit kind
    select i.sha, i.email as author_email
    from int_commit_identities as i, stg_params as p
    where i.authored_at >= p.as_of - to_days(365)
),
holders as (
    -- every in-scope project whose default branch holds the SHA (a fork and its upstream both)
    select sha, project_id from stg_commits
),
projects as (
    select * from stg_projects
),
final as (
    select
        u.author_email,
        h.project_id,
        p.project_path as path_with_namespace,
        p.project_web_url as web_url,
        count(distinct c.sha)::bigint as commits,
        any_value(u.email_commits) as email_commits
    from unmatched as u
    join commits as c using (author_email)
    join holders as h using (sha)
    join projects as p using (project_id)
    group by u.author_email, h.project_id, p.project_path, p.project_web_url
)
select author_email, project_id, path_with_namespace, web_url, commits
from final
order by email_commits desc, author_email, commits desc, path_with_namespace, project_id;
