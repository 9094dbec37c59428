-- Mart: counted commits (365-day horizon) whose non-bot email belongs to no member, so a team
-- can claim it in teams.csv.
create or replace table unmatched_authors as
with commits as (
    select * from int_commits
),
holders as (
    -- every in-scope project whose default branch holds the SHA
    select sha, project_id from stg_commits
),
unmatched as (
    select *
    from commits
    where author_email not in (select email from int_member_emails)
        and not is_bot_email(author_email)
),
per_email as (
    select
        author_email,
        max_by(author_name, (authored_at, sha)) as author_name,
        count(distinct sha) as commits,
        min(authored_at) as first_seen,
        max(authored_at) as last_seen
    from unmatched
    group by author_email
),
projects as (
    select u.author_email, count(distinct h.project_id) as projects
    from unmatched as u
    join holders as h using (sha)
    group by u.author_email
),
final as (
    select
        e.author_email, e.author_name, e.commits::bigint as commits,
        p.projects::bigint as projects,
        timezone('UTC', e.first_seen) as first_seen, timezone('UTC', e.last_seen) as last_seen
    from per_email as e
    join projects as p using (author_email)
)
select * from final order by commits desc, author_email;
