-- Each member's commit emails with the strongest source (teams_csv > public_email > noreply).
-- An email written in teams.csv belongs to that person alone; a bot email matches nobody. The
-- noreply ones: `username@NOREPLY`, `ID-username@NOREPLY`, and every other `ID-...@NOREPLY` of
-- the member's id that a commit carries.
create or replace table int_member_emails as
with params as (
    select * from stg_params
),
members as (
    select distinct username from int_memberships
),
records as (
    select * from stg_users where username in (select username from members)
),
claimed as (
    select username, email from stg_roster_emails
),
teams_csv as (
    select username, email, 'teams_csv' as source, 1 as strength
    from claimed
    where username in (select username from members)
),
public_email as (
    select username, public_email as email, 'public_email' as source, 2 as strength
    from records
    where public_email is not null
),
noreply as (
    select r.username, r.username || '@' || p.noreply as email, 'noreply' as source, 3 as strength
    from records as r, params as p
    union all
    select r.username, r.user_id || '-' || r.username || '@' || p.noreply, 'noreply', 3
    from records as r, params as p
    union all
    -- every `ID-anything@NOREPLY` the commits carry for the member's id (an older username's too)
    select r.username, a.email, 'noreply', 3
    from records as r
    join int_noreply_addresses as a using (user_id)
),
candidates as (
    select * from teams_csv
    union all
    select * from public_email
    union all
    select * from noreply
),
allowed as (
    select c.*
    from candidates as c
    where c.source = 'teams_csv'
        or not exists (
            select 1 from claimed as k where k.email = c.email and k.username <> c.username
        )
),
final as (
    select username, email, arg_min(source, strength) as source
    from allowed
    where not is_bot_email(email)
    group by username, email
)
select * from final order by username, email;
