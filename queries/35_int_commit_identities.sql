-- Who a counted commit names, one row per (SHA, email, kind): its author as kind `commit`, and
-- any other people a later file adds under its own kind (the co-authors). Members are matched
-- on these emails for every kind (39_int_items.sql), and the ones matching nobody are the
-- unmatched authors (50_unmatched_authors.sql). Same horizon as int_counted_commits.
create or replace table int_commit_identities as
with commits as (
    select * from int_counted_commits
),
final as (
    select
        sha,
        project_id,
        title,
        web_url,
        authored_at,
        author_email as email,
        author_name as name,
        'commit' as kind
    from commits
)
select * from final;
