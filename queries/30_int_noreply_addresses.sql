-- GitLab's private commit emails as the commits carry them, with the user id each belongs to.
-- GitLab matches `ID-anything@NOREPLY` by the numeric id alone (lib/gitlab/private_commit_email.rb:
-- /\A(?<id>[0-9]+)\-([^@]+)@hostname\z/, then `match[:id].to_i`), so an account keeps the
-- `ID-oldname@` commits it made before a rename.
create or replace table int_noreply_addresses as
with params as (
    select * from stg_params
),
emails as (
    select distinct author_email as email from stg_commits
),
local_parts as (
    select e.email, left(e.email, length(e.email) - length(p.noreply) - 1) as local_part
    from emails as e, params as p
    where ends_with(e.email, '@' || p.noreply)
),
final as (
    select
        email,
        try_cast(regexp_extract(local_part, '^([0-9]+)-[^@]+$', 1) as bigint) as user_id
    from local_parts
    where regexp_matches(local_part, '^[0-9]+-[^@]+$')
)
select * from final where user_id is not null;
