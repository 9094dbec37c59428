-- Co-author credit: each counted commit's `Co-authored-by` people (extract/trailers.py) other
-- than its author, added to int_commit_identities under kind `commit_coauthored`, so they match
-- members on the same emails as authors do and the ones matching nobody join the unmatched
-- authors. The author naming themselves (the same email, or another address of the same
-- member) earns nothing more; a person named twice on one commit counts once; a bot email
-- matches nobody and is listed nowhere (as for authors).
insert into int_commit_identities by name
with commits as (
    select * from int_counted_commits
),
named as (
    -- a SHA held by a fork and its upstream is one commit with one message
    select distinct sha, unnest(coauthors) as person
    from stg_commits
),
people as (
    select sha, normalize(coalesce(person.email, '')) as email, max(person.name) as name
    from named
    group by all
),
members as (
    select * from int_member_emails
),
final as (
    select
        c.sha, c.project_id, c.title, c.web_url, c.authored_at, p.email, p.name,
        'commit_coauthored' as kind
    from commits as c
    join people as p using (sha)
    left join members as author on author.email = c.author_email
    left join members as named on named.email = p.email
    where p.email <> ''
        and p.email <> c.author_email
        and (author.username is null or author.username is distinct from named.username)
)
select * from final;
