-- Exact bot emails: bots.txt emails, and every address of a roster member dropped as a bot.
create or replace table int_bot_emails as
with params as (
    select * from stg_params
),
bot_members as (
    select * from int_bot_members
),
listed as (
    select email from stg_bot_emails
),
member_teams_csv as (
    select e.email
    from stg_roster_emails as e
    where e.username in (select username from bot_members)
),
member_records as (
    select u.*
    from stg_users as u
    where u.username in (select username from bot_members)
),
member_public as (
    select public_email as email from member_records where public_email is not null
),
member_noreply as (
    select r.username || '@' || p.noreply as email from member_records as r, params as p
    union all
    select r.user_id || '-' || r.username || '@' || p.noreply from member_records as r, params as p
    union all
    select a.email from member_records as r join int_noreply_addresses as a using (user_id)
),
final as (
    select email from listed
    union select email from member_teams_csv
    union select email from member_public
    union select email from member_noreply
)
select * from final;
