-- Mart: emails that counted commits (365-day horizon) name, as author or under any other commit
-- kind (a co-author), that are no bot's and belong to no member, so a team can claim them in
-- teams.csv. `commits` counts the distinct commits that name the email.
create or replace table unmatched_authors as
with identities as (
    select i.*
    from int_commit_identities as i, stg_params as p
    where i.authored_at >= p.as_of - to_days(365)
),
holders as (
    -- every in-scope project whose default branch holds the SHA
    select sha, project_id from stg_commits
),
unmatched as (
    select *
    from identities
    where email not in (select email from int_member_emails)
        and not is_bot_email(email)
),
per_email as (
    select
        email as author_email,
        max_by(name, (authored_at, sha)) as author_name,
        count(distinct sha) as commits,
        min(authored_at) as first_seen,
        max(authored_at) as last_seen
    from unmatched
    group by email
),
projects as (
    select u.email as author_email, count(distinct h.project_id) as projects
    from unmatched as u
    join holders as h using (sha)
    group by u.email
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
